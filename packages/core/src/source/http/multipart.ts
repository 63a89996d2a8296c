// multipart/byteranges bodies (RFC 9110 §14.6): the answer to a Range header with several
// ranges. Each part has its own headers with a Content-Range; its data is exactly that
// many bytes, so the parser never searches for the boundary inside data.
import { parseContentRange, type ContentRange } from './validators.js';

export interface Part extends ContentRange {
  bytes: Uint8Array;
}

/** The boundary parameter of a multipart/byteranges Content-Type, or undefined. */
export function byterangesBoundary(contentType: string | null): string | undefined {
  if (contentType === null || !/^\s*multipart\/byteranges\s*;/i.test(contentType)) return undefined;
  const m = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentType);
  return m?.[1] ?? m?.[2];
}

const CR = 13;
const LF = 10;
const ascii = new TextDecoder('latin1');

/** Splits a multipart/byteranges body into its parts; throws Error with the reason when it is malformed. */
export function parseByteranges(body: Uint8Array, boundary: string): Part[] {
  const delimiter = new TextEncoder().encode(`--${boundary}`);
  const parts: Part[] = [];
  let at = indexOf(body, delimiter, 0);
  if (at < 0) throw new Error('no boundary in the multipart body');
  for (;;) {
    at += delimiter.length;
    if (body[at] === 0x2d && body[at + 1] === 0x2d) return parts; // "--": the closing delimiter
    at = skipLine(body, at);
    // Part headers, up to the empty line.
    let range: ReturnType<typeof parseContentRange>;
    for (let n = 0; ; n++) {
      if (n > 32) throw new Error('too many part headers');
      const end = lineEnd(body, at);
      if (end < 0) throw new Error('a part header runs past the body');
      const line = ascii.decode(body.subarray(at, end));
      at = skipLine(body, at);
      if (line === '') break;
      const colon = line.indexOf(':');
      if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === 'content-range')
        range = parseContentRange(line.slice(colon + 1));
    }
    if (range === undefined || !('start' in range)) throw new Error('a part has no valid Content-Range');
    const length = range.end - range.start;
    if (length > body.length - at) throw new Error('a part runs past the body');
    parts.push({ ...range, bytes: body.subarray(at, at + length) });
    at = indexOf(body, delimiter, at + length);
    if (at < 0) throw new Error('the multipart body ends without its closing boundary');
  }
}

function lineEnd(b: Uint8Array, from: number): number {
  for (let i = from; i < b.length; i++) if (b[i] === LF) return i > from && b[i - 1] === CR ? i - 1 : i;
  return -1;
}

function skipLine(b: Uint8Array, from: number): number {
  for (let i = from; i < b.length; i++) if (b[i] === LF) return i + 1;
  return b.length;
}

function indexOf(hay: Uint8Array, needle: Uint8Array, from: number): number {
  const first = needle[0]!;
  outer: for (let i = hay.indexOf(first, from); i >= 0 && i + needle.length <= hay.length; i = hay.indexOf(first, i + 1)) {
    for (let j = 1; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}
