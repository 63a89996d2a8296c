#!/usr/bin/env node
// mmap, pread or io_uring? (issue 17). Usage:
//   node bench/cold-io.mjs                    full run → bench/cold-io-results.json and the
//                                             "mmap, pread or io_uring" section of bench/RESULTS.md
//   node bench/cold-io.mjs --quick --out DIR  tiny datasets, one round, seconds (CI smoke test)
// Options: --data DIR (datasets; default bench/data, shared with bench/run.mjs), --rounds N,
//          --only warm,cold,one,raw,big (phases), --report (rewrite the section from
//          cold-io-results.json without running).
// Every row is its own process (lib/cold-io-child.mjs); rows rotate within a round; ratios
// against the threadpool(4) row are taken round by round, then the median.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { coldIoDatasets, ensureColdIoDataset, flushFile, probeDatabase } from './lib/cold-io-datasets.mjs';
import { writeColdIoReport } from './lib/cold-io-report.mjs';
import { ONE_CALL_ROWS, ROWS, envOf, specOf } from './lib/cold-io-rows.mjs';
import { readKeyFile, writeKeyFile } from './lib/dataset.mjs';
import { compileTools, evict } from './lib/native.mjs';
import { collectMeta } from './lib/report.mjs';
import { childResult } from './lib/child-result.mjs';

const HERE = path.dirname(new URL(import.meta.url).pathname);
const CHILD = path.join(HERE, 'lib', 'cold-io-child.mjs');
const argv = process.argv.slice(2);
const flag = (f) => argv.includes(f);
if (argv.includes('--help') || argv.includes('-h')) {
  console.log(
    'usage: node bench/cold-io.mjs [--quick] [--out DIR] [--data DIR] [--rounds N] [--only warm,cold,one,raw,big] [--report]',
  );
  process.exit(0);
}
const opt = (f, d) => (argv.includes(f) ? argv[argv.indexOf(f) + 1] : d);
const quick = flag('--quick');
const outDir = path.resolve(opt('--out', quick ? fs.mkdtempSync(path.join(os.tmpdir(), 'mmcdb-cold-io-')) : HERE));
const dataDir = path.resolve(opt('--data', quick ? path.join(outDir, 'data') : path.join(HERE, 'data')));
const rounds = Number(opt('--rounds', quick ? 1 : 5));
const bigRounds = Number(opt('--rounds', quick ? 1 : 3));
const phases = opt('--only', 'warm,cold,one,raw,big').split(',');
const log = (...a) => console.log(...a);

function child(row, spec) {
  const r = spawnSync(process.execPath, ['--expose-gc', CHILD, JSON.stringify(spec)], {
    encoding: 'utf8',
    maxBuffer: 16 << 20,
    timeout: 10 * 60e3,
    env: envOf(row),
  });
  return childResult(r);
}

/** A row's run; a cold one after the file was also evicted from outside (bench/c/evict.c, fadvise). */
function coldRun(row, spec) {
  if (spec.cache === 'cold') {
    const ev = evict(spec.db);
    if (ev.error) return { error: `evict: ${ev.error}` };
  }
  return child(row, spec);
}

// The device's own ceiling: random 4 KiB buffered reads with no database (bench/c/raw-reads.c),
// from 1–64 threads of pread and from one io_uring at queue depth 8–128.
const RAW = [
  ...[1, 4, 16, 64].map((n) => ({ id: `pread${n}`, mode: 'pread', depth: n, label: `pread, ${n} thread${n > 1 ? 's' : ''}` })),
  ...[8, 32, 128].map((n) => ({ id: `uring${n}`, mode: 'uring', depth: n, label: `io_uring, queue depth ${n}` })),
];
function rawTool(binDir) {
  const out = path.join(binDir, 'raw-reads');
  const src = path.join(HERE, 'c', 'raw-reads.c');
  const uring = spawnSync('gcc', ['-O2', '-DHAVE_URING', '-o', out, src, '-luring', '-lpthread'], { encoding: 'utf8' });
  if (uring.status === 0) return { bin: out, uring: true };
  const plain = spawnSync('gcc', ['-O2', '-o', out, src, '-lpthread'], { encoding: 'utf8' });
  return plain.status === 0 ? { bin: out, uring: false } : null;
}
function rawPhase(db, count, n) {
  const tool = rawTool(path.join(dataDir, 'bin'));
  const res = { count, rows: RAW, rounds: [], unavailable: {} };
  if (!tool) return { ...res, error: 'gcc could not build bench/c/raw-reads.c' };
  for (let r = 0; r < n; r++) {
    const round = {};
    for (const row of RAW) {
      if (row.mode === 'uring' && !tool.uring) {
        res.unavailable[row.id] = 'built without liburing';
        continue;
      }
      const ev = evict(db);
      const x = spawnSync(tool.bin, [db, String(count), row.mode, String(row.depth)], { encoding: 'utf8' });
      if (ev.error || x.status !== 0) res.unavailable[row.id] = ev.error ?? x.stderr.trim();
      else round[row.id] = { ...JSON.parse(x.stdout), residentAtStart: ev.residentBytes };
      log(`  raw ${r + 1} ${row.id}: ${round[row.id] ? `${round[row.id].iops} reads/s` : res.unavailable[row.id]}`);
    }
    res.rounds.push(round);
  }
  return res;
}

const fmt = (x) =>
  x.error
    ? `ERROR ${x.error}`
    : x.unavailable
      ? `unavailable: ${x.unavailable}`
      : `${x.perSec.toFixed(0)}/s, stall ${x.stallMs.toFixed(1)} ms, ${x.cpuUsPerLookup.toFixed(1)} µs CPU, disk ${x.diskShare.toFixed(2)}×, resident at start ${x.residentAtStart}${x.asyncIo ? `, path ${x.asyncIo}` : ''}`;

/**
 * One phase: every row `n` times, the order rotated each round. Returns
 * { rounds: [{ rowId: result }], unavailable: { rowId: why }, errors: { rowId: [why] } }.
 */
function phase(name, rows, n, specFor) {
  const res = { rounds: [], unavailable: {}, errors: {}, retried: [] };
  for (let r = 0; r < n; r++) {
    const order = rows.slice(r % rows.length).concat(rows.slice(0, r % rows.length));
    const round = {};
    for (const row of order) {
      if (res.unavailable[row.id]) continue;
      const spec = specFor(row);
      let x = coldRun(row, spec);
      // A cold run must start with nothing resident: again (up to 3 times, after a pause) if
      // eviction left pages behind — reads still in flight from the previous process, whose
      // io_uring or read-ahead is torn down after it exits, can land after the eviction.
      for (let retry = 1; spec.cache === 'cold' && x.residentAtStart > 0 && retry <= 3; retry++) {
        log(`  ${name} ${r + 1} ${row.id}: ${x.residentAtStart} bytes resident after eviction, run again`);
        res.retried.push({ round: r, row: row.id, residentAtStart: x.residentAtStart });
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500 * retry);
        x = coldRun(row, spec);
      }
      if (x.unavailable) res.unavailable[row.id] = x.unavailable;
      else if (x.error) (res.errors[row.id] ??= []).push(x.error);
      else round[row.id] = x;
      log(`  ${name} ${r + 1} ${row.id}: ${fmt(x)}`);
    }
    res.rounds.push(round);
  }
  const sums = new Set(res.rounds.flatMap((round) => Object.values(round).map((x) => x.checksum)));
  res.checksums = [...sums];
  return res;
}

const meta = {
  ...collectMeta({ quick, argv }),
  command: `node bench/cold-io.mjs ${argv.join(' ')}`.trim(),
  cores: os.availableParallelism(),
  kernel: os.release(),
  readAheadKiB: (() => {
    try {
      return Number(fs.readFileSync('/sys/block/vda/queue/read_ahead_kb', 'utf8'));
    } catch {
      return null;
    }
  })(),
  loadBefore: os.loadavg()[0],
};
if (flag('--report')) {
  // The report again from the last run's figures (after a change to the report's wording).
  const saved = JSON.parse(fs.readFileSync(path.join(outDir, 'cold-io-results.json'), 'utf8'));
  writeColdIoReport(saved, path.join(outDir, 'RESULTS.md'));
  log(`rewrote ${path.join(outDir, 'RESULTS.md')} from cold-io-results.json`);
  process.exit(0);
}
const t0 = performance.now();
const results = { meta, rows: ROWS, datasets: [] };
const dss = coldIoDatasets(quick);
const probeDb = await probeDatabase(dataDir);
compileTools(path.join(dataDir, 'bin'));
for (const [i, ds] of dss.entries()) {
  const big = i > 0;
  if (big && !phases.includes('big')) continue;
  log(`\n== ${ds.id}: ${ds.records} records × ${ds.valueSize} B values`);
  const files = ensureColdIoDataset(dataDir, ds, log);
  flushFile(files.db);
  const hits = readKeyFile(files.hits);
  const keyFile = (name, keys) => {
    const f = path.join(files.dir, `cold-io-${name}-${keys.length}.keys`);
    writeKeyFile(f, keys);
    return f;
  };
  const base = { db: files.db, probeDb, batch: ds.batch, warmup: 10_000 };
  const d = { id: ds.id, records: ds.records, valueSize: ds.valueSize, fileBytes: fs.statSync(files.db).size, batch: ds.batch };
  if (ds.warm && phases.includes('warm')) {
    d.warmCount = Math.min(ds.warm, hits.length);
    const keys = keyFile('warm', hits.slice(0, d.warmCount));
    d.warm = phase('warm', ROWS, rounds, (row) => specOf(row, { ...base, keys, cache: 'warm' }));
  }
  if (phases.includes('cold') || big) {
    d.coldCount = Math.min(ds.cold, hits.length);
    const keys = keyFile('cold', hits.slice(0, d.coldCount));
    d.cold = phase('cold', ROWS, big ? bigRounds : rounds, (row) => specOf(row, { ...base, keys, cache: 'cold' }));
  }
  if (ds.one && phases.includes('one')) {
    d.oneCount = Math.min(ds.one, hits.length);
    const keys = keyFile('one', hits.slice(0, d.oneCount));
    const rows = ROWS.filter((r) => ONE_CALL_ROWS.includes(r.id));
    d.one = phase('one call', rows, bigRounds, (row) => specOf(row, { ...base, keys, cache: 'cold', one: true }));
  }
  if (!big && phases.includes('raw')) d.device = rawPhase(files.db, ds.one || ds.cold, bigRounds);
  results.datasets.push(d);
}
results.meta.totalSeconds = (performance.now() - t0) / 1000;
results.meta.loadAfter = os.loadavg()[0];
fs.mkdirSync(outDir, { recursive: true });
fs.writeFileSync(path.join(outDir, 'cold-io-results.json'), JSON.stringify(results, null, 1));
writeColdIoReport(results, path.join(outDir, 'RESULTS.md'));
log(`wrote ${path.join(outDir, 'RESULTS.md')} (section "mmap, pread or io_uring") in ${results.meta.totalSeconds.toFixed(0)} s`);
const bad = results.datasets.flatMap((d) =>
  ['warm', 'cold', 'one'].filter((p) => d[p] && d[p].checksums.length > 1).map((p) => `${d.id} ${p}`),
);
if (bad.length) {
  log(`CHECKSUM MISMATCH between rows: ${bad.join(', ')}`);
  process.exitCode = 1;
}
