/// <reference types="node" preserve="true" />
// @mmcdb/core: the public API (docs/api.md). The tree behind it is described in
// docs/ARCHITECTURE.md: util → source / build → format → reader → assets.
export { CdbError, isCdbError, type CdbErrorCode } from './util/errors.js';
export type { Bytes } from './util/bytes.js';
export { jsonDepthExceeded, MAX_JSON_DEPTH } from './util/json.js';
export type { BuildResult, CdbmakeProgress, Writer } from './build/writer.js';
export { CDBMAKE_LIMITS } from './build/cdbmake.js';
export type { DuplicatePolicy, WriterOptions } from './format/writer-options.js';
export { createWriter } from './format/writers.js';
export { build, type RecordInput } from './format/build.js';
export type { Backend, FormatName } from './format/engine.js';
export { DEFAULT_SEED } from './format/mmcdb/codec.js';
export type { VerifyReport } from './format/verify.js';
export {
  verifyAny as verify,
  analyzeAny as analyze,
  type SetInfo,
  type SetVerifyReport,
  type ShardReport,
} from './format/sharded/checks.js';
export type { ClassicStats, DbStats, LengthStats, TinycdbStats } from './format/stats.js';
export { formatTinycdbStats } from './format/classic/analyze.js';
export { open, openSync, type BackendChoice, type OpenOptions } from './reader/open.js';
export { Reader, type ReaderStats } from './reader/reader.js';
export type { AsyncIo, AsyncIoChoice } from './reader/async-io.js';
export type { AsyncCallOptions } from './reader/async-batch.js';
export { mappings, type MappingInfo } from './reader/mappings.js';
export { openWatched, type WatchedReader, type WatchOptions } from './reader/watched.js';
export { buildSharded, createShardedWriter } from './format/sharded/build-sharded.js';
export type { ShardedWriter } from './format/sharded/sharded-writer.js';
export type { SetBuildResult, ShardedWriterOptions } from './format/sharded/sharded-options.js';
export { commitShards, type CommitOptions, type CommitResult } from './format/sharded/commit.js';
export { gcShards, listSetVersions, type GcOptions, type GcReport, type VersionSummary } from './format/sharded/gc.js';
export { locateSet, type SetLocation } from './format/sharded/versions.js';
export { shardOf } from './format/sharded/partition.js';
export { DEFAULT_PARTITION_SEED, MAX_SHARDS, type SetManifest, type ShardEntry } from './format/sharded/manifest.js';
export type { SetReaderInfo } from './reader/sharded/set-engine.js';
