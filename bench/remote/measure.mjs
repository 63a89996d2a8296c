// One latency setting of the remote benchmark: cold gets, getMany(1000), and the two
// baselines — (a) download the whole file first, (b) the naive one-request-per-field
// reader — with requests and bytes counted at the origin.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { openSync } from '@mmcdb/core';
import { openRemote } from '@mmcdb/core/remote';
import { naiveGet, naiveOpen } from './naive.mjs';

export const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

export function originClient(base) {
  const get = async (p) => (await fetch(`${base}${p}`)).json();
  return { stats: () => get('/__stats'), reset: () => get('/__reset'), latency: (ms) => get(`/__latency/${ms}`) };
}

/** Runs `n` async jobs with at most `limit` at once. */
async function pool(n, limit, job) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, n) }, async () => {
      while (next < n) await job(next++);
    }),
  );
}

async function counted(origin, fn) {
  await origin.reset();
  const t = performance.now();
  const result = await fn();
  const ms = performance.now() - t;
  const s = await origin.stats();
  return { result, ms, requests: s.requests, bytes: s.bytes };
}

/** p50 of a minimal request (1 byte, kept-alive connection, as the reader uses): the round trip of this setting. */
async function rtt(url) {
  const times = [];
  for (let i = 0; i < 15; i++) {
    const t = performance.now();
    const r = await fetch(url, { headers: { Range: 'bytes=0-0' } });
    await r.arrayBuffer();
    times.push(performance.now() - t);
  }
  return pct(times, 50);
}

export async function measureLatency({ url, origin, hits, plan, log }) {
  const out = { rttMs: await rtt(url) };
  // Cold gets: a reader with no cache, so that every get pays its requests.
  const open = await counted(origin, () => openRemote(url, { cacheBytes: 0 }));
  out.open = { ms: open.ms, requests: open.requests, bytes: open.bytes };
  const db = open.result;
  const times = [];
  let missing = 0;
  const cold = await counted(origin, async () => {
    for (let i = 0; i < plan.coldGets; i++) {
      const t = performance.now();
      if ((await db.get(hits[i])) === undefined) missing++;
      times.push(performance.now() - t);
    }
  });
  db.close();
  out.cold = {
    n: plan.coldGets,
    missing,
    p50: pct(times, 50),
    p99: pct(times, 99),
    requestsPerGet: cold.requests / plan.coldGets,
    bytesPerGet: cold.bytes / plan.coldGets,
  };
  log(`    cold get p50 ${out.cold.p50.toFixed(2)} ms, ${out.cold.requestsPerGet.toFixed(2)} req/get`);
  // getMany(1000): a fresh reader (default cache) per batch, different keys each time, after
  // untimed warm-up batches (the JIT of client and origin, as the other benches warm up).
  const batchKeys = (r) => hits.slice(plan.coldGets + r * 1000, plan.coldGets + (r + 1) * 1000);
  for (let r = 0; r < plan.warmupBatches; r++) {
    const reader = await openRemote(url);
    await reader.getMany(batchKeys(plan.batches + r));
    reader.close();
  }
  out.getMany = [];
  for (let r = 0; r < plan.batches; r++) {
    const reader = await openRemote(url);
    const keys = batchKeys(r);
    const m = await counted(origin, () => reader.getMany(keys));
    out.getMany.push({ ms: m.ms, requests: m.requests, bytes: m.bytes, missing: m.result.filter((v) => v === undefined).length });
    reader.close();
  }
  log(
    `    getMany(1000) ${pct(
      out.getMany.map((x) => x.ms),
      50,
    ).toFixed(1)} ms`,
  );
  // (b) the naive reader: one request per slot, record header, key and value.
  const counter = { requests: 0, bytes: 0 };
  const ndb = await naiveOpen(url, counter);
  const ntimes = [];
  const naive = await counted(origin, async () => {
    for (let i = 0; i < plan.naiveGets; i++) {
      const t = performance.now();
      await naiveGet(ndb, hits[i], counter);
      ntimes.push(performance.now() - t);
    }
  });
  out.naive = {
    n: plan.naiveGets,
    p50: pct(ntimes, 50),
    p99: pct(ntimes, 99),
    requestsPerGet: naive.requests / plan.naiveGets,
    bytesPerGet: naive.bytes / plan.naiveGets,
  };
  const keys = hits.slice(plan.coldGets, plan.coldGets + 1000);
  const nm = await counted(origin, () => pool(keys.length, 16, (i) => naiveGet(ndb, keys[i], counter)));
  out.naive.getMany = { ms: nm.ms, requests: nm.requests, bytes: nm.bytes, concurrency: 16 };
  log(`    naive get p50 ${out.naive.p50.toFixed(2)} ms, getMany ${nm.ms.toFixed(0)} ms`);
  // (a) download the whole file, then open it locally and answer one get.
  const tmp = path.join(os.tmpdir(), `mmcdb-bench-remote-${process.pid}.mmcdb`);
  try {
    const whole = await counted(origin, async () => {
      const res = await fetch(url);
      await pipeline(Readable.fromWeb(res.body), fs.createWriteStream(tmp));
      const local = openSync(tmp, { backend: 'pread' });
      const v = local.get(hits[0]);
      local.close();
      return v !== undefined;
    });
    out.whole = { ms: whole.ms, bytes: whole.bytes, found: whole.result, bytesPerSec: whole.bytes / (whole.ms / 1000) };
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  log(`    whole download ${(out.whole.ms / 1000).toFixed(2)} s`);
  // Goals (the issue): cold get p50 ≤ 2.2 × RTT; getMany(1000) ≤ 3 × RTT + transfer time (its bytes at the download rate).
  const gm = pct(
    out.getMany.map((x) => x.ms),
    50,
  );
  const gmBytes = pct(
    out.getMany.map((x) => x.bytes),
    50,
  );
  out.goals = {
    coldLimitMs: 2.2 * out.rttMs,
    coldOk: out.cold.p50 <= 2.2 * out.rttMs,
    getManyLimitMs: 3 * out.rttMs + (gmBytes / out.whole.bytesPerSec) * 1000,
    getManyOk: gm <= 3 * out.rttMs + (gmBytes / out.whole.bytesPerSec) * 1000,
  };
  return out;
}
