// One row of the cold-I/O benchmark (bench/cold-io.mjs), in its own process. Prints one JSON line.
// spec: { db, probeDb, keys, count, backend: 'mmap'|'pread', asyncIo?, queueDepth?, mode: 'sync'|'getMany'|'async'|'one',
//         asyncIoOptional?, batch, inflight, cache: 'cold'|'warm', warmup }
// Cold: the reader evicts the file (reader.evict(): MADV_DONTNEED + POSIX_FADV_DONTNEED; no other
// process maps it) and mincore (reader.residency()) must then report it gone, before the clock starts.
// Warm: the whole file is brought in first (warm({ what: 'all' })) and checked resident.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { build, openSync } from '@mmcdb/core';
import { readKeyFile } from './dataset.mjs';

const spec = JSON.parse(process.argv[2]);
const out = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);
const sleep = (t) => new Promise((r) => setTimeout(r, t));
const PAGE = 4096;

/** read_bytes of /proc/self/io: bytes this process (all its threads) caused to be read from storage. */
function diskReadBytes() {
  const m = /^read_bytes: (\d+)$/m.exec(fs.readFileSync('/proc/self/io', 'utf8'));
  return m ? Number(m[1]) : Number.NaN;
}
const residentBytes = (r) => {
  const x = r.residency();
  return { resident: x.index.resident + x.data.resident, total: x.index.total + x.data.total };
};

// Every value is touched: one byte per 4 KiB page (a lazy mmap view is really read), its last
// byte and its length go into the checksum, which must agree between rows.
function touch(vs, acc) {
  for (let j = 0; j < vs.length; j++) {
    const v = vs[j];
    if (v === undefined) continue;
    const n = v.length;
    for (let i = 0; i < n; i += PAGE) acc.sum += v[i];
    acc.sum += (n ? v[n - 1] : 0) + n;
    acc.bytes += n;
    acc.found++;
  }
}

/**
 * The caller's side of a getManyAsync(): touch() in slices of 2,048 values, an event-loop
 * turn between them, as a stall-conscious caller would; a big batch read in one synchronous
 * loop would hold the loop itself (9–25 ms for 20,000 values here, bench/async-stall.mjs).
 */
async function consume(vs, acc) {
  for (let at = 0; at < vs.length; at += 2048) {
    if (at > 0) await new Promise((r) => setImmediate(r));
    touch(vs.length <= 2048 ? vs : vs.slice(at, at + 2048), acc);
  }
}

/**
 * The probe: a 1 ms timer; the longest gap between two of its callbacks is the longest
 * event-loop stall (an idle loop reads ≈ 1.1 ms, since each gap includes the 1 ms itself).
 */
function stallProbe() {
  let last = performance.now();
  let longest = 0;
  let ticks = 0;
  const t = setInterval(() => {
    const now = performance.now();
    if (now - last > longest) longest = now - last;
    last = now;
    ticks++;
  }, 1);
  return {
    stop() {
      clearInterval(t);
      const tail = performance.now() - last; // a stall at the very end, not yet seen by a tick
      return { longestMs: Math.max(longest, tail), ticks };
    },
  };
}

const options = { backend: spec.backend };
if (spec.asyncIo !== undefined) options.asyncIo = spec.asyncIo;
if (spec.queueDepth !== undefined) options.queueDepth = spec.queueDepth;

// Does this build know the asyncIo option? A build that does rejects a value it does not know.
let asyncIoOption;
if (spec.asyncIo !== undefined) {
  let known = false;
  try {
    // on a file of its own: a mapping of the measured file could outlive close() and pin its pages
    openSync(spec.probeDb, { backend: 'mmap', asyncIo: 'no-such-path' }).close();
  } catch (e) {
    known = e instanceof RangeError || e instanceof TypeError;
    if (!known) throw e;
  }
  if (!known && !spec.asyncIoOptional) {
    out({ unavailable: 'this build has no asyncIo open option' });
    process.exit(0);
  }
  if (!known) delete options.asyncIo; // threadpool: the only path such a build has
  if (!known) delete options.queueDepth;
  asyncIoOption = known;
}

const keys = readKeyFile(spec.keys, spec.count ?? Number.POSITIVE_INFINITY);
let db;
try {
  db = openSync(spec.db, options);
} catch (e) {
  out({ unavailable: `open: ${String(e.message).split('\n')[0]}` });
  process.exit(0);
}
const result = { backend: db.backend, mode: spec.mode, n: keys.length, asyncIoOption };
// The path the reader took (reading it picks it, and starts an io_uring ring: before the clock).
if (spec.mode === 'async' || spec.mode === 'one')
  for (const k of ['asyncIo', 'asyncFallbackReason']) if (db[k] !== undefined) result[k] = db[k];
if (spec.queueDepth !== undefined && options.queueDepth !== undefined) result.queueDepth = spec.queueDepth;

// The page cache, set and checked through an mmap reader (the pread backend has no mincore).
const pages = db.backend === 'mmap' ? db : openSync(spec.db, { backend: 'mmap' });
if (spec.cache === 'cold') {
  // Pages still being written back cannot be dropped yet: evict again until mincore sees none.
  result.evictTries = 0;
  do {
    if (result.evictTries) await sleep(200);
    pages.evict();
    result.evictTries++;
  } while (residentBytes(pages).resident > 0 && result.evictTries < 5);
} else {
  await pages.warm({ what: 'all' });
}
const before = residentBytes(pages);
result.residentAtStart = before.resident;
result.fileBytes = before.total;
if (pages !== db) pages.close();
if (spec.cache === 'cold' && (spec.mode === 'async' || spec.mode === 'one')) {
  // JIT warm-up of a cold async row, untimed, on another small file with the same options
  // (the same code paths, none of this file's pages): without it a fresh process's first
  // getManyAsync() also times its own compilation.
  const other = path.join(os.tmpdir(), `mmcdb-cold-io-warmup-${process.pid}.mmcdb`);
  await build(
    other,
    Array.from({ length: 4096 }, (_, i) => [`w${i}`, 'v'.repeat(100)]),
    { fsync: false },
  );
  const w = openSync(other, options);
  const wk = Array.from({ length: 4096 }, (_, i) => `w${i}`);
  for (let r = 0; r < 3; r++)
    await consume(await w.getManyAsync(spec.mode === 'one' ? wk : wk.slice(0, spec.batch)), { sum: 0, bytes: 0, found: 0 });
  w.close();
  fs.rmSync(other, { force: true });
}
if (spec.cache === 'warm' && spec.warmup) {
  // JIT warm-up, untimed (warm runs only: on a cold run it would bring pages in).
  const w = keys.slice(0, Math.min(spec.warmup, keys.length));
  if (spec.mode === 'sync')
    touch(
      w.map((k) => db.get(k)),
      { sum: 0, bytes: 0, found: 0 },
    );
  else if (spec.mode === 'getMany') touch(db.getMany(w.slice(0, spec.batch)), { sum: 0, bytes: 0, found: 0 });
  else
    for (let i = 0; i < w.length; i += spec.batch)
      touch(await db.getManyAsync(w.slice(i, i + spec.batch)), { sum: 0, bytes: 0, found: 0 });
}

// Batches are sliced before the clock starts: a caller has its keys in arrays already.
const batches = [];
if (spec.mode === 'one') batches.push(keys);
else if (spec.mode !== 'sync') for (let i = 0; i < keys.length; i += spec.batch) batches.push(keys.slice(i, i + spec.batch));

// The setup's own garbage (the key list: up to 420k strings still in the young
// generation) collected before the clock, as a server's would be long before: otherwise
// the first scavenge inside the run promotes it (8–13 ms, measured) and the stall column
// shows the benchmark's allocations, not the library's (cold-io.mjs passes --expose-gc).
if (typeof globalThis.gc === 'function') {
  globalThis.gc();
  globalThis.gc();
}
await sleep(5); // a quiet loop before the probe starts
const acc = { sum: 0, bytes: 0, found: 0 };
const main = { callMs: 0, touchMs: 0 };
const probe = stallProbe();
const io0 = diskReadBytes();
const ru0 = process.resourceUsage();
const cpu0 = process.cpuUsage();
const t0 = performance.now();
if (spec.mode === 'sync') {
  const one = [undefined];
  for (let i = 0; i < keys.length; i++) {
    one[0] = db.get(keys[i]);
    touch(one, acc);
  }
} else if (spec.mode === 'getMany') {
  for (let i = 0; i < batches.length; i++) touch(db.getMany(batches[i]), acc);
} else {
  // The main thread's own share of a stall: the getManyAsync() call (keys handed over) and the
  // continuation that makes the views and touches them; the longest of each is reported.
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const c0 = performance.now();
      const p = db.getManyAsync(batches[next++]);
      const c1 = performance.now();
      if (c1 - c0 > main.callMs) main.callMs = c1 - c0;
      const vs = await p;
      // The longest synchronous piece of the continuation: the first slice of consume().
      const t1 = performance.now();
      const done = consume(vs, acc);
      const t2 = performance.now();
      if (t2 - t1 > main.touchMs) main.touchMs = t2 - t1;
      await done;
    }
  };
  await Promise.all(Array.from({ length: Math.min(spec.inflight ?? 1, batches.length) }, worker));
}
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const ru = process.resourceUsage();
const readBytes = diskReadBytes() - io0;
await sleep(3); // a tick or two after the end, so the probe sees the last interval
const stall = probe.stop();
// The same probe over an idle loop, as long as the run (0.3–2 s): what this machine's noise
// alone makes of a "stall" (other processes share the 2 vCPUs).
const idle = stallProbe();
await sleep(Math.max(300, Math.min(2000, seconds * 1000)));
const idleStall = idle.stop();
Object.assign(result, {
  found: acc.found,
  checksum: acc.sum,
  bytesRequested: acc.bytes,
  seconds,
  perSec: keys.length / seconds,
  stallMs: stall.longestMs,
  probeTicks: stall.ticks,
  idleStallMs: idleStall.longestMs,
  longestCallMs: spec.mode === 'async' || spec.mode === 'one' ? main.callMs : undefined,
  longestTouchMs: spec.mode === 'async' || spec.mode === 'one' ? main.touchMs : undefined,
  cpuUsPerLookup: (cpu.user + cpu.system) / keys.length,
  cpuUserUs: cpu.user,
  cpuSystemUs: cpu.system,
  readBytes,
  diskShare: readBytes / acc.bytes,
  majorFaults: ru.majorPageFault - ru0.majorPageFault,
  minorFaults: ru.minorPageFault - ru0.minorPageFault,
  voluntarySwitches: ru.voluntaryContextSwitches - ru0.voluntaryContextSwitches,
});
if (db.backend === 'mmap') result.residentAfter = residentBytes(db).resident;
db.close();
out(result);
process.exit(0);
