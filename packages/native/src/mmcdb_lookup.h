// Reading an mmcdb v1 file (docs/FORMAT.md): header validation at open (§Header),
// lookups (§Index) and iteration (§Records). Every offset read from the file is
// checked against the section it must lie in before anything is read there. Messages,
// codes and offsets equal @mmcdb/core's for the same check (core/src/format.ts
// decodeHeader, core/src/mmcdb-engine.ts): test/native/messages.test.ts.
#pragma once
#include <cstddef>
#include <cstdint>

#include "common.h"

namespace mmcdb {

// §Header magic "\x89MMCDB\r\n".
extern const uint8_t kMmcdbMagic[8];
constexpr uint64_t kHeaderSize = 128;

bool HasMmcdbMagic(const uint8_t* base, uint64_t size);

struct MmcdbFile {
  const uint8_t* base = nullptr;  // the read-only mapping (mapping.h): never JS memory
  uint64_t size = 0;
  uint64_t record_count = 0;
  uint64_t seed = 0;
  uint64_t data_end = 0;
  uint64_t index_offset = 0;
  uint64_t index_length = 0;
  uint64_t meta_offset = 0;
  uint64_t meta_length = 0;
  uint32_t home_slots = 0;
  uint32_t value_align = 1;
};

// Validates the header in the order of §Header. On failure fills *fault and returns
// false (ERR_CDB_TRUNCATED / FORMAT / VERSION / CHECKSUM).
bool MmcdbOpen(const uint8_t* base, uint64_t size, MmcdbFile* file, CdbFault* fault);

// §Index lookup of `key`. Writes up to `capacity` matches to `out` in insertion
// order; stops after the first match when `all` is false. Returns the number of
// matches (which may exceed `capacity`), or -1 with *fault (ERR_CDB_CORRUPT) when a
// slot points outside the records.
int64_t MmcdbFind(const MmcdbFile& f, const uint8_t* key, size_t key_length, bool all,
                  ValueRef* out, size_t capacity, CdbFault* fault);
// MmcdbFind with the key's hash already computed: `hash` must be xxh64(key, f.seed) (the
// sharded-set index reuses its partition hash when the seeds agree: shard_index.cc).
int64_t MmcdbFindHashed(const MmcdbFile& f, const uint8_t* key, size_t key_length, uint64_t hash, bool all,
                        ValueRef* out, size_t capacity, CdbFault* fault);

// Batch lookup of the first value of each of `n` keys, in groups of `group` keys
// (≤ kMaxBatchGroup): hash every key of the group and prefetch its home slot, find
// each run's first candidate and prefetch its record, then run the probe loop (the one
// MmcdbFind runs) from there. out[2i], out[2i + 1] = value offset, length, or −1, 0
// when absent. Returns the number found, or −1 with *fault for the first key (in
// order) whose lookup meets corruption (out is then partly written).
int64_t MmcdbFindMany(const MmcdbFile& f, const KeyBytes* keys, size_t n, size_t group, double* out,
                      CdbFault* fault, PageHint hint);

// The record at `pos` named by `referrer` (a slot), checked as lookups check it (the
// resumable walk of key_walk.cc). False with *fault (ERR_CDB_CORRUPT).
bool MmcdbRecordAt(const MmcdbFile& f, uint64_t pos, uint64_t referrer, RecordRef* rec, bool* superseded, CdbFault* fault);

// §Records iteration: the first live (not SUPERSEDED) record starting at or after
// `pos`. Returns 1 with *rec, 0 at data_end, -1 with *fault when corrupt.
int MmcdbNext(const MmcdbFile& f, uint64_t pos, RecordRef* rec, CdbFault* fault);

}  // namespace mmcdb
