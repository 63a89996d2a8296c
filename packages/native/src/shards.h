// Sharded sets (docs/SHARDS.md): the partition function shard = xxh64(key, seed) mod n,
// natively, for the set builder (routing cdbmake input to per-shard regions) and the set
// reader (routing keys, and looking them up in one call: shard_index.cc). Raw Node-API.
#pragma once
#include <node_api.h>

namespace mmcdb {

// shardRoute(src, seed, n, first, count, out, regionSize, used, state) → records parsed.
// See shards.cc.
napi_value ShardRoute(napi_env env, napi_callback_info info);

// shardEncode(src, seed, fileSeed, n, first, count, align, buf, regionSize, entryCap,
// used, records, positions, state) → records parsed. See shard_encode.cc.
napi_value ShardEncode(napi_env env, napi_callback_info info);

// shardRouter(seed, n) → { of(key): number, many(keys, out: Uint32Array): void }.
napi_value ShardRouter(napi_env env, napi_callback_info info);

// shardIndex(seed, n, out) → { attach, detach, get, getMany, close }: the set reader's
// route-and-look-up path over attached shard mappings. See shard_index.cc.
napi_value ShardIndex(napi_env env, napi_callback_info info);

}  // namespace mmcdb
