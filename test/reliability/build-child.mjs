// Child process of the crash-safety tests: builds `records` records into `file` with the
// library (key "version" → `version`, then "key:<i>" → "<version>:<i>:<pad>"), in the
// given format. Prints "started" first so a parent can time its SIGKILL from the start
// of the build, and "finished" at the end.
import { createWriter } from '@mmcdb/core';

const [file, records, version = 'new', format = 'mmcdb'] = [
  process.argv[2],
  Number(process.argv[3]),
  process.argv[4],
  process.argv[5],
];
const pad = 'x'.repeat(100);
process.stdout.write('started\n');
const w = createWriter(file, { format });
w.add('version', version);
for (let i = 0; i < records; i++) w.add(`key:${i}`, `${version}:${i}:${pad}`);
await w.finish();
process.stdout.write('finished\n');
