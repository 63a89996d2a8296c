// Lays out the hash index (FORMAT.md §Index): live records sorted by (hash, position),
// each placed at max(home, previous slot + 1), no wrap-around, overflow tail at the end.
import { homeSlot, SLOT_SIZE } from './codec.js';
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

/** The scatter pass handles at most about this share of the records at a time (memory). */
const GROUPS = 4;

/**
 * Streams the index slots to `sink` in order, in chunks of up to 1 MiB.
 *
 * Sorting by (hash, position) is a two-level bucket sort on the top bits of the hash
 * (about 8 records per final bucket, insertion sort inside). Records are in insertion
 * order, which is position order, and every step is stable, so equal hashes stay in
 * position order. Why this shape: one counting sort over ~n/8 buckets scatters to
 * random places and then gathers each record's hash at random — at 10M records that
 * was 4.7 s of cache and TLB misses. Here each pass reads the table sequentially and
 * copies (hash, position) into at most 2,048 top-level buckets (2,048 write streams
 * stay cached); each bucket, now contiguous, is sorted in cache and emitted. The
 * buckets are filled a group at a time (about a quarter of the records per group, so
 * the copy costs 4 bytes per record, like an index array would) — 4 sequential reads
 * of the table are cheaper than one random one.
 */
export function writeIndex(table: RecordTable, homeSlots: number, sink: (bytes: Buffer) => void): IndexLayout {
  if (table.live === 0) return { indexLength: 0, maxProbe: 0 };
  const out = new SlotWriter(homeSlots, sink);
  const totalBits = Math.max(0, Math.min(24, Math.ceil(Math.log2(Math.max(1, table.live / 8)))));
  const topBits = Math.min(MAX_TOP_BITS, totalBits);
  const shift = 32 - topBits; // topBits = 0: one bucket (x >>> 32 would be x in JS)
  const buckets = 1 << topBits;
  const count = new Uint32Array(buckets);
  table.forEachChunk((hi, _lo, pos, n) => {
    for (let j = 0; j < n; j++) if (pos[j]! >= 0) count[topBits === 0 ? 0 : hi[j]! >>> shift]!++;
  });
  let largest = 0;
  for (let b = 0; b < buckets; b++) largest = Math.max(largest, count[b]!);
  const groupMax = Math.max(Math.ceil(table.live / GROUPS), largest);
  const group = new Group(groupMax);
  const local = new LocalSort(totalBits - topBits, topBits);
  for (let b0 = 0; b0 < buckets; ) {
    let b1 = b0;
    let total = 0;
    while (b1 < buckets && total + count[b1]! <= groupMax) total += count[b1++]!;
    group.fill(table, count, b0, b1, topBits);
    let begin = 0;
    for (let b = b0; b < b1; b++) {
      const end = begin + count[b]!;
      if (end > begin) local.sortAndEmit(group, begin, end, out);
      begin = end;
    }
    b0 = b1;
  }
  return out.finish();
}

/** The records of top-level buckets b0 … b1 − 1, copied bucket after bucket in record order. */
class Group {
  readonly hi: Uint32Array;
  readonly lo: Uint32Array;
  readonly pos: Float64Array;

  constructor(size: number) {
    this.hi = new Uint32Array(size);
    this.lo = new Uint32Array(size);
    this.pos = new Float64Array(size);
  }

  fill(table: RecordTable, count: Uint32Array, b0: number, b1: number, topBits: number): void {
    const cursor = new Uint32Array(b1 - b0);
    for (let b = b0 + 1; b < b1; b++) cursor[b - b0] = cursor[b - b0 - 1]! + count[b - 1]!;
    const shift = 32 - topBits;
    const { hi: dHi, lo: dLo, pos: dPos } = this;
    table.forEachChunk((hi, lo, pos, n) => {
      for (let j = 0; j < n; j++) {
        const p = pos[j]!;
        if (p < 0) continue;
        const h = hi[j]!;
        const b = (topBits === 0 ? 0 : h >>> shift) - b0;
        if (b < 0 || b >= b1 - b0) continue;
        const k = cursor[b]!++;
        dHi[k] = h;
        dLo[k] = lo[j]!;
        dPos[k] = p;
      }
    });
  }
}

/** Sorts one contiguous bucket of a Group by (hash, position) and emits its slots. */
class LocalSort {
  #idx = new Uint32Array(1024);
  readonly #next: Uint32Array;
  readonly #mask: number;
  readonly #shift: number;

  constructor(subBits: number, topBits: number) {
    this.#mask = (1 << subBits) - 1;
    this.#shift = 32 - topBits - subBits;
    this.#next = new Uint32Array((1 << subBits) + 1);
  }

  sortAndEmit(g: Group, begin: number, end: number, out: SlotWriter): void {
    const n = end - begin;
    if (n > this.#idx.length) this.#idx = new Uint32Array(Math.max(n, this.#idx.length * 2));
    const { hi, lo, pos } = g;
    // Counting sort of the bucket's records by the next bits of the hash (stable).
    const next = this.#next;
    const mask = this.#mask;
    const shift = this.#shift;
    next.fill(0);
    for (let i = begin; i < end; i++) next[((hi[i]! >>> shift) & mask) + 1]!++;
    for (let s = 0; s < mask + 1; s++) next[s + 1]! += next[s]!;
    const idx = this.#idx;
    for (let i = begin; i < end; i++) idx[next[(hi[i]! >>> shift) & mask]!++] = i;
    // Each sub-bucket by the full hash, then out.
    let from = 0;
    for (let s = 0; s <= mask; s++) {
      const to = next[s]!;
      if (to - from > 1) sortRange(idx, from, to, hi, lo);
      from = to;
    }
    for (let k = 0; k < n; k++) {
      const i = idx[k]!;
      out.put(hi[i]!, lo[i]!, pos[i]!);
    }
  }
}

/** Stable sort of idx[from, to) by (hi, lo); idx values increase with position. */
function sortRange(idx: Uint32Array, from: number, to: number, hi: Uint32Array, lo: Uint32Array): void {
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
