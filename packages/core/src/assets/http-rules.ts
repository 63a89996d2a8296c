// The HTTP decisions of the asset handler, as pure functions (RFC 9110 / RFC 9111 rules
// that the tests pin one by one).
import type { Encoding } from './layout.js';

/**
 * Maps a request target to a database path, or undefined when it must be refused: encoded
 * slashes or backslashes, NUL bytes, bad percent-encoding, or ".." climbing above the root.
 * "." and ".." segments inside the root are resolved; repeated slashes collapse.
 */
export function normalisePath(target: string): string | undefined {
  const q = target.indexOf('?');
  const raw = q >= 0 ? target.slice(0, q) : target;
  if (!raw.startsWith('/')) return undefined;
  const out: string[] = [];
  const segments = raw.split('/');
  for (let i = 1; i < segments.length; i++) {
    const seg = segments[i]!;
    if (/%2f|%5c|%00/i.test(seg)) return undefined;
    let decoded: string;
    try {
      decoded = decodeURIComponent(seg);
    } catch {
      return undefined;
    }
    if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
    if (decoded === '' || decoded === '.') {
      if (i === segments.length - 1) out.push(''); // keep a trailing slash
      continue;
    }
    if (decoded === '..') {
      if (out.length === 0) return undefined;
      out.pop();
      continue;
    }
    out.push(decoded);
  }
  return `/${out.join('/')}`;
}

/** Picks the best stored encoding the client accepts (br before gzip), honouring q=0. */
export function negotiateEncoding(acceptEncoding: string | undefined, available: readonly Encoding[]): Encoding | undefined {
  if (!acceptEncoding || available.length === 0) return undefined;
  const q = new Map<string, number>();
  for (const part of acceptEncoding.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const qp = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    q.set(name, qp ? Number(qp.slice(2)) || 0 : 1);
  }
  const weight = (enc: string) => q.get(enc) ?? (enc === 'gzip' ? q.get('x-gzip') : undefined) ?? q.get('*') ?? 0;
  let best: Encoding | undefined;
  for (const enc of ['br', 'gzip'] as const) {
    if (available.includes(enc) && weight(enc) > 0 && (best === undefined || weight(enc) > weight(best))) best = enc;
  }
  return best;
}

/** If-None-Match (weak comparison, RFC 9110 §13.1.2): does any listed tag match `etag`? */
export function etagMatches(ifNoneMatch: string, etag: string): boolean {
  if (ifNoneMatch.trim() === '*') return true;
  const opaque = etag.replace(/^W\//, '');
  return ifNoneMatch.split(',').some((t) => t.trim().replace(/^W\//, '') === opaque);
}

export type RangeResult = { kind: 'none' } | { kind: 'ok'; start: number; end: number } | { kind: 'unsatisfiable' };

/** A single byte range (RFC 9110 §14.1.2; the unit is case-insensitive); multiple ranges or syntax errors are ignored (full body). */
export function parseRange(header: string | undefined, size: number): RangeResult {
  if (header === undefined) return { kind: 'none' };
  const m = /^bytes=(\d*)-(\d*)$/i.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return { kind: 'none' };
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'ok', start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (m[2] !== '' && Number(m[2]) < start) return { kind: 'none' };
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'ok', start, end };
}

/**
 * If-Range (RFC 9110 §13.1.5): the range applies only when the validator still matches
 * the representation — an entity tag by strong comparison (a weak tag never matches), or
 * an HTTP date equal to Last-Modified. Anything else (stale, malformed): send it all.
 */
export function ifRangeMatches(ifRange: string | undefined, etag: string, lastModified: number): boolean {
  if (ifRange === undefined) return true;
  const v = ifRange.trim();
  if (v.startsWith('"')) return v === etag;
  if (v.startsWith('W/')) return false;
  const date = Date.parse(v);
  return Number.isFinite(date) && date === lastModified;
}

/**
 * If-Modified-Since (RFC 9110 §13.1.3): not modified when the date is valid, not in the
 * future (a future date is ignored) and not before the file's Last-Modified.
 */
export function notModifiedSince(ifModifiedSince: string | undefined, lastModified: number, now = Date.now()): boolean {
  if (ifModifiedSince === undefined) return false;
  const date = Date.parse(ifModifiedSince);
  return Number.isFinite(date) && date <= now && date >= lastModified;
}

/**
 * A database path as a URL path: each segment percent-encoded (so `日本`, `a b`, `x?y`
 * and `q#r` survive a redirect), the slashes kept. The result is plain ASCII, safe in a
 * Location header.
 */
export function encodePath(p: string): string {
  return p
    .split('/')
    .map((seg) => encodeURIComponent(seg))
    .join('/');
}

/**
 * A piece of a request target sent back in a header (a mount prefix, a query): bytes
 * outside the URL character set (RFC 3986: unreserved, sub-delims, ':', '@', '/', '?',
 * '%') are percent-encoded, so nothing a client sends can make a header invalid.
 */
export function headerSafeUrl(s: string): string {
  let out = '';
  for (const ch of s) {
    if (/^[A-Za-z0-9\-._~!$&'()*+,;=:@/?%]$/.test(ch)) out += ch;
    else out += encodeURIComponent(ch);
  }
  return out;
}

/** Whether any segment of `p` is a dot-file or dot-folder other than `.well-known` (RFC 8615). */
export function hasDotSegment(p: string): boolean {
  return p.split('/').some((seg) => seg.startsWith('.') && seg !== '.well-known');
}

/** Refuses header values that would break a response (CR, LF, NUL, other control bytes, non-Latin-1). */
export function checkHeaderValue(name: string, value: string): string {
  if (typeof value !== 'string' || /[\u0000-\u0008\u000a-\u001f\u007f]|[^\u0000-\u00ff]/.test(value)) {
    throw new RangeError(
      `${name} must be a header value without control characters or line breaks, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}
