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
  /** Optional batch and cold-data operations; Reader supplies portable defaults. */
  getMany?(keys: Bytes[]): (Buffer | undefined)[];
  getManyAsync?(keys: Bytes[]): Promise<(Buffer | undefined)[]>;
  warm?(what: WarmTarget): Promise<void>;
  residency?(): Residency;
  evict?(): number;
  /** The metadata JSON text, if any. */
  metadataText(): string | undefined;
  /** mmap only: the file was truncated under the mapping. */
  damaged?(): boolean;
  stats(): EngineStats;
  close(): void;
}

export type WarmTarget = 'index' | 'all';
export type Advice = 'normal' | 'random' | 'sequential';

/** Bytes of the file resident in the OS page cache (mincore), per section. */
export interface Residency {
  index: { resident: number; total: number };
  data: { resident: number; total: number };
  pageSize: number;
}
