// Lays out the hash index (FORMAT.md §Index): live records sorted by (hash, position),
// each placed at max(home, previous slot + 1), no wrap-around, overflow tail at the end.
import { homeSlot, SLOT_SIZE } from './format.js';
import type { RecordTable } from './record-table.js';

if (new Uint8Array(Uint32Array.of(1).buffer)[0] !== 1) throw new Error('mmcdb needs a little-endian host');

export interface IndexLayout {
  indexLength: number;
  maxProbe: number;
}

const CHUNK_SLOTS = 65536;
/** Top-level buckets at most 2^11: the scatter pass then writes to ≤ 2,048 places at once, all cached. */
const MAX_TOP_BITS = 11;
/** Sub-buckets longer than this are sorted with Array#sort instead of insertion sort (hash flooding). */
const INSERTION_MAX = 32;

/**
 * Streams the index slots to `sink` in order, in chunks of up to 1 MiB.
 *
 * Sorting by (hash, position) is a two-level bucket sort on the top bits of the hash
 * (about 8 records per final bucket, insertion sort inside). Records are in insertion
 * order, which is position order, and every step is stable, so equal hashes stay in
 * position order. Why two levels: one counting sort over ~n/8 buckets scatters to
 * random places of a 4-byte-per-record array and then gathers each record's hash at
 * random — at 10M records that was 4.7 s of cache and TLB misses. Here the first pass
 * scatters to at most 2,048 places (cached), and each top bucket's records are
 * gathered once, in increasing order, into small arrays that are sorted in cache.
 */
export function writeIndex(table: RecordTable, homeSlots: number, sink: (bytes: Buffer) => void): IndexLayout {
  if (table.live === 0) return { indexLength: 0, maxProbe: 0 };
  const out = new SlotWriter(homeSlots, sink);
  const totalBits = Math.max(0, Math.min(24, Math.ceil(Math.log2(Math.max(1, table.live / 8)))));
  const topBits = Math.min(MAX_TOP_BITS, totalBits);
  const subBits = totalBits - topBits;
  const { order, ends } = scatterByTopBits(table, topBits);
  const local = new LocalBucket(subBits, topBits);
  let begin = 0;
  for (let b = 0; b < ends.length; b++) {
    const end = ends[b]!;
    if (end > begin) local.sortAndEmit(table, order, begin, end, out);
    begin = end;
  }
  return out.finish();
}

/** Stable counting sort of the live record numbers by the top `bits` of the hash. */
function scatterByTopBits(table: RecordTable, bits: number): { order: Uint32Array; ends: Uint32Array } {
  const shift = 32 - bits; // bits = 0: one bucket (x >>> 32 would be x in JS, so special-cased)
  const next = new Uint32Array((1 << bits) + 1);
  for (let r = 0; r < table.length; r++) {
    if (table.pos(r) >= 0) next[(bits === 0 ? 0 : table.hi(r) >>> shift) + 1]!++;
  }
  for (let b = 0; b < 1 << bits; b++) next[b + 1]! += next[b]!;
  const order = new Uint32Array(table.live);
  for (let r = 0; r < table.length; r++) {
    if (table.pos(r) >= 0) order[next[bits === 0 ? 0 : table.hi(r) >>> shift]!++] = r;
  }
  return { order, ends: next.subarray(0, 1 << bits) }; // next[b] is now the end of bucket b
}

/** One top-level bucket, gathered into local arrays and sorted there. */
class LocalBucket {
  #hi = new Uint32Array(1024);
  #lo = new Uint32Array(1024);
  #pos = new Float64Array(1024);
  #order = new Uint32Array(1024);
  readonly #next: Uint32Array;
  readonly #subBits: number;
  readonly #shift: number;

  constructor(subBits: number, topBits: number) {
    this.#subBits = subBits;
    this.#shift = 32 - topBits - subBits;
    this.#next = new Uint32Array((1 << subBits) + 1);
  }

  sortAndEmit(table: RecordTable, order: Uint32Array, begin: number, end: number, out: SlotWriter): void {
    const n = end - begin;
    if (n > this.#hi.length) this.#grow(n);
    const hi = this.#hi;
    const lo = this.#lo;
    const pos = this.#pos;
    for (let i = 0; i < n; i++) {
      const r = order[begin + i]!; // increasing: the gather walks the table forwards
      hi[i] = table.hi(r);
      lo[i] = table.lo(r);
      pos[i] = table.pos(r);
    }
    // Counting sort of local indices by the next subBits of the hash.
    const next = this.#next;
    const mask = (1 << this.#subBits) - 1;
    const shift = this.#shift;
    next.fill(0);
    for (let i = 0; i < n; i++) next[((hi[i]! >>> shift) & mask) + 1]!++;
    for (let s = 0; s < mask + 1; s++) next[s + 1]! += next[s]!;
    const idx = this.#order;
    for (let i = 0; i < n; i++) idx[next[(hi[i]! >>> shift) & mask]!++] = i;
    // Sort each sub-bucket by the full hash; then emit.
    let from = 0;
    for (let s = 0; s <= mask; s++) {
      const to = next[s]!;
      if (to - from > 1) this.#sortRange(from, to);
      from = to;
    }
    for (let k = 0; k < n; k++) {
      const i = idx[k]!;
      out.put(hi[i]!, lo[i]!, pos[i]!);
    }
  }

  /** Stable sort of idx[from, to) by (hi, lo); idx values increase with position. */
  #sortRange(from: number, to: number): void {
    const hi = this.#hi;
    const lo = this.#lo;
    const idx = this.#order;
    if (to - from > INSERTION_MAX) {
      const part = Array.from(idx.subarray(from, to));
      part.sort((a, b) => hi[a]! - hi[b]! || lo[a]! - lo[b]! || a - b);
      idx.set(part, from);
      return;
    }
    for (let i = from + 1; i < to; i++) {
      const x = idx[i]!;
      const xh = hi[x]!;
      const xl = lo[x]!;
      let j = i - 1;
      while (j >= from) {
        const y = idx[j]!;
        const yh = hi[y]!;
        if (yh < xh || (yh === xh && lo[y]! <= xl)) break;
        idx[j + 1] = y;
        j--;
      }
      idx[j + 1] = x;
    }
  }

  #grow(n: number): void {
    const size = Math.max(n, this.#hi.length * 2);
    this.#hi = new Uint32Array(size);
    this.#lo = new Uint32Array(size);
    this.#pos = new Float64Array(size);
    this.#order = new Uint32Array(size);
  }
}

/** Places slots in order (FORMAT.md §Index) and streams them out in 1 MiB chunks. */
class SlotWriter {
  readonly #chunk = Buffer.alloc(CHUNK_SLOTS * SLOT_SIZE);
  // Slot fields as u32 words: [hash lo, hash hi, position lo, position hi] (little-endian host).
  readonly #words = new Uint32Array(this.#chunk.buffer, this.#chunk.byteOffset, CHUNK_SLOTS * 4);
  readonly #homeSlots: number;
  readonly #sink: (bytes: Buffer) => void;
  #used = 0; // slots in the chunk
  #next = 0; // next slot number to emit
  #maxProbe = 0;

  constructor(homeSlots: number, sink: (bytes: Buffer) => void) {
    this.#homeSlots = homeSlots;
    this.#sink = sink;
  }

  put(hi: number, lo: number, pos: number): void {
    const home = homeSlot(hi, this.#homeSlots);
    const slot = Math.max(home, this.#next);
    if (slot - home > this.#maxProbe) this.#maxProbe = slot - home;
    if (slot > this.#next) this.#emptyUntil(slot);
    const w = this.#used * 4;
    const words = this.#words;
    words[w] = lo;
    words[w + 1] = hi;
    words[w + 2] = pos % 0x100000000;
    words[w + 3] = Math.floor(pos / 0x100000000);
    this.#next++;
    if (++this.#used === CHUNK_SLOTS) this.#flush();
  }

  finish(): IndexLayout {
    this.#emptyUntil(this.#homeSlots);
    if (this.#used > 0) this.#flush();
    return { indexLength: this.#next, maxProbe: Math.min(this.#maxProbe, 0xffffffff) };
  }

  #emptyUntil(slot: number): void {
    while (this.#next < slot) {
      const n = Math.min(slot - this.#next, CHUNK_SLOTS - this.#used);
      this.#used += n; // the chunk is zero-filled already
      this.#next += n;
      if (this.#used === CHUNK_SLOTS) this.#flush();
    }
  }

  #flush(): void {
    this.#sink(this.#chunk.subarray(0, this.#used * SLOT_SIZE));
    this.#chunk.fill(0);
    this.#used = 0;
  }
}
