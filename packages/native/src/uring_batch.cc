// UringBatch (uring_batch.h): the walk of a batch's keys on the JS thread.
#ifdef MMCDB_URING
#include "uring_batch.h"

#include <sys/mman.h>

#include <cstring>

#include "batch_willneed.h"
#include "errors.h"
#include "guard.h"
#include "handle.h"
#include "mapping.h"
#include "napi_util.h"
#include "paging.h"
#include "uring_ring.h"

namespace mmcdb {

void UringBatch::Prepare() {
  const size_t n = keys.size();
  walks_.resize(n);
  state_.resize(n);
  results_.assign(2 * n, 0);
  for (size_t j = 0; j < n; j++) {
    state_[j] = KeyState{this, static_cast<uint32_t>(j), false, 0, 0, 0};
    results_[2 * j] = -1;
  }
}

// Whether file pages [pages.from, pages.to) are resident: known from this key's last
// read or check, else asked of mincore (one syscall, over the read-only mapping).
bool UringBatch::KnownResident(KeyState& s, Range pages) {
  if (pages.from >= s.known_from && pages.to <= s.known_to) return true;
  const uint64_t page = PageSize();
  const size_t count = static_cast<size_t>((pages.to - pages.from) / page);
  if (pages_.size() < count) pages_.resize(count);
  if (::mincore(const_cast<uint8_t*>(mapping->data()) + pages.from, pages.to - pages.from, pages_.data()) != 0) {
    return false;
  }
  for (size_t i = 0; i < count; i++) {
    if ((pages_[i] & 1) == 0) return false;
  }
  s.known_from = pages.from;
  s.known_to = pages.to;
  return true;
}

void UringBatch::Fail(uint32_t k, const CdbFault& f) {
  done_++;
  if (!failed_ || k < fault_key_) {
    fault_key_ = k;
    fault_ = f;
  }
  failed_ = true;
}

// Walks key k as far as resident pages let it; queues a read (or waits for room) at the
// first step whose pages are not.
void UringBatch::Drive(uint32_t k, UringRing* ring) {
  KeyWalk& w = walks_[k];
  KeyState& s = state_[k];
  const uint64_t page = PageSize();
  for (;;) {
    if (w.stage == KeyWalk::kDone) {
      if (w.found) {
        results_[2 * k] = static_cast<double>(w.value_offset);
        results_[2 * k + 1] = static_cast<double>(w.value_length);
      }
      done_++;
      return;
    }
    Range need = WalkNeed(file, keys[k], w);
    if (need.to > need.from) {
      Range pages{need.from & ~(page - 1), (need.to + page - 1) & ~(page - 1)};
      if (!KnownResident(s, pages)) {
        // Continue a read that covered the start of the range (a value over kMaxRead).
        uint64_t from = pages.from >= s.known_from && pages.from < s.known_to ? s.known_to : pages.from;
        uint64_t length = pages.to - from < UringRing::kMaxRead ? pages.to - from : UringRing::kMaxRead;
        if (!ring->Read(from, static_cast<uint32_t>(length), reinterpret_cast<uint64_t>(&s))) {
          blocked_.push_back(k);
          return;
        }
        s.reading = true;
        if (from != s.known_to) s.known_from = s.known_to = from;  // a new range starts
        s.read_to = from + length;
        inflight_++;
        return;
      }
    }
    if (!WalkAdvance(file, keys[k], &w, &scratch_fault_)) return Fail(k, scratch_fault_);
  }
}

void UringBatch::OnRead(uint64_t tag, int res) {
  KeyState* s = reinterpret_cast<KeyState*>(tag);
  UringBatch* b = s->batch;
  b->inflight_--;
  s->reading = false;
  // Whatever the outcome — a short read (the file shrank) or an I/O error — the walk
  // goes on: its next read of the mapping is guarded and reports what it finds.
  (void)res;
  s->known_to = s->read_to;
  b->ready_.push_back(s->key);
}

bool UringBatch::Work(UringRing* ring, Clock::time_point deadline) {
  const size_t n = keys.size();
  if (truncated_ || Cancelled(cancel)) return false;
  if (mapping->damaged()) {
    truncated_ = failed_ = true;
    fault_key_ = 0;
    fault_ = TruncatedFault(mapping, 0);
    return false;
  }
  uintptr_t bad = 0;
  bool ran = Guarded(
      [&] {
        size_t steps = 0;
        auto late = [&] { return (++steps & 15) == 0 && Clock::now() > deadline; };
        while (!ready_.empty()) {
          uint32_t k = ready_.back();
          ready_.pop_back();
          Drive(k, ring);
          if (late()) return;
        }
        while (!blocked_.empty() && !ring->Full()) {
          uint32_t k = blocked_.back();
          blocked_.pop_back();
          Drive(k, ring);
          if (late()) return;
        }
        while (next_new_ < n && !ring->Full()) {
          uint32_t k = static_cast<uint32_t>(next_new_++);
          WalkStart(file, keys[k], &walks_[k]);
          Drive(k, ring);
          if (late()) return;
        }
      },
      &bad);
  if (!ran || mapping->damaged()) {
    truncated_ = failed_ = true;
    fault_key_ = 0;
    fault_ = TruncatedFault(mapping, ran ? 0 : bad);
    return false;
  }
  return !ready_.empty() || (!ring->Full() && (!blocked_.empty() || next_new_ < n));
}

bool UringBatch::Finished() const {
  return inflight_ == 0 && (done_ == keys.size() || truncated_ || Cancelled(cancel));
}

void UringBatch::Settle(napi_env env) {
  napi_value err = nullptr, arr = nullptr;
  if (failed_) {
    err = MakeCdbError(env, fault_, path);
  } else {
    napi_value ab;
    void* data = nullptr;
    const size_t count = results_.size();
    if (napi_create_arraybuffer(env, count * sizeof(double), &data, &ab) == napi_ok &&
        napi_create_typedarray(env, napi_float64_array, count, ab, 0, &arr) == napi_ok) {
      if (count > 0) std::memcpy(data, results_.data(), count * sizeof(double));
    } else {
      arr = nullptr;
    }
  }
  if (arr != nullptr) {
    DropTeardownStatus(napi_resolve_deferred(env, deferred, arr));
  } else {
    if (err == nullptr) err = TakeException(env, "uringGetMany: cannot make the result");
    if (err != nullptr) DropTeardownStatus(napi_reject_deferred(env, deferred, err));
  }
  if (cancel_ref != nullptr) DropTeardownStatus(napi_delete_reference(env, cancel_ref));
  cancel_ref = nullptr;
  Abandon();
}

void UringBatch::Abandon() {
  if (mapping != nullptr) mapping->Unref();
  delete this;
}

}  // namespace mmcdb
#endif  // MMCDB_URING
