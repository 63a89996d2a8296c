#include "napi_util.h"

#include <cmath>

#include "errors.h"

namespace mmcdb {
namespace {

uint8_t kEmpty[1] = {0};

size_t ElementSize(napi_typedarray_type type) {
  switch (type) {
    case napi_int16_array: case napi_uint16_array: return 2;
    case napi_int32_array: case napi_uint32_array: case napi_float32_array: return 4;
    case napi_float64_array: case napi_bigint64_array: case napi_biguint64_array: return 8;
    default: return 1;
  }
}

}  // namespace

napi_value Undefined(napi_env env) {
  napi_value v;
  return napi_get_undefined(env, &v) == napi_ok ? v : nullptr;
}

napi_value Number(napi_env env, double d) {
  napi_value v;
  return napi_create_double(env, d, &v) == napi_ok ? v : nullptr;
}

napi_value Int(napi_env env, int64_t i) {
  napi_value v;
  return napi_create_int64(env, i, &v) == napi_ok ? v : nullptr;
}

napi_value Small(napi_env env, int32_t i) {
  napi_value v;
  return napi_create_int32(env, i, &v) == napi_ok ? v : nullptr;
}

napi_value Bool(napi_env env, bool b) {
  napi_value v;
  return napi_get_boolean(env, b, &v) == napi_ok ? v : nullptr;
}

napi_value String(napi_env env, const std::string& s) {
  napi_value v;
  return napi_create_string_utf8(env, s.data(), s.size(), &v) == napi_ok ? v : nullptr;
}

bool SetProperty(napi_env env, napi_value obj, const char* name, napi_value v) {
  return v != nullptr && napi_set_named_property(env, obj, name, v) == napi_ok;
}

bool GetTypedArray(napi_env env, napi_value value, TypedArrayInfo* info) {
  bool is_typed = false;
  if (napi_is_typedarray(env, value, &is_typed) != napi_ok || !is_typed) return false;
  void* data = nullptr;
  if (napi_get_typedarray_info(env, value, &info->type, &info->count, &data, nullptr, nullptr) != napi_ok) {
    return false;
  }
  if (data == nullptr) info->count = 0;  // detached
  info->byte_length = info->count * ElementSize(info->type);
  info->data = info->byte_length > 0 ? static_cast<uint8_t*>(data) : kEmpty;
  return true;
}

bool ReadFloat64Array(napi_env env, napi_value value, const char* name, double** data, size_t* length) {
  TypedArrayInfo t;
  if (!GetTypedArray(env, value, &t) || t.type != napi_float64_array) {
    ThrowType(env, std::string(name) + " must be a Float64Array");
    return false;
  }
  *data = reinterpret_cast<double*>(t.data);
  *length = t.count;
  return true;
}

bool KeyArg::Read(napi_env env, napi_value value) {
  size_t n = 0;
  external_ = false;
  // Strings first: no napi_typeof on the hot path; a non-string fails cheaply.
  napi_status s = napi_get_value_string_utf8(env, value, inline_, kInline, &n);
  if (s == napi_ok) {
    data_ = reinterpret_cast<const uint8_t*>(inline_);
    length_ = n;
    // V8 writes whole characters only, at most kInline − 1 bytes: room for another
    // 4-byte character means the string was not cut.
    if (n + 4 < kInline - 1) return true;
    size_t full = 0;
    if (napi_get_value_string_utf8(env, value, nullptr, 0, &full) != napi_ok) return false;
    if (full == n) return true;
    heap_.reset(new char[full + 1]);
    if (napi_get_value_string_utf8(env, value, heap_.get(), full + 1, &n) != napi_ok) return false;
    data_ = reinterpret_cast<const uint8_t*>(heap_.get());
    length_ = n;
    return true;
  }
  TypedArrayInfo t;
  if (s == napi_string_expected && GetTypedArray(env, value, &t)) {
    data_ = t.data;
    length_ = t.byte_length;
    external_ = true;
    return true;
  }
  if (s == napi_string_expected) ThrowType(env, "key must be a string or a Uint8Array");
  return false;
}

bool ReadOffset(napi_env env, napi_value value, const char* name, uint64_t* out) {
  double d = 0;
  if (napi_get_value_double(env, value, &d) != napi_ok) {
    ThrowType(env, std::string(name) + " must be a number");
    return false;
  }
  if (!(d >= 0) || d > static_cast<double>(kMaxSafeInteger) || std::floor(d) != d) {
    ThrowRange(env, std::string(name) + " must be an integer from 0 to 2^53 - 1");
    return false;
  }
  *out = static_cast<uint64_t>(d);
  return true;
}

bool ReadShortString(napi_env env, napi_value value, std::string* out) {
  char buf[32];
  size_t n = 0;
  if (napi_get_value_string_utf8(env, value, buf, sizeof buf, &n) != napi_ok) return false;
  out->assign(buf, n);
  return true;
}

bool IsUndefined(napi_env env, napi_value value) {
  napi_valuetype t;
  return napi_typeof(env, value, &t) == napi_ok && t == napi_undefined;
}

}  // namespace mmcdb
