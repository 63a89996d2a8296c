// Bulk encoding of cdbmake input into mmcdb records (FORMAT.md §Records), for the
// writer's addCdbmake(): parsing, copying and hashing in one native pass per chunk.
#pragma once
#include <node_api.h>

namespace mmcdb {

// encodeCdbmake(src, dst, filePos, align, seed, positions, hashes, state) → records encoded.
// See encode.cc.
napi_value EncodeCdbmake(napi_env env, napi_callback_info info);

}  // namespace mmcdb
