// getMany (sync, one N-API call, cache misses of a group of keys overlapped) and the
// key reading shared with getManyAsync (batch.h).
#include "batch.h"

#include <cstring>
#include <string>

#include "errors.h"
#include "handle.h"
#include "napi_util.h"

namespace mmcdb {
namespace {

// Keys in flight per group on the JS thread (warm data: cache lines).
constexpr size_t kSyncGroup = 16;

const uint8_t kNoBytes[1] = {0};

}  // namespace

bool KeysLength(napi_env env, napi_value keys, uint32_t* n) {
  bool is_array = false;
  if (napi_is_array(env, keys, &is_array) != napi_ok) return false;
  if (!is_array) return ThrowType(env, "keys must be an array of strings or Uint8Arrays"), false;
  return napi_get_array_length(env, keys, n) == napi_ok;
}

bool ReadKeys(napi_env env, napi_value keys, uint32_t n, std::vector<uint8_t>* bytes, std::vector<size_t>* ends,
              uintptr_t* fault_address) {
  bytes->clear();
  ends->clear();
  ends->reserve(n);
  *fault_address = 0;
  KeyArg key;
  for (uint32_t i = 0; i < n; i++) {
    napi_value v;
    if (napi_get_element(env, keys, i, &v) != napi_ok) return false;
    if (!key.Read(env, v)) return false;
    const size_t at = bytes->size();
    bytes->resize(at + key.length());  // allocated outside the guard
    if (key.external() && key.length() > 0) {
      if (!Guarded([&] { std::memcpy(bytes->data() + at, key.data(), key.length()); }, fault_address)) return false;
    } else if (key.length() > 0) {
      std::memcpy(bytes->data() + at, key.data(), key.length());
    }
    ends->push_back(bytes->size());
  }
  return true;
}

bool ReadAsyncMode(napi_env env, napi_value mode, bool* willneed) {
  *willneed = false;
  if (IsUndefined(env, mode)) return true;
  std::string name;
  if (ReadShortString(env, mode, &name) && (name == "threadpool" || name == "willneed")) {
    *willneed = name == "willneed";
    return true;
  }
  return ThrowType(env, "mode must be 'threadpool' or 'willneed'"), false;
}

bool ReadCancelFlag(napi_env env, napi_value flag, int32_t** cancel) {
  *cancel = nullptr;
  if (IsUndefined(env, flag)) return true;
  bool is_typed = false;
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  if (napi_is_typedarray(env, flag, &is_typed) == napi_ok && is_typed &&
      napi_get_typedarray_info(env, flag, &type, &length, &data, nullptr, nullptr) == napi_ok &&
      type == napi_int32_array && length >= 1 && data != nullptr) {
    *cancel = static_cast<int32_t*>(data);
    return true;
  }
  return ThrowType(env, "cancel must be an Int32Array"), false;
}

void KeySpans(const std::vector<uint8_t>& bytes, const std::vector<size_t>& ends, KeyBytes* spans) {
  const uint8_t* base = bytes.empty() ? kNoBytes : bytes.data();
  size_t start = 0;
  for (size_t j = 0; j < ends.size(); j++) {
    spans[j] = KeyBytes{ends[j] == start ? kNoBytes : base + start, ends[j] - start};
    start = ends[j];
  }
}

// The Float64Array `out`, which must hold ≥ need numbers.
bool OutArray(napi_env env, napi_value value, size_t need, double** data) {
  size_t length = 0;
  if (!ReadFloat64Array(env, value, "out", data, &length)) return false;
  if (length < need) {
    ThrowRange(env, "out must hold at least 2 numbers per key (" + Num(need) + "), it holds " + Num(length));
    return false;
  }
  return true;
}

// getMany(keys, out): first values of every key; out[2i], out[2i + 1] = offset, length
// or −1, 0. Returns the number found.
napi_value GetMany(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  Handle* h = MethodArgs(env, info, &argc, argv);
  if (h == nullptr) return nullptr;
  if (h->mapping == nullptr) return ThrowClosed(env, h);
  uint32_t n = 0;
  double* out = nullptr;
  if (!KeysLength(env, argv[0], &n) || !OutArray(env, argv[1], 2 * static_cast<size_t>(n), &out)) return nullptr;
  // 1. Every key, copied into this call's own buffers. Reading an element can run JS (a
  //    getter), even this handle's own methods — getMany, getManyAsync, get, setOut,
  //    close — and nothing they do can reach these buffers.
  std::vector<uint8_t> bytes;
  std::vector<size_t> ends;
  uintptr_t key_fault = 0;
  if (!ReadKeys(env, argv[0], n, &bytes, &ends, &key_fault)) {
    return key_fault != 0 && h->mapping != nullptr ? ThrowTruncated(env, h, key_fault) : nullptr;
  }
  // 2. Only now the handle's state, looked at again: JS may have closed it, or detached
  //    or shrunk `out`. No JS runs from here on.
  if (h->mapping == nullptr) return ThrowClosed(env, h);
  if (!OutArray(env, argv[1], 2 * static_cast<size_t>(n), &out)) return nullptr;
  if (h->mapping->damaged()) return ThrowTruncated(env, h, 0);
  std::vector<KeyBytes> spans(n);
  KeySpans(bytes, ends, spans.data());
  CdbFault fault;
  int64_t found = 0;
  uintptr_t bad = 0;
  if (!Guarded([&] { found = h->file.FindMany(spans.data(), n, kSyncGroup, out, &fault, nullptr); }, &bad)) {
    return ThrowTruncated(env, h, bad);
  }
  if (found < 0) return ThrowCdbError(env, fault, h->path);
  return Int(env, found);
}

}  // namespace mmcdb
