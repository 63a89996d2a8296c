#!/usr/bin/env node
// The library's own share of an event-loop stall for ONE cold getManyAsync(20,000) call,
// per asyncIo path (issue 17): bench/cold-io.mjs's "one call" rows also count a fresh
// process's first-call compilation and the benchmark's own touch of all 20,000 values in
// one continuation. Here each run is its own process; the code paths are warmed first on
// another, small file; the 10m-100b file is evicted (reader.evict()); a 1 ms timer measures
// the longest gap while the batch is in flight; the touch is timed apart. Medians of --runs.
// Usage: node bench/async-stall.mjs [--runs 5] [--paths auto,willneed,threadpool,uring]
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { childResult } from './lib/child-result.mjs';
import { median } from './lib/stats.mjs';

const HERE = path.dirname(new URL(import.meta.url).pathname);
const argv = process.argv.slice(2);
const opt = (f, d) => (argv.includes(f) ? argv[argv.indexOf(f) + 1] : d);
const runs = Number(opt('--runs', '5'));
const paths = opt('--paths', 'auto,willneed,threadpool,uring').split(',');
const data = path.join(HERE, 'data', '10m-100b');
if (!fs.existsSync(path.join(data, 'db.mmcdb')))
  throw new Error(`${data}/db.mmcdb is missing: run node bench/run.mjs --only 10m-100b first`);

const CHILD = `
import * as fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { build, openSync } from '@mmcdb/core';
const [dir, asyncIo, tmp] = process.argv.slice(1);
const buf = fs.readFileSync(dir + '/hits.keys'); // u32 count, then (u8 length, bytes) per key
const keys = [];
for (let at = 4; keys.length < 20000; at += 1 + buf[at]) keys.push(buf.subarray(at + 1, at + 1 + buf[at]).toString('latin1'));
await build(tmp, Array.from({ length: 30000 }, (_, i) => ['k' + i, 'v'.repeat(100)]), { fsync: false });
const s = openSync(tmp, { backend: 'mmap', asyncIo });
for (let r = 0; r < 3; r++) await s.getManyAsync(Array.from({ length: 20000 }, (_, i) => 'k' + i));
s.close();
const db = openSync(dir + '/db.mmcdb', { backend: 'mmap', asyncIo });
db.evict();
const resident = db.residency().index.resident + db.residency().data.resident;
let longest = 0, last = performance.now();
const timer = setInterval(() => { const now = performance.now(); longest = Math.max(longest, now - last); last = now; }, 1);
await new Promise((r) => setTimeout(r, 20));
longest = 0; last = performance.now();
const c0 = performance.now();
const p = db.getManyAsync(keys);
const callMs = performance.now() - c0;
const values = await p;
const batchMs = performance.now() - c0;
const stallMs = Math.max(longest, performance.now() - last);
const t0 = performance.now();
let sum = 0;
for (const v of values) if (v) sum += v[0] + v[v.length - 1];
const touchMs = performance.now() - t0;
clearInterval(timer);
console.log(JSON.stringify({ asyncIo: db.asyncIo, resident, found: values.filter(Boolean).length, callMs, stallMs, batchMs, touchMs, sum }));
`;

const rows = [];
for (const io of paths) {
  const xs = [];
  for (let r = 0; r < runs; r++) {
    const tmp = path.join(HERE, 'data', `async-stall-${process.pid}.mmcdb`);
    const x = childResult(
      spawnSync(process.execPath, ['--input-type=module', '-e', CHILD, data, io, tmp], {
        cwd: HERE,
        encoding: 'utf8',
        timeout: 120e3,
      }),
    );
    fs.rmSync(tmp, { force: true });
    if (x.error) {
      rows.push({ io, error: x.error });
      break;
    }
    xs.push(x);
  }
  if (xs.length === 0) continue;
  const m = (k) => median(xs.map((x) => x[k]));
  rows.push({
    io,
    took: xs[0].asyncIo,
    runs: xs.length,
    resident: Math.max(...xs.map((x) => x.resident)),
    callMs: m('callMs'),
    stallMs: m('stallMs'),
    maxStallMs: Math.max(...xs.map((x) => x.stallMs)),
    batchMs: m('batchMs'),
    touchMs: m('touchMs'),
  });
}
const load = fs.readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
console.log(`\n${new Date().toISOString()}, Node ${process.version}, 1-minute load ${load}, ${runs} runs a path\n`);
console.log(
  '| asyncIo (took) | call ms | longest stall while in flight, ms (max) | batch ms | touch of 20,000 values, ms | resident at start |',
);
console.log('|---|---|---|---|---|---|');
const f = (n) => n.toFixed(2);
for (const r of rows)
  console.log(
    r.error
      ? `| ${r.io} | ${r.error} |||||`
      : `| ${r.io} (${r.took}) | ${f(r.callMs)} | ${f(r.stallMs)} (${f(r.maxStallMs)}) | ${r.batchMs.toFixed(0)} | ${f(r.touchMs)} | ${r.resident} |`,
  );
