// analyze(): the numbers behind `cdb stats` — record and length statistics plus the
// shape of the index (load factor, probe distances).
import * as fs from 'node:fs';
import { CdbError } from './errors.js';
import { decodeHeader, HEADER_SIZE, hasMagic, homeSlot, RECORD_HEADER_SIZE, SLOT_SIZE, type Header } from './format.js';
import { openSync } from './open.js';
import { analyzeClassic, type ClassicStats } from './classic/analyze.js';
import { MemorySource, PreadSource, type ByteSource } from './source.js';

export interface LengthStats {
  min: number;
  avg: number;
  max: number;
  total: number;
}

export interface DbStats {
  format: 'mmcdb' | 'classic';
  fileSize: number;
  records: number;
  distinctKeys: number;
  keyLength: LengthStats;
  valueLength: LengthStats;
  index: {
    /** Slots in the index (classic: all 256 tables together). */
    slots: number;
    /** Slots in use (= records). */
    used: number;
    loadFactor: number;
    /** Non-empty tables (classic only; 1 for mmcdb). */
    tables: number;
    /** Records not in their home slot. */
    collisions: number;
    maxProbe: number;
    /** probeHistogram[d] = records at probe distance d, for d = 0..9; [10] = farther. */
    probeHistogram: number[];
  };
  seed?: bigint;
  valueAlign?: number;
  /** Classic files only: per-table lengths and tinycdb `cdb -s` numbers (docs/CLASSIC.md §Statistics). */
  classic?: ClassicStats;
}

const MEMORY_LIMIT = 512 * 1024 * 1024;

export function lengthStats(): LengthStats {
  return { min: 0, avg: 0, max: 0, total: 0 };
}

export function addLength(s: LengthStats, n: number, count: number): void {
  if (count === 1 || n < s.min) s.min = n;
  if (n > s.max) s.max = n;
  s.total += n;
}

export function finishLength(s: LengthStats, count: number): void {
  s.avg = count === 0 ? 0 : s.total / count;
}

export async function analyze(path: string): Promise<DbStats> {
  if (typeof path !== 'string' || path === '') throw new TypeError('path must be a non-empty string');
  const fd = fs.openSync(path, 'r');
  const size = fs.fstatSync(fd).size;
  const src: ByteSource = size <= MEMORY_LIMIT ? MemorySource.fromFile(fd, size) : new PreadSource(fd, size);
  if (src instanceof MemorySource) fs.closeSync(fd);
  try {
    const head = src.bytes(0, Math.min(HEADER_SIZE, size));
    if (!hasMagic(head) && size >= 2048) return analyzeClassic(src, path);
    return analyzeMmcdb(src, decodeHeader(head, size, path), path);
  } finally {
    src.close();
  }
}

function analyzeMmcdb(src: ByteSource, h: Header, path: string): DbStats {
  const keyLength = lengthStats();
  const valueLength = lengthStats();
  const reader = openSync(path, { backend: 'pread' });
  let n = 0;
  try {
    for (const [k, v] of reader.entries()) {
      n++;
      addLength(keyLength, k.length, n);
      addLength(valueLength, v.length, n);
    }
  } finally {
    reader.close();
  }
  finishLength(keyLength, n);
  finishLength(valueLength, n);
  const histogram = new Array<number>(11).fill(0);
  let used = 0;
  let collisions = 0;
  let maxProbe = 0;
  let distinct = 0;
  let runHi = -1;
  let runLo = -1;
  let runKeys: Buffer[] = [];
  for (let i = 0; i < h.indexLength; i++) {
    const s = src.bytes(h.indexOffset + i * SLOT_SIZE, SLOT_SIZE);
    const pos = s.readUInt32LE(12) * 0x100000000 + s.readUInt32LE(8);
    if (pos === 0) continue;
    used++;
    const lo = s.readUInt32LE(0);
    const hi = s.readUInt32LE(4);
    const d = i - homeSlot(hi, h.homeSlots);
    if (d > 0) collisions++;
    maxProbe = Math.max(maxProbe, d);
    histogram[Math.min(d, 10)]!++;
    if (pos + RECORD_HEADER_SIZE > h.dataEnd) throw new CdbError('ERR_CDB_CORRUPT', `slot ${i} points past the data`, { path });
    const key = src.bytes(pos + RECORD_HEADER_SIZE, src.bytes(pos, 4).readUInt32LE(0) & 0x7fffffff);
    // Equal keys have equal hashes, and the index keeps equal hashes together.
    if (hi !== runHi || lo !== runLo) {
      runHi = hi;
      runLo = lo;
      runKeys = [];
    }
    if (!runKeys.some((k) => k.equals(key))) {
      runKeys.push(Buffer.from(key));
      distinct++;
    }
  }
  return {
    format: 'mmcdb',
    fileSize: h.fileLength,
    records: h.recordCount,
    distinctKeys: distinct,
    keyLength,
    valueLength,
    index: {
      slots: h.indexLength,
      used,
      loadFactor: h.indexLength === 0 ? 0 : used / h.indexLength,
      tables: h.indexLength === 0 ? 0 : 1,
      collisions,
      maxProbe,
      probeHistogram: histogram,
    },
    seed: h.seed,
    valueAlign: h.valueAlign,
  };
}
