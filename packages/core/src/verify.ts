// verify(): the full check that open() skips — body checksum, every record, every
// index slot (FORMAT.md §Checksums, §Records, §Index).
import * as fs from 'node:fs';
import { CdbError } from './errors.js';
import {
  alignUp,
  decodeHeader,
  HEADER_SIZE,
  hasMagic,
  homeSlot,
  RECORD_HEADER_SIZE,
  SLOT_SIZE,
  SUPERSEDED,
  type Header,
} from './format.js';
import { createXxh64, xxh64Split } from './hash.js';
import { verifyClassic } from './classic/verify.js';
import { binarySearch } from './binary-search.js';
import { MemorySource, PreadSource, type ByteSource } from './source.js';

export interface VerifyReport {
  ok: boolean;
  path: string;
  format: 'mmcdb' | 'classic';
  records: number;
  fileSize: number;
  /** The first problem found, with its offset, when ok is false. */
  error?: CdbError;
}

const MEMORY_LIMIT = 512 * 1024 * 1024;

/** Checks a database completely. Resolves with ok: false and the first problem; rejects only for I/O errors. */
export async function verify(path: string): Promise<VerifyReport> {
  if (typeof path !== 'string' || path === '') throw new TypeError('path must be a non-empty string');
  const fd = fs.openSync(path, 'r');
  const size = fs.fstatSync(fd).size;
  const src: ByteSource = size <= MEMORY_LIMIT ? MemorySource.fromFile(fd, size) : new PreadSource(fd, size);
  if (src instanceof MemorySource) fs.closeSync(fd);
  const report: VerifyReport = { ok: true, path, format: 'mmcdb', records: 0, fileSize: size };
  try {
    const head = src.bytes(0, Math.min(HEADER_SIZE, size));
    if (!hasMagic(head) && size >= 2048) {
      report.format = 'classic';
      report.records = verifyClassic(src, path);
      return report;
    }
    const h = decodeHeader(head, size, path);
    report.records = h.recordCount;
    checkBody(src, h, path);
    const starts = checkRecords(src, h, path);
    checkIndex(src, h, starts, path);
  } catch (err) {
    if (!(err instanceof CdbError)) throw err;
    report.ok = false;
    report.error = err;
  } finally {
    src.close();
  }
  return report;
}

function checkBody(src: ByteSource, h: Header, path: string): void {
  const hash = createXxh64(0n);
  const step = 1 << 20;
  for (let p = HEADER_SIZE; p < h.fileLength; p += step) hash.update(src.bytes(p, Math.min(step, h.fileLength - p)));
  if (hash.digest() !== h.bodyChecksum) {
    throw new CdbError('ERR_CDB_CHECKSUM', 'body checksum mismatch: the file was changed or damaged after it was built', {
      offset: 96,
      path,
    });
  }
}

/** Walks every record; returns the sorted positions of the live ones. */
function checkRecords(src: ByteSource, h: Header, path: string): Float64Array {
  const starts = new Float64Array(h.recordCount);
  let live = 0;
  let pos = h.dataOffset;
  while (pos < h.dataEnd) {
    const corrupt = (what: string) => new CdbError('ERR_CDB_CORRUPT', `record at ${pos}: ${what}`, { offset: pos, path });
    if (pos + RECORD_HEADER_SIZE > h.dataEnd) throw corrupt('header runs past data_end');
    const rec = src.bytes(pos, RECORD_HEADER_SIZE);
    const rawKeyLength = rec.readUInt32LE(0);
    const keyLength = rawKeyLength & ~SUPERSEDED;
    const valueLength = rec.readUInt32LE(8) * 0x100000000 + rec.readUInt32LE(4);
    const valueOffset = alignUp(pos + RECORD_HEADER_SIZE + keyLength, h.valueAlign);
    if (valueOffset + valueLength > h.dataEnd) throw corrupt('key or value runs past data_end');
    if ((rawKeyLength & SUPERSEDED) === 0) {
      if (live === h.recordCount) throw corrupt(`more live records than record_count (${h.recordCount})`);
      starts[live++] = pos;
    }
    pos = valueOffset + valueLength;
  }
  if (live !== h.recordCount) {
    throw new CdbError('ERR_CDB_CORRUPT', `${live} live records but record_count is ${h.recordCount}`, { offset: 16, path });
  }
  return starts;
}

function checkIndex(src: ByteSource, h: Header, starts: Float64Array, path: string): void {
  let used = 0;
  let lastEmpty = -1;
  let prevHi = -1;
  let prevLo = -1;
  let prevPos = -1;
  const hash = { hi: 0, lo: 0 };
  for (let i = 0; i < h.indexLength; i++) {
    const slotOffset = h.indexOffset + i * SLOT_SIZE;
    const bad = (what: string) => new CdbError('ERR_CDB_CORRUPT', `index slot ${i}: ${what}`, { offset: slotOffset, path });
    const s = src.bytes(slotOffset, SLOT_SIZE);
    const lo = s.readUInt32LE(0);
    const hi = s.readUInt32LE(4);
    const pos = s.readUInt32LE(12) * 0x100000000 + s.readUInt32LE(8);
    if (pos === 0) {
      if (hi !== 0 || lo !== 0) throw bad('empty slot with a non-zero hash');
      lastEmpty = i;
      continue;
    }
    used++;
    const home = homeSlot(hi, h.homeSlots);
    if (home > i) throw bad(`record sits before its home slot ${home}`);
    if (lastEmpty >= home) throw bad(`an empty slot (${lastEmpty}) lies between the record and its home slot ${home}`);
    if (hi < prevHi || (hi === prevHi && (lo < prevLo || (lo === prevLo && pos <= prevPos)))) {
      throw bad('slots are not in (hash, position) order');
    }
    if (binarySearch(starts, pos) < 0) throw bad(`position ${pos} is not the start of a live record`);
    const rec = src.bytes(pos, RECORD_HEADER_SIZE);
    const key = src.bytes(pos + RECORD_HEADER_SIZE, rec.readUInt32LE(0));
    xxh64Split(key, h.seed, hash);
    if (hash.hi !== hi || hash.lo !== lo) throw bad(`hash does not match the key of the record at ${pos}`);
    prevHi = hi;
    prevLo = lo;
    prevPos = pos;
  }
  if (used !== h.recordCount) {
    throw new CdbError('ERR_CDB_CORRUPT', `${used} index slots in use but record_count is ${h.recordCount}`, { offset: 16, path });
  }
}
