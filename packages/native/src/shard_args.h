// Argument helpers of the sharded-set functions (shards.cc, shard_index.cc): typed
// array bytes, integers, seeds and keys, in raw Node-API.
#pragma once
#include <node_api.h>

#include <cstddef>
#include <cstdint>
#include <memory>

namespace mmcdb {
namespace shard_args {

// docs/SHARDS.md §Partition: at most 65,536 shards.
constexpr uint64_t kMaxShards = 65536;

struct Span {
  uint8_t* data = nullptr;
  size_t length = 0;  // in bytes
};

inline napi_value Throw(napi_env env, bool range, const char* message) {
  if (range) napi_throw_range_error(env, nullptr, message);
  else napi_throw_type_error(env, nullptr, message);
  return nullptr;
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

// A key argument: a string (UTF-8, lone surrogates as U+FFFD like Buffer.from) or any
// typed array (its bytes). Short strings are read into an inline buffer.
class Key {
 public:
  bool Read(napi_env env, napi_value v) {
    size_t n = 0;
    if (napi_get_value_string_utf8(env, v, inline_, kInline, &n) == napi_ok) {
      // At most kInline − 1 bytes are written, whole characters only: room for another
      // 4-byte character means the string was not cut.
      if (n + 4 < kInline - 1) return Set(inline_, n);
      size_t full = 0;
      napi_get_value_string_utf8(env, v, nullptr, 0, &full);
      if (full == n) return Set(inline_, n);
      heap_.reset(new char[full + 1]);
      napi_get_value_string_utf8(env, v, heap_.get(), full + 1, &n);
      return Set(heap_.get(), n);
    }
    Span s;
    if (TypedBytes(env, v, napi_uint8_array, true, &s)) {
      data_ = s.length == 0 ? kEmpty : s.data;
      length_ = s.length;
      return true;
    }
    return false;
  }
  const uint8_t* data() const { return data_; }
  size_t length() const { return length_; }

 private:
  bool Set(const char* p, size_t n) {
    data_ = reinterpret_cast<const uint8_t*>(p);
    length_ = n;
    return true;
  }
  static constexpr size_t kInline = 1024;
  static constexpr uint8_t kEmpty[1] = {0};
  char inline_[kInline];
  std::unique_ptr<char[]> heap_;
  const uint8_t* data_ = nullptr;
  size_t length_ = 0;
};

}  // namespace shard_args
}  // namespace mmcdb
