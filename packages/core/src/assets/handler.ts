// createAssetHandler(): serves an asset database (docs/ASSETS.md) over node:http, or as a
// connect/express-style middleware. Bodies are written straight from the reader's
// values — zero-copy slices of the mapping on the mmap backend.
//
// It never throws into the server: every request ends in a response (500, or 503 with
// Retry-After while the database is damaged or being replaced), whatever the request and
// whatever happens to the file.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe } from '../util/bytes.js';
import { isCdbError } from '../util/errors.js';
import type { Reader } from '../reader/reader.js';
import { openWatched, type WatchedReader } from '../reader/watched.js';
import { checkHeaderValue, encodePath, hasDotSegment, headerSafeUrl, normalisePath } from './http-rules.js';
import { ASSETS_KIND, metaKey, type AssetMeta } from './layout.js';
import { respond, send, type ResponseOptions } from './respond.js';

export interface AssetHandlerOptions {
  /** Cache-Control header for every 200/206/304 (default "public, max-age=0, must-revalidate"). */
  cacheControl?: string;
  /** File served for a folder path ending in "/" (default "index.html"). */
  index?: string;
  /** Content-Security-Policy of SVG responses (default: no scripts, no external loads; '' = none). */
  svgContentSecurityPolicy?: string;
  /** Called when a path given as a string is reloaded (a new version was renamed in) or cannot be. */
  onReload?: (reader: Reader) => void;
  onError?: (error: unknown) => void;
}

export type AssetHandler = ((req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void) => void) & {
  /** Stops watching (for a handler made from a path) and closes the database it opened. */
  close(): void;
};

export const DEFAULT_SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox";

/** Whatever serves the current version: a plain Reader, or a WatchedReader that reloads. */
interface Current {
  reader(): Reader;
  reopen?(): boolean;
  close(): void;
}

function isWatched(db: unknown): db is WatchedReader {
  return db !== null && typeof db === 'object' && 'current' in db && typeof (db as WatchedReader).reopen === 'function';
}

function isReader(db: unknown): db is Reader {
  return db !== null && typeof db === 'object' && typeof (db as Reader).getString === 'function' && 'metadata' in db;
}

/** The metadata check of an asset database, once per Reader (a watched reader changes them). */
const checked = new WeakMap<Reader, boolean>();
function isAssetDb(r: Reader): boolean {
  let ok = checked.get(r);
  if (ok === undefined) {
    ok = (r.metadata as { kind?: string } | undefined)?.kind === ASSETS_KIND;
    checked.set(r, ok);
  }
  return ok;
}

/**
 * Opens (or takes) an asset database and returns a request handler for it. A path is
 * opened with openWatched(): a new version renamed over it is picked up between requests.
 */
export function createAssetHandler(db: Reader | WatchedReader | string, options: AssetHandlerOptions = {}): AssetHandler {
  const opts: ResponseOptions = {
    cacheControl: checkHeaderValue('cacheControl', options.cacheControl ?? 'public, max-age=0, must-revalidate'),
    svgCsp: checkHeaderValue('svgContentSecurityPolicy', options.svgContentSecurityPolicy ?? DEFAULT_SVG_CSP),
  };
  const index = options.index ?? 'index.html';
  if (typeof index !== 'string' || index === '' || index.includes('/'))
    throw new RangeError(`index must be a file name, got ${JSON.stringify(index)}`);

  let current: Current;
  if (typeof db === 'string') {
    const w = openWatched(db, {
      ...(options.onReload !== undefined && { onReload: options.onReload }),
      ...(options.onError !== undefined && { onError: options.onError }),
    });
    current = { reader: () => w.current, reopen: () => w.reopen(), close: () => w.close() };
  } else if (isWatched(db)) {
    current = { reader: () => db.current, reopen: () => db.reopen(), close: () => undefined };
  } else if (isReader(db)) {
    current = { reader: () => db, close: () => undefined };
  } else {
    throw new TypeError(`createAssetHandler() takes a Reader, a WatchedReader (openWatched) or a path; got ${describe(db)}`);
  }
  const first = current.reader();
  if (!isAssetDb(first)) {
    const kind = (first.metadata as { kind?: unknown } | undefined)?.kind;
    if (typeof db === 'string') current.close();
    throw new TypeError(
      `${first.path} is not an asset database (its metadata ${kind === undefined ? 'has no kind' : `says kind ${JSON.stringify(kind)}`}; ` +
        'build it with "cdb build --assets" or buildAssets())',
    );
  }

  const handler = ((req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void) => {
    try {
      serveOne(req, res, next);
    } catch (err) {
      fail(res, err);
    }
  }) as AssetHandler;
  handler.close = () => current.close();

  function serveOne(req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void): void {
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') {
      if (next) {
        next();
        return;
      }
      send(res, 405, 'Method Not Allowed\n', { Allow: 'GET, HEAD' });
      return;
    }
    let reader = current.reader();
    if (reader.damaged || reader.closed) {
      // Truncated or replaced in place: a version renamed in since is taken now.
      current.reopen?.();
      reader = current.reader();
      if (reader.damaged || reader.closed) {
        unavailable(res);
        return;
      }
    }
    const target = req.url ?? '/';
    const p = normalisePath(target);
    if (p === undefined) {
      send(res, 400, 'Bad Request\n');
      return;
    }
    const meta = reader.metadata as { dotfiles?: boolean };
    if (meta.dotfiles !== true && hasDotSegment(p)) {
      if (next) {
        next();
        return;
      }
      send(res, 404, 'Not Found\n');
      return;
    }
    const lookup = (path: string): AssetMeta | undefined => {
      const text = reader.getString(metaKey(path));
      return text === undefined ? undefined : (JSON.parse(text) as AssetMeta);
    };
    const file = p.endsWith('/') ? `${p}${index}` : p;
    const asset = lookup(file);
    if (asset === undefined && !p.endsWith('/') && lookup(`${p}/${index}`) !== undefined) {
      send(res, 301, 'Moved Permanently\n', { Location: redirectTarget(req, p) });
      return;
    }
    if (asset === undefined) {
      if (next) {
        next();
        return;
      }
      send(res, 404, 'Not Found\n');
      return;
    }
    respond(req, res, reader, file, asset, opts);
  }

  return handler;
}

/**
 * Where a folder path without its trailing slash redirects: the path as the client knows
 * it — behind a mount prefix (Express/Connect set req.originalUrl) — with the slash, the
 * query kept, percent-encoded so the Location header is always valid.
 */
function redirectTarget(req: IncomingMessage, p: string): string {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const query = q >= 0 ? headerSafeUrl(url.slice(q)) : '';
  const original = (req as IncomingMessage & { originalUrl?: string }).originalUrl;
  let prefix = '';
  if (typeof original === 'string') {
    const origPath = original.split('?')[0]!;
    const urlPath = url.split('?')[0]!;
    if (origPath.endsWith(urlPath) && origPath.length > urlPath.length)
      prefix = origPath.slice(0, origPath.length - urlPath.length);
    else if (urlPath === '/' && origPath !== '/') prefix = origPath.replace(/\/$/, '');
  }
  return `${headerSafeUrl(prefix)}${encodePath(p)}/${query}`;
}

function unavailable(res: ServerResponse): void {
  send(res, 503, 'Service Unavailable: the database is being replaced or was damaged\n', { 'Retry-After': '1' });
}

/** The last resort: an error the request could not recover from, as 503 (file damage) or 500. */
function fail(res: ServerResponse, err: unknown): void {
  const damaged = isCdbError(err, 'ERR_CDB_TRUNCATED') || isCdbError(err, 'ERR_CDB_CLOSED');
  try {
    if (!res.headersSent) {
      if (damaged) unavailable(res);
      else send(res, 500, 'Internal Server Error\n', { Connection: 'close' });
    } else {
      res.destroy();
    }
  } catch {
    res.destroy();
  }
}
