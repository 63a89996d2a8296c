// Seeded fuzzing of the readers (@mmcdb/core, every backend) with corrupted files.
// Used by fuzz.test.ts (bounded, CI) and fuzz-long.mjs (long runs).
//
// A case is fully determined by (seed, index): a base file (mmcdb value_align 1 / 8,
// duplicates 'all' / 'last', classic, empty ones) and 1–4 mutations (byte flips, u32 /
// u64 field overwrites with interesting values, truncation, extension, splices from
// another base file; mmcdb header checksum — and sometimes file_length and the body
// checksum — repaired afterwards so the mutation reaches past open()). Workers (child
// processes) run the cases; the parent times each one, so a crash is a dead worker and
// a hang is a case over its time budget — both recorded with the case's bytes.
import { fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, CdbError, openSync, verify, analyze } from '@mmcdb/core';
import { xxh64 } from '@mmcdb/core/internal';

export const BACKENDS = ['mmap', 'memory', 'pread'];

// ---------------------------------------------------------------- PRNG (splitmix32 mix)
export function rng(seed) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  return {
    u32: next,
    int: (n) => (n <= 0 ? 0 : Math.floor((next() / 2 ** 32) * n)),
    chance: (p) => next() / 2 ** 32 < p,
    pick: (a) => a[Math.floor((next() / 2 ** 32) * a.length)],
  };
}

// ---------------------------------------------------------------- base files
export const KEYS = Array.from({ length: 48 }, (_, i) => `k${i}`);
const PROBE_KEYS = [...KEYS.slice(0, 40), '', 'absent', 'k999'];

function records(variant) {
  const recs = [];
  for (let i = 0; i < 40; i++) {
    const len = (i * 37) % 300;
    recs.push([`k${i}`, Buffer.alloc(len, 97 + (i % 26))]);
  }
  for (let i = 0; i < 8; i++) recs.push([`k${i * 3}`, `dup-${i}-${variant}`]); // duplicates
  recs.push(['', 'empty key']);
  recs.push([`k40`, '']); // empty value
  return recs;
}

export const BASES = [
  { name: 'mmcdb-a1-all', format: 'mmcdb', options: { valueAlign: 1, duplicates: 'all', metadata: { fuzz: 1 } } },
  { name: 'mmcdb-a8-all', format: 'mmcdb', options: { valueAlign: 8, duplicates: 'all' } },
  { name: 'mmcdb-a1-last', format: 'mmcdb', options: { valueAlign: 1, duplicates: 'last', metadata: ['x'] } },
  { name: 'mmcdb-a8-last-big', format: 'mmcdb', options: { valueAlign: 8, duplicates: 'last', load: 0.9 }, big: true },
  { name: 'classic', format: 'classic', options: { format: 'classic' } },
  { name: 'classic-big', format: 'classic', options: { format: 'classic' }, big: true },
  { name: 'mmcdb-empty', format: 'mmcdb', options: {}, empty: true },
  { name: 'classic-empty', format: 'classic', options: { format: 'classic' }, empty: true },
];

/** Builds the base files into dir (deterministic); returns their bytes by name. */
export async function buildBases(dir) {
  fs.mkdirSync(dir, { recursive: true });
  const out = {};
  for (const b of BASES) {
    const file = path.join(dir, `${b.name}.base`);
    const recs = b.empty ? [] : records(b.name);
    if (b.big) for (let i = 0; i < 400; i++) recs.push([`big${i}`, Buffer.alloc(i % 50, 48 + (i % 10))]);
    await build(file, recs, { fsync: false, ...b.options });
    out[b.name] = fs.readFileSync(file);
  }
  return out;
}

export function loadBases(dir) {
  const out = {};
  for (const b of BASES) out[b.name] = fs.readFileSync(path.join(dir, `${b.name}.base`));
  return out;
}

// ---------------------------------------------------------------- mutations
const U64_FIELDS = [16, 24, 32, 40, 48, 64, 72, 80, 88, 96]; // §Header
const U32_FIELDS = [12, 56, 60, 104];

/** u32/u64 positions worth overwriting in `bytes` (format-aware). */
function fieldSites(bytes, format) {
  const sites = []; // [offset, width]
  if (format === 'mmcdb' && bytes.length >= 128) {
    for (const o of U64_FIELDS) sites.push([o, 8]);
    for (const o of U32_FIELDS) sites.push([o, 4]);
    const dataEnd = Number(bytes.readBigUInt64LE(40));
    const indexOffset = Number(bytes.readBigUInt64LE(48));
    const indexLength = Number(bytes.readBigUInt64LE(64));
    for (let i = 0; i < Math.min(indexLength, 64); i++) {
      const s = indexOffset + 16 * i;
      if (s + 16 <= bytes.length) sites.push([s, 8], [s + 8, 8]);
    }
    for (let p = 128, n = 0; p + 12 <= Math.min(dataEnd, bytes.length) && n < 64; n++) {
      sites.push([p, 4], [p + 4, 8]);
      const kl = bytes.readUInt32LE(p) & 0x7fffffff;
      const vl = Number(bytes.readBigUInt64LE(p + 4));
      const align = bytes.readUInt32LE(60) || 1;
      const v = Math.ceil((p + 12 + kl) / align) * align;
      if (!(vl < 1e7)) break;
      p = v + vl;
    }
  } else if (format === 'classic' && bytes.length >= 2048) {
    for (let i = 0; i < 256; i += 1) sites.push([i * 8, 4], [i * 8 + 4, 4]);
    const t0 = bytes.readUInt32LE(0);
    for (let s = t0; s + 8 <= bytes.length && s < t0 + 8 * 64; s += 8) sites.push([s, 4], [s + 4, 4]);
    for (let p = 2048, n = 0; p + 8 <= Math.min(t0, bytes.length) && n < 64; n++) {
      sites.push([p, 4], [p + 4, 4]);
      p += 8 + bytes.readUInt32LE(p) + bytes.readUInt32LE(p + 4);
    }
  }
  return sites;
}

function interesting(r, size) {
  const k = r.int(70) - 35;
  return r.pick([
    0n,
    1n,
    2n,
    2n ** 31n,
    2n ** 31n - 1n,
    2n ** 32n - 1n,
    2n ** 32n,
    2n ** 53n,
    2n ** 53n - 1n,
    2n ** 64n - 1n,
    BigInt(Math.max(0, size + k)),
    BigInt(size),
    128n,
    2048n,
    BigInt(r.u32()),
    BigInt(r.int(size + 1)),
  ]);
}

function writeField(buf, off, width, value) {
  if (off + width > buf.length) return;
  if (width === 8) buf.writeBigUInt64LE(BigInt.asUintN(64, value), off);
  else buf.writeUInt32LE(Number(BigInt.asUintN(32, value)), off);
}

/** The mmcdb header checksum (§Header 120) and, optionally, file_length and body checksum. */
function repairMmcdb(buf, r) {
  if (buf.length < 128 || buf.readUInt32LE(0) !== 0x434d4d89) return;
  if (r.chance(0.4)) buf.writeBigUInt64LE(BigInt(buf.length), 88);
  if (r.chance(0.3)) {
    const fl = Number(buf.readBigUInt64LE(88));
    if (fl === buf.length) buf.writeBigUInt64LE(xxh64(buf.subarray(128), 0n), 96);
  }
  buf.writeBigUInt64LE(xxh64(buf.subarray(0, 120), 0n), 120);
}

/** Case `index` of run `seed`: { base, bytes, desc }. Pure function of its arguments. */
export function makeCase(seed, index, bases) {
  const r = rng((Math.imul(seed, 0x27d4eb2d) ^ Math.imul(index + 1, 0x165667b1)) >>> 0);
  const spec = r.pick(BASES);
  let buf = Buffer.from(bases[spec.name]);
  const desc = [spec.name];
  const steps = 1 + r.int(4);
  for (let s = 0; s < steps; s++) {
    const kind = r.pick(['flip', 'flip', 'field', 'field', 'field', 'truncate', 'extend', 'splice']);
    if (kind === 'flip' && buf.length > 0) {
      const n = 1 + r.int(8);
      const region = r.chance(0.3) ? Math.min(buf.length, 2048) : buf.length;
      for (let i = 0; i < n; i++) buf[r.int(region)] ^= 1 + r.int(255);
      desc.push(`flip${n}`);
    } else if (kind === 'field') {
      const sites = fieldSites(buf, spec.format);
      const [off, width] =
        sites.length > 0 && r.chance(0.9) ? r.pick(sites) : [r.int(Math.max(1, buf.length - 8)), r.chance(0.5) ? 8 : 4];
      const v = interesting(r, buf.length);
      writeField(buf, off, width, v);
      desc.push(`u${width * 8}@${off}=${v}`);
    } else if (kind === 'truncate') {
      const n = r.chance(0.5) ? r.int(buf.length) : Math.max(0, buf.length - 1 - r.int(64));
      buf = buf.subarray(0, n);
      desc.push(`trunc${n}`);
    } else if (kind === 'extend') {
      const n = 1 + r.int(r.chance(0.5) ? 64 : 5000);
      const extra = Buffer.alloc(n, r.chance(0.5) ? 0 : r.int(256));
      buf = Buffer.concat([buf, extra]);
      desc.push(`ext${n}`);
    } else if (kind === 'splice') {
      const other = bases[r.pick(BASES).name];
      if (other.length === 0) continue;
      const from = r.int(other.length);
      const len = 1 + r.int(Math.min(512, other.length - from));
      const at = r.chance(0.5) ? Math.min(from, buf.length) : r.int(buf.length + 1);
      const piece = other.subarray(from, from + len);
      buf = r.chance(0.5)
        ? Buffer.concat([buf.subarray(0, at), piece, buf.subarray(Math.min(buf.length, at + len))]) // overwrite
        : Buffer.concat([buf.subarray(0, at), piece, buf.subarray(at)]); // insert
      desc.push(`splice${len}@${at}`);
    }
  }
  buf = Buffer.from(buf);
  if (spec.format === 'mmcdb' && r.chance(0.7)) {
    repairMmcdb(buf, r);
    desc.push('fixsum');
  }
  return { base: spec.name, bytes: buf, desc: desc.join(' ') };
}

// ---------------------------------------------------------------- exercising a file
function outcome(err) {
  if (err instanceof CdbError && typeof err.code === 'string' && err.code.startsWith('ERR_CDB_')) return err.code;
  return `BAD ${err?.constructor?.name}:${err?.code ?? ''}:${String(err?.message).slice(0, 160)}`;
}

/**
 * Runs every read operation of @mmcdb/core on `file` with each backend. Returns
 * { ops: { 'backend.op': 'ok' | code | 'BAD …' }, answers: { backend: digest } }.
 */
export async function exercise(file, backends = BACKENDS) {
  const ops = {};
  const answers = {};
  const run = (name, fn) => {
    try {
      const v = fn();
      ops[name] = 'ok';
      return v;
    } catch (err) {
      ops[name] = outcome(err);
      return undefined;
    }
  };
  const arun = async (name, fn) => {
    try {
      const v = await fn();
      ops[name] = 'ok';
      return v;
    } catch (err) {
      ops[name] = outcome(err);
      return undefined;
    }
  };
  for (const backend of backends) {
    const db = run(`${backend}.open`, () => openSync(file, { backend }));
    if (db === undefined) continue;
    try {
      const digest = [];
      run(`${backend}.get`, () => {
        for (const k of PROBE_KEYS) {
          const v = db.get(k);
          digest.push(v === undefined ? '-' : v.length);
        }
      });
      run(`${backend}.getAll`, () => {
        for (const k of PROBE_KEYS) digest.push(db.getAll(k).length);
      });
      run(`${backend}.has`, () => PROBE_KEYS.map((k) => db.has(k)));
      run(`${backend}.getMany`, () => db.getMany(PROBE_KEYS));
      await arun(`${backend}.getManyAsync`, () => db.getManyAsync(PROBE_KEYS));
      run(`${backend}.iterate`, () => {
        let n = 0;
        for (const [k, v] of db) {
          n += k.length + v.length;
          if (++n > 1e6) throw new Error('iteration did not end after 1e6 entries');
        }
        digest.push(`it${n}`);
      });
      run(`${backend}.metadata`, () => db.metadata);
      run(`${backend}.stats`, () => db.stats());
      answers[backend] = digest.join(',');
    } finally {
      run(`${backend}.close`, () => db.close());
    }
  }
  await arun('verify', async () => {
    const report = await verify(file);
    if (!report.ok) throw report.error; // recorded as its code (must be a CdbError too)
  });
  await arun('analyze', () => analyze(file));
  return { ops, answers };
}

// ---------------------------------------------------------------- the parent side
const WORKER = fileURLToPath(new URL('./fuzz-worker.mjs', import.meta.url));

/**
 * Runs cases [0, cases) of `seed` on `workers` child processes, each case within
 * budgetMs. Returns a summary: counts per outcome code, crashes and hangs (with the
 * case bytes saved under dir/findings), bad errors, backend disagreements, timing.
 */
export async function runFuzz({ cases, seed, workers = 2, budgetMs = 5000, dir, onProgress }) {
  const bases = await buildBases(path.join(dir, 'bases'));
  void bases;
  const summary = {
    seed,
    cases,
    done: 0,
    seconds: 0,
    codes: {},
    openCodes: {},
    crashes: [],
    hangs: [],
    bad: [],
    disagreements: 0,
    disagreementSamples: [],
    slowestMs: 0,
    slowestCase: -1,
    // verify() passed the file but a reader operation reported a problem.
    verifyMissed: 0,
    verifyMissedSamples: [],
  };
  const t0 = Date.now();
  let next = 0;
  const findings = path.join(dir, 'findings');
  const saveFinding = (kind, index, info) => {
    fs.mkdirSync(findings, { recursive: true });
    const { bytes, desc } = makeCase(seed, index, loadBases(path.join(dir, 'bases')));
    const file = path.join(findings, `${kind}-seed${seed}-case${index}.db`);
    fs.writeFileSync(file, bytes);
    return { index, desc, file, ...info };
  };
  const worker = () =>
    new Promise((resolveAll) => {
      let proc,
        current = -1,
        timer,
        stderr = '';
      const start = () => {
        stderr = '';
        proc = fork(
          WORKER,
          [path.join(dir, 'bases'), path.join(dir, `w${Math.random().toString(16).slice(2, 8)}`), String(seed)],
          {
            execArgv: ['--expose-gc'],
            stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
          },
        );
        proc.stderr.on('data', (d) => (stderr = (stderr + d).slice(-2000)));
        proc.on('message', (m) => {
          clearTimeout(timer);
          summary.done++;
          for (const [op, code] of Object.entries(m.ops)) {
            summary.codes[code.startsWith('BAD') ? 'BAD' : code] =
              (summary.codes[code.startsWith('BAD') ? 'BAD' : code] ?? 0) + 1;
            if (op.endsWith('.open')) summary.openCodes[code] = (summary.openCodes[code] ?? 0) + 1;
            if (code.startsWith('BAD') && summary.bad.length < 50) summary.bad.push(saveFinding('bad', m.index, { op, code }));
          }
          const a = Object.values(m.answers);
          if (a.length > 1 && a.some((x) => x !== a[0])) {
            summary.disagreements++;
            if (summary.disagreementSamples.length < 10)
              summary.disagreementSamples.push({ index: m.index, answers: m.answers, ops: m.ops });
          }
          if (m.ops.verify === 'ok') {
            const failed = Object.entries(m.ops).filter(([, c]) => c !== 'ok');
            if (failed.length > 0) {
              summary.verifyMissed++;
              if (summary.verifyMissedSamples.length < 10)
                summary.verifyMissedSamples.push(saveFinding('verify-missed', m.index, { failed: Object.fromEntries(failed) }));
            }
          }
          if (m.ms > summary.slowestMs) (summary.slowestMs = m.ms), (summary.slowestCase = m.index);
          onProgress?.(summary);
          feed();
        });
        proc.on('exit', (code, signal) => {
          clearTimeout(timer);
          if (current >= 0 && !proc.hangKilled) {
            summary.crashes.push(saveFinding('crash', current, { code, signal, stderr }));
            summary.done++;
            current = -1;
            start();
            feed();
          } else if (proc.hangKilled) {
            start();
            feed();
          } else resolveAll();
        });
      };
      const feed = () => {
        if (next >= cases) {
          current = -1;
          proc.disconnect?.();
          return;
        }
        current = next++;
        const index = current;
        proc.send({ index });
        timer = setTimeout(() => {
          summary.hangs.push(saveFinding('hang', index, { budgetMs }));
          summary.done++;
          current = -1;
          proc.hangKilled = true;
          proc.kill('SIGKILL');
        }, budgetMs);
      };
      start();
      feed();
    });
  await Promise.all(Array.from({ length: workers }, worker));
  summary.seconds = (Date.now() - t0) / 1000;
  return summary;
}
