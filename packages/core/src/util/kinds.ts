// The names every layer shares: which format, which backend, what the page-cache tools
// take and report (format/engine.ts re-exports them with the Engine interface).

export type Backend = 'mmap' | 'memory' | 'pread';
export type FormatName = 'mmcdb' | 'classic';
export type WarmTarget = 'index' | 'all';
export type Advice = 'normal' | 'random' | 'sequential';

/** Bytes of the file resident in the OS page cache (mincore), per section. */
export interface Residency {
  index: { resident: number; total: number };
  data: { resident: number; total: number };
  pageSize: number;
}
