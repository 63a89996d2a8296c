// The writer's in-memory record table: 16 bytes per record (hash halves + position),
// the only memory a build needs in proportion to its record count.

export class RecordTable {
  hi = new Uint32Array(1024);
  lo = new Uint32Array(1024);
  /** Record offset in the file; -1 for a record superseded by a later one. */
  pos = new Float64Array(1024);
  length = 0;
  live = 0;

  push(hi: number, lo: number, pos: number): number {
    if (this.length === this.hi.length) this.#grow();
    const i = this.length++;
    this.hi[i] = hi;
    this.lo[i] = lo;
    this.pos[i] = pos;
    this.live++;
    return i;
  }

  kill(i: number): void {
    if (this.pos[i]! >= 0) {
      this.pos[i] = -1;
      this.live--;
    }
  }

  #grow(): void {
    const n = this.hi.length * 2;
    const hi = new Uint32Array(n);
    hi.set(this.hi);
    const lo = new Uint32Array(n);
    lo.set(this.lo);
    const pos = new Float64Array(n);
    pos.set(this.pos);
    this.hi = hi;
    this.lo = lo;
    this.pos = pos;
  }
}

/**
 * Finds earlier records with the same hash, for the duplicate policies other than
 * 'all'. Open addressing over record numbers (+1, 0 = empty), keyed by the hash.
 */
export class HashSet {
  #slots = new Uint32Array(1024);
  #count = 0;
  readonly #table: RecordTable;

  constructor(table: RecordTable) {
    this.#table = table;
  }

  /** Record numbers with this exact hash, in insertion order of the set. */
  *candidates(hi: number, lo: number): Generator<number> {
    const mask = this.#slots.length - 1;
    for (let i = (lo ^ hi) & mask; ; i = (i + 1) & mask) {
      const r = this.#slots[i]!;
      if (r === 0) return;
      if (this.#table.hi[r - 1] === hi && this.#table.lo[r - 1] === lo) yield r - 1;
    }
  }

  add(record: number): void {
    if ((this.#count + 1) * 2 > this.#slots.length) this.#rehash();
    this.#insert(this.#slots, record);
    this.#count++;
  }

  /** Replaces `oldRecord` by `newRecord` (same hash) in place. */
  replace(oldRecord: number, newRecord: number): void {
    const mask = this.#slots.length - 1;
    const hi = this.#table.hi[oldRecord]!;
    const lo = this.#table.lo[oldRecord]!;
    for (let i = (lo ^ hi) & mask; this.#slots[i] !== 0; i = (i + 1) & mask) {
      if (this.#slots[i] === oldRecord + 1) {
        this.#slots[i] = newRecord + 1;
        return;
      }
    }
    this.add(newRecord);
  }

  #insert(slots: Uint32Array, record: number): void {
    const mask = slots.length - 1;
    let i = (this.#table.lo[record]! ^ this.#table.hi[record]!) & mask;
    while (slots[i] !== 0) i = (i + 1) & mask;
    slots[i] = record + 1;
  }

  #rehash(): void {
    const old = this.#slots;
    const next = new Uint32Array(old.length * 2);
    for (const r of old) if (r !== 0) this.#insert(next, r - 1);
    this.#slots = next;
  }
}
