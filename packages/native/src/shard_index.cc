// The set reader's fast path (docs/SHARDS.md §Reading): one native call routes a key to
// its shard (xxh64(key, seed) mod n) and looks it up there (FORMAT.md §Index), so a get
// on a set costs what a get on one file costs. Shards are attached as the external
// ArrayBuffers the mmap backend already made over their whole file (files ≤ 1 GiB);
// each attached buffer is held by a reference, so its pages stay mapped until detach()
// or close(). Whatever this path cannot answer — a shard not attached, a corrupt slot,
// a SIGBUS (file truncated under the mapping) — it hands back to the shard's own engine,
// which reports it the usual way.
#include <cstring>
#include <vector>

#include "common.h"
#include "guard.h"
#include "mmcdb_lookup.h"
#include "shard_args.h"
#include "shards.h"
#include "xxh64.h"

namespace mmcdb {

namespace {

using namespace shard_args;

constexpr size_t kGroup = 16;  // as batch.cc's kSyncGroup: keys in flight per group
const uint8_t kNoBytes[1] = {0};

struct Slot {
  MmcdbFile file;
  napi_ref buffer = nullptr;  // keeps the ArrayBuffer, hence the mapping, alive
};

struct Index {
  uint64_t seed = 0;
  uint64_t n = 0;
  std::vector<Slot*> slots;
  double* out = nullptr;
  napi_ref out_ref = nullptr;
  int refs = 0;  // the object and each method function
  bool closed = false;
  // getMany scratch
  std::vector<uint8_t> bytes;
  std::vector<size_t> ends;
  std::vector<uint32_t> shard_of, order, start;
};

void DropSlot(napi_env env, Index* x, uint64_t i) {
  Slot* s = x->slots[i];
  if (s == nullptr) return;
  if (s->buffer != nullptr) napi_delete_reference(env, s->buffer);
  delete s;
  x->slots[i] = nullptr;
}

void Release(napi_env env, void* data, void*) {
  Index* x = static_cast<Index*>(data);
  if (--x->refs > 0) return;
  for (uint64_t i = 0; i < x->slots.size(); i++) DropSlot(env, x, i);
  if (x->out_ref != nullptr) napi_delete_reference(env, x->out_ref);
  delete x;
}

Index* Args(napi_env env, napi_callback_info info, size_t* argc, napi_value* argv) {
  void* data = nullptr;
  if (napi_get_cb_info(env, info, argc, argv, nullptr, &data) != napi_ok) return nullptr;
  return static_cast<Index*>(data);
}

napi_value Num(napi_env env, double v) {
  napi_value r;
  napi_create_double(env, v, &r);
  return r;
}

// attach(i, arrayBuffer) → true when the buffer holds a sound mmcdb header (else the
// shard stays with its engine).
napi_value Attach(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  Index* x = Args(env, info, &argc, argv);
  uint64_t i = 0;
  bool is_ab = false;
  if (x == nullptr || argc < 2 || !ReadU32(env, argv[0], kMaxShards - 1, &i) || i >= x->n ||
      napi_is_arraybuffer(env, argv[1], &is_ab) != napi_ok || !is_ab) {
    return Throw(env, false, "attach(i, arrayBuffer): i a shard number, arrayBuffer an ArrayBuffer");
  }
  napi_value result;
  napi_get_boolean(env, false, &result);
  if (x->closed) return result;
  void* data = nullptr;
  size_t length = 0;
  napi_get_arraybuffer_info(env, argv[1], &data, &length);
  Slot* s = new Slot();
  CdbFault fault;
  uintptr_t bad = 0;
  bool ok = false;
  if (data == nullptr || !Guarded([&] { ok = MmcdbOpen(static_cast<const uint8_t*>(data), length, &s->file, &fault); }, &bad) ||
      !ok || napi_create_reference(env, argv[1], 1, &s->buffer) != napi_ok) {
    delete s;
    return result;
  }
  DropSlot(env, x, i);
  x->slots[i] = s;
  napi_get_boolean(env, true, &result);
  return result;
}

// detach(i): shard i goes back to its engine.
napi_value Detach(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  Index* x = Args(env, info, &argc, argv);
  uint64_t i = 0;
  if (x == nullptr || argc < 1 || !ReadU32(env, argv[0], kMaxShards - 1, &i) || i >= x->n) {
    return Throw(env, false, "detach(i): i a shard number");
  }
  DropSlot(env, x, i);
  return nullptr;
}

// close(): every shard detached; later calls answer "ask the engine".
napi_value Close(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  Index* x = Args(env, info, &argc, nullptr);
  if (x == nullptr) return nullptr;
  for (uint64_t i = 0; i < x->slots.size(); i++) DropSlot(env, x, i);
  x->closed = true;
  return nullptr;
}

// get(key) → s + 1 when found in shard s (out[0], out[1] = value offset and length in
// that shard's file), 0 when absent, −(s + 1) when shard s's engine must answer.
napi_value Get(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  Index* x = Args(env, info, &argc, argv);
  if (x == nullptr) return nullptr;
  Key key;
  if (argc < 1 || !key.Read(env, argv[0])) return Throw(env, false, "key must be a string or a Uint8Array");
  const uint64_t s = Xxh64(key.data(), key.length(), x->seed) % x->n;
  Slot* slot = x->slots[s];
  if (slot == nullptr) return Num(env, -static_cast<double>(s + 1));
  ValueRef ref{0, 0};
  CdbFault fault;
  int64_t found = 0;
  uintptr_t bad = 0;
  if (!Guarded([&] { found = MmcdbFind(slot->file, key.data(), key.length(), false, &ref, 1, &fault); }, &bad)) {
    DropSlot(env, x, s);  // truncated under the mapping: the engine reports it from now on
    return Num(env, -static_cast<double>(s + 1));
  }
  if (found < 0) return Num(env, -static_cast<double>(s + 1));  // corrupt: the engine words it
  if (found == 0) return Num(env, 0);
  x->out[0] = static_cast<double>(ref.offset);
  x->out[1] = static_cast<double>(ref.length);
  return Num(env, static_cast<double>(s + 1));
}

// getMany(keys, out, shards) → out[2i], out[2i + 1] = value offset and length in shard
// shards[i] of keys[i]'s first value; out[2i] = −1 when absent, −2 when that shard's
// engine must answer. Keys are read (copied) first, then grouped by shard, and each
// shard's keys looked up in groups whose cache misses overlap (MmcdbFindMany).
napi_value GetMany(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  Index* x = Args(env, info, &argc, argv);
  if (x == nullptr) return nullptr;
  bool is_array = false;
  uint32_t n = 0;
  if (argc < 3 || napi_is_array(env, argv[0], &is_array) != napi_ok || !is_array ||
      napi_get_array_length(env, argv[0], &n) != napi_ok) {
    return Throw(env, false, "getMany(keys, out, shards): keys must be an array");
  }
  x->bytes.clear();
  x->ends.clear();
  x->shard_of.resize(n);
  Key key;
  for (uint32_t i = 0; i < n; i++) {
    napi_value v;
    if (napi_get_element(env, argv[0], i, &v) != napi_ok) return nullptr;
    if (!key.Read(env, v)) return Throw(env, false, "key must be a string or a Uint8Array");
    x->shard_of[i] = static_cast<uint32_t>(Xxh64(key.data(), key.length(), x->seed) % x->n);
    x->bytes.insert(x->bytes.end(), key.data(), key.data() + key.length());
    x->ends.push_back(x->bytes.size());
  }
  // Read after the keys: a getter may have run JS that replaced or detached them.
  Span out, shards;
  if (!TypedBytes(env, argv[1], napi_float64_array, false, &out) || !TypedBytes(env, argv[2], napi_uint32_array, false, &shards) ||
      out.length / sizeof(double) < 2 * static_cast<size_t>(n) || shards.length / 4 < n) {
    return Throw(env, true, "getMany(keys, out, shards): out must hold 2 numbers and shards 1 per key");
  }
  double* o = reinterpret_cast<double*>(out.data);
  std::memcpy(shards.data, x->shard_of.data(), n * sizeof(uint32_t));
  // Counting sort of the key numbers by shard.
  x->start.assign(x->n + 1, 0);
  for (uint32_t i = 0; i < n; i++) x->start[x->shard_of[i] + 1]++;
  for (uint64_t s = 0; s < x->n; s++) x->start[s + 1] += x->start[s];
  x->order.resize(n);
  for (uint32_t i = 0; i < n; i++) x->order[x->start[x->shard_of[i]]++] = i;  // start[s] now = end of s
  KeyBytes spans[kGroup];
  double got[2 * kGroup];
  const uint8_t* base = x->bytes.empty() ? kNoBytes : x->bytes.data();
  for (uint32_t a = 0; a < n;) {
    const uint32_t s = x->shard_of[x->order[a]];
    const uint32_t end = x->start[s];
    Slot* slot = x->slots[s];
    for (uint32_t b = a; b < end; b += kGroup) {
      const uint32_t count = end - b < kGroup ? end - b : static_cast<uint32_t>(kGroup);
      for (uint32_t j = 0; j < count; j++) {
        const uint32_t k = x->order[b + j];
        const size_t from = k == 0 ? 0 : x->ends[k - 1];
        spans[j] = KeyBytes{x->ends[k] == from ? kNoBytes : base + from, x->ends[k] - from};
        got[2 * j] = -2;
        got[2 * j + 1] = 0;
      }
      if (slot != nullptr) {
        CdbFault fault;
        int64_t r = 0;
        uintptr_t bad = 0;
        if (!Guarded([&] { r = MmcdbFindMany(slot->file, spans, count, kGroup, got, &fault, nullptr); }, &bad)) {
          DropSlot(env, x, s);
          slot = nullptr;
          for (uint32_t j = 0; j < count; j++) got[2 * j] = -2;
        } else if (r < 0) {
          for (uint32_t j = 0; j < count; j++) got[2 * j] = -2;  // corrupt: the engine words it
        }
      }
      for (uint32_t j = 0; j < count; j++) {
        const uint32_t k = x->order[b + j];
        o[2 * k] = got[2 * j];
        o[2 * k + 1] = got[2 * j + 1];
      }
    }
    a = end;
  }
  return nullptr;
}

bool Method(napi_env env, napi_value obj, const char* name, napi_callback cb, Index* x) {
  napi_value fn;
  if (napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, x, &fn) != napi_ok) return false;
  x->refs++;
  if (napi_add_finalizer(env, fn, x, Release, nullptr, nullptr) != napi_ok) {
    x->refs--;
    return false;
  }
  return napi_set_named_property(env, obj, name, fn) == napi_ok;
}

}  // namespace

// shardIndex(seed: bigint, n: number, out: Float64Array) → { attach, detach, get,
// getMany, close } (see above).
napi_value ShardIndex(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok) return nullptr;
  uint64_t seed = 0, n = 0;
  Span out;
  if (argc < 3 || !ReadSeed(env, argv[0], &seed) || !ReadU32(env, argv[1], kMaxShards, &n) || n == 0 ||
      !TypedBytes(env, argv[2], napi_float64_array, false, &out) || out.length < 2 * sizeof(double)) {
    return Throw(env, true, "shardIndex(seed, n, out): a bigint seed, 1 ≤ n ≤ 65536 and a Float64Array of ≥ 2");
  }
  Index* x = new Index();
  x->seed = seed;
  x->n = n;
  x->slots.assign(n, nullptr);
  x->out = reinterpret_cast<double*>(out.data);
  napi_value obj;
  if (napi_create_reference(env, argv[2], 1, &x->out_ref) != napi_ok || napi_create_object(env, &obj) != napi_ok) {
    if (x->out_ref != nullptr) napi_delete_reference(env, x->out_ref);
    delete x;
    return nullptr;
  }
  x->refs = 1;  // the object's own, released by its finalizer below
  if (napi_add_finalizer(env, obj, x, Release, nullptr, nullptr) != napi_ok) {
    napi_delete_reference(env, x->out_ref);
    delete x;
    return nullptr;
  }
  if (!Method(env, obj, "attach", Attach, x) || !Method(env, obj, "detach", Detach, x) || !Method(env, obj, "get", Get, x) ||
      !Method(env, obj, "getMany", GetMany, x) || !Method(env, obj, "close", Close, x)) {
    return nullptr;
  }
  return obj;
}

}  // namespace mmcdb
