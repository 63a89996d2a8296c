// The interface every format's writer implements (format/mmcdb/writer.ts,
// format/classic/writer.ts); createWriter() (format/writers.ts) picks one.
import type { Bytes } from '../util/bytes.js';

/** What one addCdbmake() call did. */
export interface CdbmakeProgress {
  /** Bytes of input taken: whole records, from the start. */
  consumed: number;
  /** Records read (added, or dropped by the duplicates policy). */
  records: number;
  /** Records the duplicates policy dropped ('first'). */
  dropped: number;
  /** Newline bytes consumed: one per record plus those inside keys and values. */
  lines: number;
}

export interface BuildResult {
  path: string;
  format: 'mmcdb' | 'classic';
  records: number;
  bytes: number;
  seed: bigint;
  indexSlots: number;
  maxProbe: number;
  seconds: number;
}

/** Something that accepts records and publishes one database file. */
export interface Writer {
  /** Adds one record; returns false when the duplicates policy dropped it. */
  add(key: Bytes, value: Bytes): boolean;
  /**
   * Adds the complete cdbmake records (`+klen,dlen:key->value\n`) at the start of
   * `bytes`, as add() would one by one, and stops before the first byte that does not
   * begin a complete, well-formed record (the end of the input, the final empty line, a
   * record cut off by the end of `bytes`, bad input), which the caller's parser handles.
   * The fast way to build from cdbmake text: with the native addon, parsing, copying and
   * hashing run in one native pass per megabyte.
   */
  addCdbmake(bytes: Uint8Array): CdbmakeProgress;
  /** Writes the index, publishes the file atomically and resolves with a summary. */
  finish(): Promise<BuildResult>;
  /** Discards everything written; the target stays as it was. */
  abort(reason?: unknown): void;
  /** Records added so far (after the duplicates policy). */
  readonly count: number;
  /** Bytes written to the temp file so far. */
  readonly bytesWritten: number;
}
