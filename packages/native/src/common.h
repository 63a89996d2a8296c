// Shared by every module: the data problem a check produces (CdbFault), little-endian
// loads (FORMAT.md §Conventions; classic cdb is little-endian too) and the small value
// types lookups hand back.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

namespace mmcdb {

// A data problem found in a file. `code` is a CdbError code (ERR_CDB_*); the message
// names the field and, when has_offset, `offset` is where it was found. The message
// carries no "(path, offset N)" suffix: CdbError's constructor appends it (errors.h).
struct CdbFault {
  const char* code = nullptr;
  std::string message;
  uint64_t offset = 0;
  bool has_offset = true;
  // The file the error names; empty: the database the call was made on.
  std::string path;

  // Returns false so that checks can `return fault->Set(...)`.
  bool Set(const char* c, std::string m, uint64_t off) {
    code = c;
    message = std::move(m);
    offset = off;
    has_offset = true;
    return false;
  }
  bool SetNoOffset(const char* c, std::string m) {
    Set(c, std::move(m), 0);
    has_offset = false;
    return false;
  }
};

// The one little-endian 64-bit load (the file format and XXH64's lanes both use it).
inline uint64_t LoadU64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  v = __builtin_bswap64(v);
#endif
  return v;
}

inline uint32_t LoadU32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  v = __builtin_bswap32(v);
#endif
  return v;
}

inline uint16_t LoadU16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }

inline std::string Num(uint64_t v) { return std::to_string(v); }

// One match of a lookup: absolute offset and length of the value in the file.
struct ValueRef {
  uint64_t offset;
  uint64_t length;
};

// One record of an iteration (next()).
struct RecordRef {
  uint64_t key_offset;
  uint64_t key_length;
  uint64_t value_offset;
  uint64_t value_length;
  uint64_t next;  // where the following record starts
};

// A key of a batch lookup (getMany / getManyAsync): bytes the call owns.
struct KeyBytes {
  const uint8_t* data;
  size_t length;
};

// A byte range [from, to) of the file.
struct Range {
  uint64_t from, to;
};

// Batch lookups work on groups of this many keys at a time: every key of a group has
// its slot, then its record, in flight before any is waited for.
constexpr size_t kMaxBatchGroup = 64;

// Optional hook of the batch lookups run off the JS thread: called with the bytes a
// stage is about to read for every key of the group (slots, then records) before any
// is read, so the pages can be requested together (MADV_WILLNEED) and cold faults
// overlap. nullptr on the JS thread (warm data: CPU prefetch only).
using PageHint = void (*)(const uint8_t* addr, uint64_t length);

// Largest integer a JS number holds exactly: every offset handed to JS stays below.
constexpr uint64_t kMaxSafeInteger = (1ULL << 53) - 1;

}  // namespace mmcdb
