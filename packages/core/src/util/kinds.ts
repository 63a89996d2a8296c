// The names every layer shares: which format, which backend, what the page-cache tools
// take and report (format/engine.ts re-exports them with the Engine interface).

export type Backend = 'mmap' | 'memory' | 'pread';
export type FormatName = 'mmcdb' | 'classic';
export type WarmTarget = 'index' | 'all';
export type Advice = 'normal' | 'random' | 'sequential';

/** How the mmap backend runs getManyAsync (reader/async-io.ts). */
export type AsyncIo = 'uring' | 'willneed' | 'threadpool';
/** Which path serves a reader, and why 'auto' did not get its first choice. */
export interface AsyncIoState {
  mode: AsyncIo;
  fallbackReason: string | undefined;
}
/** One slice of a getManyAsync started (reader/async-batch.ts): resolves to the function that makes its values. */
/** cancel: the flag a slice's jobs read (cancel[0] ≠ 0 stops them); undefined when nothing can cancel it. */
export type StartSlice = (
  keys: readonly (string | Uint8Array)[],
  cancel: Int32Array | undefined,
) => Promise<() => (Buffer | undefined)[]>;

/** Bytes of the file resident in the OS page cache (mincore), per section. */
export interface Residency {
  index: { resident: number; total: number };
  data: { resident: number; total: number };
  pageSize: number;
}
