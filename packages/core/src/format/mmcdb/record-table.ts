// The writer's in-memory record table: 16 bytes per record (hash halves + position),
// the only memory a build needs in proportion to its record count. Stored in fixed
// chunks so growing never copies (a doubling array would briefly need 3× the memory).

const CHUNK_BITS = 16;
const CHUNK = 1 << CHUNK_BITS;
const MASK = CHUNK - 1;

export class RecordTable {
  readonly #hi: Uint32Array[] = [];
  readonly #lo: Uint32Array[] = [];
  /** Record offset in the file; -1 for a record superseded by a later one. */
  readonly #pos: Float64Array[] = [];
  length = 0;
  live = 0;

  push(hi: number, lo: number, pos: number): number {
    const i = this.length++;
    const c = i >>> CHUNK_BITS;
    if (c === this.#hi.length) {
      this.#hi.push(new Uint32Array(CHUNK));
      this.#lo.push(new Uint32Array(CHUNK));
      this.#pos.push(new Float64Array(CHUNK));
    }
    this.#hi[c]![i & MASK] = hi;
    this.#lo[c]![i & MASK] = lo;
    this.#pos[c]![i & MASK] = pos;
    this.live++;
    return i;
  }

  hi(i: number): number {
    return this.#hi[i >>> CHUNK_BITS]![i & MASK]!;
  }

  lo(i: number): number {
    return this.#lo[i >>> CHUNK_BITS]![i & MASK]!;
  }

  pos(i: number): number {
    return this.#pos[i >>> CHUNK_BITS]![i & MASK]!;
  }

  /**
   * Calls fn for every chunk in record order: records base … base + count − 1 as
   * (hi, lo, pos) arrays. For passes over the whole table without per-record lookups.
   */
  forEachChunk(fn: (hi: Uint32Array, lo: Uint32Array, pos: Float64Array, count: number, base: number) => void): void {
    for (let c = 0; c < this.#hi.length; c++) {
      fn(this.#hi[c]!, this.#lo[c]!, this.#pos[c]!, Math.min(CHUNK, this.length - c * CHUNK), c * CHUNK);
    }
  }

  kill(i: number): void {
    const chunk = this.#pos[i >>> CHUNK_BITS]!;
    if (chunk[i & MASK]! >= 0) {
      chunk[i & MASK] = -1;
      this.live--;
    }
  }
}
