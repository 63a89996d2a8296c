#!/usr/bin/env node
// Remote reads over HTTP Range (docs/REMOTE.md): cold gets, getMany(1000) and two
// baselines, at 0, 5 and 20 ms of latency injected per request over loopback, on the 1M-
// and 10M-record datasets of bench/lib (mmcdb format). Writes remote-results.json and its
// section of RESULTS.md (between the remote markers; the rest of the file is kept).
//   node bench/remote/run.mjs                 full run → bench/RESULTS.md, bench/remote/results.json
//   node bench/remote/run.mjs --quick --out DIR   20k records, 0 and 5 ms, few samples (CI)
// Options: --data DIR (datasets; default bench/data, shared with bench/run.mjs), --latencies 0,5,20
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { plan as benchPlan } from '../lib/config.mjs';
import { ensureDataset, readKeyFile } from '../lib/dataset.mjs';
import { collectMeta } from '../lib/report.mjs';
import { measureLatency, originClient } from './measure.mjs';
import { remoteSection, writeSection } from './report.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const BENCH = path.dirname(HERE);
const ROOT = path.dirname(BENCH);
const argv = process.argv.slice(2);
const flag = (f) => argv.includes(f);
const opt = (f, d) => (argv.includes(f) ? argv[argv.indexOf(f) + 1] : d);
const quick = flag('--quick');
const outDir = path.resolve(opt('--out', quick ? fs.mkdtempSync(path.join(os.tmpdir(), 'mmcdb-bench-remote-')) : BENCH));
const dataDir = path.resolve(opt('--data', quick ? path.join(outDir, 'data') : path.join(BENCH, 'data')));
const latencies = opt('--latencies', quick ? '0,5' : '0,5,20')
  .split(',')
  .map(Number);
const log = (...a) => console.log(...a);

// The same dataset definitions (ids, seeds, key files) as bench/run.mjs: their files are shared.
const defs = quick
  ? benchPlan(true).datasets.filter((d) => d.id === 'q-20k-100b')
  : benchPlan(false).datasets.filter((d) => d.id === '1m-100b' || d.id === '10m-100b');
const samples = quick
  ? { coldGets: 30, batches: 2, warmupBatches: 2, naiveGets: 10 }
  : { coldGets: 300, batches: 5, warmupBatches: 5, naiveGets: 100 };

function ensureDb(files) {
  const db = path.join(files.dir, 'db.mmcdb');
  if (fs.existsSync(db)) return db;
  log(`  build ${db} …`);
  const r = spawnSync(
    process.execPath,
    [path.join(ROOT, 'packages/cli/dist/bin.js'), 'build', db, files.cdbmake, '--input-format', 'cdbmake', '-q'],
    { stdio: 'inherit' },
  );
  if (r.status !== 0) throw new Error(`cdb build exited ${r.status}`);
  return db;
}

async function startOrigin(folder) {
  const proc = spawn(process.execPath, [path.join(HERE, 'origin.mjs'), folder, '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((resolve, reject) => {
    let out = '';
    proc.stdout.on('data', (d) => {
      out += d;
      const m = /listening (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    proc.on('exit', (code) => reject(new Error(`origin exited ${code}`)));
  });
  return { base: `http://127.0.0.1:${port}`, stop: () => proc.kill('SIGTERM') };
}

const t0 = Date.now();
const results = {
  meta: { ...collectMeta({ quick, argv }), command: `node bench/remote/run.mjs ${argv.join(' ')}`.trim() },
  latencies,
  samples,
  datasets: [],
};
for (const ds of defs) {
  log(`dataset ${ds.id}`);
  const files = ensureDataset(path.join(dataDir, ds.id), ds, log);
  const db = ensureDb(files);
  const hits = readKeyFile(files.hits, samples.coldGets + (samples.batches + samples.warmupBatches) * 1000);
  const origin = await startOrigin(files.dir);
  const client = originClient(origin.base);
  const entry = { id: ds.id, records: ds.records, valueSize: ds.valueSize, fileBytes: fs.statSync(db).size, runs: [] };
  try {
    for (const latencyMs of latencies) {
      log(`  latency ${latencyMs} ms`);
      await client.latency(latencyMs);
      entry.runs.push({
        latencyMs,
        ...(await measureLatency({ url: `${origin.base}/db.mmcdb`, origin: client, hits, plan: samples, log })),
      });
    }
  } finally {
    origin.stop();
  }
  results.datasets.push(entry);
}
results.meta.totalSeconds = (Date.now() - t0) / 1000;
fs.mkdirSync(outDir, { recursive: true });
fs.writeFileSync(
  path.join(quick ? outDir : HERE, quick ? 'remote-results.json' : 'results.json'),
  `${JSON.stringify(results, null, 2)}\n`,
);
writeSection(path.join(outDir, 'RESULTS.md'), remoteSection(results));
log(`wrote ${path.join(outDir, 'RESULTS.md')} (remote section) in ${results.meta.totalSeconds.toFixed(0)} s`);
