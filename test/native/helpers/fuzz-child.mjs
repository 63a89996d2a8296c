// Run in a child process by corrupt.test.ts, so that a crash (SIGSEGV, SIGBUS, abort)
// fails the test instead of killing vitest. argv[2] = JSON {file, format, seed,
// iterations, keys, work}. Applies seeded mutations to the good file and runs every
// read operation; every failure must be an Error whose code starts with ERR_CDB_, and
// every offset handed out must lie inside the file. Prints a JSON tally.
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const native = await import(pathToFileURL(path.join(here, '../../../packages/native/index.js')).href);
// The test addon, for its xxh64 hook (binding.gyp target mmcdb_test).
const testAddon = createRequire(import.meta.url)(path.join(here, '../../../packages/native/build/Release/mmcdb_test.node'));
const args = JSON.parse(process.argv[2]);
const good = fs.readFileSync(args.file);
const work = args.work;
const keys = [...args.keys, 'absent', '', 'x'.repeat(40)];

let s = args.seed >>> 0 || 1;
const rnd = () => {
  s ^= s << 13;
  s >>>= 0;
  s ^= s >>> 17;
  s ^= s << 5;
  s >>>= 0;
  return s;
};
const pick = (n) => rnd() % n;

function fail(msg) {
  console.error(msg);
  process.exit(1);
}

function seal(b) {
  if (args.format !== 'mmcdb' || b.length < 128) return;
  const seed = 0;
  b.writeBigUInt64LE(testAddon.xxh64(b.subarray(0, 120), seed, seed), 120);
}

// Section boundaries of the good file.
function boundaries() {
  if (args.format === 'classic') {
    const end = good.readUInt32LE(0);
    return [0, 8, 2047, 2048, 2056, end - 1, end, end + 8, good.length - 1];
  }
  const f = (o) => Number(good.readBigUInt64LE(o));
  return [0, 8, 127, 128, 140, f(40) - 1, f(40), f(48), f(48) + 8, f(72) - 1, f(72), good.length - 1];
}
const cuts = boundaries();

const boundaryValues = () => {
  const v = [0, 1, 11, 12, 127, 128, 2047, 2048, good.length - 1, good.length, good.length + 1, 0xffffffff, 0x7fffffff];
  return v[pick(v.length)];
};

function mutate() {
  const b = Buffer.from(good);
  const kind = pick(8);
  switch (kind) {
    case 0: {
      // random byte flips anywhere
      for (let i = 1 + pick(4); i > 0; i--) b[pick(b.length)] ^= 1 << pick(8);
      return { b, kind };
    }
    case 1: {
      // header / TOC bytes, resealed so the deeper checks run
      const lim = args.format === 'mmcdb' ? 120 : 2048;
      for (let i = 1 + pick(3); i > 0; i--) b[pick(lim)] = rnd() & 255;
      seal(b);
      return { b, kind };
    }
    case 2: {
      // a u32 at a random 4-aligned offset set to a boundary value
      const o = pick(b.length >>> 2) * 4;
      b.writeUInt32LE(boundaryValues() >>> 0, o);
      seal(b);
      return { b, kind };
    }
    case 3: {
      // truncate at (around) a section boundary
      const c = Math.max(0, Math.min(b.length, cuts[pick(cuts.length)] + pick(3) - 1));
      return { b: b.subarray(0, c), kind };
    }
    case 4: {
      // truncate, and make the header agree (mmcdb) so open gets further
      const c = Math.max(0, cuts[pick(cuts.length)] + pick(3) - 1);
      const t = Buffer.from(b.subarray(0, Math.min(c, b.length)));
      if (args.format === 'mmcdb' && t.length >= 128) {
        t.writeBigUInt64LE(BigInt(t.length), 88);
        t.writeBigUInt64LE(BigInt(Math.max(0, t.length - Number(t.readBigUInt64LE(72)))), 80);
        seal(t);
      }
      return { b: t, kind };
    }
    case 5: {
      // header u64 fields (mmcdb) / TOC entries (classic) to boundary values
      if (args.format === 'mmcdb') {
        const fields = [16, 32, 40, 48, 56, 60, 64, 72, 80, 88, 104];
        const o = fields[pick(fields.length)];
        if (o === 56 || o === 60 || o === 104) b.writeUInt32LE(boundaryValues() >>> 0, o);
        else b.writeBigUInt64LE(BigInt(boundaryValues()), o);
        seal(b);
      } else {
        b.writeUInt32LE(boundaryValues() >>> 0, pick(512) * 4);
      }
      return { b, kind };
    }
    case 6: {
      // index slots / classic tables: positions and hashes
      const start = args.format === 'mmcdb' ? Number(good.readBigUInt64LE(48)) : good.readUInt32LE(0);
      const end = args.format === 'mmcdb' ? Number(good.readBigUInt64LE(72)) : good.length;
      const width = args.format === 'mmcdb' ? 8 : 4;
      const o = start + pick(Math.max(1, (end - start) / width)) * width;
      if (o + width <= b.length) {
        if (width === 8) b.writeBigUInt64LE(BigInt(boundaryValues()), o);
        else b.writeUInt32LE(boundaryValues() >>> 0, o);
      }
      return { b, kind };
    }
    default: {
      // record length fields inside the data section
      const dataStart = args.format === 'mmcdb' ? 128 : 2048;
      const o = dataStart + pick(Math.max(1, b.length - dataStart - 4));
      b.writeUInt32LE(o % 3 === 0 ? 0xffffffff : boundaryValues() >>> 0, Math.min(o, b.length - 4));
      return { b, kind };
    }
  }
}

function check(h, off, len, what) {
  if (!(off >= 0 && len >= 0 && off + len <= h.fileSize)) fail(`${what}: offset ${off}+${len} outside ${h.fileSize}`);
  native.viewOf(h, off, len)[len > 0 ? len - 1 : 0]; // touch the bytes
}

// getMany / getManyAsync must equal get() key by key, and throw (reject with) the same
// error as get() for the first key whose lookup meets corruption.
async function exerciseMany(h) {
  const want = [];
  let wantErr = null;
  for (const k of keys) {
    try {
      want.push(...(h.get(k) ? [h.out[0], h.out[1]] : [-1, 0]));
    } catch (err) {
      wantErr = err;
      break;
    }
  }
  const same = (err, how) => {
    if (!wantErr) fail(`${how} threw ${err && err.stack} where get() did not`);
    if (err.code !== wantErr.code || err.offset !== wantErr.offset) {
      fail(`${how}: ${err.code}@${err.offset}, get(): ${wantErr.code}@${wantErr.offset}`);
    }
  };
  const compare = (out, how) => {
    if (wantErr) fail(`${how} did not throw ${wantErr.code}`);
    for (let i = 0; i < want.length; i++) if (out[i] !== want[i]) fail(`${how}: out[${i}] ${out[i]} != ${want[i]}`);
  };
  const out = new Float64Array(2 * keys.length);
  try {
    h.getMany(keys, out);
    compare(out, 'getMany');
  } catch (err) {
    same(err, 'getMany');
  }
  try {
    compare(await h.getManyAsync(keys), 'getManyAsync');
  } catch (err) {
    same(err, 'getManyAsync');
  }
}

// scan() batches (Uint32Array of 3 records, Float64Array of 4,096) must hand out exactly
// next()'s records — origin + relative offsets, each inside the batch's span — and throw
// next()'s error at the same record.
function exerciseScan(h) {
  const want = [];
  let wantErr = null;
  try {
    for (let c = h.next(0); c !== -1 && want.length < 1e6; c = h.next(c)) want.push(h.out[0], h.out[1], h.out[2], h.out[3]);
  } catch (err) {
    wantErr = err;
  }
  for (const out of [new Uint32Array(12), new Float64Array(4 * 4096)]) {
    const got = [];
    let err = null;
    try {
      for (let c = 0; c >= 0; ) {
        const n = h.scan(c, out);
        const [next, , origin, span] = h.out;
        for (let j = 0; j < 4 * n; j += 4) {
          if (out[j] + out[j + 1] > span || out[j + 2] + out[j + 3] > span) fail(`scan: record outside its batch's span ${span}`);
          got.push(origin + out[j], out[j + 1], origin + out[j + 2], out[j + 3]);
        }
        if (n === 0 && next !== -1) fail('scan: an empty batch that is not the end');
        c = next;
      }
    } catch (e) {
      err = e;
    }
    if ((err === null) !== (wantErr === null) || (err && (err.code !== wantErr.code || err.offset !== wantErr.offset))) {
      fail(`scan threw ${err?.code}@${err?.offset}, next() ${wantErr?.code}@${wantErr?.offset}`);
    }
    if (got.length !== want.length || got.some((x, i) => x !== want[i])) fail(`scan (${out.constructor.name}) != next()`);
  }
}

function exercise(h) {
  for (const k of keys) {
    const r = h.get(k);
    if (r) check(h, h.out[0], h.out[1], `get(${k})`);
    const n = h.getAll(k);
    for (let i = 0; i < Math.min(n, h.out.length / 2); i++) check(h, h.out[2 * i], h.out[2 * i + 1], 'getAll');
  }
  let steps = 0;
  for (let c = h.next(0); c !== -1; c = h.next(c)) {
    check(h, h.out[0], h.out[1], 'next key');
    check(h, h.out[2], h.out[3], 'next value');
    if (++steps > 1e6) fail('next() does not end');
  }
  h.metadata();
}

const tally = {};
const file = path.join(work, `fuzz-${process.pid}.bin`);
for (let i = 0; i < args.iterations; i++) {
  const { b, kind } = mutate();
  fs.writeFileSync(file, b);
  let outcome;
  let h;
  try {
    h = native.open(file);
    await exerciseMany(h);
    exerciseScan(h);
    exercise(h);
    outcome = 'ok';
  } catch (err) {
    if (!(err instanceof Error) || typeof err.code !== 'string' || !err.code.startsWith('ERR_CDB_')) {
      fail(`iteration ${i} (mutation ${kind}): unexpected ${err && err.stack}`);
    }
    outcome = err.code;
  } finally {
    h?.close();
  }
  tally[outcome] = (tally[outcome] ?? 0) + 1;
}
fs.rmSync(file, { force: true });
console.log(JSON.stringify(tally));
