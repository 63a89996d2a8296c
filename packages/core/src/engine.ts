// The interface every backend implements; Reader (reader.ts) is the public facade.
import type { Bytes } from './keys.js';

export type Backend = 'mmap' | 'memory' | 'pread';
export type FormatName = 'mmcdb' | 'classic';

export interface EngineStats {
  backend: Backend;
  format: FormatName;
  fileSize: number;
  /** Bytes of the file mapped into memory (mmap), outside the JS heap. */
  mappedBytes: number;
  /** Bytes of the file copied into the JS heap (memory backend). */
  heapBytes: number;
  records: number;
}

export interface Engine {
  readonly backend: Backend;
  readonly format: FormatName;
  /** Live records. */
  readonly size: number;
  readonly fileSize: number;
  get(key: Bytes): Buffer | undefined;
  getAll(key: Bytes): Buffer[];
  /** Records in file order. */
  entries(): IterableIterator<[Buffer, Buffer]>;
  /** The metadata JSON text, if any. */
  metadataText(): string | undefined;
  stats(): EngineStats;
  close(): void;
}
