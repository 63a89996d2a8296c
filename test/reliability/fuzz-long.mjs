// Long fuzz run (docs/RELIABILITY.md §Fuzzing):
//   node test/reliability/fuzz-long.mjs --cases 100000 --seed 1 [--workers 2] [--budget-ms 5000] [--dir /tmp/x]
// Prints progress, then a JSON summary: cases/s, outcome counts per code, crashes and
// hangs (their files are kept under <dir>/findings), non-CdbError failures, and how
// often the backends gave different answers for the same file.
import * as os from 'node:os';
import * as path from 'node:path';
import * as fs from 'node:fs';
import { runFuzz } from './fuzz-lib.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const cases = Number(opt('cases', 100000));
const seed = Number(opt('seed', 1));
const workers = Number(opt('workers', os.availableParallelism?.() ?? 2));
const budgetMs = Number(opt('budget-ms', 5000));
const dir = opt('dir', fs.mkdtempSync(path.join(os.tmpdir(), 'mmcdb-fuzz-')));

let last = 0;
const summary = await runFuzz({
  cases,
  seed,
  workers,
  budgetMs,
  dir,
  onProgress: (s) => {
    if (Date.now() - last > 10000) {
      last = Date.now();
      console.error(`[fuzz] ${s.done}/${cases} cases, crashes ${s.crashes.length}, hangs ${s.hangs.length}, bad ${s.bad.length}`);
    }
  },
});
summary.casesPerSecond = Math.round(summary.done / summary.seconds);
summary.dir = dir;
console.log(JSON.stringify(summary, null, 2));
process.exit(summary.crashes.length + summary.hangs.length + summary.bad.length > 0 ? 1 : 0);
