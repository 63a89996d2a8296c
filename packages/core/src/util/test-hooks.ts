// The switches tests flip to reach code paths that real data cannot reach cheaply
// (full 64-bit collisions, a classic file near 4 GiB, the addon missing, windowed
// segments on a small file). Production code only reads them; the setters are exported
// from `@mmcdb/core/internal`, never from the public entry.
export interface TestHooks {
  /** Replaces the key hash of the pure-TypeScript writer and readers (not the addon's). */
  keyHash: ((key: Uint8Array) => bigint) | undefined;
  /** Lowers the largest file the classic writer produces (default 2^32 − 1). */
  classicMaxFileSize: number | undefined;
  /** Pretends the native addon failed to load, with this reason. */
  nativeDisabled: string | undefined;
  /** Opens mmap files with windowed segments of this size and stride. */
  windows: { windowSize: number; windowStride: number } | undefined;
  /** Replaces the order asyncIo 'auto' tries (reader/async-io.ts AUTO_ASYNC_IO). */
  asyncIoOrder: readonly ('uring' | 'willneed' | 'threadpool')[] | undefined;
  /** io_uring batches always walk, even when the whole file is resident (uring_batch.h). */
  uringWalkOnly: boolean;
  /** The pread backend's getManyAsync reads everything on the threadpool (source/range-reads.ts). */
  preadAsyncOnly: boolean;
  /** Replaces the time (ms) past which a synchronous pread counts as a disk read (range-reads.ts COLD_READ_MS). */
  preadColdReadMs: number | undefined;
  /** Replaces how long (ms) synchronous preads may hold a loop turn (range-reads.ts TURN_BUDGET_MS). */
  preadTurnBudgetMs: number | undefined;
}

export const testHooks: TestHooks = {
  keyHash: undefined,
  classicMaxFileSize: undefined,
  nativeDisabled: undefined,
  windows: undefined,
  asyncIoOrder: undefined,
  uringWalkOnly: false,
  preadAsyncOnly: false,
  preadColdReadMs: undefined,
  preadTurnBudgetMs: undefined,
};
