#!/usr/bin/env node
// Sharded sets benchmark (docs/SHARDS.md). Usage:
//   node bench/shards.mjs                 full run: 10M × 100 B → bench/shards-results.json and
//                                         the "Sharded sets" section of bench/RESULTS.md
//   node bench/shards.mjs --quick --out DIR   100k records, one round (CI smoke test)
// Options: --data DIR (datasets; default bench/data), --rounds N, --gets-rounds N.
// Builds: one file (createWriter) vs 8 and 64 shards (createShardedWriter) with 1 and 2
// workers, each in its own process under /usr/bin/time -v, alternating, in rotating order;
// the ratio to the single file is taken round by round. Reads: hot get and getMany(1000)
// on the 64-shard set vs the single file (mmap), each reader in its own process.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureDataset } from './lib/dataset.mjs';
import { compileTools, timeV } from './lib/native.mjs';
import { collectMeta } from './lib/report.mjs';
import { writeShardsReport } from './lib/shards-report.mjs';

const HERE = path.dirname(new URL(import.meta.url).pathname);
const CHILD = path.join(HERE, 'shards-child.mjs');
const argv = process.argv.slice(2);
const flag = (f) => argv.includes(f);
const opt = (f, d) => (argv.includes(f) ? argv[argv.indexOf(f) + 1] : d);
const quick = flag('--quick');
const outDir = path.resolve(opt('--out', quick ? fs.mkdtempSync(path.join(os.tmpdir(), 'mmcdb-bench-shards-')) : HERE));
const dataDir = path.resolve(opt('--data', quick ? path.join(outDir, 'data') : path.join(HERE, 'data')));
const log = (...a) => console.log(...a);

const ds = quick
  ? { id: 'q-100k-100b', records: 100_000, valueSize: 100, seed: 0x6d6d6364, lookups: 20_000 }
  : { id: '10m-100b', records: 10_000_000, valueSize: 100, seed: 0x6d6d6364, lookups: 500_000 };
const buildRounds = Number(opt('--rounds', quick ? 1 : 5));
const getRounds = Number(opt('--gets-rounds', quick ? 1 : 5));
const BUILDS = [
  { id: 'file', label: 'one file', task: 'build-file' },
  { id: 's8w1', label: '8 shards', shards: 8, workers: 1, task: 'build-set' },
  { id: 's8w2', label: '8 shards', shards: 8, workers: 2, task: 'build-set' },
  { id: 's64w1', label: '64 shards', shards: 64, workers: 1, task: 'build-set' },
  { id: 's64w2', label: '64 shards', shards: 64, workers: 2, task: 'build-set' },
  // The same pair on one core (taskset): what sharding costs when there is nothing to parallelise.
  { id: 'file-1core', label: 'one file', task: 'build-file', cpus: '0' },
  { id: 's8w1-1core', label: '8 shards', shards: 8, workers: 1, task: 'build-set', cpus: '0' },
];
const taskset = spawnSync('sh', ['-c', 'command -v taskset'], { encoding: 'utf8' }).stdout.trim();

compileTools(path.join(dataDir, 'bin'));
const files = ensureDataset(path.join(dataDir, ds.id), ds, log);
const work = path.join(outDir, 'out', 'shards'); // bench/out/ is not committed
fs.mkdirSync(work, { recursive: true });
const outputOf = (b) => path.join(work, b.task === 'build-file' ? `${b.id}.mmcdb` : `${b.id}.d`);

function child(spec, cpus) {
  const pin = cpus !== undefined && taskset ? [taskset, '-c', cpus] : [];
  const r = timeV([...pin, process.execPath, '--max-old-space-size=8192', CHILD, JSON.stringify(spec)], { timeout: 20 * 60e3 });
  const line = r.stdout.trim().split('\n').pop();
  if (r.status !== 0 || !line)
    throw new Error(
      `${spec.task} ${spec.out ?? spec.db}: exit ${r.status}: ${r.stderr
        .split('\n')
        .filter((l) => !/^\s+[A-Z]/.test(l))
        .slice(-4)
        .join(' | ')}`,
    );
  return { ...JSON.parse(line), wallSeconds: r.wallSeconds, maxRssKiB: r.maxRssKiB };
}

const t0 = performance.now();
const meta = {
  ...collectMeta({ quick, argv, script: 'bench/shards.mjs' }),
  command: `node bench/shards.mjs ${argv.join(' ')}`.trim(),
  cores: os.availableParallelism(),
  taskset: Boolean(taskset),
  loadBefore: os.loadavg()[0],
};
const results = { meta, dataset: { ...ds, inputBytes: fs.statSync(files.cdbmake).size }, configs: BUILDS, builds: [], gets: [] };
for (let round = 0; round < buildRounds; round++) {
  const order = BUILDS.filter((b) => b.cpus === undefined || taskset).map((_, i, all) => all[(i + round) % all.length]);
  const r = {};
  for (const b of order) {
    fs.rmSync(outputOf(b), { recursive: true, force: true });
    spawnSync('sync');
    r[b.id] = child({ task: b.task, src: files.cdbmake, out: outputOf(b), shards: b.shards, workers: b.workers }, b.cpus);
    log(
      `  build round ${round + 1} ${b.id}: ${r[b.id].wallSeconds.toFixed(2)} s wall, ${(r[b.id].maxRssKiB / 1024).toFixed(0)} MiB`,
    );
  }
  results.builds.push(r);
}
// Reads: the last round's outputs (the single file and the 64-shard set, 2 workers).
const readers = [
  { id: 'file', db: outputOf(BUILDS[0]) },
  { id: 'set64', db: outputOf(BUILDS[4]) },
];
for (let round = 0; round < getRounds; round++) {
  const r = {};
  for (const x of round % 2 ? [...readers].reverse() : readers) {
    const base = { task: 'gets', db: x.db, hits: files.hits, warmup: quick ? 2_000 : 100_000 };
    r[x.id] = { get: child(base), getMany: child({ ...base, batch: 1000 }) };
    log(
      `  gets round ${round + 1} ${x.id}: ${(r[x.id].get.perSec / 1e6).toFixed(2)}M get/s, ${(r[x.id].getMany.perSec / 1e6).toFixed(2)}M keys/s in getMany(1000)`,
    );
  }
  for (const w of ['get', 'getMany'])
    if (r.file[w].checksum !== r.set64[w].checksum)
      throw new Error(`${w}: the set and the file disagree (checksums ${r.set64[w].checksum} vs ${r.file[w].checksum})`);
  results.gets.push(r);
}
results.meta.totalSeconds = (performance.now() - t0) / 1000;
results.meta.loadAfter = os.loadavg()[0];
fs.writeFileSync(path.join(outDir, 'shards-results.json'), JSON.stringify(results, null, 1));
writeShardsReport(results, path.join(outDir, 'RESULTS.md'));
log(`wrote ${path.join(outDir, 'RESULTS.md')} (section "Sharded sets") in ${results.meta.totalSeconds.toFixed(0)} s`);
