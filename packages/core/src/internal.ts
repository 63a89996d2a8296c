/// <reference types="node" preserve="true" />
// @mmcdb/core/internal: what the project's own tests, benchmarks and CLI reach below the
// public API — codecs, engines and the test hooks. Not covered by semver.
import { testHooks } from './util/test-hooks.js';

export { testHooks, type TestHooks } from './util/test-hooks.js';
export { xxh64, xxh64Split, hashReady } from './util/hash.js';
export { Xxh64State, xxh64Words } from './util/xxh64.js';
export type { ByteSource } from './source/byte-source.js';
export { MemorySource } from './source/memory.js';
export { PreadSource } from './source/pread.js';
export { asyncReadLimit } from './source/range-reads.js';
export { openFileSource, openRegularFile, MEMORY_LIMIT } from './source/file.js';
export * as mmcdbCodec from './format/mmcdb/codec.js';
export * as classicCodec from './format/classic/codec.js';
export { decodeHeader, encodeHeader, HEADER_SIZE, homeSlot, SLOT_SIZE, type Header } from './format/mmcdb/codec.js';
export { djbHash, decodeToc } from './format/classic/codec.js';
export { writeIndex } from './format/mmcdb/index-builder.js';
export { RecordTable } from './format/mmcdb/record-table.js';
export { MmcdbEngine } from './format/mmcdb/engine.js';
export { ClassicEngine, openClassicEngine } from './format/classic/engine.js';
export { verifyClassic } from './format/classic/verify.js';
export { analyzeClassic, type ClassicDbStats } from './format/classic/analyze.js';
export { openEngine } from './format/open-engine.js';
export { loadNative, NativeEngine } from './reader/native-engine.js';
export { AUTO_ASYNC_IO } from './reader/async-io.js';
export { NATIVE_SLICE_KEYS, SYNC_SLICE_KEYS } from './reader/async-batch.js';
export { nativeAddon, nativeFailure, type NativeAddon, type NativeShardIndex } from './source/native.js';
export * as setManifest from './format/sharded/manifest.js';
export {
  readManifest,
  writeManifest,
  writeCurrent,
  readCurrent,
  takeLease,
  liveLeases,
  listVersions,
} from './format/sharded/versions.js';
export { layoutFor, RegionBuffer, encodedSize, encodeRecord } from './format/sharded/regions.js';

/** Sets one test hook for the duration of a test; returns a function that restores it. */
export function setTestHook<K extends keyof typeof testHooks>(name: K, value: (typeof testHooks)[K]): () => void {
  const saved = testHooks[name];
  testHooks[name] = value;
  return () => {
    testHooks[name] = saved;
  };
}
