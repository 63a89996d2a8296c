// @mmcdb/core/remote: databases over HTTP(S) Range requests, from Node and from browsers
// (docs/REMOTE.md), files and sharded sets (docs/SHARDS.md §Remote). Browser-safe: nothing reachable from here imports node: modules or
// uses Buffer (scripts/check-browser-safe.mjs checks the built graph); it needs only
// fetch, TextEncoder/TextDecoder and, when present, WebAssembly for xxh64.
export { openRemote } from './reader/remote/open-remote.js';
export { RemoteReader, type CallOptions, type RemoteStats } from './reader/remote/remote-reader.js';
export type { RemoteOptions } from './reader/remote/options.js';
export type { MmcdbLayout } from './reader/remote/mmcdb-remote.js';
export type { ClassicLayout } from './reader/remote/classic-remote.js';
export type { RemoteKey } from './reader/remote/keys.js';
export type { Version } from './source/http/validators.js';
export { RemoteError } from './source/http/remote-error.js';
export { openRemoteSet, RemoteSetReader, type RemoteSetOptions, type RemoteShard } from './reader/sharded/remote-set.js';
export type { SetManifest, ShardEntry } from './format/sharded/manifest.js';
export { CdbError, isCdbError, type CdbErrorCode } from './util/errors.js';
