// Bulk encoding of cdbmake input into mmcdb records (FORMAT.md §Records), for the
// writer's addCdbmake(): parsing, copying and hashing in one native pass per chunk.
#pragma once

#include <napi.h>

namespace mmcdb {

// encodeCdbmake(src, dst, filePos, align, seed, positions, hashes, state) → records encoded.
// See encode.cc.
Napi::Value EncodeCdbmake(const Napi::CallbackInfo& info);

}  // namespace mmcdb
