// The record half of a remote lookup, for both formats: read each candidate record named
// by a slot (its header, key and — when it fits — value in one range), compare keys, and
// read the rest of a value that did not fit. The format's own codec checks every
// position and length first (FORMAT.md §Index "A reader bounds-checks every position",
// CLASSIC.md §Safety), exactly as the local engines do.
import { RemoteError } from '../../source/http/remote-error.js';
import type { ByteRange, Lookup } from './lookup.js';

/** A record header decoded and bounds-checked by the format's codec. */
export interface RecordInfo {
  keyOffset: number;
  keyLength: number;
  valueOffset: number;
  valueLength: number;
}

export interface RecordCodec {
  /** Record header size (mmcdb 12, classic 8). */
  readonly headerSize: number;
  /** End of the records: no record read goes past it. */
  readonly dataEnd: number;
  /** Throws ERR_CDB_CORRUPT unless a record header at `pos` lies inside the records. */
  checkPosition(pos: number, referrer: number): void;
  /** Decodes the header held in `bytes` at 0 for the record at `pos` (lengths checked against dataEnd). */
  decode(bytes: Uint8Array, pos: number, referrer: number): RecordInfo;
}

export interface Candidate {
  /** Record position from the slot. */
  pos: number;
  /** File offset of the slot that named it. */
  slotOffset: number;
}

export interface ReadTuning {
  blockSize: number;
  /** Bytes read past the header and key in the first read of a record (a short value comes with it). */
  readAheadBytes: number;
  maxValueBytes: number;
  url: string;
  /**
   * Makes the array a value is copied into (default: a Uint8Array of its own). The pread
   * backend passes Buffer.allocUnsafe: small values then share Node's Buffer pool instead
   * of each being an ArrayBuffer, which V8 sweeps one by one at every scavenge (8 ms
   * scavenges at 220k values/s, measured).
   */
  alloc?: (length: number) => Uint8Array;
  /**
   * Values longer than this are read in a range of their own (from their first byte,
   * again), whose bytes are returned as the value: no second buffer, no copy. The reader
   * must hand back a fresh array of exactly that range. Default: never (the remote
   * reader's block cache shares its arrays).
   */
  wholeValueBytes?: number;
}

export type Want = 'first' | 'all' | 'exists';
export const EMPTY = new Uint8Array(0);

/** The first read of a record: header, key and read-ahead, up to the end of its block (those bytes come anyway). */
function firstRead(pos: number, keyLength: number, codec: RecordCodec, t: ReadTuning): ByteRange {
  const want = pos + codec.headerSize + keyLength + t.readAheadBytes;
  const toBlockEnd = Math.ceil(want / t.blockSize) * t.blockSize;
  return { start: pos, end: Math.min(toBlockEnd, codec.dataEnd) };
}

/**
 * Values of the candidates whose key equals `key`, in candidate (= insertion) order.
 * 'first' and 'exists' read one candidate at a time and stop at the first match; 'all'
 * reads every candidate in the same round. 'exists' returns [EMPTY] on a match and never
 * reads a value.
 */
export function* matchRecords(
  candidates: readonly Candidate[],
  key: Uint8Array,
  want: Want,
  codec: RecordCodec,
  t: ReadTuning,
): Lookup<Uint8Array[]> {
  const values: Uint8Array[] = [];
  for (let next = 0; next < candidates.length; ) {
    const batch = want === 'all' ? candidates.slice(next) : [candidates[next]!];
    next += batch.length;
    for (const c of batch) codec.checkPosition(c.pos, c.slotOffset);
    const reads = batch.map((c) => firstRead(c.pos, key.length, codec, t));
    const got = yield reads;
    const matches: Array<{ info: RecordInfo; first: Uint8Array; firstEnd: number }> = [];
    batch.forEach((c, i) => {
      const bytes = got[i]!;
      const info = codec.decode(bytes, c.pos, c.slotOffset);
      if (info.keyLength !== key.length) return;
      const at = info.keyOffset - c.pos;
      for (let j = 0; j < key.length; j++) if (bytes[at + j] !== key[j]) return;
      matches.push({ info, first: bytes, firstEnd: reads[i]!.end });
    });
    if (matches.length === 0) continue;
    if (want === 'exists') return [EMPTY];
    for (const m of matches) {
      if (m.info.valueLength > t.maxValueBytes) {
        throw new RemoteError(
          'ERR_CDB_REMOTE',
          `a value of ${m.info.valueLength} bytes is more than maxValueBytes = ${t.maxValueBytes}`,
          {
            url: t.url,
            offset: m.info.valueOffset,
          },
        );
      }
    }
    // The parts of values past their first read, all in one round; a value longer than
    // t.wholeValueBytes read whole instead: those bytes are then the value, not copied.
    const whole = (m: { info: RecordInfo }) => t.wholeValueBytes !== undefined && m.info.valueLength > t.wholeValueBytes;
    const rangeOf = (m: { info: RecordInfo; firstEnd: number }): ByteRange =>
      whole(m) ? { start: m.info.valueOffset, end: m.info.valueOffset + m.info.valueLength } : restRange(m.info, m.firstEnd);
    const rest = matches.filter((m) => whole(m) || m.info.valueOffset + m.info.valueLength > m.firstEnd);
    const restBytes = rest.length > 0 ? yield rest.map(rangeOf) : [];
    for (const m of matches) {
      const i = rest.indexOf(m);
      values.push(
        whole(m)
          ? restBytes[i]!
          : joinValue(
              t.alloc,
              m.info,
              m.first,
              m.firstEnd - m.first.length,
              i < 0 ? undefined : restBytes[i]!,
              restRange(m.info, m.firstEnd).start,
            ),
      );
      if (want === 'first') return values;
    }
  }
  return values;
}

function restRange(info: RecordInfo, firstEnd: number): ByteRange {
  return { start: Math.max(firstEnd, info.valueOffset), end: info.valueOffset + info.valueLength };
}

/** A fresh copy of the value from the first read (which starts at `firstStart`) and the rest (which starts at `restStart`). */
function joinValue(
  alloc: ((length: number) => Uint8Array) | undefined,
  info: RecordInfo,
  first: Uint8Array,
  firstStart: number,
  rest: Uint8Array | undefined,
  restStart: number,
): Uint8Array {
  const value = alloc === undefined ? new Uint8Array(info.valueLength) : alloc(info.valueLength);
  const firstEnd = firstStart + first.length;
  const inFirst = Math.max(0, Math.min(firstEnd, info.valueOffset + info.valueLength) - info.valueOffset);
  if (inFirst > 0) value.set(first.subarray(info.valueOffset - firstStart, info.valueOffset - firstStart + inFirst), 0);
  if (rest !== undefined) value.set(rest, restStart - info.valueOffset);
  return value;
}
