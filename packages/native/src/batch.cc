// getMany (sync, one N-API call, cache misses of a group of keys overlapped) and the
// key reading shared with getManyAsync (batch.h).
#include "batch.h"

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

bool ReadKeys(napi_env env, napi_value keys, uint32_t from, uint32_t count, std::vector<uint8_t>* bytes,
              std::vector<size_t>* ends) {
  bytes->clear();
  ends->clear();
  KeyArg key;
  for (uint32_t i = from; i < from + count; i++) {
    napi_value v;
    if (napi_get_element(env, keys, i, &v) != napi_ok) return false;
    if (!key.Read(env, v)) return false;
    bytes->insert(bytes->end(), key.data(), key.data() + key.length());
    ends->push_back(bytes->size());
  }
  return true;
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
  if (!KeysLength(env, argv[0], &n)) return nullptr;
  double* out = nullptr;
  if (!OutArray(env, argv[1], 2 * static_cast<size_t>(n), &out)) return nullptr;
  // A getter on the array could call close(): this reference keeps the pages mapped.
  Mapping* m = h->mapping;
  m->Ref();
  int64_t found = 0;
  KeyBytes spans[kSyncGroup];
  CdbFault fault;
  napi_value result = nullptr;
  for (uint32_t b = 0; b < n; b += kSyncGroup) {
    uint32_t count = n - b < kSyncGroup ? n - b : static_cast<uint32_t>(kSyncGroup);
    if (!ReadKeys(env, argv[0], b, count, &h->key_bytes, &h->key_ends)) goto done;
    // Reading keys can run JS (getters) that detaches or shrinks `out`: look again.
    if (!OutArray(env, argv[1], 2 * static_cast<size_t>(n), &out)) goto done;
    KeySpans(h->key_bytes, h->key_ends, spans);
    if (m->damaged()) {
      ThrowCdbError(env, TruncatedFault(m, 0), h->path);
      goto done;
    }
    int64_t r = 0;
    uintptr_t bad = 0;
    if (!Guarded([&] { r = h->file.FindMany(spans, count, kSyncGroup, out + 2 * b, &fault, nullptr); }, &bad)) {
      ThrowCdbError(env, TruncatedFault(m, bad), h->path);
      goto done;
    }
    if (r < 0) {
      ThrowCdbError(env, fault, h->path);
      goto done;
    }
    found += r;
  }
  result = Int(env, found);
done:
  m->Unref();
  return result;
}

}  // namespace mmcdb
