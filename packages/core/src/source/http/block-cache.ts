// A least-recently-used cache of fixed-size blocks of one remote file version, bounded
// in bytes (docs/REMOTE.md §Cache). Blocks are copies, so a cached block never keeps a
// whole response body alive. A reader's new version gets a new cache: blocks of two
// versions never meet.

export class BlockCache {
  readonly maxBytes: number;
  // A Map iterates in insertion order: re-inserting on every hit keeps the least recently
  // used block first.
  readonly #blocks = new Map<number, Uint8Array>();
  #bytes = 0;

  constructor(maxBytes: number) {
    this.maxBytes = maxBytes;
  }

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

  set(index: number, bytes: Uint8Array): void {
    if (bytes.length > this.maxBytes) return;
    const old = this.#blocks.get(index);
    if (old !== undefined) {
      this.#bytes -= old.length;
      this.#blocks.delete(index);
    }
    this.#blocks.set(index, bytes.slice());
    this.#bytes += bytes.length;
    if (this.#bytes <= this.maxBytes) return;
    for (const [i, b] of this.#blocks) {
      if (this.#bytes <= this.maxBytes) break;
      this.#blocks.delete(i);
      this.#bytes -= b.length;
    }
  }

  clear(): void {
    this.#blocks.clear();
    this.#bytes = 0;
  }
}
