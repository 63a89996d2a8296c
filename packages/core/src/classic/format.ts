// Classic djb cdb (docs/CLASSIC.md): the hash, the table of contents and the bounds
// checks shared by the engine, verify and analyze. Every number read from a classic
// file is checked here before anything is read at the offset it names.
import { CdbError } from '../errors.js';
import type { ByteSource } from '../source.js';

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
export function readToc(src: ByteSource, path: string): Toc {
  if (src.size < TOC_SIZE) {
    throw new CdbError('ERR_CDB_FORMAT', `not an mmcdb or cdb file (${src.size} bytes, a cdb file has at least ${TOC_SIZE})`, {
      offset: 0,
      path,
    });
  }
  const raw = src.bytes(0, TOC_SIZE);
  const pos = new Uint32Array(TABLES);
  const slots = new Uint32Array(TABLES);
  for (let i = 0; i < TABLES; i++) {
    const p = raw.readUInt32LE(i * 8);
    const n = raw.readUInt32LE(i * 8 + 4);
    if (p < TOC_SIZE || p > src.size || p + n * SLOT > src.size) {
      throw new CdbError(
        'ERR_CDB_FORMAT',
        `not an mmcdb or cdb file (table ${i}: position ${p}, ${n} slots, in a file of ${src.size} bytes)`,
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
 * Decodes the record at `pos`, which must lie wholly in [2048, dataEnd). `referrer` is
 * the offset that named `pos` (a table slot, or `pos` itself when walking the records).
 */
export function readRecord(src: ByteSource, pos: number, dataEnd: number, referrer: number, path: string): ClassicRecord {
  if (pos < TOC_SIZE || pos + RECORD_HEADER > dataEnd) {
    throw new CdbError(
      'ERR_CDB_CORRUPT',
      referrer === pos
        ? `record header at ${pos} runs past the end of the records (${dataEnd})`
        : `record position ${pos} is outside the records [${TOC_SIZE}, ${dataEnd})`,
      { offset: referrer, path },
    );
  }
  const at = src.load(pos, RECORD_HEADER);
  const keyLength = src.data.readUInt32LE(at);
  const valueLength = src.data.readUInt32LE(at + 4);
  const keyOffset = pos + RECORD_HEADER;
  const valueOffset = keyOffset + keyLength;
  const end = valueOffset + valueLength;
  if (end > dataEnd) {
    throw new CdbError('ERR_CDB_CORRUPT', `record at ${pos} (key ${keyLength} bytes, value ${valueLength} bytes) runs past the end of the records (${dataEnd})`, {
      offset: pos,
      path,
    });
  }
  return { keyLength, valueLength, keyOffset, valueOffset, end };
}

/** Probe distance of a record found in slot `i` of a table of `n` slots (cyclic, as `cdb -s`). */
export function probeDistance(hash: number, i: number, n: number): number {
  const home = (hash >>> 8) % n;
  return home <= i ? i - home : n - home + i;
}
