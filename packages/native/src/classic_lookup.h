// Reading a classic djb cdb file (/work/shared/notes/classic-cdb.md, docs/CLASSIC.md):
// 256-entry TOC, djb hash, linear probing. A classic file has no checksum, so every
// number read from it is bounds-checked before use (as tinycdb's cdb_find.c does).
#pragma once
#include <cstddef>
#include <cstdint>

#include "common.h"

namespace mmcdb {

constexpr uint64_t kClassicTocSize = 2048;

struct ClassicFile {
  const uint8_t* base = nullptr;
  uint64_t size = 0;
  uint32_t pos[256];
  uint32_t slots[256];
  uint64_t data_end = 0;  // §Layout: the end of the records is the position of table 0
};

uint32_t DjbHash(const uint8_t* key, size_t length);

// Detection: ≥ 2048 bytes and every TOC entry satisfies 2048 ≤ pos and
// pos + 8 × slots ≤ size; otherwise ERR_CDB_FORMAT "not an mmcdb or cdb file".
bool ClassicOpen(const uint8_t* base, uint64_t size, ClassicFile* file, CdbFault* fault);

// Same contract as MmcdbFind: matches in insertion order, -1 with ERR_CDB_CORRUPT.
int64_t ClassicFind(const ClassicFile& f, const uint8_t* key, size_t key_length, bool all,
                    ValueRef* out, size_t capacity, CdbFault* fault);

// Batch form of ClassicFind (first values), same contract as MmcdbFindMany.
int64_t ClassicFindMany(const ClassicFile& f, const KeyBytes* keys, size_t n, size_t group, double* out,
                        CdbFault* fault, PageHint hint);

// Records run from 2048 to data_end. Returns 1 with *rec, 0 at the end, -1 on corruption.
int ClassicNext(const ClassicFile& f, uint64_t pos, RecordRef* rec, CdbFault* fault);

}  // namespace mmcdb
