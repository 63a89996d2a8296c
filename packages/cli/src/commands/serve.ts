// cdb serve <db>: serves an asset database (built with `cdb build --assets`) over HTTP
// with core's createAssetHandler. Prints "listening on http://host:port" on stderr; SIGINT
// and SIGTERM close the server and exit 0.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { createAssetHandler, type AssetHandler } from '@mmcdb/core/assets';
import { CliError, describeError, describeSystemError, systemError } from '../errors.js';
import { openDb } from '../options.js';
import { createRawFileHandler } from '../raw-files.js';
import * as fs from 'node:fs';
import type { Context } from '../context.js';

interface ServeOptions {
  port: number;
  host: string;
  cacheControl?: string;
  raw?: boolean;
  cors?: boolean;
}

function parsePort(value: string): number {
  const n = /^[0-9]+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n > 65535) throw new InvalidArgumentError('expected a port number from 0 to 65535 (0 = any free port)');
  return n;
}

export function registerServe(program: Command, ctx: Context): void {
  program
    .command('serve')
    .description('serve an asset database (cdb build --assets), or with --raw database files for remote readers, over HTTP until SIGINT/SIGTERM')
    .argument('<db>', 'the asset database (with --raw: a database file, or a folder of them)')
    .option('--raw', 'serve the file(s) as they are, with Range, ETag and If-Match, for openRemote() and cdb get <url> (docs/REMOTE.md)')
    .option('--cors', 'with --raw: let pages on other origins read (Access-Control-Allow-Origin: *, exposed ETag and Content-Range)')
    .addOption(new Option('-p, --port <port>', 'TCP port; 0 picks a free one (the real port is printed)').argParser(parsePort).default(8080))
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--cache-control <value>', 'Cache-Control header of 200/206/304 responses (default "public, max-age=0, must-revalidate")')
    .addHelpText(
      'after',
      `
Prints "listening on http://<host>:<port>" on stderr once the server accepts connections.
GET and HEAD only; ETag/If-None-Match (304), precompressed br/gzip by Accept-Encoding,
single byte ranges, index.html for folders (docs/ASSETS.md). Ctrl-C stops it (exit 0).

Examples:
  $ cdb serve site.mmcdb --port 8080     # after: cdb build --assets site.mmcdb dist/ --precompress br,gzip
  $ cdb serve site.mmcdb --port 0 --host 0.0.0.0 --cache-control 'public, max-age=300'
  $ cdb serve --raw data/ --port 8081 --cors   # then: cdb get http://127.0.0.1:8081/big.mmcdb some-key`,
    )
    .action(ctx.action('serve', (db: string, opts: ServeOptions) => runServe(db, opts, ctx)));
}

async function runServe(db: string, opts: ServeOptions, ctx: Context): Promise<number> {
  if (opts.raw === true) {
    try {
      fs.statSync(db);
    } catch (err) {
      throw systemError(err, db, 'serve');
    }
    const cacheControl = opts.cacheControl;
    return listenUntilSignal(createRawFileHandler(db, { cors: opts.cors === true, ...(cacheControl !== undefined && { cacheControl }) }), opts, ctx);
  }
  const reader = openDb(db, ctx.backend());
  let handler: AssetHandler;
  try {
    handler = createAssetHandler(reader, opts.cacheControl !== undefined ? { cacheControl: opts.cacheControl } : {});
  } catch (err) {
    reader.close();
    if (err instanceof TypeError) {
      throw new CliError(`${db}: not an asset database (${reader.format} file without asset metadata); build one with: cdb build --assets <out> <folder>`);
    }
    throw err;
  }
  try {
    return await listenUntilSignal(handler, opts, ctx);
  } finally {
    reader.close();
  }
}

function listenUntilSignal(handler: AssetHandler | ((req: http.IncomingMessage, res: http.ServerResponse) => void), opts: ServeOptions, ctx: Context): Promise<number> {
  const server = http.createServer((req, res) => {
    try {
      handler(req, res);
    } catch (err) {
      // A database damaged under us (e.g. truncated in place): answer 500, keep serving.
      const { message } = describeError(err);
      ctx.io.stderr.write(`cdb serve: ${req.method ?? 'GET'} ${req.url ?? ''}: ${message}\n`);
      if (!res.headersSent) {
        res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' });
        res.end('Internal Server Error\n');
      } else {
        res.destroy();
      }
    }
  });
  return new Promise<number>((resolve, reject) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      ctx.io.stderr.write(`cdb serve: ${signal}: closing\n`);
      server.close(() => resolve(0));
      // Keep-alive sockets would hold close() open; requests in flight are cut.
      server.closeAllConnections();
    };
    server.once('error', (err) => {
      const text = describeSystemError(err) ?? (err as Error).message;
      reject(new CliError(`cannot listen on ${url(opts.host, opts.port)}: ${text}`));
    });
    server.listen(opts.port, opts.host, () => {
      server.removeAllListeners('error');
      server.on('error', (err) => ctx.io.stderr.write(`cdb serve: ${describeError(err).message}\n`));
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      const { address, port } = server.address() as AddressInfo;
      ctx.io.stderr.write(`listening on ${url(address, port)}\n`);
    });
  });
}

function url(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
