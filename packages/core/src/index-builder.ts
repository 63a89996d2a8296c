// Lays out the hash index (FORMAT.md §Index): live records sorted by (hash, position),
// each placed at max(home, previous slot + 1), no wrap-around, overflow tail at the end.
import { homeSlot, SLOT_SIZE } from './format.js';
import type { RecordTable } from './record-table.js';

export interface IndexLayout {
  indexLength: number;
  maxProbe: number;
}

const CHUNK_SLOTS = 65536;

/** Streams the index slots to `sink` in order, in chunks of up to 1 MiB. */
export function writeIndex(table: RecordTable, homeSlots: number, sink: (bytes: Buffer) => void): IndexLayout {
  if (table.live === 0) return { indexLength: 0, maxProbe: 0 };
  const order = sortByHash(table, homeSlots);
  const chunk = Buffer.alloc(CHUNK_SLOTS * SLOT_SIZE);
  let used = 0; // slots in chunk
  let next = 0; // next slot number to emit
  let maxProbe = 0;
  const flush = (): void => {
    sink(chunk.subarray(0, used * SLOT_SIZE));
    chunk.fill(0);
    used = 0;
  };
  const emitEmptyUntil = (slot: number): void => {
    while (next < slot) {
      const n = Math.min(slot - next, CHUNK_SLOTS - used);
      used += n; // the chunk is zero-filled already
      next += n;
      if (used === CHUNK_SLOTS) flush();
    }
  };
  for (let k = 0; k < order.length; k++) {
    const r = order[k]!;
    const home = homeSlot(table.hi[r]!, homeSlots);
    const slot = Math.max(home, next);
    maxProbe = Math.max(maxProbe, slot - home);
    emitEmptyUntil(slot);
    const o = used * SLOT_SIZE;
    chunk.writeUInt32LE(table.lo[r]!, o);
    chunk.writeUInt32LE(table.hi[r]!, o + 4);
    const p = table.pos[r]!;
    chunk.writeUInt32LE(p % 0x100000000, o + 8);
    chunk.writeUInt32LE(Math.floor(p / 0x100000000), o + 12);
    used++;
    next++;
    if (used === CHUNK_SLOTS) flush();
  }
  emitEmptyUntil(homeSlots);
  if (used > 0) flush();
  return { indexLength: next, maxProbe: Math.min(maxProbe, 0xffffffff) };
}

/**
 * Live record numbers ordered by (hash, position): a counting sort by home slot
 * (home never decreases with the hash) keeps insertion order, then a stable
 * insertion sort orders each home's few records by full hash.
 */
function sortByHash(table: RecordTable, homeSlots: number): Uint32Array {
  const start = new Uint32Array(homeSlots + 1);
  for (let r = 0; r < table.length; r++) {
    if (table.pos[r]! >= 0) start[homeSlot(table.hi[r]!, homeSlots) + 1]!++;
  }
  for (let h = 0; h < homeSlots; h++) start[h + 1]! += start[h]!;
  const order = new Uint32Array(table.live);
  for (let r = 0; r < table.length; r++) {
    if (table.pos[r]! >= 0) order[start[homeSlot(table.hi[r]!, homeSlots)]!++] = r;
  }
  // start[h] now holds the end of bucket h; sort each bucket of more than one record.
  const { hi, lo } = table;
  let begin = 0;
  for (let h = 0; h < homeSlots; h++) {
    const end = start[h]!;
    for (let i = begin + 1; i < end; i++) {
      const r = order[i]!;
      let j = i - 1;
      while (j >= begin) {
        const q = order[j]!;
        if (hi[q]! < hi[r]! || (hi[q] === hi[r] && lo[q]! <= lo[r]!)) break;
        order[j + 1] = q;
        j--;
      }
      order[j + 1] = r;
    }
    begin = end;
  }
  return order;
}
