// Child of test/native/open-gc.test.ts: fills the heap with live objects, then opens a
// database and reads one value in each case while a PerformanceObserver records every
// garbage collection. Prints one JSON line: { cases: [{ gcs: [[kind, ms]…] during
// open + get, value: [length, first, last], externalGrowth }], live, backend }.
// argv: coreUrl file heapMiB key[:windowSize:windowStride] …
import { PerformanceObserver, performance } from 'node:perf_hooks';

const [coreUrl, file, heapArg, ...cases] = process.argv.slice(2);
const { openSync } = await import(coreUrl);
const { setTestHook } = await import(new URL('./internal.js', coreUrl).href);

// The addon is loaded (and its first open paid for) before: what is measured is opening
// a database in a long-running process.
openSync(file, { backend: 'mmap' }).close();

const live = [];
let bytes = 0;
while (bytes < Number(heapArg) * 2 ** 20) {
  const a = new Array(10_000);
  for (let i = 0; i < a.length; i++) a[i] = { i, s: `x${i}` };
  live.push(a);
  bytes += 10_000 * 56; // a small object and its short string, about 56 bytes
}
globalThis.gc();
await new Promise((r) => setTimeout(r, 200));

const gcs = [];
const obs = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcs.push({ kind: e.detail?.kind, ms: e.duration, at: e.startTime });
});
obs.observe({ entryTypes: ['gc'] });
await new Promise((r) => setTimeout(r, 50));

const results = [];
let backend;
for (const c of cases) {
  const [key, windowSize, windowStride] = c.split(':');
  const restore =
    windowSize === undefined
      ? () => {}
      : setTestHook('windows', { windowSize: Number(windowSize), windowStride: Number(windowStride) });
  const external0 = process.memoryUsage().external;
  const t0 = performance.now();
  const db = openSync(file, { backend: 'mmap' });
  const v = db.get(key);
  const t1 = performance.now();
  restore();
  backend = db.backend;
  results.push({ t0, t1, value: [v.length, v[0], v[v.length - 1]], externalGrowth: process.memoryUsage().external - external0 });
  db.close();
}
// GC entries are delivered asynchronously: wait for any the opens caused.
await new Promise((r) => setTimeout(r, 300));
obs.disconnect();
const cased = results.map(({ t0, t1, ...r }) => ({
  ...r,
  gcs: gcs.filter((g) => g.at >= t0 && g.at <= t1).map((g) => [g.kind, Number(g.ms.toFixed(2))]),
}));
console.log(JSON.stringify({ cases: cased, live: live.length, backend }));
