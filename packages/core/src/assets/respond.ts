// One asset response (docs/ASSETS.md §What the handler does): content coding, validators
// of the chosen representation, conditional requests, ranges, security headers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Reader } from '../reader/reader.js';
import { etagMatches, ifRangeMatches, negotiateEncoding, notModifiedSince, parseRange } from './http-rules.js';
import { bodyKey, variantKey, type AssetMeta, type Encoding } from './layout.js';

export interface ResponseOptions {
  cacheControl: string;
  /** '' = no Content-Security-Policy on SVG. */
  svgCsp: string;
}

const BASE_HEADERS = { 'X-Content-Type-Options': 'nosniff' } as const;

export function send(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    ...BASE_HEADERS,
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

/**
 * The strong ETag of one representation: the identity body's tag as stored, a suffix per
 * content coding (a br and a gzip body are different bytes, so they need their own tags).
 */
export function representationTag(identityTag: string, enc: Encoding | undefined): string {
  if (enc === undefined) return identityTag;
  return `${identityTag.slice(0, -1)}-${enc === 'br' ? 'br' : 'gz'}"`;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

export function respond(
  req: IncomingMessage,
  res: ServerResponse,
  reader: Reader,
  file: string,
  asset: AssetMeta,
  opts: ResponseOptions,
): void {
  const method = req.method ?? 'GET';
  const encodings = Object.keys(asset.variants) as Encoding[];
  const rangeHeader = header(req, 'range');
  const range = parseRange(rangeHeader, asset.size);
  // Ranges apply to the identity body (stale If-Range: the whole body); compressed
  // variants are served whole.
  const wantsRange = range.kind !== 'none' && ifRangeMatches(header(req, 'if-range'), asset.etag, asset.mtime);
  const enc = wantsRange ? undefined : negotiateEncoding(header(req, 'accept-encoding'), encodings);
  const etag = representationTag(asset.etag, enc);
  const headers: Record<string, string> = {
    ...BASE_HEADERS,
    ETag: etag,
    'Last-Modified': new Date(asset.mtime).toUTCString(),
    'Cache-Control': opts.cacheControl,
    'Accept-Ranges': 'bytes',
  };
  if (encodings.length > 0) headers['Vary'] = 'Accept-Encoding';
  if (opts.svgCsp !== '' && asset.type.startsWith('image/svg+xml')) headers['Content-Security-Policy'] = opts.svgCsp;
  const inm = header(req, 'if-none-match');
  if (inm !== undefined ? etagMatches(inm, etag) : notModifiedSince(header(req, 'if-modified-since'), asset.mtime)) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  if (wantsRange && range.kind === 'unsatisfiable') {
    send(res, 416, 'Range Not Satisfiable\n', { ...headers, 'Content-Range': `bytes */${asset.size}` });
    return;
  }
  let body = reader.get(enc ? variantKey(file, enc) : bodyKey(file));
  if (body === undefined) {
    send(res, 500, 'Internal Server Error: asset body missing\n');
    return;
  }
  headers['Content-Type'] = asset.type;
  let status = 200;
  if (enc) headers['Content-Encoding'] = enc;
  if (wantsRange && range.kind === 'ok') {
    status = 206;
    headers['Content-Range'] = `bytes ${range.start}-${range.end}/${asset.size}`;
    body = body.subarray(range.start, range.end + 1);
  }
  headers['Content-Length'] = String(body.length);
  res.writeHead(status, headers);
  res.end(method === 'HEAD' ? undefined : body);
}
