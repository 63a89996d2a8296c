// Small Node-API helpers shared by the binding: errors with a `code` property, and
// reading a key argument (string or Uint8Array) without allocating for short keys.
#pragma once
#include <node_api.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "common.h"

namespace mmcdb {

// Throws an Error whose `code` is `code`; returns nullptr for the callback to return.
napi_value ThrowCode(napi_env env, const char* code, const std::string& message);
// Throws the fault as an Error with `code` and a numeric `offset` property; the
// message ends with "(path, offset N)" like CdbError's.
napi_value ThrowFault(napi_env env, const CdbFault& fault, const std::string& path);
// The same Error, made but not thrown (for rejecting a promise); nullptr on failure.
napi_value MakeFaultError(napi_env env, const CdbFault& fault, const std::string& path);
// Throws a system error like Node's fs: code = errno name, errno, syscall, path.
napi_value ThrowErrno(napi_env env, int err_no, const char* syscall, const std::string& path);
// The same Error, made but not thrown.
napi_value MakeErrnoError(napi_env env, int err_no, const char* syscall, const std::string& path);
napi_value ThrowType(napi_env env, const char* message);
napi_value ThrowRange(napi_env env, const char* message);

// The bytes of a key argument. A JS string is encoded to UTF-8 (lone surrogates become
// U+FFFD, as Buffer.from does) into the inline buffer when it fits, else on the heap.
class KeyArg {
 public:
  // Returns false with a pending TypeError when `value` is neither.
  bool Read(napi_env env, napi_value value);
  const uint8_t* data() const { return data_; }
  size_t length() const { return length_; }

 private:
  static constexpr size_t kInline = 512;
  char inline_[kInline];
  std::unique_ptr<char[]> heap_;
  const uint8_t* data_ = nullptr;
  size_t length_ = 0;
};

// A number argument that must be an integer in [0, 2^53).
bool ReadOffset(napi_env env, napi_value value, const char* name, uint64_t* out);

}  // namespace mmcdb
