// The load generator in its own process: node bench/serve/load.mjs SPEC_JSON
// spec: { port, paths, headers, connections, duration | amount, warmup (s), root, verify (count) }
// First checks the bodies (decoded per Content-Encoding) of `verify` distinct paths against the
// files under root, then runs autocannon over the path list (each connection cycles through it).
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import autocannon from 'autocannon';

const spec = JSON.parse(process.argv[2]);
const url = `http://127.0.0.1:${spec.port}`;

function get(p) {
  return new Promise((resolve, reject) => {
    http.get(url + p, { headers: spec.headers }, (res) => {
      const parts = [];
      res.on('data', (c) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(parts) }));
      res.on('error', reject);
    }).on('error', reject);
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

const requests = spec.paths.map((p) => ({ method: 'GET', path: p }));
// autocannon's own latency histogram keeps whole milliseconds; its 'response' event carries the
// hrtime duration (float ms), so percentiles are computed here from every response.
let times = [];
const run = (o) => new Promise((resolve, reject) => {
  const inst = autocannon({ url, connections: spec.connections, pipelining: 1, headers: spec.headers, requests, ...o }, (err, res) => (err ? reject(err) : resolve(res)));
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
process.stdout.write(JSON.stringify({
  verify,
  requests: total,
  warmupRequests: warm ? warm.requests.total : 0,
  seconds,
  perSec: total / seconds,
  latency: { p50: q(50), p90: q(90), p99: q(99), max: sorted[sorted.length - 1], mean: times.reduce((a, b) => a + b, 0) / times.length, samples: times.length },
  autocannonLatencyMs: { p50: r.latency.p50, p99: r.latency.p99 },
  bytesPerSec: r.throughput.average,
  non2xx: r.non2xx, errors: r.errors, timeouts: r.timeouts,
  statusCodes: r.statusCodeStats,
}) + '\n');
