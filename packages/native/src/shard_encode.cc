// shardEncode: the set builder's fast path (docs/SHARDS.md §Building). One pass over
// cdbmake input routes each record to its shard (xxh64(key, seed) mod n) and writes it
// there already encoded as an mmcdb record (FORMAT.md §Records) at that shard file's
// next position, with the (hash, position) entry its index needs — so a shard's writer
// only appends bytes and entries (MmcdbWriter.addEncoded) and nothing is parsed or
// hashed twice. With fileSeed = seed, one hash serves both the partition and the index.
#include <cstdint>
#include <cstring>

#include "shard_args.h"
#include "shard_scan.h"
#include "shards.h"
#include "xxh64.h"

namespace mmcdb {

namespace {

using namespace shard_args;
using namespace shard_scan;

constexpr uint64_t kRecordHeader = 12;  // §Records: key_length u32 + value_length u64

inline void StoreU32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
inline void StoreU64(uint8_t* p, uint64_t v) {
  for (int i = 0; i < 8; i++) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

}  // namespace

// shardEncode(src, seed, fileSeed, n, first, count, align, buf, regionSize, entryCap,
//             used, records, positions, state) → records parsed.
// `buf` (a Uint8Array, typically over a SharedArrayBuffer) holds, for the `count`
// shards [first, first + count): their byte regions (region r = bytes [r × regionSize,
// (r + 1) × regionSize)), then entryCap Float64 positions per region, then entryCap
// (low, high) Uint32 hash pairs per region. For each record of a shard s in range,
// r = s − first: the encoded record goes at region r + used[r], value aligned to
// `align` counting from file offset positions[r]; its entry (positions[r],
// xxh64(key, fileSeed)) is entry records[r]; then used[r], records[r] and positions[r]
// advance. Records of other shards are skipped. Stops (never throws for bad input)
// before a record that is not complete and well-formed, whose region has no room or
// no entry left, or that is larger than a region. state = [src bytes consumed,
// newlines consumed, stop, the stopping record's shard].
napi_value ShardEncode(napi_env env, napi_callback_info info) {
  size_t argc = 14;
  napi_value argv[14];
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok) return nullptr;
  Span src, buf, used_b, records_b, positions_b, state_b;
  uint64_t seed = 0, file_seed = 0, n = 0, first = 0, count = 0, align = 0, region = 0, cap = 0;
  if (argc < 14 || !TypedBytes(env, argv[0], napi_uint8_array, false, &src) || !ReadSeed(env, argv[1], &seed) ||
      !ReadSeed(env, argv[2], &file_seed) || !TypedBytes(env, argv[7], napi_uint8_array, false, &buf) ||
      !TypedBytes(env, argv[10], napi_float64_array, false, &used_b) ||
      !TypedBytes(env, argv[11], napi_float64_array, false, &records_b) ||
      !TypedBytes(env, argv[12], napi_float64_array, false, &positions_b) ||
      !TypedBytes(env, argv[13], napi_float64_array, false, &state_b)) {
    return Throw(env, false, "shardEncode(src, seed, fileSeed, n, first, count, align, buf, regionSize, entryCap, used, records, positions, state)");
  }
  if (!ReadU32(env, argv[3], kMaxShards, &n) || n == 0 || !ReadU32(env, argv[4], kMaxShards - 1, &first) ||
      !ReadU32(env, argv[5], kMaxShards, &count) || count == 0 || first + count > n ||
      !ReadU32(env, argv[6], 65536, &align) || align == 0 || (align & (align - 1)) != 0 ||
      !ReadU32(env, argv[8], 1ULL << 32, &region) || region == 0 || region % 8 != 0 ||
      !ReadU32(env, argv[9], 1ULL << 32, &cap) || cap == 0 || buf.length / count < region + 16 * cap ||
      used_b.length / 8 < count || records_b.length / 8 < count || positions_b.length / 8 < count ||
      state_b.length < 4 * sizeof(double)) {
    return Throw(env, true, "shardEncode: 1 ≤ n ≤ 65536, first + count ≤ n, align a power of two ≤ 65536, buf must hold count regions and their entries");
  }
  const uint8_t* s = src.data;
  const size_t len = src.length;
  uint8_t* bytes = buf.data;
  double* entry_pos = reinterpret_cast<double*>(buf.data + count * region);
  uint32_t* entry_hash = reinterpret_cast<uint32_t*>(buf.data + count * region + 8 * count * cap);
  double* used = reinterpret_cast<double*>(used_b.data);
  double* records = reinterpret_cast<double*>(records_b.data);
  double* positions = reinterpret_cast<double*>(positions_b.data);
  double* state = reinterpret_cast<double*>(state_b.data);
  size_t consumed = 0, parsed = 0, lines = 0;
  int stop = kNotARecord;
  double stop_shard = -1;
  Record rec;
  while (Parse(s, len, consumed, &rec)) {
    const uint64_t h = Xxh64(rec.key, rec.key_length, seed);
    const uint64_t shard = h % n;
    if (shard >= first && shard < first + count) {
      const uint64_t r = shard - first;
      const uint64_t pos = static_cast<uint64_t>(positions[r]);
      const uint64_t key_end = pos + kRecordHeader + rec.key_length;
      const uint64_t pad = ((key_end + align - 1) & ~(align - 1)) - key_end;
      const uint64_t size = kRecordHeader + rec.key_length + pad + rec.value_length;
      const uint64_t at = static_cast<uint64_t>(used[r]);
      const uint64_t e = static_cast<uint64_t>(records[r]);
      if (size > region || size > region - at || e == cap) {
        stop = size > region ? kTooLarge : e == cap ? kEntriesFull : kRegionFull;
        stop_shard = static_cast<double>(shard);
        break;
      }
      uint8_t* out = bytes + r * region + at;
      StoreU32(out, static_cast<uint32_t>(rec.key_length));
      StoreU64(out + 4, rec.value_length);
      std::memcpy(out + kRecordHeader, rec.key, rec.key_length);
      std::memset(out + kRecordHeader + rec.key_length, 0, pad);
      std::memcpy(out + kRecordHeader + rec.key_length + pad, rec.value, rec.value_length);
      const uint64_t fh = file_seed == seed ? h : Xxh64(rec.key, rec.key_length, file_seed);
      entry_pos[r * cap + e] = static_cast<double>(pos);
      entry_hash[2 * (r * cap + e)] = static_cast<uint32_t>(fh);
      entry_hash[2 * (r * cap + e) + 1] = static_cast<uint32_t>(fh >> 32);
      used[r] = static_cast<double>(at + size);
      records[r] = static_cast<double>(e + 1);
      positions[r] = static_cast<double>(pos + size);
    }
    // Key, "->" and value are contiguous and "->" holds none: one scan for both.
    lines += 1 + CountNewlines(rec.key, rec.key_length + 2 + rec.value_length);
    consumed = rec.end;
    parsed++;
  }
  state[0] = static_cast<double>(consumed);
  state[1] = static_cast<double>(lines);
  state[2] = stop;
  state[3] = stop_shard;
  napi_value result;
  napi_create_double(env, static_cast<double>(parsed), &result);
  return result;
}

}  // namespace mmcdb
