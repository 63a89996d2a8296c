// The addon functions that code below the reader layer uses (the writers' bulk cdbmake
// encoder, the sharded-set router and index), without going through reader/: the
// dependency rule (docs/ARCHITECTURE.md) lets format/ use util/ only. @mmcdb/native is
// loaded once by Node's module cache, whichever module imports it first; the reader's
// own loader (reader/native-engine.ts) keeps the failure reason for fallbackReason.
import { testHooks } from './test-hooks.js';

/** Writer.addCdbmake()'s native encoder (packages/native/index.d.ts encodeCdbmake). */
export type EncodeCdbmake = (
  src: Uint8Array,
  dst: Uint8Array,
  filePos: number,
  align: number,
  seed: bigint,
  positions: Float64Array,
  hashes: Uint32Array,
  state: Float64Array,
) => number;

/** packages/native/src/shards.cc: cdbmake records to per-shard regions (docs/SHARDS.md). */
export type ShardRoute = (
  src: Uint8Array,
  seed: bigint,
  n: number,
  first: number,
  count: number,
  out: Uint8Array,
  regionSize: number,
  used: Float64Array,
  state: Float64Array,
) => number;

/** packages/native/src/shards.cc: the partition function of one set, bound once. */
export interface NativeShardRouter {
  of(key: string | Uint8Array): number;
  many(keys: readonly (string | Uint8Array)[], out: Uint32Array): void;
}

/** packages/native/src/shard_index.cc: route and look up in one call. */
export interface NativeShardIndex {
  attach(shard: number, file: ArrayBuffer): boolean;
  detach(shard: number): void;
  get(key: string | Uint8Array): number;
  getMany(keys: readonly (string | Uint8Array)[], out: Float64Array, shards: Uint32Array): void;
  close(): void;
}

export interface NativeAddon {
  encodeCdbmake?: EncodeCdbmake;
  shardRoute?: ShardRoute;
  shardRouter?: (seed: bigint, n: number) => NativeShardRouter;
  shardIndex?: (seed: bigint, n: number, out: Float64Array) => NativeShardIndex;
}

let addon: NativeAddon | undefined;
try {
  addon = ((await import('@mmcdb/native' as string)) as { default: NativeAddon }).default;
} catch {
  addon = undefined; // reader/native-engine.ts reports why (fallbackReason, DEBUG=mmcdb)
}

/** The addon, or undefined when it did not load (or a test pretends so). */
export function nativeAddon(): NativeAddon | undefined {
  return testHooks.nativeDisabled === undefined ? addon : undefined;
}
