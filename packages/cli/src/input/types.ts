// What every input parser shares: a record sink and the chunk-at-a-time interface.
import type { InputLocation } from '../errors.js';

/** Receives each record; key and value may be views of the current chunk (use them at once). */
export type RecordSink = (key: Uint8Array, value: Uint8Array) => void;

/**
 * Takes the complete cdbmake records at the start of `bytes` (Writer.addCdbmake) and says
 * how many bytes, records and newlines it took; the parser goes on from there.
 */
export type BulkSink = (bytes: Uint8Array) => { consumed: number; records: number; lines: number };

/** A streaming parser: feed chunks in order, then end(). Throws InputError on bad input. */
export interface ChunkParser {
  push(chunk: Uint8Array): void;
  end(): void;
  /** Where the record most recently given to the sink started (for errors the sink raises). */
  readonly recordLocation: InputLocation;
}

export const INPUT_FORMATS = ['cdbmake', 'jsonl', 'json', 'csv', 'tsv', 'dir'] as const;
export type InputFormat = (typeof INPUT_FORMATS)[number];
