// The 'willneed' lookups of getManyAsync (batch_async.cc), on a threadpool worker: every
// key of the job walks one step per round (key_walk.h), and each round first requests
// the bytes every key reads next (MADV_WILLNEED over its slot, then its record, then
// its value) before reading any — so the kernel has all of the job's reads in flight at
// once instead of one group's.
#pragma once
#include <cstddef>
#include <cstdint>

#include "common.h"
#include "db_file.h"

namespace mmcdb {

class Mapping;

// A batch's cancel flag (an Int32Array's first element, set by JS on abort): read with
// a relaxed atomic load, from the JS thread or a worker.
inline bool Cancelled(const int32_t* cancel) { return cancel != nullptr && __atomic_load_n(cancel, __ATOMIC_RELAXED) != 0; }

// Looks up keys[0, n) of f (over mapping m, which the caller holds a reference on) and
// touches every value's pages through the views mapping. out[2i], out[2i + 1] = offset,
// length or −1, 0. Returns false with *fault and *fault_key (the lowest key index that
// met corruption). Stops early (true, out partly written) once *cancel is non-zero.
// Reads the mapping: run it guarded.
bool WillneedLookups(const DbFile& f, const Mapping* m, const KeyBytes* keys, size_t n, double* out, CdbFault* fault,
                     size_t* fault_key, const int32_t* cancel);

}  // namespace mmcdb
