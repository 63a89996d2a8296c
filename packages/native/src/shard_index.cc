// The set reader's fast path (docs/SHARDS.md §Reading): one native call routes a key to
// its shard (xxh64(key, seed) mod n) and looks it up there (FORMAT.md §Index; CLASSIC.md
// for classic shards), so a get on a set costs what a get on one file costs. Shards are
// attached as the handles open() made for them: the index reads each handle's own file
// (DbFile over the read-only mapping that JS never sees: mapping.h), with the same
// bounds checks as the handle's lookups, and holds a reference to the handle object, so
// the Handle stays alive until detach() or close(). It never answers for a handle that
// has been closed or found damaged, and whatever it cannot answer — a shard not
// attached, a closed or damaged handle, a corrupt slot, a SIGBUS in the shard's file
// (truncated under the mapping) — it hands back to the shard's own engine, which
// reports it the usual way. A key that faults (a view of a truncated file) throws, as
// the handle's lookups do.
#include <cstring>
#include <vector>

#include "batch.h"
#include "common.h"
#include "guard.h"
#include "handle.h"
#include "napi_util.h"
#include "shard_args.h"
#include "shards.h"
#include "xxh64.h"

namespace mmcdb {

namespace {

using namespace shard_args;

constexpr size_t kGroup = 16;  // as batch.cc's kSyncGroup: keys in flight per group

struct Slot {
  Handle* handle = nullptr;  // alive while `ref` holds its object
  napi_ref ref = nullptr;
};

struct Index {
  uint64_t seed = 0;
  uint64_t n = 0;
  std::vector<Slot> slots;
  double* out = nullptr;
  napi_ref out_ref = nullptr;
  int refs = 0;  // the object and each method function
  bool closed = false;
};

void DropSlot(napi_env env, Index* x, uint64_t i) {
  Slot& s = x->slots[i];
  if (s.ref != nullptr) DropTeardownStatus(napi_delete_reference(env, s.ref));
  s = Slot();
}

void Release(napi_env env, void* data, void*) {
  Index* x = static_cast<Index*>(data);
  if (--x->refs > 0) return;
  for (uint64_t i = 0; i < x->slots.size(); i++) DropSlot(env, x, i);
  if (x->out_ref != nullptr) DropTeardownStatus(napi_delete_reference(env, x->out_ref));
  delete x;
}

Index* Args(napi_env env, napi_callback_info info, size_t* argc, napi_value* argv) {
  void* data = nullptr;
  if (napi_get_cb_info(env, info, argc, argv, nullptr, &data) != napi_ok) return nullptr;
  return static_cast<Index*>(data);
}

// The handle of shard s when the index may read it now: attached, open, not damaged.
// Checked at every use: JS may close a handle while it is attached.
inline const Handle* Usable(const Index* x, uint64_t s) {
  const Handle* h = x->slots[s].handle;
  if (h == nullptr || h->mapping == nullptr || h->mapping->damaged()) return nullptr;
  return h;
}

// attach(i, handle) → true when `handle` (open()'s result, in this thread) is open and
// undamaged: shard i is answered here from now on. False (the shard stays with its
// engine) for anything else, including a closed handle. TypeError for a bad i.
napi_value IndexAttach(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  Index* x = Args(env, info, &argc, argv);
  if (x == nullptr) return nullptr;
  uint64_t i = 0;
  if (!ReadU32(env, argv[0], kMaxShards - 1, &i) || i >= x->n) {
    return Throw(env, false, "attach(i, handle): i must be a shard number of this index");
  }
  Handle* h = HandleOf(env, argv[1]);
  if (x->closed || h == nullptr || h->mapping == nullptr || h->mapping->damaged()) return Bool(env, false);
  napi_ref ref;
  if (napi_create_reference(env, argv[1], 1, &ref) != napi_ok) return nullptr;
  DropSlot(env, x, i);
  x->slots[i] = Slot{h, ref};
  return Bool(env, true);
}

// detach(i): shard i goes back to its engine.
napi_value IndexDetach(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  Index* x = Args(env, info, &argc, argv);
  if (x == nullptr) return nullptr;
  uint64_t i = 0;
  if (!ReadU32(env, argv[0], kMaxShards - 1, &i) || i >= x->n) {
    return Throw(env, false, "detach(i): i must be a shard number of this index");
  }
  DropSlot(env, x, i);
  return Undefined(env);
}

// close(): every shard detached; later attach() calls return false and lookups answer
// "ask the engine".
napi_value IndexClose(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  Index* x = Args(env, info, &argc, nullptr);
  if (x == nullptr) return nullptr;
  for (uint64_t i = 0; i < x->slots.size(); i++) DropSlot(env, x, i);
  x->closed = true;
  return Undefined(env);
}

// get(key) → s + 1 when found in shard s (out[0], out[1] = the value's absolute offset
// and length in that shard's file, inside its data section), 0 when absent, −(s + 1)
// when shard s's engine must answer. A key whose memory faults while it is hashed (a
// view of another database whose file was truncated) throws ERR_CDB_TRUNCATED naming
// that file, as every lookup does: it is the key that is bad, whatever its shard (and
// reading it in JS now would see zeros, not the fault).
napi_value IndexGet(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  Index* x = Args(env, info, &argc, argv);
  if (x == nullptr) return nullptr;
  KeyArg key;
  if (!key.Read(env, argv[0])) return nullptr;
  uint64_t hash = 0;
  uintptr_t bad = 0;
  if (!key.external()) {
    hash = Xxh64(key.data(), key.length(), x->seed);
  } else if (!Guarded([&] { hash = Xxh64(key.data(), key.length(), x->seed); }, &bad)) {
    return ThrowCdbError(env, KeyFault(bad), "");
  }
  const uint64_t s = hash % x->n;
  // s + 1 ≤ 65536: small integers (no heap number).
  const int32_t back = -static_cast<int32_t>(s + 1);
  const Handle* h = Usable(x, s);
  if (h == nullptr) return Small(env, back);
  ValueRef ref{0, 0};
  CdbFault fault;
  int64_t found = 0;
  // An mmcdb shard hashed with the partition seed (the default): one hash serves both.
  const bool same = h->file.is_mmcdb && h->file.mm.seed == x->seed;
  if (!Guarded(
          [&] {
            found = same ? MmcdbFindHashed(h->file.mm, key.data(), key.length(), hash, false, &ref, 1, &fault)
                         : h->file.Find(key.data(), key.length(), false, &ref, 1, &fault);
          },
          &bad)) {
    // The shard's file was truncated under the mapping (the guard charged it: the handle
    // is damaged from now on), or the key's memory faulted: the engine reports either.
    return Small(env, back);
  }
  if (found < 0) return Small(env, back);  // corrupt: the engine words it
  if (found == 0) return Small(env, 0);
  x->out[0] = static_cast<double>(ref.offset);
  x->out[1] = static_cast<double>(ref.length);
  return Small(env, -back);
}

// getMany(keys, out, shards): out[2i], out[2i + 1] = the absolute offset and length in
// shard shards[i] of keys[i]'s first value; out[2i] = −1 when absent, −2 when that
// shard's engine must answer. A key whose memory faults while the keys are read throws
// ERR_CDB_TRUNCATED naming its file (as get()), nothing written. Keys are
// read (copied into this call's own buffers: a getter may run any JS, this index's
// methods included) first; then `out` and `shards` are checked, the keys grouped by
// shard, and each shard's keys looked up in groups whose cache misses overlap.
napi_value IndexGetMany(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  Index* x = Args(env, info, &argc, argv);
  if (x == nullptr) return nullptr;
  uint32_t n = 0;
  if (!KeysLength(env, argv[0], &n)) return nullptr;
  std::vector<uint8_t> bytes;
  std::vector<size_t> ends;
  uintptr_t bad = 0;
  if (!ReadKeys(env, argv[0], n, &bytes, &ends, &bad)) return bad != 0 ? ThrowCdbError(env, KeyFault(bad), "") : nullptr;
  // Read after the keys: a getter may have run JS that replaced or detached them.
  Span out, shards;
  if (!TypedBytes(env, argv[1], napi_float64_array, false, &out) || !TypedBytes(env, argv[2], napi_uint32_array, false, &shards)) {
    return Throw(env, false, "getMany(keys, out, shards): out must be a Float64Array and shards a Uint32Array");
  }
  if (out.length / sizeof(double) < 2 * static_cast<size_t>(n) || shards.length / 4 < n) {
    return Throw(env, true, "getMany(keys, out, shards): out must hold 2 numbers and shards 1 per key");
  }
  std::vector<KeyBytes> spans(n);
  KeySpans(bytes, ends, spans.data());
  double* o = reinterpret_cast<double*>(out.data);
  // This call's own copy (out and shards may share memory): copied to `shards` at the end.
  std::vector<uint32_t> shard_of(n);
  for (uint32_t i = 0; i < n; i++) {
    shard_of[i] = static_cast<uint32_t>(Xxh64(spans[i].data, spans[i].length, x->seed) % x->n);
  }
  // Counting sort of the key numbers by shard: start[s] = where shard s's keys begin in
  // `order` (then, once filled, where they end).
  std::vector<uint32_t> start(x->n + 1, 0), order(n);
  for (uint32_t i = 0; i < n; i++) start[shard_of[i] + 1]++;
  for (uint64_t s = 0; s < x->n; s++) start[s + 1] += start[s];
  for (uint32_t i = 0; i < n; i++) order[start[shard_of[i]]++] = i;
  KeyBytes group[kGroup];
  double got[2 * kGroup];
  for (uint32_t a = 0; a < n;) {
    const uint32_t s = shard_of[order[a]];
    const uint32_t end = start[s];
    const Handle* h = Usable(x, s);
    for (uint32_t b = a; b < end; b += kGroup) {
      const uint32_t count = end - b < kGroup ? end - b : static_cast<uint32_t>(kGroup);
      for (uint32_t j = 0; j < count; j++) {
        group[j] = spans[order[b + j]];
        got[2 * j] = -2;
        got[2 * j + 1] = 0;
      }
      if (h != nullptr) {
        CdbFault fault;
        int64_t r = 0;
        if (!Guarded([&] { r = h->file.FindMany(group, count, kGroup, got, &fault, nullptr); }, &bad)) {
          h = nullptr;  // truncated under the mapping (the handle is damaged now): its engine answers
          for (uint32_t j = 0; j < count; j++) got[2 * j] = -2;
        } else if (r < 0) {
          for (uint32_t j = 0; j < count; j++) got[2 * j] = -2;  // corrupt: the engine words it
        }
      }
      for (uint32_t j = 0; j < count; j++) {
        const uint32_t k = order[b + j];
        o[2 * k] = got[2 * j];
        o[2 * k + 1] = got[2 * j] == -2 ? 0 : got[2 * j + 1];
      }
    }
    a = end;
  }
  if (n > 0) std::memcpy(shards.data, shard_of.data(), n * sizeof(uint32_t));
  return Undefined(env);
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
  if (!ReadSeed(env, argv[0], &seed) || !ReadU32(env, argv[1], kMaxShards, &n) || n == 0 ||
      !TypedBytes(env, argv[2], napi_float64_array, false, &out) || out.length < 2 * sizeof(double)) {
    return Throw(env, true, "shardIndex(seed, n, out): a bigint seed, 1 ≤ n ≤ 65536 and a Float64Array of ≥ 2");
  }
  Index* x = new Index();
  x->seed = seed;
  x->n = n;
  x->slots.assign(n, Slot());
  x->out = reinterpret_cast<double*>(out.data);
  napi_value obj;
  if (napi_create_reference(env, argv[2], 1, &x->out_ref) != napi_ok || napi_create_object(env, &obj) != napi_ok) {
    if (x->out_ref != nullptr) DropTeardownStatus(napi_delete_reference(env, x->out_ref));
    delete x;
    return nullptr;
  }
  x->refs = 1;  // the object's own, released by its finalizer below
  if (napi_add_finalizer(env, obj, x, Release, nullptr, nullptr) != napi_ok) {
    DropTeardownStatus(napi_delete_reference(env, x->out_ref));
    delete x;
    return nullptr;
  }
  if (!Method(env, obj, "attach", IndexAttach, x) || !Method(env, obj, "detach", IndexDetach, x) ||
      !Method(env, obj, "get", IndexGet, x) || !Method(env, obj, "getMany", IndexGetMany, x) ||
      !Method(env, obj, "close", IndexClose, x)) {
    return nullptr;
  }
  return obj;
}

}  // namespace mmcdb
