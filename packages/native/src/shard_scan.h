// cdbmake records as the set builder's routers read them (shards.cc shardRoute,
// shard_encode.cc shardEncode): complete, well-formed records only, with the limits of
// build/cdbmake.ts CDBMAKE_LIMITS; anything else ends the scan and the caller's parser
// takes over. Also why a router stopped, shared by both.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace mmcdb {
namespace shard_scan {

constexpr int kMaxDigits = 20;
constexpr uint64_t kMaxKey = 0x7fffffff;
constexpr uint64_t kMaxValue = (1ULL << 32) - 1;

// Why a router stopped (state[2]); state[3] is the stopping record's shard.
enum Stop : int {
  kNotARecord = 0,   // src[consumed] is not a complete, well-formed record (or src ended)
  kRegionFull = 1,   // the record's region has no room left for it
  kEntriesFull = 2,  // the record's region has no entry left (shardEncode)
  kTooLarge = 3,     // the record is larger than a whole region
};

struct Record {
  const uint8_t* key;
  uint64_t key_length;
  const uint8_t* value;
  uint64_t value_length;
  size_t end;  // offset just past the record's newline
};

// Reads `digits end` at *p (as build/cdbmake.ts readLength): false when malformed.
inline bool Length(const uint8_t* src, size_t n, size_t* p, uint8_t end, uint64_t* value) {
  uint64_t v = 0;
  int digits = 0;
  while (*p < n) {
    const uint8_t c = src[(*p)++];
    if (c == end) {
      *value = v;
      return digits > 0;
    }
    if (c < '0' || c > '9' || ++digits > kMaxDigits) return false;
    if (v < (1ULL << 40)) v = v * 10 + (c - '0');  // saturates: anything this large is over every limit
  }
  return false;
}

// The complete, well-formed `+klen,dlen:key->value\n` record at s[at], if any.
inline bool Parse(const uint8_t* s, size_t len, size_t at, Record* r) {
  size_t p = at;
  if (p >= len || s[p++] != '+') return false;
  if (!Length(s, len, &p, ',', &r->key_length) || r->key_length > kMaxKey) return false;
  if (!Length(s, len, &p, ':', &r->value_length) || r->value_length > kMaxValue) return false;
  if (len - p < r->key_length + 2 || len - p - r->key_length - 2 < r->value_length + 1) return false;
  r->key = s + p;
  r->value = r->key + r->key_length + 2;
  if (r->key[r->key_length] != '-' || r->key[r->key_length + 1] != '>' || r->value[r->value_length] != '\n') return false;
  r->end = static_cast<size_t>(r->value - s) + r->value_length + 1;
  return true;
}

// Newlines in p[0, n), for the caller's line numbers: counted per key and per value
// while they are in cache (a pass over the whole span afterwards costs twice as much).
inline size_t CountNewlines(const uint8_t* p, size_t n) {
  size_t count = 0;
  const uint8_t* end = p + n;
  while (p < end) {
    const void* q = std::memchr(p, '\n', end - p);
    if (q == nullptr) break;
    count++;
    p = static_cast<const uint8_t*>(q) + 1;
  }
  return count;
}

}  // namespace shard_scan
}  // namespace mmcdb
