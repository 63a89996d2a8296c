// Lays out the hash index (FORMAT.md §Index): live records sorted by (hash, position),
// each placed at max(home, previous slot + 1), no wrap-around, overflow tail at the end.
import { homeSlot, SLOT_SIZE } from './format.js';

if (new Uint8Array(Uint32Array.of(1).buffer)[0] !== 1) throw new Error('mmcdb needs a little-endian host');
import type { RecordTable } from './record-table.js';

export interface IndexLayout {
  indexLength: number;
  maxProbe: number;
}

const CHUNK_SLOTS = 65536;

/** Streams the index slots to `sink` in order, in chunks of up to 1 MiB. */
export function writeIndex(table: RecordTable, homeSlots: number, sink: (bytes: Buffer) => void): IndexLayout {
  if (table.live === 0) return { indexLength: 0, maxProbe: 0 };
  const order = sortByHash(table);
  const chunk = Buffer.alloc(CHUNK_SLOTS * SLOT_SIZE);
  // Slot fields as u32 words: [hash lo, hash hi, position lo, position hi] (little-endian host).
  const words = new Uint32Array(chunk.buffer, chunk.byteOffset, CHUNK_SLOTS * 4);
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
    const home = homeSlot(table.hi(r), homeSlots);
    const slot = Math.max(home, next);
    maxProbe = Math.max(maxProbe, slot - home);
    emitEmptyUntil(slot);
    const w = used * 4;
    const p = table.pos(r);
    words[w] = table.lo(r);
    words[w + 1] = table.hi(r);
    words[w + 2] = p % 0x100000000;
    words[w + 3] = Math.floor(p / 0x100000000);
    used++;
    next++;
    if (used === CHUNK_SLOTS) flush();
  }
  emitEmptyUntil(homeSlots);
  if (used > 0) flush();
  return { indexLength: next, maxProbe: Math.min(maxProbe, 0xffffffff) };
}

/**
 * Live record numbers ordered by (hash, position): a counting sort on the top bits of the
 * hash (about 8 records per bucket, so the counts cost ~0.5 byte per record instead of
 * 8 for one count per home slot) keeps insertion order, then a stable insertion sort
 * orders each bucket by full hash. Home slots follow, as home never decreases with the hash.
 */
function sortByHash(table: RecordTable): Uint32Array {
  const bits = Math.max(0, Math.min(24, Math.ceil(Math.log2(Math.max(1, table.live / 8)))));
  const buckets = 2 ** bits;
  const bucketOf = (r: number): number => (bits === 0 ? 0 : table.hi(r) >>> (32 - bits));
  const start = new Uint32Array(buckets + 1);
  for (let r = 0; r < table.length; r++) if (table.pos(r) >= 0) start[bucketOf(r) + 1]!++;
  for (let b = 0; b < buckets; b++) start[b + 1]! += start[b]!;
  const order = new Uint32Array(table.live);
  for (let r = 0; r < table.length; r++) if (table.pos(r) >= 0) order[start[bucketOf(r)]!++] = r;
  // start[b] now holds the end of bucket b.
  let begin = 0;
  for (let b = 0; b < buckets; b++) {
    const end = start[b]!;
    for (let i = begin + 1; i < end; i++) {
      const r = order[i]!;
      const rh = table.hi(r);
      const rl = table.lo(r);
      let j = i - 1;
      while (j >= begin) {
        const q = order[j]!;
        const qh = table.hi(q);
        if (qh < rh || (qh === rh && table.lo(q) <= rl)) break;
        order[j + 1] = q;
        j--;
      }
      order[j + 1] = r;
    }
    begin = end;
  }
  return order;
}
