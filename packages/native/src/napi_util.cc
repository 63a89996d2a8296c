#include "napi_util.h"

#include <uv.h>

#include <cmath>

namespace mmcdb {
namespace {

napi_value Str(napi_env env, const std::string& s) {
  napi_value v = nullptr;
  napi_create_string_utf8(env, s.data(), s.size(), &v);
  return v;
}

const uint8_t kEmpty[1] = {0};

}  // namespace

napi_value ThrowCode(napi_env env, const char* code, const std::string& message) {
  napi_value err;
  if (napi_create_error(env, Str(env, code), Str(env, message), &err) == napi_ok) napi_throw(env, err);
  return nullptr;
}

napi_value MakeFaultError(napi_env env, const CdbFault& fault, const std::string& path) {
  std::string msg = fault.message + " (" + path + ", offset " + std::to_string(fault.offset) + ")";
  napi_value err, offset;
  if (napi_create_error(env, Str(env, fault.code), Str(env, msg), &err) != napi_ok) return nullptr;
  napi_create_double(env, static_cast<double>(fault.offset), &offset);
  napi_set_named_property(env, err, "offset", offset);
  napi_set_named_property(env, err, "path", Str(env, path));
  return err;
}

napi_value ThrowFault(napi_env env, const CdbFault& fault, const std::string& path) {
  napi_value err = MakeFaultError(env, fault, path);
  if (err != nullptr) napi_throw(env, err);
  return nullptr;
}

napi_value MakeErrnoError(napi_env env, int err_no, const char* syscall, const std::string& path) {
  const char* name = uv_err_name(-err_no);
  std::string msg = std::string(name) + ": " + uv_strerror(-err_no) + ", " + syscall + " '" + path + "'";
  napi_value err, num;
  if (napi_create_error(env, Str(env, name), Str(env, msg), &err) != napi_ok) return nullptr;
  napi_create_int32(env, -err_no, &num);
  napi_set_named_property(env, err, "errno", num);
  napi_set_named_property(env, err, "syscall", Str(env, syscall));
  napi_set_named_property(env, err, "path", Str(env, path));
  return err;
}

napi_value ThrowErrno(napi_env env, int err_no, const char* syscall, const std::string& path) {
  napi_value err = MakeErrnoError(env, err_no, syscall, path);
  if (err != nullptr) napi_throw(env, err);
  return nullptr;
}

napi_value ThrowType(napi_env env, const char* message) {
  napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", message);
  return nullptr;
}

napi_value ThrowRange(napi_env env, const char* message) {
  napi_throw_range_error(env, "ERR_OUT_OF_RANGE", message);
  return nullptr;
}

bool KeyArg::Read(napi_env env, napi_value value) {
  size_t n = 0;
  // Strings first: no napi_typeof on the hot path; a non-string fails cheaply.
  napi_status s = napi_get_value_string_utf8(env, value, inline_, kInline, &n);
  if (s == napi_ok) {
    // V8 writes whole characters only, at most kInline − 1 bytes: room for another
    // 4-byte character means the string was not cut.
    if (n + 4 < kInline - 1) {
      data_ = reinterpret_cast<const uint8_t*>(inline_);
      length_ = n;
      return true;
    }
    size_t full = 0;
    napi_get_value_string_utf8(env, value, nullptr, 0, &full);
    if (full == n) {
      data_ = reinterpret_cast<const uint8_t*>(inline_);
      length_ = n;
      return true;
    }
    heap_.reset(new char[full + 1]);
    napi_get_value_string_utf8(env, value, heap_.get(), full + 1, &n);
    data_ = reinterpret_cast<const uint8_t*>(heap_.get());
    length_ = n;
    return true;
  }
  bool is_typed = false;
  if (s == napi_string_expected && napi_is_typedarray(env, value, &is_typed) == napi_ok && is_typed) {
    napi_typedarray_type type;
    size_t count = 0;
    void* data = nullptr;
    napi_get_typedarray_info(env, value, &type, &count, &data, nullptr, nullptr);
    size_t width = 1;
    switch (type) {
      case napi_int16_array: case napi_uint16_array: width = 2; break;
      case napi_int32_array: case napi_uint32_array: case napi_float32_array: width = 4; break;
      case napi_float64_array: case napi_bigint64_array: case napi_biguint64_array: width = 8; break;
      default: width = 1;
    }
    data_ = data != nullptr ? static_cast<const uint8_t*>(data) : kEmpty;
    length_ = count * width;
    return true;
  }
  ThrowType(env, "key must be a string or a Uint8Array");
  return false;
}

bool ReadOffset(napi_env env, napi_value value, const char* name, uint64_t* out) {
  double d = 0;
  if (napi_get_value_double(env, value, &d) != napi_ok) {
    ThrowType(env, (std::string(name) + " must be a number").c_str());
    return false;
  }
  if (!(d >= 0) || d > static_cast<double>(kMaxSafeInteger) || std::floor(d) != d) {
    ThrowRange(env, (std::string(name) + " must be an integer from 0 to 2^53 - 1").c_str());
    return false;
  }
  *out = static_cast<uint64_t>(d);
  return true;
}

}  // namespace mmcdb
