// The cdbmake record syntax (`+klen,dlen:key->value\n`, docs/cli.md §Input formats) as the
// writers' addCdbmake() reads it: complete, well-formed records only. Anything else — the
// end of the input, the final empty line, a record cut off, bad bytes — ends the scan, and
// the caller's own parser (the CLI's, which words every error) takes it from there.
import type { CdbmakeProgress, Writer } from './writer.js';

/**
 * The limits of cdbmake input, for every parser of it (this recognizer, the CLI's
 * streaming parser, the addon's bulk encoder): at most 20 digits per length (leading
 * zeros allowed), keys below 2^31 bytes (FORMAT.md §Records: bit 31 of key_length is
 * SUPERSEDED), values below 2^32 bytes (the largest Buffer Node 20 allocates).
 */
export const CDBMAKE_LIMITS = { maxDigits: 20, maxKey: 0x7fffffff, maxValue: 2 ** 32 - 1 } as const;
const MAX_DIGITS = CDBMAKE_LIMITS.maxDigits;
const MAX_KEY = CDBMAKE_LIMITS.maxKey;
const MAX_VALUE = CDBMAKE_LIMITS.maxValue;

export interface CdbmakeRecord {
  keyStart: number;
  keyEnd: number;
  valueStart: number;
  valueEnd: number;
  /** Offset just past the record's closing newline. */
  end: number;
}

/**
 * The decimal length at bytes[p] up to its terminator `end` (',' or ':'): [value, offset
 * after the terminator], or undefined when digits are missing, too many or not digits.
 */
function readLength(bytes: Uint8Array, p: number, end: number): [number, number] | undefined {
  let value = 0;
  for (let digits = 0; p < bytes.length; digits++) {
    const c = bytes[p++]!;
    if (c === end && digits > 0) return [value, p];
    if (c < 0x30 || c > 0x39 || digits === MAX_DIGITS) return undefined;
    value = value * 10 + (c - 0x30);
  }
  return undefined;
}

/** The complete, well-formed record at bytes[at], or undefined. */
export function scanCdbmakeRecord(bytes: Uint8Array, at: number): CdbmakeRecord | undefined {
  if (at >= bytes.length || bytes[at] !== 0x2b) return undefined; // '+'
  const k = readLength(bytes, at + 1, 0x2c); // ','
  const d = k && readLength(bytes, k[1], 0x3a); // ':'
  if (k === undefined || d === undefined) return undefined;
  const [klen] = k;
  const [dlen, p] = d;
  if (klen > MAX_KEY || dlen > MAX_VALUE || bytes.length - p < klen + 2 + dlen + 1) return undefined;
  const keyEnd = p + klen;
  const valueEnd = keyEnd + 2 + dlen;
  if (bytes[keyEnd] !== 0x2d || bytes[keyEnd + 1] !== 0x3e || bytes[valueEnd] !== 0x0a) return undefined; // '->' '\n'
  return { keyStart: p, keyEnd, valueStart: keyEnd + 2, valueEnd, end: valueEnd + 1 };
}

export function checkCdbmakeBytes(bytes: Uint8Array): Uint8Array {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('addCdbmake() takes a Uint8Array (or Buffer) of cdbmake text');
  return bytes;
}

export function countNewlines(bytes: Uint8Array, from: number, to: number): number {
  let count = 0;
  for (let p = bytes.indexOf(0x0a, from); p >= 0 && p < to; p = bytes.indexOf(0x0a, p + 1)) count++;
  return count;
}

/** addCdbmake() one record at a time through writer.add() (any writer, any backend). */
export function addCdbmakeRecords(writer: Writer, bytes: Uint8Array): CdbmakeProgress {
  const progress: CdbmakeProgress = { consumed: 0, records: 0, dropped: 0, lines: 0 };
  let at = 0;
  for (;;) {
    const r = scanCdbmakeRecord(bytes, at);
    if (r === undefined) break;
    if (!writer.add(bytes.subarray(r.keyStart, r.keyEnd), bytes.subarray(r.valueStart, r.valueEnd))) progress.dropped++;
    progress.records++;
    progress.lines += 1 + countNewlines(bytes, r.keyStart, r.keyEnd) + countNewlines(bytes, r.valueStart, r.valueEnd);
    at = r.end;
  }
  progress.consumed = at;
  return progress;
}
