#!/usr/bin/env node
// The benchmark's origin, in its own process (so that its CPU does not delay the client):
// `cdb serve --raw`'s handler over a folder, with a fixed latency added before each answer
// (the injected per-request RTT), and a request counter. GET /__stats → {"requests","bytes"};
// GET /__reset zeroes them, GET /__latency/<ms> sets the latency. Prints "listening <port>" on stdout.
//   node bench/remote/origin.mjs <folder> <latencyMs>
import * as http from 'node:http';
import { createRawFileHandler } from '../../packages/cli/dist/raw-files.js';

const [folder, latency = '0'] = process.argv.slice(2);
let delay = Number(latency);
const handler = createRawFileHandler(folder);
let requests = 0;
let bytes = 0;
const server = http.createServer((req, res) => {
  if (req.url === '/__stats') return res.end(JSON.stringify({ requests, bytes }));
  if (req.url?.startsWith('/__latency/')) {
    delay = Number(req.url.slice('/__latency/'.length));
    return res.end('{}');
  }
  if (req.url === '/__reset') {
    requests = 0;
    bytes = 0;
    return res.end('{}');
  }
  requests++;
  const write = res.write.bind(res);
  const end = res.end.bind(res);
  res.write = (chunk, ...rest) => {
    bytes += chunk?.length ?? 0;
    return write(chunk, ...rest);
  };
  res.end = (chunk, ...rest) => {
    bytes += typeof chunk === 'function' ? 0 : (chunk?.length ?? 0);
    return end(chunk, ...rest);
  };
  if (delay > 0) setTimeout(() => handler(req, res), delay);
  else handler(req, res);
});
server.keepAliveTimeout = 120_000;
server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
process.on('SIGTERM', () => process.exit(0));
