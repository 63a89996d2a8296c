// RESULTS.md + charts/*.svg from results.json. Every number printed here comes from this run.
import { SHARDS_SECTION } from './shards-report.mjs';
import { COLD_IO_SECTION } from './cold-io-report.mjs';
import { HOT_PATH_SECTION } from './hot-path-report.mjs';
import { SCANS_SECTION } from './scans-report.mjs';
import { execSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ANCHORS, ENGINES, MMCDB } from './config.mjs';
import { fmtBytes, fmtNum, fmtRate, pairedRatio, summary } from './stats.mjs';
import { barChart } from './svg.mjs';
import { targets } from './targets.mjs';
import { batchSection, serveSection } from './report-extra.mjs';

const sh = (c) => {
  try {
    return execSync(c, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
};

/** sha256 of the native addon that @mmcdb/native loads (build/Release here), or null. */
export function addonSha() {
  const f = path.join(
    path.dirname(new URL(import.meta.url).pathname),
    '..',
    '..',
    'packages',
    'native',
    'build',
    'Release',
    'mmcdb.node',
  );
  try {
    return createHash('sha256').update(fs.readFileSync(f)).digest('hex');
  } catch {
    return null;
  }
}

export function collectMeta({ quick, argv, script = 'bench/run.mjs' }) {
  const cpu = /model name\s*:\s*(.*)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.cpus()[0]?.model;
  const benchDir = path.dirname(path.dirname(new URL(import.meta.url).pathname));
  const ver = (p) => {
    try {
      return JSON.parse(fs.readFileSync(path.join(benchDir, 'node_modules', p, 'package.json'), 'utf8')).version;
    } catch {
      return 'not installed';
    }
  };
  const dirty = sh('git status --porcelain') ? ' (working tree has uncommitted changes)' : '';
  return {
    machine: `${os.hostname()} — ${sh('uname -srm')}`,
    cpu: `${cpu} × ${os.cpus().length} logical CPUs`,
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM`,
    node: `${process.version} (V8 ${process.versions.v8})`,
    date: new Date().toISOString(),
    commit: `${sh('git rev-parse HEAD')}${dirty}`,
    addon: addonSha(),
    packages: `lmdb ${ver('lmdb')}, better-sqlite3 ${ver('better-sqlite3')}, classic-level ${ver('classic-level')}, tinycdb ${sh("dpkg-query -W -f='${Version}' tinycdb")}`,
    command: `node ${script} ${argv.join(' ')}`.trim(),
    mode: quick ? 'quick (tiny sizes, one round — smoke test, not a measurement)' : 'full',
  };
}

// RESULTS.md §Open without a GC: written from bench/open-gc-results.json by hand, kept across runs.
const OPEN_GC_SECTION = /<!-- open-gc:begin[^\n]*-->[\s\S]*?<!-- open-gc:end -->/;
// RESULTS.md §Async I/O paths: bench/async-io-quick.mjs's quick comparison, kept across runs.
const ASYNC_IO_SECTION = /<!-- async-io:begin[^\n]*-->[\s\S]*?<!-- async-io:end -->/;

const WORK = ['hits', 'misses', 'scan'];
function checksums(d) {
  const seen = {};
  for (const [kind, rounds] of [
    ['gets', d.gets],
    ['cold', d.cold],
  ])
    for (const round of rounds)
      for (const [id, r] of Object.entries(round))
        for (const w of WORK) if (r[w]) ((seen[`${kind}.${w}`] ??= {})[id] ??= new Set()).add(r[w].checksum);
  const out = { agree: true, values: {} };
  for (const [w, byId] of Object.entries(seen)) {
    const all = new Set(Object.values(byId).flatMap((s) => [...s]));
    out.values[w] = [...all];
    if (all.size > 1) {
      out.agree = false;
      out.values[w] = Object.fromEntries(Object.entries(byId).map(([k, s]) => [k, [...s]]));
    }
  }
  return out;
}

const rate = (d, id, w, rounds = d.gets) => summary(rounds.map((r) => r[id]?.[w]?.perSec));
const cell = (s, f = fmtRate) => (s && Number.isFinite(s.median) ? `${f(s.median)} (${f(s.min)}–${f(s.max)})` : '–');
const ratioCell = (d, a, b, w) => {
  if (a === b) return '1';
  const r = pairedRatio(d.gets, a, b, (x) => x[w]?.perSec);
  return r ? `${fmtNum(r.median)}×` : '–';
};
const label = (id) => ENGINES[id]?.label ?? id;
const status = (d, id) =>
  d.unavailable[id] ? `unavailable: ${d.unavailable[id]}` : d.errors[id] ? `error: ${d.errors[id]}` : null;

function datasetSection(d, charts) {
  const L = [];
  L.push(`### ${d.id}: ${d.records.toLocaleString('en')} records × ${fmtBytes(d.valueSize)} values`, '');
  L.push(
    `cdbmake source ${fmtBytes(d.cdbmakeBytes)}; ${d.lookups.toLocaleString('en')} hit and ${d.lookups.toLocaleString('en')} miss lookups per round (random order, same key files for every engine), warm-up ${Math.min(d.warmup, d.lookups).toLocaleString('en')} of each untimed; ${d.rounds} rounds, one process per engine per round.`,
    '',
  );
  L.push(
    '**Warm page cache, random point gets** — gets/s median (min–max); ratios are per round against the anchor measured in the same round, then the median.',
    '',
  );
  L.push(
    '| engine | hits/s | ×tinycdb | ×Map | ×lmdb get | misses/s | ×tinycdb | ×Map | full scan rec/s | open ms | first get ms |',
  );
  L.push('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const id of d.engines) {
    const st = status(d, id);
    if (st && !d.gets.some((r) => r[id])) {
      L.push(`| ${label(id)} | ${st} ||||||||||`);
      continue;
    }
    const s = (f) => summary(d.gets.map((r) => r[id]?.[f]));
    L.push(
      `| ${label(id)} | ${cell(rate(d, id, 'hits'))} | ${ANCHORS.map((a) => ratioCell(d, id, a, 'hits')).join(' | ')} | ${cell(rate(d, id, 'misses'))} | ${ratioCell(d, id, 'tinycdb', 'misses')} | ${ratioCell(d, id, 'map', 'misses')} | ${cell(rate(d, id, 'scan'))} | ${fmtNum(s('openMs').median, 3)} | ${fmtNum(s('firstGetMs').median, 3)} |`,
    );
  }
  L.push(
    '',
    `Checksums (first byte + last byte + length of every value found): ${d.checksums.agree ? 'identical for every engine' : '**MISMATCH**'} — \`${JSON.stringify(d.checksums.values)}\`.`,
    '',
  );
  L.push(
    '**Build from the cdbmake file** — wall time and peak RSS from `/usr/bin/time -v` around the whole process (Node start-up included for the JS engines); no fsync anywhere (`cdb -c` does none); `sync` before each build. `cdb -c` and mmcdb build several times, alternating (median, min–max); the others once.',
    '',
  );
  L.push('| store | wall s | in-process s | peak RSS | file size |', '|---|---|---|---|---|');
  for (const [store, b] of Object.entries(d.builds)) {
    const name =
      store === 'tinycdb'
        ? 'tinycdb `cdb -c`'
        : store === 'mmcdb'
          ? 'mmcdb createWriter'
          : store === 'map'
            ? 'JS Map (load only)'
            : store;
    if (b.unavailable || b.error)
      L.push(`| ${name} | ${b.unavailable ? 'unavailable: ' + b.unavailable : 'error: ' + b.error} ||||`);
    else
      L.push(
        `| ${name} | ${b.runs ? `${fmtNum(b.wallSeconds)} (${fmtNum(Math.min(...b.runs.map((x) => x.wallSeconds)))}–${fmtNum(Math.max(...b.runs.map((x) => x.wallSeconds)))}, ${b.runs.length} runs)` : fmtNum(b.wallSeconds)} | ${fmtNum(b.innerSeconds)} | ${fmtBytes(b.maxRssKiB * 1024)} | ${b.bytes == null ? 'in memory' : fmtBytes(b.bytes)} |`,
      );
  }
  if (d.cold.length) {
    const ev = d.eviction.filter((e) => e.error || e.residentBytes > 0);
    L.push(
      '',
      `**Cold page cache** — before every run the database file was evicted with \`posix_fadvise(POSIX_FADV_DONTNEED)\` after the previous reader exited, then checked with \`mincore\`: ${
        ev.length
          ? `**eviction incomplete in ${ev.length} of ${d.eviction.length} runs** (${ev
              .map((e) => e.error ?? fmtBytes(e.residentBytes) + ' resident')
              .slice(0, 3)
              .join(', ')})`
          : `0 bytes resident in all ${d.eviction.length} runs`
      }. ${d.coldCount.toLocaleString('en')} random hits (no warm-up), ${d.cold.length} rounds.`,
      '',
    );
    L.push('| engine | open ms | first get ms | cold gets/s | open + all gets ms |', '|---|---|---|---|---|');
    for (const id of d.cold.length ? Object.keys(Object.assign({}, ...d.cold)) : []) {
      const s = (f) => summary(d.cold.map((r) => r[id] && f(r[id])));
      L.push(
        `| ${label(id)} | ${cell(
          s((x) => x.openMs),
          (v) => fmtNum(v, 2),
        )} | ${cell(
          s((x) => x.firstGetMs),
          (v) => fmtNum(v, 2),
        )} | ${cell(s((x) => x.hits.perSec))} | ${cell(
          s((x) => x.openMs + x.hits.seconds * 1e3),
          (v) => fmtNum(v, 0),
        )} |`,
      );
    }
  }
  L.push('', ...charts.map((c) => `![${c}](charts/${c})`), '');
  return L;
}

function chartsFor(d, outDir) {
  const names = [];
  const write = (name, svg) => {
    fs.writeFileSync(path.join(outDir, 'charts', name), svg);
    names.push(name);
  };
  const rows = [];
  for (const w of ['hits', 'misses']) {
    rows.push({ group: w === 'hits' ? 'random hits' : 'random misses' });
    for (const id of d.engines) {
      const s = rate(d, id, w);
      rows.push({
        label: label(id),
        value: s.median / 1e6,
        min: s.min / 1e6,
        max: s.max / 1e6,
        highlight: MMCDB.includes(id),
        text: Number.isFinite(s.median) ? `${(s.median / 1e6).toFixed(2)}M/s` : (status(d, id) ?? '–'),
      });
    }
  }
  write(
    `${d.id}-gets.svg`,
    barChart({ title: `${d.id}: warm random gets (${d.records} × ${d.valueSize} B)`, unit: 'million gets/s', rows }),
  );
  const builds = Object.entries(d.builds)
    .filter(([, b]) => b.wallSeconds)
    .map(([s, b]) => ({
      label: s,
      value: b.wallSeconds,
      text: `${b.wallSeconds.toFixed(2)} s, ${(b.maxRssKiB / 1024).toFixed(0)} MiB`,
    }));
  write(`${d.id}-build.svg`, barChart({ title: `${d.id}: build from cdbmake (wall, peak RSS)`, unit: 'seconds', rows: builds }));
  if (d.cold.length) {
    const ids = Object.keys(Object.assign({}, ...d.cold));
    const cr = ids.map((id) => {
      const s = summary(d.cold.map((r) => r[id]?.hits.perSec));
      return {
        label: label(id),
        value: s.median,
        min: s.min,
        max: s.max,
        highlight: MMCDB.includes(id),
        text: `${s.median.toFixed(0)}/s`,
      };
    });
    write(`${d.id}-cold.svg`, barChart({ title: `${d.id}: cold random hits after eviction`, unit: 'gets/s', rows: cr }));
  }
  return names;
}

function comparison(results) {
  // The written answer: mmap against pread and memory (readFile), per dataset and cache state.
  const L = ['## mmap vs pread vs readFile (memory)', ''];
  const rows = [];
  for (const d of results.datasets) {
    for (const other of ['mmcdb-pread', 'mmcdb-memory']) {
      for (const w of ['hits', 'misses', 'scan']) {
        const r = pairedRatio(d.gets, 'mmcdb-mmap', other, (x) => x[w]?.perSec);
        if (r)
          rows.push(`| ${d.id} | warm ${w} | ${other.slice(6)} | ${fmtNum(r.median)}× (${fmtNum(r.min)}–${fmtNum(r.max)}) |`);
      }
      const c = pairedRatio(d.cold, 'mmcdb-mmap', other, (x) => 1 / (x.openMs + x.hits.seconds * 1e3));
      if (c)
        rows.push(
          `| ${d.id} | cold: open + ${d.coldCount} hits | ${other.slice(6)} | ${fmtNum(c.median)}× (${fmtNum(c.min)}–${fmtNum(c.max)}) |`,
        );
    }
  }
  if (!rows.length)
    return [...L, 'No comparison: the mmap backend was unavailable in this run (see the tables above for the reason).', ''];
  L.push('Speed of mmap relative to the other backend, same round (> 1 means mmap is faster; < 1 means it is slower).', '');
  L.push('| dataset | workload | vs | mmap speed ÷ other |', '|---|---|---|---|', ...rows, '');
  return L;
}

export function writeReport(results, outDir) {
  fs.mkdirSync(path.join(outDir, 'charts'), { recursive: true });
  const m = results.meta;
  const L = [
    '# mmcdb benchmark results',
    '',
    `Generated by \`${m.command}\` (bench/run.mjs); do not edit by hand — rerun it.`,
    '',
  ];
  L.push(
    `- Machine: ${m.machine}`,
    `- CPU: ${m.cpu}`,
    `- Memory: ${m.memory}`,
    `- Node: ${m.node}`,
    `- Date: ${m.date}`,
    `- Commit: ${m.commit}`,
  );
  if (m.addon) L.push(`- Native addon: packages/native/build/Release/mmcdb.node sha256 ${m.addon.slice(0, 12)}`);
  L.push(`- Competitors: ${m.packages}`, `- Mode: ${m.mode}`);
  if (m.merged) L.push(`- Merged: ${m.merged}`);
  if (m.totalSeconds) L.push(`- Run time: ${m.totalSeconds.toFixed(0)} s`);
  L.push(
    '',
    '## Method',
    '',
    '- Datasets are generated deterministically (splitmix32/xorshift32, seed 0x6d6d6364): keys of 8–32 bytes (random base62 filler + a unique base62 record number), values of a fixed size whose first and last bytes vary per record. One cdbmake file per dataset is the input of every build; hit and miss key lists are generated once to files and every engine (the C harness too) reads the same lists in the same order.',
    '- Every lookup touches its value: first byte + last byte + length go into a checksum; the checksums below are identical for every engine or the run fails.',
    '- Each engine runs in its own child process per round; engines rotate order each round; medians with min–max; ratios are taken pair by pair within a round.',
    '- JS keys are strings (latin1 = the key bytes). classic-level is read with `getSync`, lmdb with `noReadAhead`, better-sqlite3 with a prepared `.pluck()` statement on a WITHOUT ROWID table.',
    '- "mmcdb mmap (native)" is the addon flavour the loader picks by default: the V8-API build for this Node ABI where it is built (lookups as V8 fast API calls; docs/ARCHITECTURE.md §Two native builds), else the Node-API one. "mmcdb mmap (Node-API addon)" is the same reader with `MMCDB_NATIVE_FLAVOR=napi`, in the same rounds: the path every get took before issue 16.',
    '- Batched lookups (`getMany`, `getManyAsync`), `warm()` and the static-asset server have their own sections below (bench/lib/batch.mjs, bench/lib/serve.mjs); sections measured by an earlier run of `--merge` carry their own date.',
    '- Builds read the cdbmake file: mmcdb through `Writer.addCdbmake()` in 8 MiB reads (as `cdb build` does; native parsing, copying and hashing with the addon), the others through a JS cdbmake parser, with `{ reuse: true }` for the JS Map (it copies at once), fresh buffers for lmdb and level (they batch the views). Every build starts with its previous output removed, before timing.',
    "- **mmap `open ms` starts no garbage collection** (docs/RELIABILITY.md §Open without a GC): it used to be mostly one (tens of ms beside the key lists), because V8 counted the ArrayBuffer over the mapping as external memory. The V8-API flavour makes its segment buffers uncounted; the Node-API flavour takes each out of the count and keeps it under V8's 64 MiB step (windows of 32 MiB beyond 48 MiB, made on first use).",
    '',
  );
  L.push(...targets(results), '');
  L.push(
    '## Datasets',
    '',
    '| dataset | records | key bytes | value bytes | lookups/round | rounds |',
    '|---|---|---|---|---|---|',
  );
  for (const d of results.datasets)
    L.push(
      `| ${d.id} | ${d.records.toLocaleString('en')} | 8–32 | ${d.valueSize.toLocaleString('en')} | ${d.lookups.toLocaleString('en')} | ${d.rounds} |`,
    );
  L.push('');
  for (const d of results.datasets) {
    d.checksums = checksums(d);
    L.push(...datasetSection(d, chartsFor(d, outDir)));
  }
  L.push(...comparison(results));
  if (results.batch) L.push(...batchSection(results.batch, outDir));
  if (results.serve) L.push(...serveSection(results.serve, outDir));
  const b = results.big;
  if (b) {
    L.push('## Open + first get on a 10 GiB file', '');
    if (b.skipped || b.error) L.push(`Not measured: ${b.skipped ?? b.error}`, '');
    else {
      L.push(
        `${b.records} values of 1 MiB, file ${fmtBytes(b.bytes)}; 5 fresh processes each; time from before \`openSync\` to after the first \`get\` (value touched), Node start-up excluded. Without "addon already loaded" the time includes loading the native addon on the first open in the process; with it, another small file was opened first.`,
        '',
        '| backend | cache | open ms | first get ms | open + first get ms (min–max) |',
        '|---|---|---|---|---|',
      );
      for (const [k, r] of Object.entries(b.results)) {
        const [be, ...c] = k.split('-');
        const cache = c.join(' ').replace('preloaded', '(addon already loaded)');
        L.push(
          r.openToFirstGetMs != null
            ? `| ${be} | ${cache} | ${fmtNum(r.openMs, 3)} | ${fmtNum(r.firstGetMs, 3)} | ${fmtNum(r.openToFirstGetMs, 3)} (${fmtNum(r.min, 3)}–${fmtNum(r.max, 3)}) |`
            : `| ${be} | ${cache} | ${
                r.unavailable
                  ? 'unavailable: ' + r.unavailable
                  : 'error: ' +
                    String(r.error)
                      .replace(/[|\n]+/g, ' ')
                      .slice(0, 160)
              } |||`,
        );
      }
      L.push('');
    }
  }
  if (results.profile && Object.keys(results.profile).length) {
    L.push(
      '## Where the time goes (CPU profile)',
      '',
      '`node --cpu-prof` of one warm gets run (hits then misses) on the anchor dataset; top self-time functions.',
      '',
    );
    for (const [id, p] of Object.entries(results.profile)) {
      L.push(
        `**${label(id)}** (${fmtRate(p.hitsPerSec)} hits/s in the profiled run)`,
        '',
        '| self % | self ms | function |',
        '|---|---|---|',
      );
      for (const t of p.top) L.push(`| ${t.pct.toFixed(1)} | ${t.ms.toFixed(0)} | \`${t.name}\` |`);
      L.push('');
    }
  }
  // Keep the sections other benches wrote, each between its markers, across regenerations:
  // bench/shards.mjs's "Sharded sets" (lib/shards-report.mjs), bench/scans.mjs's "Scans"
  // (lib/scans-report.mjs), bench/cold-io.mjs's "mmap, pread or io_uring"
  // (lib/cold-io-report.mjs), bench/hot-path.mjs's "Where each nanosecond of a get() goes"
  // (lib/hot-path-report.mjs), bench/open-gc.mjs's "Open without a GC" and bench/remote/run.mjs's.
  const file = path.join(outDir, 'RESULTS.md');
  const before = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const kept = [
    SHARDS_SECTION,
    SCANS_SECTION,
    COLD_IO_SECTION,
    HOT_PATH_SECTION,
    OPEN_GC_SECTION,
    ASYNC_IO_SECTION,
    /<!-- remote:begin[\s\S]*?<!-- remote:end -->/,
  ]
    .map((re) => re.exec(before))
    .filter((m) => m !== null)
    .sort((x, y) => x.index - y.index)
    .map((m) => `\n${m[0]}\n`)
    .join('');
  fs.writeFileSync(file, L.join('\n') + '\n' + kept);
}
