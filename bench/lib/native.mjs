// The native side of the bench: compiling the C helpers, page-cache eviction, /usr/bin/time -v,
// and the tinycdb engine (the C harness and `cdb -c`), which run without any JS.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const HERE = path.dirname(new URL(import.meta.url).pathname);
const tools = { tinycdb: null, evict: null, tinycdbReason: null, evictReason: null, time: null, cdb: null };

function which(cmd) {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

export function compileTools(binDir) {
  fs.mkdirSync(binDir, { recursive: true });
  const cc = (name, src, libs, key) => {
    const outFile = path.join(binDir, name);
    const r = spawnSync('gcc', ['-O2', '-o', outFile, path.join(HERE, '..', 'c', src), ...libs], { encoding: 'utf8' });
    if (r.status === 0) tools[key] = outFile;
    else tools[key + 'Reason'] = `gcc ${src} failed: ${(r.stderr || String(r.error)).split('\n')[0]}`;
  };
  cc('tinycdb-get', 'tinycdb-get.c', ['-lcdb'], 'tinycdb');
  cc('evict', 'evict.c', [], 'evict');
  tools.time = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
  tools.cdb = fs.existsSync('/usr/bin/cdb') ? '/usr/bin/cdb' : which('cdb');
  if (tools.tinycdb && !tools.cdb) tools.tinycdbReason = 'tinycdb CLI (cdb) not found';
  return tools;
}
export const toolInfo = () => tools;

/** Evicts a file (or every file in a folder) and returns { bytes, residentBytes } after eviction. */
export function evict(target) {
  if (!tools.evict) return { error: tools.evictReason ?? 'evict helper not built' };
  const files = fs.statSync(target).isDirectory() ? fs.readdirSync(target).map((f) => path.join(target, f)) : [target];
  let bytes = 0;
  let residentBytes = 0;
  for (const f of files) {
    const r = spawnSync(tools.evict, [f], { encoding: 'utf8' });
    if (r.status !== 0) return { error: r.stderr.trim() };
    const j = JSON.parse(r.stdout);
    bytes += j.bytes;
    residentBytes += j.residentBytes;
  }
  return { bytes, residentBytes };
}

/** Runs argv under /usr/bin/time -v; returns { status, stdout, stderr, wallSeconds, maxRssKiB }. */
export function timeV(argv, opts = {}) {
  const t0 = performance.now();
  const full = tools.time ? [tools.time, '-v', ...argv] : argv;
  const r = spawnSync(full[0], full.slice(1), { encoding: 'utf8', maxBuffer: 64 << 20, ...opts });
  const wall = (performance.now() - t0) / 1000;
  const res = { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', wallSeconds: wall, maxRssKiB: null };
  const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(res.stderr);
  if (m) res.maxRssKiB = Number(m[1]);
  const e = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(res.stderr);
  if (e) res.wallSeconds = Number(e[1] ?? 0) * 3600 + Number(e[2]) * 60 + Number(e[3]);
  return res;
}

/** tinycdb: build with `cdb -c`, look up with the C harness. Same result shapes as bench/child.mjs. */
export const tinycdb = {
  unavailable: () => (tools.tinycdb && tools.cdb ? null : (tools.tinycdbReason ?? 'tinycdb not available')),
  build(src, db) {
    fs.rmSync(db, { force: true });
    const r = timeV([tools.cdb, '-c', db, src]);
    if (r.status !== 0) throw new Error(`cdb -c failed: ${r.stderr.slice(-300)}`);
    return r;
  },
  harness(args) {
    const r = spawnSync(tools.tinycdb, args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`tinycdb-get ${args.join(' ')}: ${r.stderr}`);
    const j = JSON.parse(r.stdout);
    j.perSec = j.n / j.seconds;
    return j;
  },
  gets(spec) {
    const h = this.harness([spec.db, 'get', spec.hits, String(spec.warmup ?? 0)]);
    const m = this.harness([spec.db, 'get', spec.misses, String(spec.warmup ?? 0)]);
    const out = { openMs: h.openMs, firstGetMs: h.firstGetMs, openToFirstGetMs: h.openMs + h.firstGetMs };
    out.hits = { n: h.n, found: h.found, checksum: h.checksum, seconds: h.seconds, perSec: h.perSec };
    out.misses = { n: m.n, found: m.found, checksum: m.checksum, seconds: m.seconds, perSec: m.perSec };
    if (spec.scan) {
      const s = this.harness([spec.db, 'scan']);
      out.scan = { n: s.n, found: s.found, checksum: s.checksum, seconds: s.seconds, perSec: s.perSec };
    }
    return out;
  },
  cold(spec) {
    const h = this.harness([spec.db, 'get', spec.hits, '0']);
    return {
      openMs: h.openMs,
      firstGetMs: h.firstGetMs,
      openToFirstGetMs: h.openMs + h.firstGetMs,
      hits: { n: h.n, found: h.found, checksum: h.checksum, seconds: h.seconds, perSec: h.perSec },
    };
  },
};

/** Bytes on disk of a file or folder (lmdb also leaves a -lock file beside its data file). */
export function sizeOf(p) {
  if (!fs.existsSync(p)) return null;
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.size;
  return fs.readdirSync(p).reduce((a, f) => a + fs.statSync(path.join(p, f)).size, 0);
}
