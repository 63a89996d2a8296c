// mappings(): the memory a heap report never shows (docs/RELIABILITY.md §Memory that heap
// reports miss). Mapped file pages count in the process's RSS but not in
// process.memoryUsage().heapUsed or .external — the native reader keeps them out of V8's
// external-memory count so that opening a file never forces a garbage collection.
import { nativeAddon, type MappingInfo } from '../source/native.js';

export type { MappingInfo };

/**
 * Every file the native reader has mapped in this process — all threads' readers, open or
 * closed-but-still-viewed — with its mapped address space, its bytes in the page cache
 * (mincore) and who holds it. [] when the addon is not loaded (pure-TypeScript backends
 * map nothing: their memory is ordinary Buffers, which heap reports do show).
 */
export function mappings(): MappingInfo[] {
  return nativeAddon()?.mappings?.() ?? [];
}
