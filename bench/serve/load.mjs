// The load generator in its own process: node bench/serve/load.mjs SPEC_JSON
// spec: { port, paths, headers, connections, duration | amount, warmup (s), root, verify (count) }
// First checks the bodies (decoded per Content-Encoding) of `verify` distinct paths against the
// files under root, then runs autocannon over the path list (each connection cycles through it).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as http from 'node:http';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import autocannon from 'autocannon';

const spec = JSON.parse(process.argv[2]);
const url = `http://127.0.0.1:${spec.port}`;

function get(p) {
  return new Promise((resolve, reject) => {
    http
      .get(url + p, { headers: spec.headers }, (res) => {
        const parts = [];
        res.on('data', (c) => parts.push(c));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(parts) }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}
const decode = (enc, b) => (enc === 'br' ? zlib.brotliDecompressSync(b) : enc === 'gzip' ? zlib.gunzipSync(b) : b);

const verify = { checked: 0, ok: 0, wireBytes: 0, bodyBytes: 0, encodings: {}, failures: [] };
const distinct = [...new Set(spec.paths)].slice(0, spec.verify ?? Infinity);
for (const p of distinct) {
  const r = await get(p);
  const enc = r.headers['content-encoding'] ?? 'identity';
  verify.checked++;
  verify.encodings[enc] = (verify.encodings[enc] ?? 0) + 1;
  const body = decode(r.headers['content-encoding'], r.body);
  const want = fs.readFileSync(path.join(spec.root, p));
  if (r.status === 200 && body.equals(want)) {
    verify.ok++;
    verify.wireBytes += r.body.length;
    verify.bodyBytes += body.length;
  } else if (verify.failures.length < 5) verify.failures.push(`${p}: status ${r.status}, ${body.length} vs ${want.length} bytes`);
}

if (spec.tool === 'wrk') {
  process.stdout.write(JSON.stringify({ verify, ...runWrk() }) + '\n');
  process.exit(0);
}

// wrk (C, one thread) costs the shared 2 vCPUs far less per request than autocannon, so the
// server under test gets more of them; it reports its own latency percentiles.
function runWrk() {
  const list = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mmcdb-wrk-')), 'paths.txt');
  fs.writeFileSync(list, spec.paths.join('\n') + '\n');
  const script = path.join(path.dirname(new URL(import.meta.url).pathname), 'wrk-paths.lua');
  const headers = Object.entries(spec.headers ?? {}).flatMap(([k, v]) => ['-H', `${k}: ${v}`]);
  const wrk = (seconds) => {
    const r = spawnSync(
      'wrk',
      ['-t1', `-c${spec.connections}`, `-d${seconds}s`, '--timeout', '10s', ...headers, '-s', script, url, '--', list],
      { encoding: 'utf8' },
    );
    const line = (r.stdout ?? '')
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .pop();
    if (r.status !== 0 || !line) throw new Error(`wrk exit ${r.status}: ${(r.stderr || r.stdout || '').trim().slice(-300)}`);
    return JSON.parse(line);
  };
  const warm = spec.warmup ? wrk(spec.warmup) : null;
  const w = wrk(spec.duration ?? 1);
  fs.rmSync(path.dirname(list), { recursive: true, force: true });
  const seconds = w.durationUs / 1e6;
  const ms = (us) => us / 1000;
  return {
    tool: 'wrk',
    requests: w.requests,
    warmupRequests: warm ? warm.requests : 0,
    seconds,
    perSec: w.requests / seconds,
    latency: {
      p50: ms(w.latencyUs.p50),
      p90: ms(w.latencyUs.p90),
      p99: ms(w.latencyUs.p99),
      max: ms(w.latencyUs.max),
      mean: ms(w.latencyUs.mean),
      samples: w.requests,
    },
    bytesPerSec: w.bytes / seconds,
    non2xx: w.errors.status,
    errors: w.errors.connect + w.errors.read + w.errors.write,
    timeouts: w.errors.timeout,
  };
}

const requests = spec.paths.map((p) => ({ method: 'GET', path: p }));
// autocannon's own latency histogram keeps whole milliseconds; its 'response' event carries the
// hrtime duration (float ms), so percentiles are computed here from every response.
let times = [];
const run = (o) =>
  new Promise((resolve, reject) => {
    const inst = autocannon(
      { url, connections: spec.connections, pipelining: 1, headers: spec.headers, requests, ...o },
      (err, res) => (err ? reject(err) : resolve(res)),
    );
    inst.on('response', (_client, _status, _bytes, ms) => times.push(ms));
  });
const warm = spec.warmup ? await run({ duration: spec.warmup }) : null;
times = [];
const t0 = performance.now();
const r = await run(spec.amount ? { amount: spec.amount } : { duration: spec.duration });
const seconds = (performance.now() - t0) / 1000;
const total = r.requests.total;
const sorted = Float64Array.from(times).sort();
const q = (p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
process.stdout.write(
  JSON.stringify({
    verify,
    tool: 'autocannon',
    requests: total,
    warmupRequests: warm ? warm.requests.total : 0,
    seconds,
    perSec: total / seconds,
    latency: {
      p50: q(50),
      p90: q(90),
      p99: q(99),
      max: sorted[sorted.length - 1],
      mean: times.reduce((a, b) => a + b, 0) / times.length,
      samples: times.length,
    },
    autocannonLatencyMs: { p50: r.latency.p50, p99: r.latency.p99 },
    bytesPerSec: r.throughput.average,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    statusCodes: r.statusCodeStats,
  }) + '\n',
);
