#include "shards.h"

#include <cstdint>
#include <cstring>
#include <vector>

#include "batch.h"
#include "guard.h"
#include "handle.h"
#include "napi_util.h"
#include "shard_args.h"
#include "shard_scan.h"
#include "xxh64.h"

namespace mmcdb {

namespace {

using namespace shard_args;
using namespace shard_scan;
struct Router {
  uint64_t seed;
  uint64_t n;
};

inline uint32_t ShardOf(const Router& r, const uint8_t* key, size_t length) {
  return static_cast<uint32_t>(Xxh64(key, length, r.seed) % r.n);
}

Router* RouterOf(napi_env env, napi_callback_info info, size_t* argc, napi_value* argv) {
  void* data = nullptr;
  if (napi_get_cb_info(env, info, argc, argv, nullptr, &data) != napi_ok) return nullptr;
  return static_cast<Router*>(data);
}

// of(key) → the shard of one key. A TypedArray key is hashed under the SIGBUS guard (it
// may be a view of a truncated file: ERR_CDB_TRUNCATED naming that file).
napi_value RouterOfKey(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  Router* r = RouterOf(env, info, &argc, argv);
  if (r == nullptr) return nullptr;
  KeyArg key;
  if (!key.Read(env, argv[0])) return nullptr;  // missing: undefined (TypeError)
  uint32_t shard = 0;
  uintptr_t bad = 0;
  if (!key.external()) {
    shard = ShardOf(*r, key.data(), key.length());
  } else if (!Guarded([&] { shard = ShardOf(*r, key.data(), key.length()); }, &bad)) {
    return ThrowCdbError(env, KeyFault(bad), "");
  }
  napi_value result;
  if (napi_create_uint32(env, shard, &result) != napi_ok) return nullptr;
  return result;
}

// many(keys, out) → out[i] = the shard of keys[i].
napi_value RouterMany(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  Router* r = RouterOf(env, info, &argc, argv);
  if (r == nullptr) return nullptr;
  uint32_t count = 0;
  Span out;
  if (argc < 2) return Throw(env, false, "many(keys, out): keys must be an array and out a Uint32Array");
  if (!KeysLength(env, argv[0], &count)) return nullptr;
  if (!TypedBytes(env, argv[1], napi_uint32_array, false, &out)) {
    return Throw(env, false, "many(keys, out): keys must be an array and out a Uint32Array");
  }
  if (out.length / 4 < count) return Throw(env, true, "many(keys, out): out is shorter than keys");
  // Keys first, copied into this call's buffers (a getter on the array may run JS that
  // resizes or detaches `out`, or calls this router again), then `out` is read again
  // and written once.
  std::vector<uint8_t> bytes;
  std::vector<size_t> ends;
  uintptr_t bad = 0;
  if (!ReadKeys(env, argv[0], count, &bytes, &ends, &bad)) {
    return bad != 0 ? ThrowCdbError(env, KeyFault(bad), "") : nullptr;
  }
  if (!TypedBytes(env, argv[1], napi_uint32_array, false, &out) || out.length / 4 < count) {
    return Throw(env, true, "many(keys, out): out is shorter than keys");
  }
  uint32_t* o = reinterpret_cast<uint32_t*>(out.data);
  static const uint8_t kNone[1] = {0};
  const uint8_t* base = bytes.empty() ? kNone : bytes.data();
  size_t from = 0;
  for (uint32_t i = 0; i < count; i++) {
    o[i] = ShardOf(*r, base + from, ends[i] - from);
    from = ends[i];
  }
  return Undefined(env);
}

void FreeRouter(napi_env, void* data, void*) {
  delete static_cast<Router*>(data);
}

// A function bound to its own copy of the router (freed with the function).
bool BindRouter(napi_env env, napi_value target, const char* name, napi_callback cb, const Router& r) {
  Router* copy = new Router(r);
  napi_value fn;
  if (napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, copy, &fn) != napi_ok) {
    delete copy;
    return false;
  }
  if (napi_add_finalizer(env, fn, copy, FreeRouter, nullptr, nullptr) != napi_ok) {
    delete copy;
    return false;
  }
  return napi_set_named_property(env, target, name, fn) == napi_ok;
}

}  // namespace

// shardRouter(seed: bigint, n: number) → { of(key), many(keys, out) } for the partition
// shard = xxh64(key, seed) mod n (docs/SHARDS.md §Partition).
napi_value ShardRouter(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok) return nullptr;
  Router r{0, 0};
  if (argc < 2 || !ReadSeed(env, argv[0], &r.seed) || !ReadU32(env, argv[1], kMaxShards, &r.n) || r.n == 0) {
    return Throw(env, true, "shardRouter(seed, n): seed must be a bigint below 2^64 and n an integer from 1 to 65536");
  }
  napi_value obj;
  if (napi_create_object(env, &obj) != napi_ok) return nullptr;
  if (!BindRouter(env, obj, "of", RouterOfKey, r) || !BindRouter(env, obj, "many", RouterMany, r)) return nullptr;
  return obj;
}

// shardRoute(src, seed, n, first, count, out, regionSize, used, state) → records parsed.
// Parses the complete `+klen,dlen:key->value\n` records at the start of src; for each,
// shard = xxh64(key, seed) mod n. A record of a shard s in [first, first + count) is
// copied (as cdbmake text) to the end of region s − first of `out` (region r is bytes
// [r × regionSize, (r + 1) × regionSize), filled up to used[r]); records of other shards
// are skipped. Never throws for bad input: it stops before the first record that is
// not complete and well-formed (the caller's parser takes over), that has no room left
// in its region, or that is larger than a region. state = [src bytes consumed, newlines
// consumed, stop (see Stop), the stopping record's shard].
napi_value ShardRoute(napi_env env, napi_callback_info info) {
  size_t argc = 9;
  napi_value argv[9];
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok) return nullptr;
  Span src, out, used_b, state_b;
  uint64_t seed = 0, n = 0, first = 0, count = 0, region = 0;
  if (argc < 9 || !TypedBytes(env, argv[0], napi_uint8_array, false, &src) || !ReadSeed(env, argv[1], &seed) ||
      !TypedBytes(env, argv[5], napi_uint8_array, false, &out) || !TypedBytes(env, argv[7], napi_float64_array, false, &used_b) ||
      !TypedBytes(env, argv[8], napi_float64_array, false, &state_b)) {
    return Throw(env, false, "shardRoute(src, seed, n, first, count, out, regionSize, used, state)");
  }
  if (!ReadU32(env, argv[2], kMaxShards, &n) || n == 0 || !ReadU32(env, argv[3], kMaxShards - 1, &first) ||
      !ReadU32(env, argv[4], kMaxShards, &count) || count == 0 || first + count > n ||
      !ReadU32(env, argv[6], 1ULL << 40, &region) || region == 0 || out.length / region < count ||
      used_b.length / sizeof(double) < count || state_b.length < 4 * sizeof(double)) {
    return Throw(env, true, "shardRoute: 1 ≤ n ≤ 65536, first + count ≤ n, out must hold count regions and used count entries");
  }
  const uint8_t* s = src.data;
  const size_t len = src.length;
  double* used = reinterpret_cast<double*>(used_b.data);
  double* state = reinterpret_cast<double*>(state_b.data);
  size_t consumed = 0, records = 0, lines = 0;
  int stop = kNotARecord;
  double stop_shard = -1;
  Record rec;
  while (Parse(s, len, consumed, &rec)) {
    const uint64_t shard = Xxh64(rec.key, rec.key_length, seed) % n;
    if (shard >= first && shard < first + count) {
      const uint64_t r = shard - first;
      const uint64_t size = rec.end - consumed;
      const uint64_t at = static_cast<uint64_t>(used[r]);
      if (size > region || size > region - at) {
        stop = size > region ? kTooLarge : kRegionFull;
        stop_shard = static_cast<double>(shard);
        break;
      }
      std::memcpy(out.data + r * region + at, s + consumed, size);
      used[r] = static_cast<double>(at + size);
    }
    // Key, "->" and value are contiguous and "->" holds none: one scan for both.
    lines += 1 + CountNewlines(rec.key, rec.key_length + 2 + rec.value_length);
    consumed = rec.end;
    records++;
  }
  state[0] = static_cast<double>(consumed);
  state[1] = static_cast<double>(lines);
  state[2] = stop;
  state[3] = stop_shard;
  napi_value result;
  napi_create_double(env, static_cast<double>(records), &result);
  return result;
}

}  // namespace mmcdb
