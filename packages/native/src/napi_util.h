// Node-API helpers. The whole addon uses raw Node-API (node_api.h): every napi_* status
// is checked, and a caller returns at once (nullptr / false) when one fails — never
// using an output that a failed call did not write. A failed call has usually left an
// exception pending; while an env is being torn down (a worker terminated) calls fail
// without one, and the callback then simply returns.
#pragma once
#include <node_api.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "common.h"

namespace mmcdb {

// For the few calls whose failure leaves nothing to do — settling a promise, deleting a
// reference or an async work in a completion or finalizer — which fail only while the
// env is being torn down, when Node frees what is left with the env: the status is
// dropped here, on purpose and visibly, instead of being ignored silently.
inline void DropTeardownStatus(napi_status) {}

// Values; nullptr when the call failed.
napi_value Undefined(napi_env env);
napi_value Number(napi_env env, double v);
napi_value Int(napi_env env, int64_t v);
// A small integer (a V8 Smi: no double conversion) — get()'s 0 / 1 / 2.
napi_value Small(napi_env env, int32_t v);
napi_value Bool(napi_env env, bool v);
napi_value String(napi_env env, const std::string& s);

// obj[name] = v; false when v is nullptr (a failed create) or the call fails.
bool SetProperty(napi_env env, napi_value obj, const char* name, napi_value v);
inline bool SetNumber(napi_env env, napi_value obj, const char* name, double v) {
  return SetProperty(env, obj, name, Number(env, v));
}

// The one typed-array reader: element type, element count, byte length and data of any
// TypedArray (also over a SharedArrayBuffer; a detached one has no bytes). False,
// without an exception, when `value` is not a TypedArray.
struct TypedArrayInfo {
  napi_typedarray_type type;
  size_t count;
  size_t byte_length;
  uint8_t* data;  // never nullptr: a static empty buffer when there are no bytes
};
bool GetTypedArray(napi_env env, napi_value value, TypedArrayInfo* info);

// An output array argument: a Float64Array (TypeError "<name> must be a Float64Array"
// otherwise). Lengths are checked by the caller, whose message names the need.
bool ReadFloat64Array(napi_env env, napi_value value, const char* name, double** data, size_t* length);

// The bytes of a key argument. A JS string is encoded to UTF-8 (lone surrogates become
// U+FFFD, as Buffer.from does) into the inline buffer when it fits, else on the heap;
// a TypedArray is taken as its bytes, in place (no copy: the caller must not run JS
// before it is done with them). Runs no JS itself.
class KeyArg {
 public:
  // Returns false with a pending TypeError when `value` is neither.
  bool Read(napi_env env, napi_value value);
  const uint8_t* data() const { return data_; }
  size_t length() const { return length_; }
  // Whether data() points into a TypedArray's memory (which could fault) or our copy.
  bool external() const { return external_; }

 private:
  static constexpr size_t kInline = 512;
  char inline_[kInline];
  std::unique_ptr<char[]> heap_;
  const uint8_t* data_ = nullptr;
  size_t length_ = 0;
  bool external_ = false;
};

// A number argument that must be an integer in [0, 2^53) (TypeError / RangeError).
bool ReadOffset(napi_env env, napi_value value, const char* name, uint64_t* out);

// A short string argument (an option name); false without an exception when `value` is
// not a string.
bool ReadShortString(napi_env env, napi_value value, std::string* out);

// Whether `value` is undefined (a missing optional argument). False when the check fails.
bool IsUndefined(napi_env env, napi_value value);

}  // namespace mmcdb
