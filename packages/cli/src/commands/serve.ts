// cdb serve <db>: serves an asset database (built with `cdb build --assets`) over HTTP
// with core's createAssetHandler, through openWatched: a new version renamed over the
// file is picked up (and logged) between requests; while the file is damaged or being
// replaced the answer is 503 with Retry-After. Prints "listening on http://host:port" on
// stderr; SIGINT and SIGTERM close the server and exit 0.
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { openWatched, type WatchedReader } from '@mmcdb/core';
import { createAssetHandler, type AssetHandler } from '@mmcdb/core/assets';
import { CliError, describeError, describeSystemError, EXIT_USAGE, systemError } from '../errors.js';
import { checkDbPath } from '../options.js';
import { createRawFileHandler } from '../raw-files.js';
import type { Context } from '../context.js';

interface ServeOptions {
  port: number;
  host: string;
  cacheControl?: string;
  headersTimeout: number;
  requestTimeout: number;
  keepAliveTimeout: number;
  maxConnections: number;
  raw?: boolean;
  cors?: boolean;
}

/** The connection limits' defaults (docs/cli.md §serve): a slow or idle client cannot hold the server. */
export const SERVE_LIMITS = {
  headersTimeout: 10_000,
  requestTimeout: 30_000,
  keepAliveTimeout: 5_000,
  maxConnections: 512,
} as const;

function parsePort(value: string): number {
  const n = /^[0-9]+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n > 65535)
    throw new InvalidArgumentError('expected a port number from 0 to 65535 (0 = any free port)');
  return n;
}

function parseCount(value: string): number {
  const n = /^[0-9]+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

export function registerServe(program: Command, ctx: Context): void {
  program
    .command('serve')
    .description(
      'serve an asset database (cdb build --assets), or with --raw database files for remote readers, over HTTP until SIGINT/SIGTERM',
    )
    .argument('<db>', 'the asset database (with --raw: a database file, or a folder of them)')
    .option(
      '--raw',
      'serve the file(s) as they are, with Range, ETag and If-Match, for openRemote() and cdb get <url> (docs/REMOTE.md)',
    )
    .option(
      '--cors',
      'with --raw: let pages on other origins read (Access-Control-Allow-Origin: *, exposed ETag and Content-Range)',
    )
    .addOption(
      new Option('-p, --port <port>', 'TCP port; 0 picks a free one (the real port is printed)')
        .argParser(parsePort)
        .default(8080),
    )
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option(
      '--cache-control <value>',
      'Cache-Control header of 200/206/304 responses (default "public, max-age=0, must-revalidate")',
    )
    .addOption(
      new Option('--headers-timeout <ms>', 'time a client has to send the request headers')
        .argParser(parseCount)
        .default(SERVE_LIMITS.headersTimeout),
    )
    .addOption(
      new Option('--request-timeout <ms>', 'time a client has to send the whole request')
        .argParser(parseCount)
        .default(SERVE_LIMITS.requestTimeout),
    )
    .addOption(
      new Option('--keep-alive-timeout <ms>', 'how long an idle keep-alive connection stays open')
        .argParser(parseCount)
        .default(SERVE_LIMITS.keepAliveTimeout),
    )
    .addOption(
      new Option('--max-connections <n>', 'connections served at once (more are refused)')
        .argParser(parseCount)
        .default(SERVE_LIMITS.maxConnections),
    )
    .addHelpText(
      'after',
      `
Prints "listening on http://<host>:<port>" on stderr once the server accepts connections.
GET and HEAD only; ETag/If-None-Match (304), precompressed br/gzip by Accept-Encoding,
single byte ranges, index.html for folders (docs/ASSETS.md). A new version built next to
the file and renamed over it is served from the next request on (logged); a file damaged
in place answers 503 until it is replaced. Ctrl-C stops it (exit 0).

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
    return listenUntilSignal(
      createRawFileHandler(db, { cors: opts.cors === true, ...(cacheControl !== undefined && { cacheControl }) }),
      opts,
      ctx,
    );
  }
  checkDbPath(db);
  const backend = ctx.backend();
  let watched: WatchedReader;
  try {
    watched = openWatched(db, {
      ...(backend !== undefined && { backend }),
      onReload: () => ctx.io.stderr.write(`cdb serve: ${db} was replaced: serving the new version\n`),
      onError: (err) =>
        ctx.io.stderr.write(
          `cdb serve: ${db} changed but cannot be opened (${describeError(err).message}); still serving the previous version\n`,
        ),
    });
  } catch (err) {
    throw systemError(err, db, 'open');
  }
  let handler: AssetHandler;
  try {
    handler = createAssetHandler(watched, opts.cacheControl !== undefined ? { cacheControl: opts.cacheControl } : {});
  } catch (err) {
    const format = watched.current.format;
    watched.close();
    if (err instanceof RangeError) throw new CliError(`--cache-control: ${err.message}`, EXIT_USAGE);
    if (err instanceof TypeError) {
      throw new CliError(
        `${db}: not an asset database (${format} file without asset metadata); build one with: cdb build --assets <out> <folder>`,
      );
    }
    throw err;
  }
  try {
    return await listenUntilSignal(handler, opts, ctx);
  } finally {
    watched.close();
  }
}

function listenUntilSignal(
  handler: AssetHandler | ((req: http.IncomingMessage, res: http.ServerResponse) => void),
  opts: ServeOptions,
  ctx: Context,
): Promise<number> {
  // The handler never throws (it answers 500/503 itself).
  const server = http.createServer(
    {
      headersTimeout: opts.headersTimeout,
      requestTimeout: opts.requestTimeout,
      keepAliveTimeout: opts.keepAliveTimeout,
      // Node checks the two timeouts only this often (default 30 s): check often enough
      // that a slow client is cut close to its deadline.
      connectionsCheckingInterval: Math.max(
        100,
        Math.min(1000, Math.floor(Math.min(opts.headersTimeout, opts.requestTimeout) / 4)),
      ),
    },
    (req, res) => handler(req, res),
  );
  server.maxConnections = opts.maxConnections;
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
