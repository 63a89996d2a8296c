// Classic djb cdb (docs/CLASSIC.md): the hash, the table of contents and the bounds
// checks shared by the engine, verify, analyze and the remote reader. Every number read
// from a classic file is checked here before anything is read at the offset it names.
import { CdbError } from '../../util/errors.js';
import { u32le } from '../../util/le.js';

/** §TOC: 256 × (pos u32, slots u32). */
export const TOC_SIZE = 2048;
export const TABLES = 256;
/** §Records: klen u32 + dlen u32. */
export const RECORD_HEADER = 8;
/** §Tables: hash u32 + recpos u32. */
export const SLOT = 8;
/** The largest offset a u32 can hold: no position (and so no file end) may pass it. */
export const MAX_POSITION = 0xffffffff;
/** The djb hash's start value. */
export const DJB_START = 5381;

/** §Hash: h = ((h << 5) + h) ^ c from 5381, modulo 2^32. */
export function djbHash(bytes: Uint8Array): number {
  let h = DJB_START;
  for (let i = 0; i < bytes.length; i++) h = (Math.imul(h, 33) ^ bytes[i]!) >>> 0;
  return h;
}

/** The decoded table of contents. */
export interface Toc {
  /** Start of table i. */
  readonly pos: Uint32Array;
  /** Slots of table i. */
  readonly slots: Uint32Array;
  /** End of the records = start of table 0 (§Layout). */
  readonly dataEnd: number;
}

/**
 * Reads and checks the 256 TOC entries (§Detection): 2048 ≤ pos ≤ size and
 * pos + 8·slots ≤ size for each. Anything else is not a classic file: ERR_CDB_FORMAT.
 */
export function decodeToc(raw: Uint8Array, size: number, path?: string): Toc {
  if (size < TOC_SIZE || raw.length < TOC_SIZE) {
    throw new CdbError('ERR_CDB_FORMAT', `not an mmcdb or cdb file (${size} bytes, a cdb file has at least ${TOC_SIZE})`, {
      offset: 0,
      path,
    });
  }
  const pos = new Uint32Array(TABLES);
  const slots = new Uint32Array(TABLES);
  for (let i = 0; i < TABLES; i++) {
    const p = u32le(raw, i * 8);
    const n = u32le(raw, i * 8 + 4);
    if (p < TOC_SIZE || p > size || p + n * SLOT > size) {
      throw new CdbError(
        'ERR_CDB_FORMAT',
        `not an mmcdb or cdb file (table ${i}: position ${p}, ${n} slots, in a file of ${size} bytes)`,
        { offset: i * 8, path },
      );
    }
    pos[i] = p;
    slots[i] = n;
  }
  return { pos, slots, dataEnd: pos[0]! };
}

/** A decoded, bounds-checked record header. */
export interface ClassicRecord {
  keyLength: number;
  valueLength: number;
  /** Offset of the key bytes. */
  keyOffset: number;
  /** Offset of the value bytes. */
  valueOffset: number;
  /** Offset just past the record. */
  end: number;
}

/**
 * Checks, before anything is read there, that a record header at `pos` lies wholly in
 * [2048, dataEnd). `referrer` is the offset that named `pos` (a table slot, or `pos`
 * itself when walking the records).
 */
export function checkRecordPosition(pos: number, dataEnd: number, referrer: number, path?: string): void {
  if (pos < TOC_SIZE || pos + RECORD_HEADER > dataEnd) {
    throw new CdbError(
      'ERR_CDB_CORRUPT',
      referrer === pos
        ? `record header at ${pos} runs past the end of the records (${dataEnd})`
        : `record position ${pos} is outside the records [${TOC_SIZE}, ${dataEnd})`,
      { offset: referrer, path },
    );
  }
}

/** Decodes the 8-byte record header at file offset `pos`, held in `bytes` at `at`, and checks its lengths. */
export function decodeRecord(bytes: Uint8Array, at: number, pos: number, dataEnd: number, path?: string): ClassicRecord {
  const keyLength = u32le(bytes, at);
  const valueLength = u32le(bytes, at + 4);
  const keyOffset = pos + RECORD_HEADER;
  const valueOffset = keyOffset + keyLength;
  const end = valueOffset + valueLength;
  if (end > dataEnd) {
    throw new CdbError(
      'ERR_CDB_CORRUPT',
      `record at ${pos} (key ${keyLength} bytes, value ${valueLength} bytes) runs past the end of the records (${dataEnd})`,
      { offset: pos, path },
    );
  }
  return { keyLength, valueLength, keyOffset, valueOffset, end };
}

/** Probe distance of a record found in slot `i` of a table of `n` slots (cyclic, as `cdb -s`). */
export function probeDistance(hash: number, i: number, n: number): number {
  const home = (hash >>> 8) % n;
  return home <= i ? i - home : n - home + i;
}

/**
 * The table slots in the union of the 256 tables' ranges, as sorted, disjoint
 * [start, end) byte ranges: in a file from a real writer the tables are contiguous, but
 * a crafted TOC may make all 256 of them overlap — walking the union keeps every scan
 * O(file), not O(256 × file).
 */
export function tableRanges(toc: Toc): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  for (let t = 0; t < TABLES; t++) if (toc.slots[t]! > 0) ranges.push([toc.pos[t]!, toc.pos[t]! + toc.slots[t]! * SLOT]);
  ranges.sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  for (const r of ranges) {
    const last = out[out.length - 1];
    if (last !== undefined && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else out.push([r[0], r[1]]);
  }
  return out;
}

/** Whether any two non-empty tables overlap (no reference writer makes such a file). */
export function tablesOverlap(toc: Toc): boolean {
  let total = 0;
  for (let t = 0; t < TABLES; t++) total += toc.slots[t]! * SLOT;
  let union = 0;
  for (const [a, b] of tableRanges(toc)) union += b - a;
  return union !== total;
}
