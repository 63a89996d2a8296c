// UringBatch::WorkResident (uring_batch.h): a batch that starts while the whole mapping
// is known resident does not walk.
#ifdef MMCDB_URING
#include "batch_willneed.h"
#include "mapping.h"
#include "paging.h"
#include "uring_batch.h"

namespace mmcdb {

// The whole mapping is resident (ResidencyMap::AllResident): the batch runs getMany's
// lookup (FindMany, db_file.h) kFastKeys at a time, with no check per step — warm, the
// per-step walk cost 1.5x FindMany per key (perf). Then each value's pages are mapped
// into the views mapping, as Step does: prefetched first, all of them, so that their
// page walks overlap.
void UringBatch::WorkResident(Clock::time_point deadline) {
  const size_t n = keys.size();
  while (next_new_ < n) {
    if (Cancelled(cancel)) return;
    const size_t at = next_new_;
    const size_t count = n - at < kFastKeys ? n - at : kFastKeys;
    double* out = results_.data() + 2 * at;
    if (file.FindMany(keys.data() + at, count, kGroup, out, &scratch_fault_, nullptr) < 0) {
      // FindMany reports the first key of the slice (in order) that met corruption, as
      // getMany would: no key before it failed.
      failed_ = true;
      fault_key_ = at;
      fault_ = scratch_fault_;
      next_new_ = done_ = n;
      return;
    }
    for (size_t i = 0; i < count; i++) {
      if (out[2 * i] >= 0) __builtin_prefetch(mapping->view(static_cast<uint64_t>(out[2 * i])));
    }
    for (size_t i = 0; i < count; i++) {
      if (out[2 * i] >= 0 && out[2 * i + 1] > 0) {
        TouchPages(mapping->view(static_cast<uint64_t>(out[2 * i])), static_cast<uint64_t>(out[2 * i + 1]));
      }
    }
    next_new_ += count;
    done_ += count;
    if (Clock::now() > deadline) return;
  }
}

}  // namespace mmcdb
#endif  // MMCDB_URING
