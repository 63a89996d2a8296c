// Child process of the set crash-safety tests: builds a new version of the set at `root`
// with the library (key "version" → `version`, then "key:<i>" → "<version>:<i>:<pad>"),
// in 3 shards on 2 worker threads.
import { buildSharded } from '@mmcdb/core';

const [root, records, version] = [process.argv[2], Number(process.argv[3]), process.argv[4]];
const pad = 'x'.repeat(100);
function* recs() {
  yield ['version', version];
  for (let i = 0; i < records; i++) yield [`key:${i}`, `${version}:${i}:${pad}`];
}
await buildSharded(root, recs(), { shards: 3, workers: 2 });
process.stdout.write('finished\n');
