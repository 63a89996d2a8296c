// A lookup of one key that stops before every read of the file, for the batch paths
// that must know which bytes a lookup reads before it reads them: the 'willneed' jobs
// (batch_async.cc: every key's next bytes requested at once, then read) and the
// io_uring batches (uring_batch.cc: the main thread reads only resident bytes).
//
// Need() names the file bytes the next step reads; Advance() reads them (they must be
// resident, or be read under the SIGBUS guard) and moves to the next stage. The steps
// are those of MmcdbFind / ClassicFind's probe loop — same answers, same faults: a key
// walks slot → record → (slot → record)* → value → done.
#pragma once
#include <cstdint>

#include "common.h"
#include "db_file.h"

namespace mmcdb {

struct KeyWalk {
  enum Stage : uint8_t { kSlot, kRecord, kValue, kDone, kFailed };
  Stage stage = kDone;
  bool found = false;
  uint64_t hash = 0;    // mmcdb: xxh64; classic: djb (32 bits)
  uint64_t slot = 0;    // mmcdb: index of the slot in the index; classic: in its table
  uint64_t probes = 0;  // classic: slots probed so far
  uint64_t pos = 0;     // the candidate record (stage kRecord)
  uint64_t value_offset = 0, value_length = 0;  // the answer (kValue, kDone with found)
};

// Hashes the key (no file read: the header and the classic TOC were read at open).
void WalkStart(const DbFile& f, const KeyBytes& key, KeyWalk* w);
// The file bytes [from, to) the next Advance() reads; empty when it reads none (the
// walk ends, or reports a fault, without reading).
Range WalkNeed(const DbFile& f, const KeyBytes& key, const KeyWalk& w);
// One step. False with *fault (stage kFailed) when the file is corrupt there; kValue
// moves to kDone (the caller brings the value's pages in: Need() names them).
bool WalkAdvance(const DbFile& f, const KeyBytes& key, KeyWalk* w, CdbFault* fault);

}  // namespace mmcdb
