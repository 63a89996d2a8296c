// The options of createShardedWriter() / buildSharded(), checked once
// (docs/api.md §Sharded sets).
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { resolveWriterOptions, type WriterOptions } from '../writer-options.js';
import { isSetId, type SetManifest } from './manifest.js';
import { checkShardCount, resolvePartitionSeed } from './partition.js';
import type { ShardResult, WorkerWriterOptions } from './protocol.js';
import { newSetId } from './versions.js';
import { waveSize } from './waves.js';

export interface ShardedWriterOptions extends WriterOptions {
  /** N, the number of shards: 1 to 65,536. */
  shards: number;
  /** Worker threads (default: one per core). */
  workers?: number;
  /** The partition seed: shard = xxh64(key, partitionSeed) mod N (default DEFAULT_PARTITION_SEED). */
  partitionSeed?: bigint | number | 'random';
  /** The set id, also the version folder's name (v<id>); default: UTC time + random, or from the seed with `shard`. */
  set?: string;
  /** Build only this shard (a batch task); no manifest: `commitShards()` makes the version. */
  shard?: number;
  /** Replace CURRENT once the manifest is written (default true). */
  publish?: boolean;
  /** Shards built at once (default: from the open-file limit, at most 1024); more are built in waves. */
  maxOpenShards?: number;
}

export interface SetBuildResult {
  /** The set folder and the version folder (v<set>) the shards are in. */
  root: string;
  dir: string;
  set: string;
  shards: number;
  partitionSeed: bigint;
  /** The shards built (all of them, or the one of `shard`). */
  files: (ShardResult & { file: string })[];
  records: number;
  bytes: number;
  /** The manifest written, unless `shard` was given. */
  manifest: SetManifest | undefined;
  seconds: number;
}

export interface ResolvedShardedOptions {
  o: ReturnType<typeof resolveWriterOptions>;
  n: number;
  seed: bigint;
  set: string;
  independent: boolean;
  /** The shards this build makes: [first, first + count). */
  first: number;
  count: number;
  workers: number;
  publish: boolean;
  metadata: unknown;
  /** Shards built at once. */
  wave: number;
  writer: WorkerWriterOptions;
}

export function resolveShardedOptions(options: ShardedWriterOptions): ResolvedShardedOptions {
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
  const o = resolveWriterOptions({ ...options, metadata: undefined });
  if (options.metadata !== undefined && JSON.stringify(options.metadata) === undefined)
    throw new TypeError('metadata must be JSON-serialisable');
  const n = checkShardCount(options.shards);
  const seed = resolvePartitionSeed(options.partitionSeed, () => randomBytes(8).readBigUInt64LE(0));
  const independent = options.shard !== undefined;
  if (independent && (!Number.isInteger(options.shard) || options.shard! < 0 || options.shard! >= n)) {
    throw new RangeError(`shard must be an integer from 0 to ${n - 1}, got ${String(options.shard)}`);
  }
  const set = options.set ?? (independent ? `s${seed.toString(16).padStart(16, '0')}-n${n}` : newSetId());
  if (!isSetId(set))
    throw new RangeError(
      `set must be 1–64 characters of [A-Za-z0-9._-] starting with a letter or digit, got ${String(options.set)}`,
    );
  if (o.format === 'classic') {
    // The classic writer's own checks, here so that they throw before any worker starts.
    if (options.seed !== undefined) throw new RangeError("format 'classic' has no seed: the djb hash is unseeded");
    if (o.valueAlign !== 1)
      throw new RangeError(`format 'classic' cannot align values (valueAlign must be 1, got ${String(o.valueAlign)})`);
    if (o.load !== 0.5)
      throw new RangeError(`format 'classic' has a fixed load of 0.5 (2 slots per record), got load ${String(o.load)}`);
  }
  const workers = options.workers ?? availableParallelism();
  if (!Number.isInteger(workers) || workers < 1 || workers > 256)
    throw new RangeError(`workers must be an integer from 1 to 256, got ${String(workers)}`);
  return {
    o,
    n,
    seed,
    set,
    independent,
    first: independent ? options.shard! : 0,
    count: independent ? 1 : n,
    workers,
    publish: options.publish ?? true,
    metadata: options.metadata,
    wave: waveSize(options.maxOpenShards),
    writer: {
      format: o.format,
      // Unless a seed is asked for, shard files hash with the partition seed: one hash per key serves both.
      ...(o.format === 'mmcdb' && { seed: options.seed === undefined ? seed : o.seed, valueAlign: o.valueAlign, load: o.load }),
      duplicates: o.duplicates,
      fsync: o.fsync,
      mode: o.mode,
      maxProbeWarning: o.maxProbeWarning,
    },
  };
}
