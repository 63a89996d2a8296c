#!/usr/bin/env node
// mmcdb benchmark orchestrator. Usage:
//   node bench/run.mjs                 full run → bench/RESULTS.md, bench/charts/*.svg, bench/results.json
//   node bench/run.mjs --quick --out DIR   tiny sizes, one round (CI)
// Options: --data DIR (datasets; default bench/data), --only id,id (datasets, 'big', 'profile', 'batch', 'serve'),
//          --rounds N, --no-big, --no-profile, --no-batch, --no-serve,
//          --merge (keep other results of the previous results.json in --out)
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ENGINES, plan } from './lib/config.mjs';
import { ensureDataset, readKeyFile, writeKeyFile } from './lib/dataset.mjs';
import { compileTools, evict, sizeOf, timeV, tinycdb, toolInfo } from './lib/native.mjs';
import { addonSha, collectMeta, writeReport } from './lib/report.mjs';
import { bigFile } from './lib/big.mjs';
import { profile } from './lib/profile.mjs';
import { batches } from './lib/batch.mjs';
import { serveBench } from './lib/serve.mjs';
import { childResult } from './lib/child-result.mjs';

const HERE = path.dirname(new URL(import.meta.url).pathname);
const CHILD = path.join(HERE, 'child.mjs');
const argv = process.argv.slice(2);
const flag = (f) => argv.includes(f);
const opt = (f, d) => (argv.includes(f) ? argv[argv.indexOf(f) + 1] : d);
const quick = flag('--quick');
const outDir = path.resolve(opt('--out', quick ? fs.mkdtempSync(path.join(os.tmpdir(), 'mmcdb-bench-')) : HERE));
const dataDir = path.resolve(opt('--data', quick ? path.join(outDir, 'data') : path.join(HERE, 'data')));
const only = opt('--only', null)?.split(',');
const P = plan(quick);
const log = (...a) => console.log(...a);

function child(spec, { cpuProf } = {}) {
  const args = cpuProf ? [`--cpu-prof`, `--cpu-prof-dir=${cpuProf}`, CHILD, JSON.stringify(spec)] : [CHILD, JSON.stringify(spec)];
  const env = spec.env ? { ...process.env, ...spec.env } : process.env; // e.g. UV_THREADPOOL_SIZE
  const r = spawnSync(process.execPath, ['--max-old-space-size=8192', ...args], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    timeout: 15 * 60e3,
    env,
  });
  return childResult(r);
}

const dbPath = (dir, store) => path.join(dir, `db.${store}`);

function doBuild(ds, files, store) {
  const e = Object.values(ENGINES).find((x) => x.store === store);
  const db = dbPath(files.dir, store);
  if (store === 'tinycdb') {
    const why = tinycdb.unavailable();
    if (why) return { unavailable: why };
    const r = tinycdb.build(files.cdbmake, db);
    return { tool: 'cdb -c', wallSeconds: r.wallSeconds, maxRssKiB: r.maxRssKiB, bytes: sizeOf(db) };
  }
  // Every build starts without a previous output, removed before timing (as for cdb -c above):
  // replacing a 1.6 GB file costs the rename ~0.7 s of freeing its pages and blocks.
  fs.rmSync(db, { recursive: true, force: true });
  const spec = { module: e.module, task: 'build', src: files.cdbmake, db };
  const r = timeV([process.execPath, '--max-old-space-size=8192', CHILD, JSON.stringify(spec)]);
  const line = r.stdout.trim().split('\n').pop();
  if (r.status !== 0 || !line)
    return {
      error: `exit ${r.status}: ${r.stderr
        .split('\n')
        .filter((l) => !/^\t/.test(l))
        .slice(-3)
        .join(' | ')}`,
    };
  const j = JSON.parse(line);
  if (j.unavailable) return j;
  return {
    wallSeconds: r.wallSeconds,
    maxRssKiB: r.maxRssKiB ?? j.maxRssKiB,
    innerSeconds: j.seconds,
    records: j.records,
    bytes: store === 'map' ? null : sizeOf(db),
  };
}

/** Dataset files plus the given stores' databases, built only when missing (batch and serve sections). */
function ensureBuilt(ds, stores) {
  const files = ensureDataset(path.join(dataDir, ds.id), ds, log);
  for (const store of stores) {
    if (fs.existsSync(dbPath(files.dir, store))) continue;
    log(`  build ${store} for ${ds.id} …`);
    const b = doBuild(ds, files, store);
    if (b.error) throw new Error(`build ${store} ${ds.id}: ${b.error}`);
  }
  return files;
}

function runEngine(id, ds, files, task, extra = {}) {
  const e = ENGINES[id];
  const spec = {
    module: e.module,
    variant: e.variant,
    task,
    src: files.cdbmake,
    db: dbPath(files.dir, e.store),
    hits: files.hits,
    misses: files.misses,
    warmup: ds.warmup,
    scan: ds.scan,
    ...(e.env && { env: e.env }),
    ...extra,
  };
  if (e.module !== 'tinycdb') return child(spec);
  const why = tinycdb.unavailable();
  if (why) return { unavailable: why };
  try {
    return task === 'cold' ? tinycdb.cold(spec) : tinycdb.gets(spec);
  } catch (err) {
    return { error: err.message };
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[(xs.length - 1) >> 1];

/** The run with the median wall time (all runs kept in `runs`); an error when none succeeded. */
function medianBuild(bs) {
  const ok = bs.filter((b) => !b.unavailable && !b.error);
  if (!ok.length) return bs[0];
  const m = [...ok].sort((a, b) => a.wallSeconds - b.wallSeconds)[(ok.length - 1) >> 1];
  return ok.length > 1 ? { ...m, runs: ok.map((b) => ({ wallSeconds: b.wallSeconds, maxRssKiB: b.maxRssKiB })) } : m;
}

function runDataset(ds) {
  const rounds = Number(opt('--rounds', ds.rounds ?? P.rounds));
  log(`\n== ${ds.id}: ${ds.records} records × ${ds.valueSize} B values, ${ds.lookups} lookups, ${rounds} rounds`);
  const files = ensureDataset(path.join(dataDir, ds.id), ds, log);
  const res = {
    ...ds,
    rounds,
    cdbmakeBytes: sizeOf(files.cdbmake),
    builds: {},
    gets: [],
    cold: [],
    eviction: [],
    unavailable: {},
    errors: {},
  };
  const stores = [...new Set(ds.engines.map((id) => ENGINES[id].store))];
  // The build-time target is a ratio mmcdb / cdb -c: those two build `buildRounds` times,
  // alternating, and the ratio is taken pair by pair; the other stores build once.
  // `sync` before every build, so one build's dirty pages do not throttle the next one's writes.
  const buildRounds = quick ? 1 : Math.min(3, rounds);
  const paired = ['tinycdb', 'mmcdb'].filter((s) => stores.includes(s));
  const runs = Object.fromEntries(stores.map((s) => [s, []]));
  for (let r = 0; r < buildRounds; r++) {
    const order = r % 2 ? [...paired].reverse() : paired;
    for (const store of r === 0 ? [...order, ...stores.filter((s) => !paired.includes(s))] : order) {
      log(`  build ${store} …`);
      spawnSync('sync');
      const b = doBuild(ds, files, store);
      runs[store].push(b);
      if (b.unavailable || b.error) log(`    ${b.unavailable ? 'unavailable' : 'ERROR'}: ${b.unavailable ?? b.error}`);
      else log(`    ${b.wallSeconds.toFixed(2)} s, ${(b.maxRssKiB / 1024).toFixed(0)} MiB RSS`);
    }
  }
  for (const store of stores) res.builds[store] = medianBuild(runs[store]);
  if (paired.length === 2) {
    const ratios = runs.mmcdb.map((m, i) => m.wallSeconds / runs.tinycdb[i]?.wallSeconds).filter(Number.isFinite);
    if (ratios.length)
      res.buildRatio = { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios), runs: ratios.length };
  }
  const usable = (id) => {
    const b = res.builds[ENGINES[id].store];
    if (b.unavailable || b.error) {
      res.unavailable[id] ??= `build: ${b.unavailable ?? b.error}`;
      return false;
    }
    return !res.unavailable[id];
  };
  for (let r = 0; r < rounds; r++) {
    const order = ds.engines.slice(r % ds.engines.length).concat(ds.engines.slice(0, r % ds.engines.length));
    const round = {};
    for (const id of order) {
      if (!usable(id)) continue;
      const x = runEngine(id, ds, files, 'gets');
      if (x.unavailable) res.unavailable[id] = x.unavailable;
      else if (x.error) res.errors[id] = x.error;
      else round[id] = x;
      log(
        `  round ${r + 1} ${id}: ${x.unavailable ? `unavailable: ${x.unavailable}` : x.error ? `ERROR ${x.error}` : `hits ${(x.hits.perSec / 1e6).toFixed(3)}M/s misses ${(x.misses.perSec / 1e6).toFixed(3)}M/s`}`,
      );
    }
    res.gets.push(round);
  }
  if (ds.cold?.length) {
    const coldKeys = path.join(files.dir, `cold-${ds.coldCount}.keys`);
    writeKeyFile(coldKeys, readKeyFile(files.hits, ds.coldCount));
    for (let r = 0; r < Math.min(rounds, 3); r++) {
      const round = {};
      for (const id of ds.cold) {
        if (!usable(id)) continue;
        const ev = evict(dbPath(files.dir, ENGINES[id].store));
        res.eviction.push({ engine: id, ...ev });
        const x = runEngine(id, ds, files, 'cold', { hits: coldKeys, misses: null });
        if (x.unavailable) res.unavailable[id] = x.unavailable;
        else if (x.error) res.errors[id] = x.error;
        else round[id] = { ...x, residentAfterEvict: ev.residentBytes ?? null, evictError: ev.error };
        log(
          `  cold ${r + 1} ${id}: ${x.hits ? `${x.hits.perSec.toFixed(0)} gets/s, open ${x.openMs.toFixed(2)} ms` : (x.unavailable ?? x.error)}`,
        );
      }
      res.cold.push(round);
    }
  }
  return res;
}

/**
 * The results without this machine's paths: every string that names a file under the
 * repository or the data folder is made relative to the repository (RESULTS.md and
 * results.json are committed and must not show where they were made).
 */
function withoutMachinePaths(value) {
  const repo = path.resolve(HERE, '..');
  const prefixes = [dataDir, outDir, repo].map((p) => `${p}${path.sep}`).sort((a, b) => b.length - a.length);
  const scrub = (s) => {
    for (const p of prefixes) s = s.split(p).join(p === `${repo}${path.sep}` ? '' : `${path.relative(repo, p) || '.'}/`);
    return s.split(os.tmpdir() + path.sep).join('$TMPDIR/');
  };
  return JSON.parse(JSON.stringify(value, (_k, v) => (typeof v === 'string' ? scrub(v) : v)));
}

if (flag('--report')) {
  // Rewrites RESULTS.md and the charts from --out's results.json (no measurement).
  const r = withoutMachinePaths(JSON.parse(fs.readFileSync(path.join(outDir, 'results.json'), 'utf8')));
  fs.writeFileSync(path.join(outDir, 'results.json'), JSON.stringify(r, null, 1));
  writeReport(r, outDir);
  log(`wrote ${path.join(outDir, 'RESULTS.md')} from results.json`);
  process.exit(0);
}
const meta = collectMeta({ quick, argv });
compileTools(path.join(dataDir, 'bin'));
const results = { meta, tools: toolInfo(), datasets: [], big: null, profile: null, batch: null, serve: null };
// --merge: keep the datasets (and big-file / profile results) of the previous results.json that
// this run does not redo, e.g. `--merge --only big` after a full run.
const previous = path.join(outDir, 'results.json');
if (flag('--merge') && fs.existsSync(previous)) {
  const old = JSON.parse(fs.readFileSync(previous, 'utf8'));
  results.datasets = old.datasets.filter((d) => !only || !only.includes(d.id));
  results.big = old.big;
  results.profile = old.profile;
  results.batch = old.batch ?? null;
  results.serve = old.serve ?? null;
  results.meta.merged = `datasets ${results.datasets.map((d) => d.id).join(', ')} from the run of ${old.meta.date}`;
}
const save = () => {
  fs.mkdirSync(outDir, { recursive: true });
  const clean = withoutMachinePaths(results);
  // writeReport() works out each dataset's checksums: into results.json, and back into
  // `results` for the mismatch check at the end.
  writeReport(clean, outDir);
  clean.datasets.forEach((d, i) => {
    results.datasets[i].checksums = d.checksums;
  });
  fs.writeFileSync(path.join(outDir, 'results.json'), JSON.stringify(clean, null, 1));
};
const t0 = performance.now();
for (const ds of P.datasets) {
  if (only && !only.includes(ds.id)) continue;
  const i = results.datasets.findIndex((d) => d.id === ds.id);
  const r = runDataset(ds);
  if (i >= 0) results.datasets[i] = r;
  else results.datasets.push(r);
  save();
}
const wants = (id) => !flag(`--no-${id}`) && (!only || only.includes(id));
if (P.batch && wants('batch')) {
  const addon = addonSha();
  results.batch = batches(P.batch, { child, evict, tinycdb, ensureBuilt, log });
  Object.assign(results.batch, { date: new Date().toISOString(), addon, addonChanged: addonSha() !== addon });
  save();
}
if (P.serve && wants('serve')) {
  const addon = addonSha();
  results.serve = await serveBench(P.serve, { dataDir, log, quick });
  Object.assign(results.serve, { date: new Date().toISOString(), addon });
  save();
}
if (P.big && !flag('--no-big') && (!only || only.includes('big'))) {
  results.big = await bigFile({ dataDir, child, evict, log });
  save();
}
const anchor = results.datasets.find((d) => d.profile);
if (anchor && !flag('--no-profile') && (!only || only.includes(anchor.id) || only.includes('profile'))) {
  results.profile = profile({ ds: anchor, dataDir, outDir, child, log });
  save();
}
results.meta.totalSeconds = (performance.now() - t0) / 1000;
save();
log(`\nwrote ${path.join(outDir, 'RESULTS.md')} in ${results.meta.totalSeconds.toFixed(0)} s`);
for (const d of results.datasets) log(`checksums ${d.id}: ${JSON.stringify(d.checksums)}`);
if (
  results.datasets.some((d) => d.checksums && !d.checksums.agree) ||
  results.batch?.checksumsAgree === false ||
  results.serve?.verifyFailed
) {
  log('CHECKSUM MISMATCH between engines');
  process.exitCode = 1;
}
