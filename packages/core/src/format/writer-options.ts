// The options of createWriter()/build() for both formats, checked once.
import { randomBytes } from 'node:crypto';
import { jsonDepthExceeded, MAX_JSON_DEPTH } from '../util/json.js';
import { DEFAULT_LOAD, DEFAULT_SEED, MAX_VALUE_ALIGN } from './mmcdb/codec.js';

export type { BuildResult } from '../build/writer.js';

export type DuplicatePolicy = 'all' | 'first' | 'last' | 'error';

export interface WriterOptions {
  /** Output format: 'mmcdb' (default) or 'classic' (djb cdb, see docs/CLASSIC.md). */
  format?: 'mmcdb' | 'classic';
  /** xxh64 seed: a 64-bit number/bigint, or 'random' (crypto) against hash flooding. Default: the fixed seed of FORMAT.md §Determinism. */
  seed?: bigint | number | 'random';
  /** Align every value's start to this many bytes (power of two, 1–65536). Default 1. */
  valueAlign?: number;
  /** What to do when a key is added again: keep 'all' (default, like cdb), keep the 'first', keep the 'last', or throw ('error'). */
  duplicates?: DuplicatePolicy;
  /** Any JSON-serialisable value, stored in the file (FORMAT.md §Metadata). */
  metadata?: unknown;
  /** Index load factor, 0.05–0.95. Default 0.5. */
  load?: number;
  /** Aborting removes the temp file; the target stays untouched. */
  signal?: AbortSignal;
  /** File mode of the new file. Default: the mode (and, as root, the owner) of the file it replaces, else 0o644 less the umask. */
  mode?: number;
  /** fsync the file and its folder before and after the rename. Default true. */
  fsync?: boolean;
  /** Warn when the longest probe distance exceeds this (default 64). */
  maxProbeWarning?: number;
  /** Receives warnings (default: process.emitWarning). */
  onWarning?: (message: string) => void;
}

export function resolveWriterOptions(o: WriterOptions) {
  if (o === null || typeof o !== 'object') throw new TypeError('options must be an object');
  const valueAlign = o.valueAlign ?? 1;
  if (!Number.isInteger(valueAlign) || valueAlign < 1 || valueAlign > MAX_VALUE_ALIGN || (valueAlign & (valueAlign - 1)) !== 0) {
    throw new RangeError(`valueAlign must be a power of two from 1 to ${MAX_VALUE_ALIGN}, got ${String(o.valueAlign)}`);
  }
  const duplicates = o.duplicates ?? 'all';
  if (!['all', 'first', 'last', 'error'].includes(duplicates)) {
    throw new RangeError(`duplicates must be 'all', 'first', 'last' or 'error', got ${String(duplicates)}`);
  }
  const load = o.load ?? DEFAULT_LOAD;
  if (typeof load !== 'number' || !(load >= 0.05 && load <= 0.95)) {
    throw new RangeError(`load must be a number from 0.05 to 0.95, got ${String(load)}`);
  }
  let metadataText: string | undefined;
  if (o.metadata !== undefined) {
    const tooDeep = () =>
      new RangeError(`metadata nests deeper than ${MAX_JSON_DEPTH} levels (arrays and objects): readers would not parse it`);
    try {
      metadataText = JSON.stringify(o.metadata);
    } catch (err) {
      // V8 recurses: a value nested thousands deep overflows the stack (a RangeError).
      if (err instanceof RangeError) throw tooDeep();
      throw new TypeError(`metadata must be JSON-serialisable: ${(err as Error).message}`);
    }
    if (metadataText !== undefined && jsonDepthExceeded(metadataText) >= 0) throw tooDeep();
    if (metadataText === undefined) throw new TypeError('metadata must be JSON-serialisable');
  }
  return {
    format: o.format ?? 'mmcdb',
    seed: resolveSeed(o.seed),
    valueAlign,
    duplicates,
    load,
    metadataText,
    signal: o.signal,
    mode: o.mode,
    fsync: o.fsync ?? true,
    maxProbeWarning: o.maxProbeWarning ?? 64,
    onWarning: o.onWarning ?? ((m: string) => process.emitWarning(m, 'MmcdbWarning')),
  };
}

export function resolveSeed(seed: WriterOptions['seed']): bigint {
  if (seed === undefined) return DEFAULT_SEED;
  if (seed === 'random') return randomBytes(8).readBigUInt64LE(0);
  if (typeof seed === 'number') {
    if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be a non-negative safe integer, got ${seed}`);
    return BigInt(seed);
  }
  if (typeof seed === 'bigint') {
    if (seed < 0n || seed >= 1n << 64n) throw new RangeError('seed must fit in 64 unsigned bits');
    return seed;
  }
  throw new TypeError(`seed must be a number, a bigint or 'random', got ${typeof seed}`);
}
