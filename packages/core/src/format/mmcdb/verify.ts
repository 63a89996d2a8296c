// The full check of an mmcdb file that open() skips (FORMAT.md §Checksums, §Records,
// §Index): the body checksum, every record, every index slot. Returns the record count
// or throws the first problem as a CdbError.
import { binarySearch } from '../../util/binary-search.js';
import { CdbError } from '../../util/errors.js';
import { createXxh64, xxh64Split } from '../../util/hash.js';
import { parseMetadata } from '../../util/json.js';
import type { ByteSource } from '../../source/byte-source.js';
import { decodeSlot, HEADER_SIZE, homeSlot, SLOT_SIZE, type Header, type Slot } from './codec.js';
import { MmcdbEngine } from './engine.js';

export function verifyMmcdb(src: ByteSource, h: Header, path: string): number {
  checkBody(src, h, path);
  const engine = new MmcdbEngine(src, h, 'memory', path);
  const starts = checkRecords(engine, h, path);
  checkIndex(src, engine, h, starts, path);
  // §Metadata: what reader.metadata would parse must parse.
  const text = engine.metadataText();
  if (text !== undefined) parseMetadata(text, path, h.metaOffset);
  return h.recordCount;
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
function checkRecords(engine: MmcdbEngine, h: Header, path: string): Float64Array {
  const starts = new Float64Array(h.recordCount);
  let live = 0;
  for (const rec of engine.records()) {
    if (rec.superseded) continue;
    const pos = rec.position;
    if (live === h.recordCount) {
      throw new CdbError('ERR_CDB_CORRUPT', `record at ${pos}: more live records than record_count (${h.recordCount})`, {
        offset: pos,
        path,
      });
    }
    starts[live++] = pos;
  }
  if (live !== h.recordCount) {
    throw new CdbError('ERR_CDB_CORRUPT', `${live} live records but record_count is ${h.recordCount}`, { offset: 16, path });
  }
  return starts;
}

function checkIndex(src: ByteSource, engine: MmcdbEngine, h: Header, starts: Float64Array, path: string): void {
  let used = 0;
  let lastEmpty = -1;
  let prevHi = -1;
  let prevLo = -1;
  let prevPos = -1;
  const hash = { hi: 0, lo: 0 };
  const s: Slot = { hashHi: 0, hashLo: 0, position: 0 };
  for (let i = 0; i < h.indexLength; i++) {
    const slotOffset = h.indexOffset + i * SLOT_SIZE;
    const bad = (what: string) => new CdbError('ERR_CDB_CORRUPT', `index slot ${i}: ${what}`, { offset: slotOffset, path });
    const { hashHi: hi, hashLo: lo, position: pos } = decodeSlot(src.data, src.load(slotOffset, SLOT_SIZE), s);
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
    const rec = engine.recordAt(pos, slotOffset);
    xxh64Split(engine.keyOf(rec), h.seed, hash);
    if (hash.hi !== hi || hash.lo !== lo) throw bad(`hash does not match the key of the record at ${pos}`);
    prevHi = hi;
    prevLo = lo;
    prevPos = pos;
  }
  if (used !== h.recordCount) {
    throw new CdbError('ERR_CDB_CORRUPT', `${used} index slots in use but record_count is ${h.recordCount}`, {
      offset: 16,
      path,
    });
  }
}
