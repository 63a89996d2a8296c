// One engine, one task, in its own process. Prints one JSON line on stdout.
// spec: { module, variant, task: 'build'|'gets'|'cold', src, db, hits, misses, warmup, count, scan }
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
const db = await mod.open(spec.db, spec.variant, spec.src);
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
  // TODO(getMany): when reader.getMany / getManyAsync land in every backend, time them here over
  // the same key lists in batches (e.g. 64 and 1024 keys) and report them as `hitsBatch`.
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
