// One open database file, either format: detection happens once (DbFile::Open) and
// every later call dispatches on is_mmcdb. The handle (handle.h) and the threadpool
// jobs of getManyAsync (which copy it) both use this, so no caller repeats the switch.
#pragma once
#include <cstdint>

#include "classic_lookup.h"
#include "common.h"
#include "mmcdb_lookup.h"

namespace mmcdb {

struct DbFile {
  bool is_mmcdb = true;
  MmcdbFile mm;
  ClassicFile cl;

  // Detection as @mmcdb/core's openEngine does it: the §Header magic means mmcdb (and
  // the header must then be valid); anything else is read as classic (CLASSIC.md
  // §Detection). `base` is the read-only mapping of the whole file (size bytes). Reads
  // the file: run it guarded.
  bool Open(const uint8_t* base, uint64_t size, CdbFault* fault);

  const char* format_name() const { return is_mmcdb ? "mmcdb" : "classic"; }

  int64_t Find(const uint8_t* key, size_t length, bool all, ValueRef* out, size_t capacity, CdbFault* fault) const {
    return is_mmcdb ? MmcdbFind(mm, key, length, all, out, capacity, fault)
                    : ClassicFind(cl, key, length, all, out, capacity, fault);
  }
  int64_t FindMany(const KeyBytes* keys, size_t n, size_t group, double* out, CdbFault* fault, PageHint hint) const {
    return is_mmcdb ? MmcdbFindMany(mm, keys, n, group, out, fault, hint)
                    : ClassicFindMany(cl, keys, n, group, out, fault, hint);
  }
  int Next(uint64_t pos, RecordRef* rec, CdbFault* fault) const {
    return is_mmcdb ? MmcdbNext(mm, pos, rec, fault) : ClassicNext(cl, pos, rec, fault);
  }
  // mmcdb: the header's record_count (§Header); classic: the non-empty slots (reads the
  // tables: run it guarded).
  uint64_t RecordCount() const { return is_mmcdb ? mm.record_count : ClassicCountRecords(cl); }

  // The records — every key and value lies here, and only this range is ever mapped for
  // JS (mapping.h): mmcdb [128, data_end) (§Layout), classic [2048, pos of table 0).
  Range Data() const { return is_mmcdb ? Range{kHeaderSize, mm.data_end} : Range{kClassicTocSize, cl.data_end}; }
  // The index as warm('index') and residency() count it: mmcdb [index_offset,
  // meta_offset); classic the tables, [pos of table 0, end of file) (plus the TOC,
  // [0, 2048), which callers add).
  Range Index() const { return is_mmcdb ? Range{mm.index_offset, mm.meta_offset} : Range{cl.data_end, cl.size}; }
};

}  // namespace mmcdb
