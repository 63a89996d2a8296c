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
export { verify, type VerifyReport } from './format/verify.js';
export { analyze } from './format/analyze.js';
export type { ClassicStats, DbStats, LengthStats, TinycdbStats } from './format/stats.js';
export { formatTinycdbStats } from './format/classic/analyze.js';
export { open, openSync, type BackendChoice, type OpenOptions } from './reader/open.js';
export { Reader, type ReaderStats } from './reader/reader.js';
export { openWatched, type WatchedReader, type WatchOptions } from './reader/watched.js';
