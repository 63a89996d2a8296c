// Argument helpers of the sharded-set functions (shards.cc, shard_encode.cc,
// shard_index.cc): typed array bytes, integers and seeds, in raw Node-API. Keys are
// napi_util.h's KeyArg (batches: batch.h ReadKeys), as for the handle's lookups.
#pragma once
#include <node_api.h>

#include <cstddef>
#include <cstdint>

#include "errors.h"

namespace mmcdb {
namespace shard_args {

// docs/SHARDS.md §Partition: at most 65,536 shards.
constexpr uint64_t kMaxShards = 65536;

struct Span {
  uint8_t* data = nullptr;
  size_t length = 0;  // in bytes
};

// TypeError (ERR_INVALID_ARG_TYPE) or RangeError (ERR_OUT_OF_RANGE), as errors.h makes
// them for the handle's methods; returns nullptr for the callback to return.
inline napi_value Throw(napi_env env, bool range, const char* message) {
  return range ? ThrowRange(env, message) : ThrowType(env, message);
}

// The bytes of a typed array of type `want` (any type when `any`), also over a
// SharedArrayBuffer.
inline bool TypedBytes(napi_env env, napi_value v, napi_typedarray_type want, bool any, Span* out) {
  bool is = false;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return false;
  napi_typedarray_type type;
  size_t count = 0;
  void* data = nullptr;
  if (napi_get_typedarray_info(env, v, &type, &count, &data, nullptr, nullptr) != napi_ok) return false;
  if (!any && type != want) return false;
  size_t width = 1;
  switch (type) {
    case napi_int16_array:
    case napi_uint16_array:
      width = 2;
      break;
    case napi_int32_array:
    case napi_uint32_array:
    case napi_float32_array:
      width = 4;
      break;
    case napi_float64_array:
    case napi_bigint64_array:
    case napi_biguint64_array:
      width = 8;
      break;
    default:
      width = 1;
  }
  if (data == nullptr && count != 0) return false;
  out->data = static_cast<uint8_t*>(data);
  out->length = count * width;
  return true;
}

inline bool ReadU32(napi_env env, napi_value v, uint64_t max, uint64_t* out) {
  double d = 0;
  if (napi_get_value_double(env, v, &d) != napi_ok || !(d >= 0) || d > static_cast<double>(max) ||
      d != static_cast<double>(static_cast<uint64_t>(d))) {
    return false;
  }
  *out = static_cast<uint64_t>(d);
  return true;
}

inline bool ReadSeed(napi_env env, napi_value v, uint64_t* seed) {
  bool lossless = false;
  return napi_get_value_bigint_uint64(env, v, seed, &lossless) == napi_ok && lossless;
}

}  // namespace shard_args
}  // namespace mmcdb
