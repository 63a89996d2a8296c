// One static-file server in its own process: node bench/serve/server.mjs KIND ROOT
// KIND: mmcdb (ROOT = asset db, createAssetHandler on the mmap backend), sirv, sirv-pre (sirv with
// { brotli, gzip } over a folder holding .br/.gz siblings), serve-static (+ finalhandler).
// Listens on 127.0.0.1, random port; prints {"port"} when ready and {"rssKiB", …} on SIGTERM.
import * as http from 'node:http';

const [kind, root] = process.argv.slice(2);
let handler;
const info = {};
if (kind === 'mmcdb') {
  const { openSync } = await import('@mmcdb/core');
  const { createAssetHandler } = await import('@mmcdb/core/assets');
  let db;
  try {
    db = openSync(root, { backend: 'mmap' });
  } catch (e) {
    db = openSync(root); // no native addon: the report shows the backend actually used
    info.mmapUnavailable = e.message;
  }
  info.backend = db.backend;
  handler = createAssetHandler(db);
} else if (kind === 'sirv' || kind === 'sirv-pre') {
  const { default: sirv } = await import('sirv');
  const pre = kind === 'sirv-pre';
  handler = sirv(root, { dev: false, etag: true, brotli: pre, gzip: pre });
} else if (kind === 'serve-static') {
  const { default: serveStatic } = await import('serve-static');
  const { default: finalhandler } = await import('finalhandler');
  const serve = serveStatic(root);
  handler = (req, res) => serve(req, res, finalhandler(req, res));
} else throw new Error(`unknown server ${kind}`);

const server = http.createServer((req, res) => handler(req, res));
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: server.address().port, ...info }) + '\n');
});
process.on('SIGTERM', () => {
  const u = process.resourceUsage();
  process.stdout.write(
    JSON.stringify({ rssKiB: u.maxRSS, cpuUserMs: u.userCPUTime / 1e3, cpuSystemMs: u.systemCPUTime / 1e3 }) + '\n',
  );
  process.exit(0);
});
