// createAssetHandler(): serves an asset database (docs/ASSETS.md) over node:http, or as a
// connect/express-style middleware. Bodies are written straight from the reader's
// values — zero-copy slices of the mapping on the mmap backend.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { openSync } from '../reader/open.js';
import type { Reader } from '../reader/reader.js';
import { etagMatches, negotiateEncoding, normalisePath, parseRange } from './http-rules.js';
import { ASSETS_KIND, bodyKey, metaKey, variantKey, type AssetMeta, type Encoding } from './layout.js';

export interface AssetHandlerOptions {
  /** Cache-Control header for every 200/206/304 (default "public, max-age=0, must-revalidate"). */
  cacheControl?: string;
  /** File served for a folder path ending in "/" (default "index.html"). */
  index?: string;
}

export type AssetHandler = (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void) => void;

function send(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Opens (or takes) an asset database and returns a request handler for it. */
export function createAssetHandler(db: Reader | string, options: AssetHandlerOptions = {}): AssetHandler {
  const reader = typeof db === 'string' ? openSync(db) : db;
  const meta = reader.metadata as { kind?: string } | undefined;
  if (meta?.kind !== ASSETS_KIND) {
    throw new TypeError(`${reader.path} is not an asset database (build it with "cdb build --assets" or buildAssets())`);
  }
  const cacheControl = options.cacheControl ?? 'public, max-age=0, must-revalidate';
  const index = options.index ?? 'index.html';

  const lookup = (p: string): AssetMeta | undefined => {
    const text = reader.getString(metaKey(p));
    return text === undefined ? undefined : (JSON.parse(text) as AssetMeta);
  };

  return (req, res, next) => {
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') {
      if (next) return next();
      return send(res, 405, 'Method Not Allowed\n', { Allow: 'GET, HEAD' });
    }
    const p = normalisePath(req.url ?? '/');
    if (p === undefined) return send(res, 400, 'Bad Request\n');
    const file = p.endsWith('/') ? `${p}${index}` : p;
    const asset = lookup(file);
    if (asset === undefined && !p.endsWith('/') && lookup(`${p}/${index}`) !== undefined) {
      const q = (req.url ?? '').indexOf('?');
      return send(res, 301, 'Moved Permanently\n', { Location: `${p}/${q >= 0 ? req.url!.slice(q) : ''}` });
    }
    if (asset === undefined) {
      if (next) return next();
      return send(res, 404, 'Not Found\n');
    }
    const headers: Record<string, string> = {
      ETag: asset.etag,
      'Last-Modified': new Date(asset.mtime).toUTCString(),
      'Cache-Control': cacheControl,
      'Accept-Ranges': 'bytes',
    };
    const encodings = Object.keys(asset.variants) as Encoding[];
    if (encodings.length > 0) headers['Vary'] = 'Accept-Encoding';
    const inm = req.headers['if-none-match'];
    const ims = req.headers['if-modified-since'];
    if (inm !== undefined ? etagMatches(inm, asset.etag) : ims !== undefined && Date.parse(ims) >= asset.mtime) {
      res.writeHead(304, headers);
      return res.end();
    }
    const range = parseRange(typeof req.headers.range === 'string' ? req.headers.range : undefined, asset.size);
    if (range.kind === 'unsatisfiable') {
      return send(res, 416, 'Range Not Satisfiable\n', { ...headers, 'Content-Range': `bytes */${asset.size}` });
    }
    // Ranges apply to the identity body; compressed variants are served whole.
    const enc = range.kind === 'ok' ? undefined : negotiateEncoding(req.headers['accept-encoding'], encodings);
    let body = reader.get(enc ? variantKey(file, enc) : bodyKey(file));
    if (body === undefined) {
      return send(res, 500, 'Internal Server Error: asset body missing\n');
    }
    headers['Content-Type'] = asset.type;
    let status = 200;
    if (enc) headers['Content-Encoding'] = enc;
    if (range.kind === 'ok') {
      status = 206;
      headers['Content-Range'] = `bytes ${range.start}-${range.end}/${asset.size}`;
      body = body.subarray(range.start, range.end + 1);
    }
    headers['Content-Length'] = String(body.length);
    res.writeHead(status, headers);
    res.end(method === 'HEAD' ? undefined : body);
  };
}
