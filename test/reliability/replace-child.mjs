// Child process for the hot-reload test: publishes `count` versions of the database at
// `file` by atomic rename; version n maps key:i to "v<n>:key:i". Prints "done" at the end.
import { build } from '@mmcdb/core';

const [file, count, keys] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
for (let n = 1; n <= count; n++) {
  const records = [];
  for (let i = 0; i < keys; i++) records.push([`key:${i}`, `v${n}:key:${i}`]);
  records.push(['version', String(n)]);
  await build(file, records, { fsync: false });
  await new Promise((r) => setTimeout(r, 5));
}
console.log('done');
