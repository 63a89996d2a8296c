// What a lookup engine provides: one format (mmcdb or classic) over one source of bytes
// (memory, pread, or the native mapping). reader/reader.ts is the public facade over it.
import type { Bytes } from '../util/bytes.js';
import type { AsyncIoState, Backend, FormatName, Residency, StartSlice, WarmTarget } from '../util/kinds.js';

export type { Advice, Backend, FormatName, Residency, WarmTarget } from '../util/kinds.js';

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
  /** Bytes of the file mapped outside the JS heap / held in the JS heap. */
  readonly mappedBytes: number;
  readonly heapBytes: number;
  get(key: Bytes): Buffer | undefined;
  getAll(key: Bytes): Buffer[];
  /** Records in file order. */
  entries(): IterableIterator<[Buffer, Buffer]>;
  /** Optional batch and cold-data operations; Reader supplies portable defaults. */
  getMany?(keys: readonly Bytes[]): (Buffer | undefined)[];
  getManyAsync?(keys: readonly Bytes[]): Promise<(Buffer | undefined)[]>;
  /** One slice of a getManyAsync (reader/async-batch.ts): its lookups start now, off the main thread. */
  startMany?: StartSlice;
  /** Keys per slice of startMany. */
  readonly sliceKeys?: number;
  /** mmap: the path getManyAsync runs on (picked on first use) and why 'auto' did not get its first choice. */
  asyncIo?(): AsyncIoState;
  warm?(what: WarmTarget): Promise<void>;
  residency?(): Residency;
  evict?(): number;
  /** The metadata JSON text, if any. */
  metadataText(): string | undefined;
  /** mmap only: the file was truncated under the mapping. */
  damaged?(): boolean;
  close(): void;
}

/** The stats every engine reports, from its own properties. */
export function engineStats(e: Engine): EngineStats {
  return {
    backend: e.backend,
    format: e.format,
    fileSize: e.fileSize,
    mappedBytes: e.mappedBytes,
    heapBytes: e.heapBytes,
    records: e.size,
  };
}
