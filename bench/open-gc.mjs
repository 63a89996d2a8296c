#!/usr/bin/env node
// Open + first get in a process that already holds a big JS heap (issue 16, "open without
// a GC"): for each addon flavour (MMCDB_NATIVE_FLAVOR) and file size, N fresh processes;
// each fills its heap with live objects, opens a small file first (addon loaded), then
// times openSync + one get (value touched) and counts the garbage collections
// PerformanceObserver saw in that window. Medians; the result table goes to
// bench/open-gc-results.json and is pasted into RESULTS.md §Open without a GC. Each file
// is read through first (warm page cache): a cold first get would time the disk.
// Usage: node bench/open-gc.mjs [--heap MiB] [--runs N] [--sizes 1,160,600,10240] [--flavors napi,v8]
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { build, createWriter } from '@mmcdb/core';
import { collectMeta } from './lib/report.mjs';
import { median } from './lib/stats.mjs';

const HERE = path.dirname(new URL(import.meta.url).pathname);
const argv = process.argv.slice(2);
const opt = (f, d) => (argv.includes(f) ? argv[argv.indexOf(f) + 1] : d);
const heap = Number(opt('--heap', '1024'));
const runs = Number(opt('--runs', '5'));
const sizes = opt('--sizes', '1,160,600,10240').split(',').map(Number); // MiB of values
const flavors = opt('--flavors', 'napi,v8').split(',');
const dataDir = path.resolve(opt('--data', path.join(HERE, 'data')));
const MiB = 2 ** 20;

async function ensure(mib) {
  // 10 GiB: the file of bench/lib/big.mjs when it is there (same records).
  const big = path.join(dataDir, 'big-10g', 'db.mmcdb');
  if (mib === 10240 && fs.existsSync(big)) return { file: big, key: 'big-7777' };
  const file = path.join(dataDir, 'open-gc', `${mib}m.mmcdb`);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const w = createWriter(file, { fsync: false });
    const v = Buffer.alloc(MiB, 0x5a);
    for (let i = 0; i < mib; i++) w.add(`big-${i}`, v);
    await w.finish();
  }
  return { file, key: `big-${Math.floor(mib / 2)}` };
}

const tiny = path.join(dataDir, 'open-gc', 'tiny.mmcdb');
fs.mkdirSync(path.dirname(tiny), { recursive: true });
await build(tiny, [['k', 'v']], { fsync: false });

const CHILD = `
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { openSync } from '@mmcdb/core';
const [file, key, tiny, heapMiB] = process.argv.slice(1);
const warm = openSync(tiny, { backend: 'mmap' }); warm.get('k'); warm.close();
const live = []; let bytes = 0;
while (bytes < Number(heapMiB) * 2 ** 20) { const a = new Array(10000); for (let i = 0; i < 10000; i++) a[i] = { i, s: 'x' + i }; live.push(a); bytes += 560000; }
globalThis.gc(); await new Promise((r) => setTimeout(r, 200));
const gcs = [];
const obs = new PerformanceObserver((l) => { for (const e of l.getEntries()) gcs.push({ ms: e.duration, at: e.startTime }); });
obs.observe({ entryTypes: ['gc'] });
await new Promise((r) => setTimeout(r, 50));
const t0 = performance.now();
const db = openSync(file, { backend: 'mmap' });
const v = db.get(key);
let sum = 0; for (let i = 0; i < v.length; i += 4096) sum += v[i];
const t1 = performance.now();
await new Promise((r) => setTimeout(r, 300));
const during = gcs.filter((g) => g.at >= t0 && g.at <= t1);
console.log(JSON.stringify({ ms: t1 - t0, gcs: during.length, gcMs: during.reduce((a, g) => a + g.ms, 0), sum, live: live.length,
  heapUsed: process.memoryUsage().heapUsed, flavor: db.nativeFlavor }));
`;

/** Reads the file through once, so that each child's first get finds its value in the page cache (the target is about GC, not the disk). */
function warmPageCache(file) {
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.allocUnsafe(8 * MiB);
  try {
    for (let at = 0; ; at += buf.length) if (fs.readSync(fd, buf, 0, buf.length, at) < buf.length) break;
  } finally {
    fs.closeSync(fd);
  }
}

const rows = [];
for (const mib of sizes) {
  const { file, key } = await ensure(mib);
  const bytes = fs.statSync(file).size;
  warmPageCache(file);
  for (const flavor of flavors) {
    const xs = [];
    for (let r = 0; r < runs; r++) {
      const p = spawnSync(
        process.execPath,
        ['--expose-gc', '--max-old-space-size=8192', '--input-type=module', '-e', CHILD, file, key, tiny, String(heap)],
        { cwd: HERE, encoding: 'utf8', env: { ...process.env, MMCDB_NATIVE_FLAVOR: flavor }, timeout: 120e3 },
      );
      if (p.status !== 0) {
        xs.push({ error: (p.stderr || '').trim().split('\n').slice(-2).join(' | ') });
        break;
      }
      xs.push(JSON.parse(p.stdout.trim().split('\n').pop()));
    }
    const ok = xs.filter((x) => x.error === undefined);
    const row = {
      mib,
      bytes,
      flavor,
      loaded: ok[0]?.flavor,
      runs: ok.length,
      error: xs.find((x) => x.error)?.error,
      ms: median(ok.map((x) => x.ms)),
      minMs: Math.min(...ok.map((x) => x.ms)),
      maxMs: Math.max(...ok.map((x) => x.ms)),
      gcs: median(ok.map((x) => x.gcs)),
      gcMs: median(ok.map((x) => x.gcMs)),
      heapUsedMiB: median(ok.map((x) => x.heapUsed / MiB)),
    };
    rows.push(row);
    console.log(JSON.stringify(row));
  }
}
const meta = collectMeta({ quick: false, argv, script: 'bench/open-gc.mjs' });
fs.writeFileSync(path.join(HERE, 'open-gc-results.json'), `${JSON.stringify({ meta, heap, runs, rows }, null, 2)}\n`);
const f = (n) => (n === undefined || Number.isNaN(n) ? '–' : n < 10 ? n.toFixed(3) : n.toFixed(1));
console.log(`\n| file | flavour (loaded) | open + first get ms, median (min–max) | GCs during | GC ms | heap used |`);
console.log('|---|---|---|---|---|---|');
for (const r of rows) {
  const size = r.bytes >= 2 ** 30 ? `${(r.bytes / 2 ** 30).toFixed(2)} GiB` : `${(r.bytes / MiB).toFixed(0)} MiB`;
  if (r.runs === 0) console.log(`| ${size} | ${r.flavor} | ${r.error} |||`);
  else
    console.log(
      `| ${size} | ${r.flavor} (${r.loaded}) | ${f(r.ms)} (${f(r.minMs)}–${f(r.maxMs)}) | ${r.gcs} | ${f(r.gcMs)} | ${r.heapUsedMiB.toFixed(0)} MiB |`,
    );
}
