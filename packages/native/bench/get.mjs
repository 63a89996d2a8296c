// Warm get() cost: 1M records × 100-byte values, string keys, value made in JS as
// Buffer.from(segment, off - segmentBase, len). Usage:
//   node bench/get.mjs [file]          one run (builds the file with @mmcdb/core if missing)
//   node bench/get.mjs --runs 5 [file] median of 5 fresh processes
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { open } from '../index.js';

const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const runs = runsAt >= 0 ? Number(args.splice(runsAt, 2)[1]) : 0;
const file = args[0] ?? '/tmp/mmcdb-bench-1m.mmcdb';
const N = 1_000_000;

if (!fs.existsSync(file)) {
  const { createWriter } = await import('@mmcdb/core');
  const w = createWriter(file, { fsync: false });
  const value = Buffer.alloc(100, 'v');
  for (let i = 0; i < N; i++) w.add(`key-${i}`, value);
  await w.finish();
}

if (runs > 0) {
  const self = fileURLToPath(import.meta.url);
  const results = [];
  for (let r = 0; r < runs; r++) {
    const out = spawnSync(process.execPath, [self, file], { encoding: 'utf8' });
    if (out.status !== 0) throw new Error(out.stderr);
    results.push(Number(out.stdout.trim()));
  }
  results.sort((a, b) => a - b);
  console.log(`ns per get: runs ${results.join(', ')}; median ${results[Math.floor(runs / 2)]}`);
} else {
  const h = open(file);
  const out = h.out;
  const seg = h.segments[0];
  const base = h.segmentBase; // segments start at the data section
  const keys = Array.from({ length: N }, (_, i) => `key-${(i * 7919) % N}`);
  let bytes = 0;
  const pass = () => {
    for (let i = 0; i < N; i++) {
      if (h.get(keys[i]) === 1) bytes += Buffer.from(seg, out[0] - base, out[1]).length;
    }
  };
  pass(); // warm: page cache, JIT
  const t0 = process.hrtime.bigint();
  pass();
  pass();
  const ns = Number(process.hrtime.bigint() - t0) / (2 * N);
  if (bytes !== 3 * N * 100) throw new Error(`wrong total ${bytes}`);
  console.log(ns.toFixed(0));
}
