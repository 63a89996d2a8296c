// Serve benchmark (issue 9): the same asset folder served by createAssetHandler (mmcdb asset db,
// mmap), sirv and serve-static; each server in its own process, autocannon in another one, on
// 127.0.0.1. Same random list of small-file paths for every server; with and without
// Accept-Encoding: br, gzip.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildAssets } from '@mmcdb/core/assets';
import { generateAssets, precompressedCopy } from '../serve/assets.mjs';
import { mix32 } from './dataset.mjs';

const HERE = path.dirname(new URL(import.meta.url).pathname);
const SERVER = path.join(HERE, '..', 'serve', 'server.mjs');
const LOAD = path.join(HERE, '..', 'serve', 'load.mjs');

export const SERVE_LABELS = {
  mmcdb: 'mmcdb createAssetHandler (mmap)',
  sirv: 'sirv (from disk)',
  'sirv-pre': 'sirv + precompressed .br/.gz files',
  'serve-static': 'serve-static + finalhandler',
};
export const SETS = {
  identity: { label: 'no Accept-Encoding (identity bodies)', headers: {}, servers: ['mmcdb', 'sirv', 'serve-static'] },
  compressed: {
    label: 'Accept-Encoding: br, gzip',
    headers: { 'accept-encoding': 'br, gzip' },
    servers: ['mmcdb', 'sirv', 'sirv-pre', 'serve-static'],
  },
};

function lines(proc, onLine) {
  let buf = '';
  proc.stdout.on('data', (c) => {
    buf += c;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      onLine(buf.slice(0, i));
      buf = buf.slice(i + 1);
    }
  });
}

function startServer(kind, root) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [SERVER, kind, root], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    const got = [];
    p.stderr.on('data', (c) => (err += c));
    lines(p, (l) => {
      const j = JSON.parse(l);
      got.push(j);
      if (j.port) resolve({ proc: p, port: j.port, info: j, last: got, stderr: () => err });
    });
    p.on('exit', (code) => reject(new Error(`server ${kind} exited ${code}: ${err.slice(-300)}`)));
    setTimeout(() => reject(new Error(`server ${kind}: no port in 20 s`)), 20e3).unref();
  });
}
function stopServer(s) {
  return new Promise((resolve) => {
    s.proc.removeAllListeners('exit');
    s.proc.on('exit', () => resolve(s.last.find((j) => j.rssKiB) ?? {}));
    s.proc.kill('SIGTERM'); // the server process this run started, by its handle
  });
}
function runLoad(spec) {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [LOAD, JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (c) => (out += c));
    p.stderr.on('data', (c) => (err += c));
    p.on('exit', (code) => {
      const line = out.trim().split('\n').pop();
      if (code !== 0 || !line) resolve({ error: `load exit ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}` });
      else resolve(JSON.parse(line));
    });
  });
}

/**
 * The load generator: wrk when installed (a C program: far less of the shared CPUs per
 * request than autocannon), else autocannon. MMCDB_BENCH_LOAD=autocannon|wrk forces one.
 */
export function loadTool() {
  const forced = process.env.MMCDB_BENCH_LOAD;
  if (forced === 'autocannon') return { tool: 'autocannon', version: 'autocannon 9' };
  const r = spawnSync('wrk', ['-v'], { encoding: 'utf8' });
  const version = (r.stdout ?? '').split('\n')[0]?.split(' [')[0];
  if (!r.error && version?.startsWith('wrk')) return { tool: 'wrk', version };
  if (forced === 'wrk') throw new Error('MMCDB_BENCH_LOAD=wrk but wrk is not installed (apt-get install wrk)');
  return { tool: 'autocannon', version: 'autocannon 9' };
}

/** cfg: { rounds, duration | amount, connections, verify } */
export async function serveBench(cfg, { dataDir, log, quick }) {
  const dir = path.join(dataDir, 'serve');
  const root = path.join(dir, 'assets');
  const pre = path.join(dir, 'assets-pre');
  const db = path.join(dir, 'assets.mmcdb');
  fs.mkdirSync(dir, { recursive: true });
  log(`\n== serve: assets under ${root}`);
  const list = generateAssets(root);
  precompressedCopy(root, pre, list);
  const b0 = performance.now();
  const built = await buildAssets(root, db, { precompress: ['br', 'gzip'], fsync: false });
  const buildSeconds = (performance.now() - b0) / 1000;
  const sum = (xs) => xs.reduce((a, x) => a + x.size, 0);
  // The request list: 1,000 uniform random picks among the small files (seeded, same for all).
  const paths = Array.from({ length: 1000 }, (_, i) => list.small[mix32(0x5e4e, i) % list.small.length].path);
  const res = {
    assets: {
      small: list.small.length,
      smallBytes: sum(list.small),
      large: list.large.length,
      largeBytes: sum(list.large),
      largeFiles: list.large,
      dbBytes: fs.statSync(db).size,
      buildSeconds,
      records: built.records,
    },
    requestList: paths.length,
    distinctPaths: new Set(paths).size,
    connections: cfg.connections,
    duration: cfg.duration,
    amount: cfg.amount,
    rounds: [],
    errors: {},
    load: loadTool(),
  };
  log(
    `  ${list.small.length} small files (${(res.assets.smallBytes / 1024).toFixed(0)} KiB) + ${list.large.length} large (${(res.assets.largeBytes / 2 ** 20).toFixed(1)} MiB); asset db ${(res.assets.dbBytes / 2 ** 20).toFixed(1)} MiB built in ${buildSeconds.toFixed(1)} s`,
  );
  for (let r = 0; r < cfg.rounds; r++) {
    const round = {};
    for (const [setId, set] of Object.entries(SETS)) {
      const ids = set.servers.slice(r % set.servers.length).concat(set.servers.slice(0, r % set.servers.length));
      for (const kind of ids) {
        const key = `${setId}:${kind}`;
        let x;
        try {
          const s = await startServer(kind, kind === 'mmcdb' ? db : kind === 'sirv-pre' ? pre : root);
          x = await runLoad({
            tool: res.load.tool,
            port: s.port,
            paths,
            headers: set.headers,
            connections: cfg.connections,
            duration: cfg.duration,
            amount: cfg.amount,
            warmup: quick ? 0 : 1,
            root,
            verify: cfg.verify,
          });
          const stats = await stopServer(s);
          x.server = { ...s.info, ...stats };
        } catch (e) {
          x = { error: e.message };
        }
        if (x.error) res.errors[key] = x.error;
        else round[key] = x;
        log(
          `  round ${r + 1} ${key}: ${x.error ? `ERROR ${x.error}` : `${x.perSec.toFixed(0)} req/s, p50 ${x.latency.p50.toFixed(2)} ms, p99 ${x.latency.p99.toFixed(2)} ms, verified ${x.verify.ok}/${x.verify.checked} ${JSON.stringify(x.verify.encodings)}, non2xx ${x.non2xx}`}`,
        );
      }
    }
    res.rounds.push(round);
  }
  res.verifyFailed = res.rounds.some((round) =>
    Object.values(round).some((x) => x.verify.ok !== x.verify.checked || x.non2xx > 0 || x.errors > 0),
  );
  return res;
}
