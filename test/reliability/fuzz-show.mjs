// Debug helper: node fuzz-show.mjs <seed> <index> <bases dir> [out file] — prints the case and its outcomes.
import * as fs from 'node:fs';
import { exercise, loadBases, makeCase } from './fuzz-lib.mjs';
const [seed, index, dir, out = '/tmp/fuzz-case.db'] = process.argv.slice(2);
const c = makeCase(Number(seed), Number(index), loadBases(dir));
fs.writeFileSync(out, c.bytes);
console.log(c.base, c.desc, c.bytes.length);
console.log(JSON.stringify(await exercise(out), null, 1));
