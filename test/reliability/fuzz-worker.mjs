// Worker of fuzz-lib.mjs runFuzz(): receives { index } over IPC, builds case `index`
// of the seed, writes it to a scratch file, exercises it on every backend and sends
// back { index, ops, answers, ms }. A crash kills this process (the parent records it).
//   node fuzz-worker.mjs <bases dir> <scratch dir> <seed>
import * as fs from 'node:fs';
import * as path from 'node:path';
import { exercise, loadBases, makeCase } from './fuzz-lib.mjs';

//   node fuzz-worker.mjs --file <path>   exercises one file, prints { ops, answers } as JSON
if (process.argv[2] === '--file') {
  console.log(JSON.stringify(await exercise(process.argv[3])));
  process.exit(0);
}

const [basesDir, scratch, seedArg] = process.argv.slice(2);
const seed = Number(seedArg);
const bases = loadBases(basesDir);
fs.mkdirSync(scratch, { recursive: true });
let n = 0;

process.on('message', async ({ index }) => {
  const t0 = performance.now();
  const { bytes } = makeCase(seed, index, bases);
  const file = path.join(scratch, `case-${index}.db`);
  fs.writeFileSync(file, bytes);
  const { ops, answers } = await exercise(file);
  fs.rmSync(file, { force: true });
  // Mapped files stay open until their views are collected: collect now and then.
  if (++n % 100 === 0) globalThis.gc?.();
  process.send({ index, ops, answers, ms: performance.now() - t0 });
});
process.on('disconnect', () => {
  fs.rmSync(scratch, { recursive: true, force: true });
  process.exit(0);
});
