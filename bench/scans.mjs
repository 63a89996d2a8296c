#!/usr/bin/env node
// Full scans (issue 16): tinycdb's cdb_seq in C against mmcdb's scans and a JS Map, warm.
// Usage: node bench/scans.mjs [--rounds N] [--passes N] [--only 1m-100b,10m-100b] [--data DIR] [--out DIR]
// Each contender runs in its own process, once per round, in an order that rotates each
// round; each process does one untimed pass and --passes timed ones (its median counts).
// Ratios against cdb_seq are taken round by round, then their median. Writes
// <out>/scans-results.json and the "Scans" section of <out>/RESULTS.md (bench/lib/scans-report.mjs).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { plan } from './lib/config.mjs';
import { ensureDataset } from './lib/dataset.mjs';
import { compileTools, sizeOf, tinycdb } from './lib/native.mjs';
import { collectMeta } from './lib/report.mjs';
import { median } from './lib/stats.mjs';
import { CONTENDERS, writeScansReport } from './lib/scans-report.mjs';
import { build as buildMmcdb } from './engines/mmcdb.mjs';

const HERE = path.dirname(new URL(import.meta.url).pathname);
const argv = process.argv.slice(2);
const opt = (f, d) => (argv.includes(f) ? argv[argv.indexOf(f) + 1] : d);
const rounds = Number(opt('--rounds', 5));
const passes = Number(opt('--passes', 3));
const only = opt('--only', '1m-100b,10m-100b').split(',');
const dataDir = path.resolve(opt('--data', path.join(HERE, 'data')));
const outDir = path.resolve(opt('--out', HERE));
const log = (...a) => console.log(...a);

const bin = path.join(os.tmpdir(), `mmcdb-scans-bin-${process.pid}`);
compileTools(bin);
const seqBin = path.join(bin, 'tinycdb-seq');
const cc = spawnSync('gcc', ['-O2', '-o', seqBin, path.join(HERE, 'c', 'tinycdb-seq.c'), '-lcdb'], { encoding: 'utf8' });
if (cc.status !== 0) throw new Error(`gcc tinycdb-seq.c: ${cc.stderr}`);
if (tinycdb.unavailable()) throw new Error(tinycdb.unavailable());

function run(argv0, args) {
  const r = spawnSync(argv0, args, { encoding: 'utf8', maxBuffer: 16 << 20, timeout: 20 * 60e3 });
  const line = (r.stdout ?? '').trim().split('\n').pop();
  if (r.status !== 0 || !line)
    throw new Error(`${path.basename(args[0] ?? argv0)} failed (${r.status ?? r.signal}): ${(r.stderr ?? '').slice(-600)}`);
  const j = JSON.parse(line);
  const s = median(j.seconds);
  return { n: j.n, checksum: j.checksum, seconds: j.seconds, perSec: j.n / s };
}

function contender(id, files) {
  if (id === 'cdb_seq') return run(seqBin, [files.tinycdb, String(passes)]);
  const spec = { contender: id, db: files.mmcdb, src: files.cdbmake, passes };
  return run(process.execPath, ['--max-old-space-size=8192', path.join(HERE, 'scans-child.mjs'), JSON.stringify(spec)]);
}

const t0 = performance.now();
const meta = {
  ...collectMeta({ quick: false, argv }),
  command: `node bench/scans.mjs ${argv.join(' ')}`.trim(),
  rounds,
  passes,
  loadBefore: os.loadavg()[0],
};
const results = { meta, datasets: [] };
for (const ds of plan(false).datasets.filter((d) => only.includes(d.id))) {
  const files = { ...ensureDataset(path.join(dataDir, ds.id), ds, log) };
  files.mmcdb = path.join(files.dir, 'db.mmcdb');
  files.tinycdb = path.join(files.dir, 'db.tinycdb');
  if (!fs.existsSync(files.mmcdb)) {
    log(`  build mmcdb for ${ds.id} …`);
    await buildMmcdb(files.cdbmake, files.mmcdb);
  }
  if (!fs.existsSync(files.tinycdb)) {
    log(`  build tinycdb for ${ds.id} …`);
    tinycdb.build(files.cdbmake, files.tinycdb);
  }
  const entry = {
    id: ds.id,
    records: ds.records,
    valueSize: ds.valueSize,
    mmcdbBytes: sizeOf(files.mmcdb),
    tinycdbBytes: sizeOf(files.tinycdb),
    rounds: [],
  };
  log(`\n== ${ds.id}: ${ds.records} records × ${ds.valueSize} B, ${rounds} rounds × ${passes} passes`);
  const ids = CONTENDERS.map((c) => c.id);
  for (let round = 0; round < rounds; round++) {
    const r = {};
    for (const id of ids.map((_, i) => ids[(i + round) % ids.length])) {
      r[id] = contender(id, files);
      log(`  round ${round + 1} ${id}: ${(r[id].perSec / 1e6).toFixed(2)}M records/s`);
    }
    // Every contender saw every record and touched the same bytes (keys(): keys only).
    for (const id of ids.filter((x) => x !== 'keys'))
      if (r[id].n !== r.cdb_seq.n || r[id].checksum !== r.cdb_seq.checksum)
        throw new Error(
          `${ds.id} ${id}: n ${r[id].n} checksum ${r[id].checksum} vs cdb_seq ${r.cdb_seq.n} ${r.cdb_seq.checksum}`,
        );
    entry.rounds.push(r);
  }
  results.datasets.push(entry);
}
fs.rmSync(bin, { recursive: true, force: true });
results.meta.totalSeconds = (performance.now() - t0) / 1000;
results.meta.loadAfter = os.loadavg()[0];
fs.writeFileSync(path.join(outDir, 'scans-results.json'), JSON.stringify(results, null, 1));
writeScansReport(results, path.join(outDir, 'RESULTS.md'));
log(`wrote ${path.join(outDir, 'RESULTS.md')} (section "Scans") in ${results.meta.totalSeconds.toFixed(0)} s`);
