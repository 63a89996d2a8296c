// A least-recently-used cache of fixed-size blocks of one remote file version, bounded
// in bytes (docs/REMOTE.md §Cache). A block is kept as a view of the response body it
// came in — no copy per block, which at a thousand blocks per getMany() was most of its
// garbage — and the limit counts the memory really held: each body once, for as long as
// any of its blocks is cached. A reader's new version gets a new cache: blocks of two
// versions never meet.

export class BlockCache {
  readonly maxBytes: number;
  // A Map iterates in insertion order: re-inserting on every hit keeps the least recently
  // used block first.
  readonly #blocks = new Map<number, Uint8Array>();
  /** Cached blocks per backing buffer. */
  readonly #owners = new Map<ArrayBufferLike, number>();
  #bytes = 0;

  constructor(maxBytes: number) {
    this.maxBytes = maxBytes;
  }

  /** Memory held: the backing buffers of the cached blocks. */
  get bytes(): number {
    return this.#bytes;
  }

  get blocks(): number {
    return this.#blocks.size;
  }

  has(index: number): boolean {
    return this.#blocks.has(index);
  }

  get(index: number): Uint8Array | undefined {
    const block = this.#blocks.get(index);
    if (block !== undefined) {
      this.#blocks.delete(index);
      this.#blocks.set(index, block);
    }
    return block;
  }

  /** Caches `bytes` (a view; never written to afterwards) as block `index`. */
  set(index: number, bytes: Uint8Array): void {
    if (bytes.length > this.maxBytes) return;
    this.#drop(index);
    // A block of a body that alone would fill a large part of the cache is copied out of it.
    const block = bytes.buffer.byteLength > this.maxBytes / 8 ? bytes.slice() : bytes;
    this.#blocks.set(index, block);
    const n = this.#owners.get(block.buffer) ?? 0;
    if (n === 0) this.#bytes += block.buffer.byteLength;
    this.#owners.set(block.buffer, n + 1);
    if (this.#bytes <= this.maxBytes) return;
    for (const i of this.#blocks.keys()) {
      if (this.#bytes <= this.maxBytes) break;
      this.#drop(i);
    }
  }

  clear(): void {
    this.#blocks.clear();
    this.#owners.clear();
    this.#bytes = 0;
  }

  #drop(index: number): void {
    const block = this.#blocks.get(index);
    if (block === undefined) return;
    this.#blocks.delete(index);
    const n = this.#owners.get(block.buffer)! - 1;
    if (n > 0) this.#owners.set(block.buffer, n);
    else {
      this.#owners.delete(block.buffer);
      this.#bytes -= block.buffer.byteLength;
    }
  }
}
