// verify() for classic djb cdb files (docs/CLASSIC.md §Verify): a classic file has no
// checksum, so this walks every record and every table slot and checks that each slot
// points at a record start, carries that record's djb hash, sits in the right table and
// can be reached by a lookup from its home slot.
import { binarySearch } from '../binary-search.js';
import { CdbError } from '../errors.js';
import type { ByteSource } from '../source.js';
import { djbHash, probeDistance, readRecord, readToc, SLOT, TABLES, TOC_SIZE } from './format.js';

/** Walks every record and table slot of a classic file; returns the record count or throws CdbError. */
export function verifyClassic(src: ByteSource, path: string): number {
  const toc = readToc(src, path);
  const starts = recordStarts(src, toc.dataEnd, path);
  const referenced = new Uint8Array(starts.length);
  for (let t = 0; t < TABLES; t++) {
    const n = toc.slots[t]!;
    if (n === 0) continue;
    const tablePos = toc.pos[t]!;
    if (tablePos < toc.dataEnd) {
      throw new CdbError('ERR_CDB_CORRUPT', `table ${t} starts at ${tablePos}, inside the records (which end at ${toc.dataEnd})`, {
        offset: t * 8,
        path,
      });
    }
    const table = src.bytes(tablePos, n * SLOT);
    // Walk the table cyclically from just after an empty slot, so that "no empty slot
    // between home and here" can be checked in one pass. A full table has no empty slot:
    // every entry is reachable within `n` probes.
    let empty = -1;
    for (let i = 0; i < n; i++) {
      if (table.readUInt32LE(i * SLOT + 4) === 0) {
        empty = i;
        break;
      }
    }
    let lastEmpty = empty; // in unwrapped coordinates
    const first = empty + 1;
    for (let u = first; u < first + n; u++) {
      const i = u % n;
      const slotOffset = tablePos + i * SLOT;
      const h = table.readUInt32LE(i * SLOT);
      const recPos = table.readUInt32LE(i * SLOT + 4);
      if (recPos === 0) {
        lastEmpty = u;
        continue;
      }
      const bad = (what: string) => new CdbError('ERR_CDB_CORRUPT', `table ${t} slot ${i}: ${what}`, { offset: slotOffset, path });
      if ((h & 255) !== t) throw bad(`hash ${hex(h)} belongs in table ${h & 255}`);
      const r = binarySearch(starts, recPos);
      if (r < 0) throw bad(`position ${recPos} is not the start of a record`);
      if (referenced[r]) throw bad(`record at ${recPos} is referenced by a second slot`);
      referenced[r] = 1;
      const rec = readRecord(src, recPos, toc.dataEnd, slotOffset, path);
      const keyHash = djbHash(src.bytes(rec.keyOffset, rec.keyLength));
      if (keyHash !== h) throw bad(`stored hash ${hex(h)} differs from the key's hash ${hex(keyHash)} (record at ${recPos})`);
      const d = probeDistance(h, i, n);
      if (empty >= 0 && lastEmpty >= u - d) {
        throw bad(`unreachable: an empty slot lies between it and its home slot ${(h >>> 8) % n}`);
      }
    }
  }
  return starts.length;
}

/** Walks the records from 2048 to the end of the records; returns their sorted start offsets. */
function recordStarts(src: ByteSource, dataEnd: number, path: string): Float64Array {
  let starts = new Float64Array(1024);
  let count = 0;
  for (let pos = TOC_SIZE; pos < dataEnd; ) {
    const rec = readRecord(src, pos, dataEnd, pos, path);
    if (count === starts.length) {
      const grown = new Float64Array(count * 2);
      grown.set(starts);
      starts = grown;
    }
    starts[count++] = pos;
    pos = rec.end;
  }
  return starts.subarray(0, count);
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}
