// The mmcdb format's bytes (docs/FORMAT.md is the authority; names here are the spec's):
// constants, the header codec, the record header and index slot decoders. Every reader
// (the TypeScript engine, verify, analyze, the remote reader) decodes through these, so
// each bound is checked in one place. Browser-safe: Uint8Array and DataView only.
import { CdbError } from '../../util/errors.js';
import { xxh64 } from '../../util/hash.js';
import { u32le } from '../../util/le.js';

export { u32le };

/** §Header magic: "\x89MMCDB\r\n". */
export const MAGIC = Uint8Array.of(0x89, 0x4d, 0x4d, 0x43, 0x44, 0x42, 0x0d, 0x0a);
export const VERSION = 1;
export const HEADER_SIZE = 128;
export const HEADER_CHECKSUM_OFFSET = 120;
/** §Records: key_length u32 + value_length u64. */
export const RECORD_HEADER_SIZE = 12;
/** §Records: bit 31 of key_length. */
export const SUPERSEDED = 0x80000000;
export const MAX_KEY_LENGTH = 0x7fffffff;
/** §Index: hash u64 + position u64. */
export const SLOT_SIZE = 16;
export const INDEX_ALIGN = 64;
export const MAX_VALUE_ALIGN = 65536;
/** §Determinism: ASCII "mmcdbv01" read as a big-endian u64. */
export const DEFAULT_SEED = 0x6d6d636462763031n;
export const DEFAULT_LOAD = 0.5;
/** Flags bits 0–15 are required features; version 1 knows none. */
const REQUIRED_FLAGS_MASK = 0xffff;

export interface Header {
  version: number;
  flags: number;
  recordCount: number;
  seed: bigint;
  dataOffset: number;
  dataEnd: number;
  indexOffset: number;
  homeSlots: number;
  valueAlign: number;
  indexLength: number;
  metaOffset: number;
  metaLength: number;
  fileLength: number;
  bodyChecksum: bigint;
  maxProbe: number;
}

export function hasMagic(bytes: Uint8Array): boolean {
  if (bytes.length < MAGIC.length) return false;
  for (let i = 0; i < MAGIC.length; i++) if (bytes[i] !== MAGIC[i]) return false;
  return true;
}

export function alignUp(n: number, align: number): number {
  const r = n % align;
  return r === 0 ? n : n + (align - r);
}

/** §Index: home(h) = (h >>> 32) × H >>> 32, exact for H < 2^32. */
export function homeSlot(hashHi: number, homeSlots: number): number {
  // hashHi × H can exceed 2^53, so split H into 16-bit halves to stay exact.
  const hHigh = Math.floor(homeSlots / 0x10000);
  const hLow = homeSlots % 0x10000;
  const a = hashHi * hHigh; // < 2^48
  const b = hashHi * hLow; // < 2^48
  return Math.floor(a / 0x10000) + Math.floor(((a % 0x10000) * 0x10000 + b) / 0x100000000);
}

function u64(view: DataView, offset: number, name: string, path: string | undefined): number {
  const v = view.getBigUint64(offset, true);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new CdbError('ERR_CDB_FORMAT', `header field ${name} is ${v}, beyond what this reader can address`, {
      offset,
      path,
    });
  }
  return Number(v);
}

/**
 * Decodes and validates the header in the order given by FORMAT.md §Header.
 * `bytes` holds at least the first HEADER_SIZE bytes; `actualLength` is the file size.
 */
export function decodeHeader(bytes: Uint8Array, actualLength: number, path?: string): Header {
  const fail = (code: 'ERR_CDB_FORMAT' | 'ERR_CDB_VERSION', msg: string, offset: number): never => {
    throw new CdbError(code, msg, { offset, path });
  };
  if (actualLength < HEADER_SIZE || bytes.length < HEADER_SIZE) {
    if (hasMagic(bytes)) {
      throw new CdbError('ERR_CDB_TRUNCATED', `file is ${actualLength} bytes, shorter than the 128-byte header`, {
        offset: actualLength,
        path,
      });
    }
    fail('ERR_CDB_FORMAT', 'not an mmcdb file (too short for a header)', 0);
  }
  if (!hasMagic(bytes)) fail('ERR_CDB_FORMAT', 'not an mmcdb file (bad magic)', 0);
  const view = new DataView(bytes.buffer, bytes.byteOffset, HEADER_SIZE);
  const version = view.getUint16(8, true);
  if (version !== VERSION) fail('ERR_CDB_VERSION', `unsupported mmcdb format version ${version} (this reader knows 1)`, 8);
  const stored = view.getBigUint64(HEADER_CHECKSUM_OFFSET, true);
  const computed = xxh64(bytes.subarray(0, HEADER_CHECKSUM_OFFSET), 0n);
  if (stored !== computed) {
    throw new CdbError('ERR_CDB_CHECKSUM', 'header checksum mismatch', { offset: HEADER_CHECKSUM_OFFSET, path });
  }
  const headerSize = view.getUint16(10, true);
  if (headerSize !== HEADER_SIZE) fail('ERR_CDB_FORMAT', `header_size is ${headerSize}, expected 128`, 10);
  const flags = view.getUint32(12, true);
  if ((flags & REQUIRED_FLAGS_MASK) !== 0) {
    fail('ERR_CDB_VERSION', `unknown required flags 0x${(flags & REQUIRED_FLAGS_MASK).toString(16)}`, 12);
  }
  const h: Header = {
    version,
    flags,
    recordCount: u64(view, 16, 'record_count', path),
    seed: view.getBigUint64(24, true),
    dataOffset: u64(view, 32, 'data_offset', path),
    dataEnd: u64(view, 40, 'data_end', path),
    indexOffset: u64(view, 48, 'index_offset', path),
    homeSlots: view.getUint32(56, true),
    valueAlign: view.getUint32(60, true),
    indexLength: u64(view, 64, 'index_length', path),
    metaOffset: u64(view, 72, 'meta_offset', path),
    metaLength: u64(view, 80, 'meta_length', path),
    fileLength: u64(view, 88, 'file_length', path),
    bodyChecksum: view.getBigUint64(96, true),
    maxProbe: view.getUint32(104, true),
  };
  if (h.fileLength > actualLength) {
    throw new CdbError('ERR_CDB_TRUNCATED', `file is ${actualLength} bytes but its header says ${h.fileLength}`, {
      offset: actualLength,
      path,
    });
  }
  if (h.fileLength < actualLength) {
    fail('ERR_CDB_FORMAT', `file is ${actualLength} bytes but its header says ${h.fileLength} (trailing bytes)`, 88);
  }
  if (h.dataOffset !== HEADER_SIZE) fail('ERR_CDB_FORMAT', `data_offset is ${h.dataOffset}, expected 128`, 32);
  if (h.dataEnd < h.dataOffset) fail('ERR_CDB_FORMAT', 'data_end is before data_offset', 40);
  if (h.indexOffset % INDEX_ALIGN !== 0 || h.indexOffset < h.dataEnd || h.indexOffset >= h.dataEnd + INDEX_ALIGN) {
    fail('ERR_CDB_FORMAT', `index_offset ${h.indexOffset} is not data_end rounded up to 64`, 48);
  }
  if (h.metaOffset !== h.indexOffset + h.indexLength * SLOT_SIZE) {
    fail('ERR_CDB_FORMAT', 'meta_offset does not follow the index', 72);
  }
  if (h.metaOffset + h.metaLength !== h.fileLength) fail('ERR_CDB_FORMAT', 'file_length does not follow the metadata', 80);
  if (h.homeSlots > h.indexLength) fail('ERR_CDB_FORMAT', 'home_slots exceeds index_length', 56);
  if (h.recordCount > h.indexLength) fail('ERR_CDB_FORMAT', 'record_count exceeds index_length', 16);
  if ((h.homeSlots === 0) !== (h.recordCount === 0)) fail('ERR_CDB_FORMAT', 'home_slots and record_count disagree', 56);
  if (h.valueAlign < 1 || h.valueAlign > MAX_VALUE_ALIGN || (h.valueAlign & (h.valueAlign - 1)) !== 0) {
    fail('ERR_CDB_FORMAT', `value_align ${h.valueAlign} is not a power of two ≤ 65536`, 60);
  }
  return h;
}

/** Encodes a header (FORMAT.md §Header) including its checksum. */
export function encodeHeader(h: Header): Uint8Array {
  const buf = new Uint8Array(HEADER_SIZE);
  const view = new DataView(buf.buffer, buf.byteOffset, HEADER_SIZE);
  buf.set(MAGIC, 0);
  view.setUint16(8, h.version, true);
  view.setUint16(10, HEADER_SIZE, true);
  view.setUint32(12, h.flags, true);
  view.setBigUint64(16, BigInt(h.recordCount), true);
  view.setBigUint64(24, h.seed, true);
  view.setBigUint64(32, BigInt(h.dataOffset), true);
  view.setBigUint64(40, BigInt(h.dataEnd), true);
  view.setBigUint64(48, BigInt(h.indexOffset), true);
  view.setUint32(56, h.homeSlots, true);
  view.setUint32(60, h.valueAlign, true);
  view.setBigUint64(64, BigInt(h.indexLength), true);
  view.setBigUint64(72, BigInt(h.metaOffset), true);
  view.setBigUint64(80, BigInt(h.metaLength), true);
  view.setBigUint64(88, BigInt(h.fileLength), true);
  view.setBigUint64(96, h.bodyChecksum, true);
  view.setUint32(104, h.maxProbe, true);
  view.setBigUint64(HEADER_CHECKSUM_OFFSET, xxh64(buf.subarray(0, HEADER_CHECKSUM_OFFSET), 0n), true);
  return buf;
}

/** §Records: a decoded record header whose key and value both end by data_end. */
export interface RecordHeader {
  /** Where the record starts. */
  position: number;
  keyLength: number;
  superseded: boolean;
  keyOffset: number;
  valueOffset: number;
  valueLength: number;
  /** Where the next record starts. */
  end: number;
}

/**
 * §Records, checked before anything is read at `pos`: data_offset ≤ pos and pos + 12 ≤
 * data_end. `referrer` is the offset that named `pos` (an index slot, or `pos` itself
 * when walking the records).
 */
export function checkRecordPosition(pos: number, h: Header, referrer: number, path?: string): void {
  if (pos < h.dataOffset || pos + RECORD_HEADER_SIZE > h.dataEnd) {
    throw new CdbError('ERR_CDB_CORRUPT', `record position ${pos} is outside the records [${h.dataOffset}, ${h.dataEnd})`, {
      offset: referrer,
      path,
    });
  }
}

/**
 * Decodes the 12-byte record header at file offset `pos`, held in `bytes` at `at`
 * (checkRecordPosition() first), and checks that its key and value end by data_end.
 */
export function decodeRecord(bytes: Uint8Array, at: number, pos: number, h: Header, path?: string): RecordHeader {
  const raw = u32le(bytes, at);
  const keyLength = (raw & ~SUPERSEDED) >>> 0;
  const valueLength = u32le(bytes, at + 8) * 0x100000000 + u32le(bytes, at + 4);
  const keyOffset = pos + RECORD_HEADER_SIZE;
  if (keyLength > h.dataEnd - keyOffset) {
    throw new CdbError('ERR_CDB_CORRUPT', `key_length ${keyLength} of the record at ${pos} runs past data_end`, {
      offset: pos,
      path,
    });
  }
  const valueOffset = alignUp(keyOffset + keyLength, h.valueAlign);
  if (valueOffset > h.dataEnd || valueLength > h.dataEnd - valueOffset) {
    throw new CdbError('ERR_CDB_CORRUPT', `value_length ${valueLength} of the record at ${pos} runs past data_end`, {
      offset: pos + 4,
      path,
    });
  }
  return {
    position: pos,
    keyLength,
    superseded: (raw & SUPERSEDED) !== 0,
    keyOffset,
    valueOffset,
    valueLength,
    end: valueOffset + valueLength,
  };
}

/** §Index: one slot's fields. position 0 = empty. */
export interface Slot {
  hashHi: number;
  hashLo: number;
  position: number;
}

/** Decodes the 16-byte slot held in `bytes` at `at` into `out`. */
export function decodeSlot(bytes: Uint8Array, at: number, out: Slot): Slot {
  out.hashLo = u32le(bytes, at);
  out.hashHi = u32le(bytes, at + 4);
  out.position = u32le(bytes, at + 12) * 0x100000000 + u32le(bytes, at + 8);
  return out;
}

/** The error of an index slot that points to a SUPERSEDED record (§Records). */
export function supersededSlotError(pos: number, slotOffset: number, path?: string): CdbError {
  return new CdbError('ERR_CDB_CORRUPT', `index slot points to a superseded record at ${pos}`, { offset: slotOffset, path });
}
