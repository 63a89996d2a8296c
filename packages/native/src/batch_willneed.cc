#include "batch_willneed.h"

#include <vector>

#include "key_walk.h"
#include "mapping.h"
#include "paging.h"

namespace mmcdb {

bool WillneedLookups(const DbFile& f, const Mapping* m, const KeyBytes* keys, size_t n, double* out, CdbFault* fault,
                     size_t* fault_key, const int32_t* cancel) {
  std::vector<KeyWalk> walks(n);
  std::vector<uint32_t> active;
  active.reserve(n);
  for (size_t j = 0; j < n; j++) {
    WalkStart(f, keys[j], &walks[j]);
    out[2 * j] = -1, out[2 * j + 1] = 0;
    if (walks[j].stage != KeyWalk::kDone) active.push_back(static_cast<uint32_t>(j));
  }
  bool failed = false;
  while (!active.empty() && !Cancelled(cancel)) {
    // 1. Request what every key reads next (values through the views mapping, which JS
    //    reads; slots and records through the read-only one).
    for (uint32_t j : active) {
      Range r = WalkNeed(f, keys[j], walks[j]);
      if (r.to <= r.from) continue;
      const uint8_t* at = walks[j].stage == KeyWalk::kValue ? m->view(r.from) : m->data() + r.from;
      WillNeedHint(at, r.to - r.from);
    }
    // 2. Read them: the faults wait for reads already in flight.
    size_t kept = 0;
    for (uint32_t j : active) {
      KeyWalk& w = walks[j];
      if (w.stage == KeyWalk::kValue) TouchPages(m->view(w.value_offset), w.value_length);
      CdbFault here;
      if (!WalkAdvance(f, keys[j], &w, &here)) {
        // The lowest key that meets corruption is the batch's error (as getMany's).
        if (!failed || j < *fault_key) *fault_key = j, *fault = here;
        failed = true;
        continue;
      }
      if (w.stage == KeyWalk::kDone) {
        if (w.found) out[2 * j] = static_cast<double>(w.value_offset), out[2 * j + 1] = static_cast<double>(w.value_length);
        continue;
      }
      active[kept++] = j;
    }
    active.resize(kept);
  }
  return !failed;
}

}  // namespace mmcdb
