// Reading a classic djb cdb file (docs/CLASSIC.md, /work/shared/notes/classic-cdb.md):
// 256-entry TOC, djb hash, linear probing. A classic file has no checksum, so every
// number read from it is bounds-checked before use (as tinycdb's cdb_find.c does).
// Messages, codes and offsets equal @mmcdb/core's (core/src/classic/format.ts readToc,
// readRecord) for the same check.
#pragma once
#include <cstddef>
#include <cstdint>

#include "common.h"

namespace mmcdb {

constexpr uint64_t kClassicTocSize = 2048;

struct ClassicFile {
  const uint8_t* base = nullptr;  // the read-only mapping (mapping.h): never JS memory
  uint64_t size = 0;
  uint32_t pos[256];
  uint32_t slots[256];
  uint64_t data_end = 0;  // §Layout: the end of the records is the position of table 0
};

uint32_t DjbHash(const uint8_t* key, size_t length);

// §Detection: ≥ 2048 bytes and every TOC entry satisfies 2048 ≤ pos ≤ size and
// pos + 8 × slots ≤ size; otherwise ERR_CDB_FORMAT "not an mmcdb or cdb file".
bool ClassicOpen(const uint8_t* base, uint64_t size, ClassicFile* file, CdbFault* fault);

// Same contract as MmcdbFind: matches in insertion order, -1 with ERR_CDB_CORRUPT.
int64_t ClassicFind(const ClassicFile& f, const uint8_t* key, size_t key_length, bool all,
                    ValueRef* out, size_t capacity, CdbFault* fault);

// Batch form of ClassicFind (first values), same contract as MmcdbFindMany.
int64_t ClassicFindMany(const ClassicFile& f, const KeyBytes* keys, size_t n, size_t group, double* out,
                        CdbFault* fault, PageHint hint);

// The record at `pos` named by `referrer` (a table slot), checked as lookups check it
// (key_walk.cc). False with *fault (ERR_CDB_CORRUPT).
bool ClassicRecordAt(const ClassicFile& f, uint64_t pos, uint64_t referrer, RecordRef* rec, CdbFault* fault);

// Records run from 2048 to data_end. Returns 1 with *rec, 0 at the end, -1 on corruption.
int ClassicNext(const ClassicFile& f, uint64_t pos, RecordRef* rec, CdbFault* fault);

// Records reachable through the tables: the non-empty slots (as core's ClassicEngine
// size). Reads every table: run it guarded.
uint64_t ClassicCountRecords(const ClassicFile& f);

}  // namespace mmcdb
