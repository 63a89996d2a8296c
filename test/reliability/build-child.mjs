// Child process for the crash-safe build test: builds `records` records into `file`
// (value "new:<i>", key "version" → "new") and prints "started" first so the parent can
// time its SIGKILL from the start of the build.
import { createWriter } from '@mmcdb/core';

const [file, records] = [process.argv[2], Number(process.argv[3])];
const pad = 'x'.repeat(200);
process.stdout.write('started\n');
const w = createWriter(file);
w.add('version', 'new');
for (let i = 0; i < records; i++) w.add(`key:${i}`, `new:${i}:${pad}`);
await w.finish();
process.stdout.write('finished\n');
