// Batch lookups vs the get() loop, warm and cold. Usage:
//   node bench/batch.mjs [--runs 5] [--file F] [mode ...]
// Modes (each run in a fresh process; with --runs, the median of the runs):
//   warm-get, warm-many-256, warm-many-1024       ns per key (1M records, random order,
//                                                 JS makes Buffer.from views, reads 2 bytes)
//   warm-async-<B>[x<Q>]                          ns per key through getManyAsync, warm
//   cold-sync[-normal], cold-async-<B>[x<Q>]      gets/s after evict() with K=--keys random
//                                                 keys (default 5000); async: batches of B,
//                                                 Q batches in flight (default 1); reports the
//                                                 longest event-loop stall (1 ms resolution)
// The file (default /var/tmp/mmcdb-bench-1m.mmcdb, keys key:<n>, 100-byte values) is built
// with @mmcdb/core's build() when missing. Cold runs need a disk-backed file (not tmpfs).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { open } from '../index.js';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1] : dflt;
};
const runs = Number(opt('--runs', 0));
const file = opt('--file', '/var/tmp/mmcdb-bench-1m.mmcdb');
const K = Number(opt('--keys', 5000));
const N = 1_000_000;
const modes = args.length
  ? args
  : ['warm-get', 'warm-many-256', 'warm-many-1024', 'cold-sync', 'cold-async-64', 'cold-async-256'];

if (!fs.existsSync(file)) {
  const { build } = await import('@mmcdb/core');
  const value = Buffer.alloc(100, 'v');
  await build(
    file,
    (function* () {
      for (let i = 0; i < N; i++) yield [`key:${i}`, value];
    })(),
    { fsync: false },
  );
}

let seed = 12345;
const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
function shuffled(n) {
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

async function warmAsync(mode) {
  const h = open(file, { advice: 'random' });
  const seg = h.segments[0];
  const base = h.segmentBase; // segments start at the data section
  const [B, Q] = mode.split('-')[2].split('x').map(Number);
  const keys = shuffled(N)
    .slice(0, 200_000)
    .map((i) => `key:${i}`);
  let sink = 0;
  const pass = async () => {
    let next = 0;
    const worker = async () => {
      while (next < keys.length) {
        const batch = keys.slice(next, next + B);
        next += B;
        const res = await h.getManyAsync(batch);
        for (let j = 0; j < batch.length; j++) {
          const off = res[2 * j];
          if (off >= 0) {
            const b = Buffer.from(seg, off - base, res[2 * j + 1]);
            sink += b[0] + b[b.length - 1];
          }
        }
      }
    };
    await Promise.all(Array.from({ length: Q || 1 }, worker));
  };
  await h.warm('all');
  await pass();
  const t0 = process.hrtime.bigint();
  await pass();
  const ns = Number(process.hrtime.bigint() - t0) / keys.length;
  h.close();
  return { value: ns, unit: 'ns/key' };
}

function warm(mode) {
  const h = open(file, { advice: 'random' });
  const seg = h.segments[0];
  const base = h.segmentBase; // segments start at the data section
  const out = h.out;
  const keys = shuffled(N).map((i) => `key:${i}`);
  let sink = 0;
  let pass;
  if (mode === 'warm-get') {
    pass = () => {
      for (let i = 0; i < N; i++) {
        if (h.get(keys[i]) === 1) {
          const b = Buffer.from(seg, out[0] - base, out[1]);
          sink += b[0] + b[b.length - 1];
        }
      }
    };
  } else {
    const B = Number(mode.split('-')[2]);
    const batches = [];
    for (let i = 0; i < N; i += B) batches.push(keys.slice(i, i + B));
    const res = new Float64Array(2 * B);
    pass = () => {
      for (const batch of batches) {
        h.getMany(batch, res);
        for (let j = 0; j < batch.length; j++) {
          const off = res[2 * j];
          if (off >= 0) {
            const b = Buffer.from(seg, off - base, res[2 * j + 1]);
            sink += b[0] + b[b.length - 1];
          }
        }
      }
    };
  }
  pass(); // page cache, JIT
  const t0 = process.hrtime.bigint();
  pass();
  pass();
  const ns = Number(process.hrtime.bigint() - t0) / (2 * N);
  if (sink !== 3 * N * 2 * 118) throw new Error(`wrong sink ${sink}`);
  h.close();
  return { value: ns, unit: 'ns/key' };
}

async function cold(mode) {
  const advice = mode === 'cold-sync-normal' ? 'normal' : 'random';
  const h = open(file, { advice });
  const seg = h.segments[0];
  const base = h.segmentBase; // segments start at the data section
  const left = h.evict();
  const r0 = h.residency();
  const keys = shuffled(N)
    .slice(0, K)
    .map((i) => `key:${i}`);
  let sink = 0;
  let maxStall = 0;
  let p99 = 0;
  // The machine's own noise: the same histogram over an idle loop (300 ms) first.
  const idle = monitorEventLoopDelay({ resolution: 1 });
  idle.enable();
  await new Promise((r) => setTimeout(r, 300));
  idle.disable();
  const t0 = process.hrtime.bigint();
  if (mode.startsWith('cold-sync')) {
    const out = h.out;
    for (let i = 0; i < K; i++) {
      const s = process.hrtime.bigint();
      if (h.get(keys[i]) === 1) {
        const b = Buffer.from(seg, out[0] - base, out[1]);
        sink += b[0] + b[b.length - 1];
      }
      const d = Number(process.hrtime.bigint() - s) / 1e6;
      if (d > maxStall) maxStall = d;
    }
  } else {
    const [B, Q] = mode.split('-')[2].split('x').map(Number);
    const hist = monitorEventLoopDelay({ resolution: 1 });
    hist.enable();
    let next = 0;
    const worker = async () => {
      while (next < K) {
        const batch = keys.slice(next, next + B);
        next += B;
        const res = await h.getManyAsync(batch);
        for (let j = 0; j < batch.length; j++) {
          const off = res[2 * j];
          if (off >= 0) {
            const b = Buffer.from(seg, off - base, res[2 * j + 1]);
            sink += b[0] + b[b.length - 1];
          }
        }
      }
    };
    await Promise.all(Array.from({ length: Q || 1 }, worker));
    hist.disable();
    maxStall = hist.max / 1e6;
    p99 = hist.percentile(99) / 1e6;
  }
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (sink !== K * 2 * 118) throw new Error(`wrong sink ${sink}`);
  const r1 = h.residency();
  h.close();
  return {
    value: K / s,
    unit: 'gets/s',
    maxStallMs: maxStall,
    p99StallMs: p99,
    idleMaxStallMs: idle.max / 1e6,
    residentBefore: r0.index.resident + r0.data.resident,
    evictLeft: left,
    residentAfterMB: (r1.index.resident + r1.data.resident) / 2 ** 20,
  };
}

async function runOne(mode) {
  if (mode.startsWith('warm-async')) return warmAsync(mode);
  return mode.startsWith('warm') ? warm(mode) : cold(mode);
}

if (process.env.BATCH_BENCH_CHILD) {
  console.log(JSON.stringify(await runOne(modes[0])));
} else {
  const self = fileURLToPath(import.meta.url);
  for (const mode of modes) {
    const results = [];
    for (let r = 0; r < Math.max(runs, 1); r++) {
      const a = [self, '--file', file, '--keys', String(K), mode];
      const p = spawnSync(process.execPath, a, { encoding: 'utf8', env: { ...process.env, BATCH_BENCH_CHILD: '1' } });
      if (p.status !== 0) throw new Error(p.stderr);
      results.push(JSON.parse(p.stdout.trim().split('\n').pop()));
    }
    // The median of every number separately.
    const median = (k) => results.map((r) => r[k]).sort((a, b) => a - b)[Math.floor(results.length / 2)];
    const med = { ...results[0] };
    for (const k of Object.keys(med)) if (typeof med[k] === 'number') med[k] = median(k);
    const extra = Object.entries(med)
      .filter(([k]) => k !== 'value' && k !== 'unit')
      .map(([k, v]) => `${k} ${typeof v === 'number' ? +v.toFixed(2) : v}`);
    console.log(
      `${mode}: median ${med.value.toFixed(mode.startsWith('warm') ? 0 : 0)} ${med.unit} (runs ${results.map((r) => r.value.toFixed(0)).join(', ')}) ${extra.join(', ')}`,
    );
  }
}
