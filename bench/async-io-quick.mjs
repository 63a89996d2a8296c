#!/usr/bin/env node
// The getManyAsync paths of the mmap backend (asyncIo, issue 17), a quick comparison to
// pick the provisional 'auto' order (packages/core/src/reader/async-io.ts AUTO_ASYNC_IO);
// the full cold benchmark is bench/run.mjs's. For each pattern × path, `--runs` fresh
// processes: evict the file (reader.evict(), checked with residency()), run the pattern
// cold, then again warm, with monitorEventLoopDelay on; every value found is touched
// (first + last byte + length summed, checksums compared across paths). Medians, and
// ratios to 'threadpool' (the path before issue 17) from the same run.
// Usage: node bench/async-io-quick.mjs [--records 10000000] [--runs 3] [--hits 20000]
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { build, openSync } from '@mmcdb/core';
import { collectMeta } from './lib/report.mjs';
import { median } from './lib/stats.mjs';

const HERE = path.dirname(new URL(import.meta.url).pathname);
const argv = process.argv.slice(2);
const opt = (f, d) => (argv.includes(f) ? argv[argv.indexOf(f) + 1] : d);
const records = Number(opt('--records', '10000000'));
const runs = Number(opt('--runs', '3'));
const hits = Number(opt('--hits', '20000'));
const file = path.resolve(opt('--file', path.join(HERE, 'data', 'async-io', `${records}.mmcdb`)));
const key = (i) => `key:${i}:${(i * 2654435761) >>> 0}`;
// [name, keys per call, calls in flight]
const PATTERNS = [
  ['one batch', hits, 1],
  ['64 × 8 in flight', 64, 8],
  ['getAsync × 64 in flight', 1, 64],
];
const PATHS = ['threadpool', 'willneed', 'uring'];

async function child() {
  const [mode, batch, inflight, seed] = JSON.parse(process.env.ASYNC_IO_CHILD);
  const db = openSync(file, { backend: 'mmap', asyncIo: mode });
  const keys = [];
  let x = seed;
  const total = batch === 1 ? Math.min(hits, 5000) : hits;
  for (let i = 0; i < total; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    keys.push(key(x % records));
  }
  await db.getManyAsync(['warm-up-absent']);
  db.evict();
  const residentBefore = db.residency();
  const pass = async () => {
    let next = 0;
    let sum = 0;
    const h = monitorEventLoopDelay({ resolution: 1 });
    h.enable();
    const t0 = performance.now();
    const worker = async () => {
      while (next < total) {
        const at = next;
        next += batch;
        const vs = batch === 1 ? [await db.getAsync(keys[at])] : await db.getManyAsync(keys.slice(at, at + batch));
        for (const v of vs) if (v !== undefined) sum += v[0] + v[v.length - 1] + v.length;
      }
    };
    await Promise.all(Array.from({ length: inflight }, worker));
    const seconds = (performance.now() - t0) / 1000;
    h.disable();
    return { perSec: total / seconds, stallMs: h.max / 1e6, sum };
  };
  const cold = await pass();
  const warm = await pass();
  // The same monitor over an idle loop: what the machine itself adds (other processes).
  const idle = monitorEventLoopDelay({ resolution: 1 });
  idle.enable();
  await new Promise((r) => setTimeout(r, 1000));
  idle.disable();
  process.stdout.write(
    JSON.stringify({
      residentBefore: residentBefore.index.resident + residentBefore.data.resident,
      cold,
      warm,
      idleStallMs: idle.max / 1e6,
    }),
  );
}

async function main() {
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const value = Buffer.alloc(100, 97);
    await build(
      file,
      (function* () {
        for (let i = 0; i < records; i++) yield [key(i), value];
      })(),
    );
  }
  const rows = [];
  for (const [name, batch, inflight] of PATTERNS) {
    const got = {};
    for (let r = 0; r < runs; r++) {
      for (const mode of PATHS) {
        const env = { ...process.env, ASYNC_IO_CHILD: JSON.stringify([mode, batch, inflight, 7 + r]) };
        const p = spawnSync(process.execPath, [new URL(import.meta.url).pathname, ...argv], { env, encoding: 'utf8' });
        if (p.status !== 0) throw new Error(`${mode}: ${p.stderr}`);
        (got[mode] ??= []).push(JSON.parse(p.stdout));
      }
    }
    for (const mode of PATHS) {
      const rs = got[mode];
      const m = (f) => median(rs.map(f));
      const sums = new Set(rs.map((x, i) => `${i}:${x.cold.sum}`));
      rows.push({
        pattern: name,
        path: mode,
        coldPerSec: m((x) => x.cold.perSec),
        warmPerSec: m((x) => x.warm.perSec),
        idleStallMs: m((x) => x.idleStallMs),
        coldStallMs: m((x) => x.cold.stallMs),
        warmStallMs: m((x) => x.warm.stallMs),
        maxColdStallMs: Math.max(...rs.map((x) => x.cold.stallMs)),
        residentBefore: Math.max(...rs.map((x) => x.residentBefore)),
        checksums: [...sums].length,
        sums: rs.map((x) => x.cold.sum),
      });
    }
  }
  const base = Object.fromEntries(rows.filter((r) => r.path === 'threadpool').map((r) => [r.pattern, r]));
  console.log(
    JSON.stringify({ ...collectMeta({ quick: false, argv }), command: `node bench/async-io-quick.mjs ${argv.join(' ')}` }),
  );
  console.log(
    '| pattern | path | cold gets/s | × threadpool | warm gets/s | × threadpool | longest stall cold (max) / warm / idle loop, ms |',
  );
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const b = base[r.pattern];
    console.log(
      `| ${r.pattern} | ${r.path} | ${Math.round(r.coldPerSec)} | ${(r.coldPerSec / b.coldPerSec).toFixed(2)} | ${Math.round(r.warmPerSec)} | ${(r.warmPerSec / b.warmPerSec).toFixed(2)} | ${r.coldStallMs.toFixed(1)} (${r.maxColdStallMs.toFixed(1)}) / ${r.warmStallMs.toFixed(1)} / ${r.idleStallMs.toFixed(1)} |`,
    );
  }
  const same = rows.every((r) => JSON.stringify(r.sums) === JSON.stringify(base[r.pattern].sums));
  console.log(
    `checksums identical across paths: ${same}; resident bytes after evict (max): ${Math.max(...rows.map((r) => r.residentBefore))}`,
  );
}

if (process.env.ASYNC_IO_CHILD) await child();
else await main();
