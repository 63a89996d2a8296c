// The one module that owns the native binding (@mmcdb/native): the memory mapping as a
// source of bytes, with the C++ lookups over it (reader/native-engine.ts makes it an
// Engine), plus the addon's other functions (the writers' bulk cdbmake encoder, the
// sharded-set router). Loaded synchronously (createRequire: the addon's loader is
// CommonJS), so that no module needs a top-level await and require('@mmcdb/core') works;
// when it cannot load, the reason is kept for Reader.fallbackReason (DEBUG=mmcdb prints it).
import { createRequire } from 'node:module';
import type { Advice, FormatName, Residency, WarmTarget } from '../util/kinds.js';
import type { Bytes } from '../util/bytes.js';
import { CdbError } from '../util/errors.js';
import { testHooks } from '../util/test-hooks.js';

/** Writer.addCdbmake()'s native encoder (packages/native/index.d.cts encodeCdbmake). */
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

/** packages/native/src/shard_encode.cc: cdbmake records to per-shard mmcdb records and index entries. */
export type ShardEncode = (
  src: Uint8Array,
  seed: bigint,
  fileSeed: bigint,
  n: number,
  first: number,
  count: number,
  align: number,
  buf: Uint8Array,
  regionSize: number,
  entryCap: number,
  used: Float64Array,
  records: Float64Array,
  positions: Float64Array,
  state: Float64Array,
) => number;

/** packages/native/src/shards.cc: the partition function of one set, bound once. */
export interface NativeShardRouter {
  of(key: string | Uint8Array): number;
  many(keys: readonly (string | Uint8Array)[], out: Uint32Array): void;
}

/**
 * packages/native/src/shard_index.cc: route and look up in one call, over shards attached
 * as their open() handles (packages/native/index.d.cts NativeShardIndex). get(): s + 1
 * (found in shard s: out[0..1] = absolute value offset and length in its file), 0
 * (absent), −(s + 1) (ask shard s's engine). getMany(): offsets −1 absent, −2 ask the
 * engine. A key whose memory faults throws ERR_CDB_TRUNCATED.
 */
export interface NativeShardIndex {
  attach(shard: number, handle: NativeHandle): boolean;
  detach(shard: number): void;
  get(key: string | Uint8Array): number;
  getMany(keys: readonly (string | Uint8Array)[], out: Float64Array, shards: Uint32Array): void;
  close(): void;
}

/** The subset of @mmcdb/native's handle that reader/native-engine.ts uses (packages/native/index.d.cts). */
export interface NativeHandle {
  readonly format: FormatName;
  readonly fileSize: number;
  readonly segments: (ArrayBuffer | undefined)[];
  segment(i: number): ArrayBuffer | undefined;
  range(offset: number, length: number): ArrayBuffer | undefined;
  readonly segmentStride: number;
  /** File offset where segment 0 starts: segments cover only the data section. */
  readonly segmentBase: number;
  readonly externalBuffers: boolean;
  readonly out: Float64Array;
  /** The V8-API flavour only: get() as V8 fast API calls (packages/native/index.d.cts NativeFastLookup). */
  readonly fast?: NativeFastLookup;
  get(key: Bytes): 0 | 1 | 2;
  getAll(key: Bytes): number;
  setOut(out: Float64Array): void;
  next(cursor: number): number;
  /** Batched iteration (packages/native/src/scan.h); absent from addons built before it. */
  scan(cursor: number, out: Float64Array | Uint32Array): number;
  metadata(): string | undefined;
  recordCount(): number;
  copy(offset: number, length: number): Buffer;
  close(): void;
  stats(): { mappedBytes: number; segments: number; externalBuffers: boolean; closed: boolean; damaged: boolean };
  damaged(): boolean;
  getMany(keys: readonly Bytes[], out: Float64Array): number;
  /** mode: 'threadpool' (default) or 'willneed'; cancel[0] ≠ 0 stops the jobs early (the result is then partial). */
  getManyAsync(keys: readonly Bytes[], mode?: 'threadpool' | 'willneed', cancel?: Int32Array): Promise<Float64Array>;
  /** Starts this handle's io_uring ring (once); undefined, or why it cannot. Absent: built without it. */
  uringStart?(queueDepth: number): string | undefined;
  /** getManyAsync through the ring (uringStart first); walkOnly (tests): never the whole-resident lookup. */
  uringGetMany?(keys: readonly Bytes[], cancel?: Int32Array, walkOnly?: boolean): Promise<Float64Array>;
  advise(advice: string, offset?: number, length?: number): void;
  warm(what: WarmTarget): Promise<void>;
  residency(): Residency;
  evict(): number;
}

/**
 * packages/native/src/fast_calls.h: NativeHandle.get()'s codes, or −1 = ask
 * NativeHandle.get() (which throws what the fast path does not report). Never throws.
 */
export interface NativeFastLookup {
  get(key: string): -1 | 0 | 1 | 2;
  getBytes(key: Uint8Array): -1 | 0 | 1 | 2;
  closed(): boolean;
}

/** Which build of the addon loaded (packages/native/index.cjs). */
export type NativeFlavor = 'napi' | 'v8';

export interface NativeAddon {
  /** Absent in an addon loader older than the two flavours (then: 'napi'). */
  readonly flavor?: NativeFlavor;
  readonly flavorReason?: string;
  open(path: string, options?: { advice?: Advice; windowSize?: number; windowStride?: number }): NativeHandle;
  /** Makes the addon throw this class for ERR_CDB_* errors, in this env (thread). */
  setErrorClass(ctor: typeof CdbError): void;
  /** flock(fd, LOCK_EX|LOCK_NB): true when held now, false when another holds it (build temp files). */
  lockFile(fd: number, exclusive?: boolean): boolean;
  encodeCdbmake?: EncodeCdbmake;
  // The set functions are optional: an addon built before them (a prebuild) lacks them,
  // and sets then route and look up in TypeScript.
  shardRoute?: ShardRoute;
  shardEncode?: ShardEncode;
  shardRouter?: (seed: bigint, n: number) => NativeShardRouter;
  shardIndex?: (seed: bigint, n: number, out: Float64Array) => NativeShardIndex;
  mappings?: () => MappingInfo[];
}

/** One file mapped by the native reader (mappings(), packages/native/src/mapping_list.h). */
export interface MappingInfo {
  path: string;
  fileBytes: number;
  mappedBytes: number;
  residentBytes: number;
  readers: number;
  views: number;
}

let addon: NativeAddon | undefined;
let failure = '';
try {
  addon = createRequire(import.meta.url)('@mmcdb/native') as NativeAddon;
  addon.setErrorClass(CdbError);
} catch (err) {
  addon = undefined;
  failure = err instanceof Error ? err.message : String(err);
  if (/\bmmcdb\b/.test(process.env['DEBUG'] ?? '')) console.error(`mmcdb: native reader unavailable: ${failure}`);
}

/** The addon, or undefined when it did not load (or a test pretends so). */
export function nativeAddon(): NativeAddon | undefined {
  return testHooks.nativeDisabled === undefined ? addon : undefined;
}

/** Why nativeAddon() is undefined ('' when it is not). */
export function nativeFailure(): string {
  return testHooks.nativeDisabled ?? failure;
}
