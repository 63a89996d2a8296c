// The records added so far, findable by key hash: what the duplicate policies other than
// 'all' need to spot a key added again. Open addressing over record numbers (+1, 0 =
// empty), 4 bytes per slot and 2–4 slots per distinct key; the writer owns the hashes
// and compares the keys.
export class DuplicateSet {
  #slots = new Uint32Array(1024);
  #count = 0;
  readonly #hashOf: (record: number) => number;

  /** `hashOf(record)`: a well-mixed 32-bit hash of that record's key. */
  constructor(hashOf: (record: number) => number) {
    this.#hashOf = hashOf;
  }

  /** [slot, record] for every record whose hash is `h` (then compare the keys). */
  *candidates(h: number): Generator<[slot: number, record: number]> {
    const slots = this.#slots;
    const mask = slots.length - 1;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const r = slots[i]!;
      if (r === 0) return;
      if (this.#hashOf(r - 1) === h) yield [i, r - 1];
    }
  }

  add(record: number): void {
    if ((this.#count + 1) * 2 > this.#slots.length) this.#grow();
    this.#place(this.#slots, record);
    this.#count++;
  }

  /** `record` takes the place of the one in `slot` (the same key, added again). */
  replace(slot: number, record: number): void {
    this.#slots[slot] = record + 1;
  }

  #place(slots: Uint32Array, record: number): void {
    const mask = slots.length - 1;
    let i = this.#hashOf(record) & mask;
    while (slots[i] !== 0) i = (i + 1) & mask;
    slots[i] = record + 1;
  }

  #grow(): void {
    const old = this.#slots;
    const next = new Uint32Array(old.length * 2);
    for (const r of old) if (r !== 0) this.#place(next, r - 1);
    this.#slots = next;
  }
}

/** A 32-bit mix of a 32-bit hash (djb hashes cluster; xxh64 halves need none). */
export function mix32(h: number): number {
  const x = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
  return (x ^ (x >>> 16)) >>> 0;
}
