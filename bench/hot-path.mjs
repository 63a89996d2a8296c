#!/usr/bin/env node
// Where each nanosecond of a get() goes, for both native flavours (issue 16): the
// Node-API addon (as before V8 fast calls) and the V8-API one (handle.fast). Usage:
//   node bench/hot-path.mjs [--dataset 1m-100b] [--runs 5] [--rounds 5] [--count 200000] [--write]
// Each run starts one process per flavour (MMCDB_NATIVE_FLAVOR=napi / v8; the order
// alternates run by run), which times every step (lib/hot-path-child.mjs); the steps'
// differences are the breakdown, per run, then the median over runs. --write puts the
// table into bench/RESULTS.md (between its markers, which lib/report.mjs keeps) and the
// raw figures into bench/hot-path-results.json. The dataset comes from bench/run.mjs's
// generator (built when missing).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { plan } from './lib/config.mjs';
import { ensureDataset, readKeyFile, writeKeyFile } from './lib/dataset.mjs';
import { compileTools, evict, tinycdb } from './lib/native.mjs';
import { collectMeta } from './lib/report.mjs';
import { HOT_PATH_SECTION, breakdown, hotPathSection } from './lib/hot-path-report.mjs';

const HERE = path.dirname(new URL(import.meta.url).pathname);
const argv = process.argv.slice(2);
const opt = (f, d) => (argv.includes(f) ? argv[argv.indexOf(f) + 1] : d);
const dsId = opt('--dataset', '1m-100b');
const runs = Number(opt('--runs', 5));
const rounds = Number(opt('--rounds', 5));
const count = Number(opt('--count', 200_000));
const dataDir = path.resolve(opt('--data', path.join(HERE, 'data')));
const ds = plan(false).datasets.find((d) => d.id === dsId) ?? plan(true).datasets.find((d) => d.id === dsId);
if (!ds) throw new Error(`no dataset ${dsId} in bench/lib/config.mjs`);

const files = ensureDataset(path.join(dataDir, ds.id), ds, console.log);
const db = path.join(files.dir, 'db.mmcdb');
if (!fs.existsSync(db)) {
  console.log(`  build mmcdb for ${ds.id} …`);
  const spec = { module: 'mmcdb', task: 'build', src: files.cdbmake, db };
  const r = spawnSync(process.execPath, [path.join(HERE, 'child.mjs'), JSON.stringify(spec)], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('build failed');
}

// The C loops: tinycdb's cdb_find (the anchor) and the addon's own lookup code without any
// JS (bench/c/mmcdb-get.cc), on the same first `count` keys, warmed up on all of them.
const bin = path.join(dataDir, 'bin');
compileTools(bin);
const cBin = path.join(bin, 'mmcdb-get');
const src = path.join(HERE, '..', 'packages', 'native', 'src');
const cc = spawnSync(
  'g++',
  [
    '-O2',
    '-std=c++17',
    `-I${src}`,
    '-o',
    cBin,
    path.join(HERE, 'c', 'mmcdb-get.cc'),
    ...['mmcdb_lookup.cc', 'xxh64.cc'].map((f) => path.join(src, f)),
  ],
  { encoding: 'utf8' },
);
const cUnavailable = cc.status === 0 ? null : `g++ failed: ${(cc.stderr || String(cc.error)).split('\n')[0]}`;
const tinyDb = path.join(files.dir, 'db.tinycdb');
if (!tinycdb.unavailable() && !fs.existsSync(tinyDb)) tinycdb.build(files.cdbmake, tinyDb);
const keyFiles = {};
for (const kind of ['hits', 'misses']) {
  keyFiles[kind] = path.join(files.dir, `hot-path-${kind}-${count}.keys`);
  if (!fs.existsSync(keyFiles[kind])) writeKeyFile(keyFiles[kind], readKeyFile(files[kind], count));
}
function cLoops() {
  const out = {};
  for (const [id, run] of [
    ['tinycdb', tinycdb.unavailable() ? null : (keys) => tinycdb.harness([tinyDb, 'get', keys, String(count)])],
    [
      'mmcdbC',
      cUnavailable ? null : (keys) => JSON.parse(spawnSync(cBin, [db, keys, String(count)], { encoding: 'utf8' }).stdout),
    ],
  ]) {
    if (run === null) continue;
    out[id] = {};
    for (const kind of ['hits', 'misses']) {
      const x = run(keyFiles[kind]);
      out[id][kind] = { ns: (x.seconds * 1e9) / x.n, check: x.checksum, found: x.found };
    }
  }
  return out;
}
// Both files' page caches made the same way before the runs: evicted, then read from
// start to end with read(2) — what `cat` or vmtouch does for a tinycdb user, and what
// reader.warm() does since it reads (packages/native/src/pages.cc ReadRange) — so both
// lie in large folios, which a 2 MiB-aligned mapping maps with PMD entries (one TLB entry
// per 2 MiB). The share so mapped is measured in a process that maps each file.
function sameCache() {
  const shares = {};
  for (const [id, file] of [
    ['mmcdb', db],
    ['tinycdb', tinyDb],
  ]) {
    if (!fs.existsSync(file)) continue;
    const ev = evict(file);
    if (ev.error) return { error: `evict: ${ev.error}` };
    const fd = fs.openSync(file, 'r');
    const buf = Buffer.allocUnsafe(1 << 20);
    for (let at = 0, n; (n = fs.readSync(fd, buf, 0, buf.length, at)) > 0; at += n);
    fs.closeSync(fd);
    const probe = spawnSync(process.execPath, [path.join(HERE, 'lib', 'pmd-share.mjs'), file], { encoding: 'utf8' });
    shares[id] = probe.status === 0 ? JSON.parse(probe.stdout) : { error: probe.stderr.slice(-300) };
  }
  return shares;
}
const pageCache = sameCache();
console.log(`page caches: ${JSON.stringify(pageCache)}`);
const child = path.join(HERE, 'lib', 'hot-path-child.mjs');
const spec = JSON.stringify({ db, hits: files.hits, misses: files.misses, count, rounds });
const byFlavor = { napi: [], v8: [] };
const cRuns = [];
const unavailable = {};
if (tinycdb.unavailable()) unavailable.tinycdb = tinycdb.unavailable();
if (cUnavailable) unavailable.mmcdbC = cUnavailable;
for (let r = 0; r < runs; r++) {
  const c = cLoops();
  cRuns.push(c);
  console.log(
    `run ${r + 1} C loops: ${Object.entries(c)
      .map(([id, x]) => `${id} hit ${x.hits.ns.toFixed(0)} ns, miss ${x.misses.ns.toFixed(0)} ns`)
      .join('; ')}`,
  );
  for (const flavor of r % 2 ? ['v8', 'napi'] : ['napi', 'v8']) {
    const p = spawnSync(process.execPath, [child, spec], {
      encoding: 'utf8',
      env: { ...process.env, MMCDB_NATIVE_FLAVOR: flavor },
      maxBuffer: 16 << 20,
    });
    const line = p.stdout.trim().split('\n').pop();
    if (p.status !== 0 || !line) throw new Error(`${flavor} child failed: ${p.stderr.slice(-800)}`);
    const x = JSON.parse(line);
    if (x.unavailable || x.flavor !== flavor) {
      unavailable[flavor] = x.unavailable ?? `asked for ${flavor}, loaded ${x.flavor}: ${x.flavorReason}`;
      continue;
    }
    byFlavor[flavor].push(x);
    const b = breakdown(x);
    console.log(`run ${r + 1} ${flavor}: hit ${b.hits.total.toFixed(0)} ns, miss ${b.misses.total.toFixed(0)} ns (reader.get)`);
  }
}
for (const f of ['napi', 'v8']) {
  const checks = new Set(byFlavor[f].flatMap((x) => [x.hits.readerGet.check, x.misses.readerGet.check]));
  if (byFlavor[f].length && checks.size !== 2) throw new Error(`${f}: checksums differ between runs`);
}
// Every engine touched the same values: one checksum for the hits (misses find nothing).
const sums = new Set([
  ...Object.values(byFlavor).flatMap((xs) => xs.map((x) => x.hits.readerGet.check)),
  ...cRuns.flatMap((c) => Object.values(c).map((x) => x.hits.check)),
]);
if (sums.size > 1) throw new Error(`hit checksums differ between the engines: ${[...sums].join(', ')}`);
const result = {
  meta: { ...collectMeta({ quick: false, argv }), command: `node bench/hot-path.mjs ${argv.join(' ')}`.trim() },
  dataset: { id: ds.id, records: ds.records, valueSize: ds.valueSize, count, rounds, runs },
  unavailable,
  pageCache,
  runs: byFlavor,
  cLoops: cRuns,
};
const section = hotPathSection(result);
console.log(`\n${section}`);
if (argv.includes('--write')) {
  fs.writeFileSync(path.join(HERE, 'hot-path-results.json'), `${JSON.stringify(result, null, 1)}\n`);
  const file = path.join(HERE, 'RESULTS.md');
  const text = fs.readFileSync(file, 'utf8');
  const next = HOT_PATH_SECTION.test(text) ? text.replace(HOT_PATH_SECTION, section) : `${text.trimEnd()}\n\n${section}\n`;
  fs.writeFileSync(file, next);
  console.log(`wrote ${file} and bench/hot-path-results.json`);
}
