// One engine, one task, in its own process. Prints one JSON line on stdout.
// spec: { module, variant, task: 'build'|'gets'|'cold'|'batch'|'coldBatch'|'firstGets', src, db, hits, misses, warmup, count, scan }
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { readKeyFile } from './lib/dataset.mjs';

const spec = JSON.parse(process.argv[2]);
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const ms = (t0) => performance.now() - t0;

let mod;
try {
  mod = await import(`./engines/${spec.module}.mjs`);
} catch (e) {
  out({ unavailable: `cannot load: ${String(e.message).split('\n')[0]}` });
  process.exit(0);
}

// Every lookup touches its value: first byte + last byte + length into the checksum.
function run(get, keys, from = 0, to = keys.length) {
  let sum = 0;
  let found = 0;
  for (let i = from; i < to; i++) {
    const v = get(keys[i]);
    if (v !== undefined && v !== null) {
      sum += (v.length ? v[0] + v[v.length - 1] : 0) + v.length;
      found++;
    }
  }
  return { sum, found };
}
function timed(get, keys, count = keys.length) {
  const t0 = performance.now();
  const { sum, found } = run(get, keys, 0, count);
  const seconds = ms(t0) / 1000;
  return { n: count, found, checksum: sum, seconds, perSec: count / seconds };
}

if (spec.task === 'build') {
  const t0 = performance.now();
  const r = await mod.build(spec.src, spec.db);
  out({ ...r, seconds: ms(t0) / 1000, maxRssKiB: process.resourceUsage().maxRSS });
  process.exit(0);
}

const hits = readKeyFile(spec.hits, spec.count ?? Infinity);
const misses = spec.misses ? readKeyFile(spec.misses) : [];
const sleep = (t) => new Promise((r) => setTimeout(r, t));
const touchAll = (vs, acc) => {
  for (let j = 0; j < vs.length; j++) {
    const v = vs[j];
    if (v !== undefined && v !== null) {
      acc.sum += (v.length ? v[0] + v[v.length - 1] : 0) + v.length;
      acc.found++;
    }
  }
};
const chunks = (keys, size) => {
  const out = [];
  for (let i = 0; i < keys.length; i += size) out.push(keys.slice(i, i + size));
  return out;
};
const resident = (db) => {
  try {
    const r = db.residency();
    return { index: r.index.resident, indexTotal: r.index.total, data: r.data.resident, dataTotal: r.data.total };
  } catch (e) {
    return { error: e.message };
  }
};
// Event-loop delay histogram (ns) → ms summary. With resolution 1 ms every sample includes the
// 1 ms timer interval itself, so an idle loop reads ≈ 1 ms.
const eld = (h) => ({
  maxMs: h.max / 1e6,
  p99Ms: h.percentile(99) / 1e6,
  p50Ms: h.percentile(50) / 1e6,
  meanMs: h.mean / 1e6,
  samples: h.count,
});

if (spec.task === 'batch' || spec.task === 'coldBatch' || spec.task === 'firstGets') {
  const hits = readKeyFile(spec.hits, spec.count ?? Infinity);
  const t0 = performance.now();
  const db = await mod.open(spec.db, spec.variant, spec.src, spec.openOptions);
  if (db.unavailable) {
    out({ unavailable: db.unavailable });
    process.exit(0);
  }
  const result = { openMs: ms(t0) };
  if (spec.task === 'batch') {
    // Warm cache: the hit list through `get` one at a time (batch 0) or `getMany` in batches.
    // Batches are sliced before the clock starts (a caller has its keys in an array already).
    const w = Math.min(spec.warmup ?? 0, hits.length);
    const acc = { sum: 0, found: 0 };
    if (!spec.batch) {
      run(db.get, hits, 0, w);
      result.hits = timed(db.get, hits);
    } else {
      for (const b of chunks(hits.slice(0, w), spec.batch)) touchAll(db.getMany(b), { sum: 0, found: 0 });
      const bs = chunks(hits, spec.batch);
      const s0 = performance.now();
      for (let i = 0; i < bs.length; i++) touchAll(db.getMany(bs[i]), acc);
      const seconds = ms(s0) / 1000;
      result.hits = { n: hits.length, found: acc.found, checksum: acc.sum, seconds, perSec: hits.length / seconds };
    }
  } else if (spec.task === 'coldBatch') {
    // Cold cache (the file was evicted before this process started): the hit list through a
    // sync `get` loop, or getManyAsync in batches with several batches in flight, while an
    // event-loop delay monitor runs. Then the same monitor over an idle loop of equal length.
    result.residentAtOpen = resident(db);
    const acc = { sum: 0, found: 0 };
    const h = monitorEventLoopDelay({ resolution: 1 });
    await sleep(5); // let the monitor's timer start on a quiet loop
    h.enable();
    const s0 = performance.now();
    if (spec.mode === 'sync') {
      let longest = 0;
      for (let i = 0; i < hits.length; i++) {
        const g0 = performance.now();
        const v = db.get(hits[i]);
        const d = performance.now() - g0;
        if (d > longest) longest = d;
        if (v !== undefined) {
          acc.sum += v[0] + v[v.length - 1] + v.length;
          acc.found++;
        }
      }
      result.longestGetMs = longest;
    } else {
      // Where the main thread's own time goes: the getManyAsync call itself (keys handed over)
      // and the continuation that touches the batch's values; the longest of each is reported.
      const bs = chunks(hits, spec.batch);
      let next = 0;
      let callMax = 0;
      let touchMax = 0;
      const worker = async () => {
        while (next < bs.length) {
          const c0 = performance.now();
          const p = db.getManyAsync(bs[next++]);
          const c1 = performance.now();
          if (c1 - c0 > callMax) callMax = c1 - c0;
          const vs = await p;
          const t0 = performance.now();
          touchAll(vs, acc);
          const t1 = performance.now();
          if (t1 - t0 > touchMax) touchMax = t1 - t0;
        }
      };
      await Promise.all(Array.from({ length: spec.inflight }, worker));
      result.mainThread = { longestCallMs: callMax, longestTouchMs: touchMax };
    }
    const seconds = ms(s0) / 1000;
    await sleep(2); // a tick after the last batch so the monitor records the final interval
    h.disable();
    result.hits = { n: hits.length, found: acc.found, checksum: acc.sum, seconds, perSec: hits.length / seconds };
    result.loop = eld(h);
    result.residentAfter = resident(db);
    const idle = monitorEventLoopDelay({ resolution: 1 });
    idle.enable();
    await sleep(Math.max(300, Math.min(3000, seconds * 1000)));
    idle.disable();
    result.idleLoop = eld(idle);
  } else {
    // First lookups after eviction, each timed alone, with or without `await warm()` first.
    result.residentBefore = resident(db);
    if (spec.warm) {
      const w0 = performance.now();
      await db.warm();
      result.warmMs = ms(w0);
      result.residentAfterWarm = resident(db);
    }
    const lat = new Float64Array(hits.length);
    const acc = { sum: 0, found: 0 };
    for (let i = 0; i < hits.length; i++) {
      const g0 = performance.now();
      const v = db.get(hits[i]);
      if (v !== undefined) {
        acc.sum += v[0] + v[v.length - 1] + v.length;
        acc.found++;
      }
      lat[i] = performance.now() - g0;
    }
    const sorted = Float64Array.from(lat).sort();
    const q = (p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
    const total = lat.reduce((a, b) => a + b, 0);
    result.latency = {
      p50Ms: q(50),
      p90Ms: q(90),
      p99Ms: q(99),
      maxMs: sorted[sorted.length - 1],
      meanMs: total / lat.length,
      totalMs: total,
    };
    result.hits = {
      n: hits.length,
      found: acc.found,
      checksum: acc.sum,
      seconds: total / 1000,
      perSec: hits.length / (total / 1000),
    };
    result.residentAfter = resident(db);
  }
  await db.close();
  out(result);
  process.exit(0);
}

// preloadDb: open and close another file first, so one-time costs (loading the native addon)
// are not counted in this file's open time.
let preloadMs;
if (spec.preloadDb) {
  const p0 = performance.now();
  const pre = await mod.open(spec.preloadDb, spec.variant, spec.src);
  if (!pre.unavailable) await pre.close();
  preloadMs = ms(p0);
}
const t0 = performance.now();
const db = await mod.open(spec.db, spec.variant, spec.src, spec.openOptions);
if (db.unavailable) {
  out({ unavailable: db.unavailable });
  process.exit(0);
}
const openMs = ms(t0);
const t1 = performance.now();
const first = run(db.get, hits, 0, 1);
const firstGetMs = ms(t1);
const result = { preloadMs, openMs, firstGetMs, openToFirstGetMs: openMs + firstGetMs, firstChecksum: first.sum };

if (spec.task === 'cold') {
  // No warm-up: the file's pages were evicted before this process started.
  result.hits = timed(db.get, hits);
} else {
  const w = Math.min(spec.warmup ?? 0, hits.length);
  run(db.get, hits, 0, w);
  run(db.get, misses, 0, Math.min(w, misses.length));
  result.hits = timed(db.get, hits);
  result.misses = timed(db.get, misses);
  // Batched lookups (getMany / getManyAsync) are the 'batch', 'coldBatch' and 'firstGets' tasks above.
  if (spec.scan) {
    let sum = 0;
    let n = 0;
    const touch = (v) => {
      sum += (v.length ? v[0] + v[v.length - 1] : 0) + v.length;
      n++;
    };
    const s0 = performance.now();
    await db.scan(touch);
    const seconds = ms(s0) / 1000;
    result.scan = { n, found: n, checksum: sum, seconds, perSec: n / seconds };
  }
}
await db.close();
out(result);
