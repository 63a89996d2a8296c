// Where a pure-TypeScript engine gets its bytes (docs/ARCHITECTURE.md §Sources): the
// whole file in memory (memory.ts) or positional reads on a descriptor (pread.ts).
// Engines read small fields through load() + `data`, and whole keys and values through
// bytes().

export interface ByteSource {
  readonly size: number;
  /** Buffer that load() makes bytes available in. */
  readonly data: Buffer;
  /**
   * Makes bytes [pos, pos + len) readable in `data` and returns their offset there.
   * The caller has checked the range against `size`; len ≤ 64 except for whole
   * reads through bytes(). Valid until the next load().
   */
  load(pos: number, len: number): number;
  /** Bytes [pos, pos + len): a view of the file's buffer (memory) or a fresh copy (pread). */
  bytes(pos: number, len: number): Buffer;
  /** Reads [pos, pos + len) into the page cache without blocking the event loop (pread only). */
  prefetch?(pos: number, len: number): Promise<void>;
  /** Bytes of the file held in the JS heap (memory: all of it). */
  readonly heapBytes: number;
  close(): void;
}
