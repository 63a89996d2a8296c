// UringBatch (uring_batch.h): the walk of a batch's keys on the JS thread.
#ifdef MMCDB_URING
#include "uring_batch.h"

#include <cstring>

#include "batch_willneed.h"
#include "errors.h"
#include "guard.h"
#include "handle.h"
#include "mapping.h"
#include "napi_util.h"
#include "paging.h"
#include "residency_map.h"
#include "uring_ring.h"

namespace mmcdb {

void UringBatch::Prepare() {
  const size_t n = keys.size();
  walks_.resize(n);
  state_.resize(n);
  results_.assign(2 * n, 0);
  for (size_t j = 0; j < n; j++) {
    state_[j] = KeyState{this, static_cast<uint32_t>(j), false, 0, 0, 0, 0};
    results_[2 * j] = -1;
  }
  group_.reserve(kGroup);
  page_ = PageSize();
}

// Whether file pages [pages.from, pages.to) are resident: known from this key's last
// read or check, else from the ring's residency map (residency_map.h).
bool UringBatch::KnownResident(KeyState& s, Range pages) {
  if (pages.from >= s.known_from && pages.to <= s.known_to) return true;
  if (!residency_->Resident(pages.from, pages.to, now_ms_)) return false;
  s.known_from = pages.from;
  s.known_to = pages.to;
  return true;
}

void UringBatch::Done(uint32_t k) {
  const KeyWalk& w = walks_[k];
  if (w.found) {
    results_[2 * k] = static_cast<double>(w.value_offset);
    results_[2 * k + 1] = static_cast<double>(w.value_length);
  }
  done_++;
}

void UringBatch::Fail(uint32_t k, const CdbFault& f) {
  done_++;
  if (!failed_ || k < fault_key_) {
    fault_key_ = k;
    fault_ = f;
  }
  failed_ = true;
}

// Key k's steps while their pages are resident and their bytes in cache: true when it
// can go on but its next bytes are in another cache line (*next_at, their address: Work prefetches it
// with the group's others, and the other keys step meanwhile); false when it finished,
// failed, or waits — for its read (queued here) or for room in the ring (blocked_).
bool UringBatch::Step(uint32_t k, const uint8_t** next_at) {
  KeyWalk& w = walks_[k];
  KeyState& s = state_[k];
  for (;;) {
    if (w.stage == KeyWalk::kDone) return Done(k), false;
    const Range need = WalkNeed(file, keys[k], w);
    if (need.to > need.from) {
      const Range pages{need.from & ~(page_ - 1), (need.to + page_ - 1) & ~(page_ - 1)};
      if (!KnownResident(s, pages)) {
        // Continue a read that covered the start of the range (a value over kMaxRead).
        uint64_t from = pages.from >= s.known_from && pages.from < s.known_to ? s.known_to : pages.from;
        uint64_t length = pages.to - from < UringRing::kMaxRead ? pages.to - from : UringRing::kMaxRead;
        if (!ring->Read(from, static_cast<uint32_t>(length), reinterpret_cast<uint64_t>(&s))) {
          blocked_.push_back(k);
          return false;
        }
        s.reading = true;
        if (from != s.known_to) s.known_from = s.known_to = from;  // a new range starts
        s.read_from = from;
        s.read_to = from + length;
        inflight_++;
        return false;
      }
    }
    // The value's pages are resident: map them into the views mapping here, in this
    // time-sliced walk, as the other paths do on their pool threads. Pages a ring read
    // just brought in are in the page cache but not in this process's page tables, and
    // the caller's first read of each would take that (minor) fault itself: 4.4–4.8 ms
    // of its continuation for a getManyAsync(20,000) (bench/RESULTS.md §mmap, pread or
    // io_uring).
    if (w.stage == KeyWalk::kValue && w.value_length > 0) TouchPages(mapping->view(w.value_offset), w.value_length);
    if (!WalkAdvance(file, keys[k], &w, &scratch_fault_)) return Fail(k, scratch_fault_), false;
    if (w.stage == KeyWalk::kDone) return Done(k), false;
    const Range next = WalkNeed(file, keys[k], w);
    if (next.to <= next.from) continue;  // no read of the mapping next
    // The next slot in the cache line just read: no wait. (A value always waits: even when
    // its first byte was in that line, TouchPages reads it through the views mapping,
    // whose page-table entry is another miss; taken in this step, those misses came one
    // after another: 6 % of a warm run, perf.)
    if (w.stage != KeyWalk::kValue && need.to > need.from && next.from >> 6 == need.from >> 6 && (next.to - 1) >> 6 == (need.to - 1) >> 6) continue;
    // A value is read (TouchPages) through the views mapping: its line and its page-table
    // entry there are what the prefetch must bring.
    *next_at = w.stage == KeyWalk::kValue ? mapping->view(next.from) : mapping->data() + next.from;
    return true;
  }
}

void UringBatch::OnRead(uint64_t tag, int res) {
  KeyState* s = reinterpret_cast<KeyState*>(tag);
  UringBatch* b = s->batch;
  b->inflight_--;
  s->reading = false;
  // Whatever the outcome — a short read (the file shrank) or an I/O error — the walk
  // goes on: its next read of the mapping is guarded and reports what it finds.
  if (res > 0) b->ring->residency().MarkResident(s->read_from, s->read_from + static_cast<uint64_t>(res));
  s->known_to = s->read_to;
  b->ready_.push_back(s->key);
}

// The next key to walk: one whose pages arrived, one that found the ring full, a new one.
bool UringBatch::NextKey(uint32_t* k) {
  if (!ready_.empty()) {
    *k = ready_.back();
    ready_.pop_back();
    return true;
  }
  if (ring->Full()) return false;
  if (!blocked_.empty()) {
    *k = blocked_.back();
    blocked_.pop_back();
    return true;
  }
  if (next_new_ >= keys.size()) return false;
  *k = static_cast<uint32_t>(next_new_++);
  WalkStart(file, keys[*k], &walks_[*k]);
  return true;
}

namespace {
int64_t Millis(UringBatch::Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
}  // namespace

bool UringBatch::Work(UringRing* r, Clock::time_point deadline) {
  ring = r;
  const size_t n = keys.size();
  if (truncated_ || Cancelled(cancel)) return false;
  if (mapping->damaged()) {
    truncated_ = failed_ = true;
    fault_key_ = 0;
    fault_ = TruncatedFault(mapping, 0);
    return false;
  }
  residency_ = &ring->residency();
  if (!residency_->ready()) residency_->Init(mapping->data(), mapping->size());
  now_ms_ = Millis(Clock::now());
  if (!decided_) {
    decided_ = true;
    whole_ = !walk_only && residency_->AllResident(now_ms_);
  }
  uintptr_t bad = 0;
  bool ran = Guarded(
      [&] {
        if (whole_) return WorkResident(deadline);
        uint32_t k;
        if (Clock::now() > deadline) return;  // an earlier batch of the turn spent it
        for (;;) {
          // A group at a time, as getMany's (mmcdb_lookup.h): every key's first bytes
          // requested in one tight loop, then the keys step in turn until each is done
          // or waits for a read.
          if (group_.empty()) {
            while (group_.size() < kGroup && NextKey(&k)) group_.push_back(k);
            if (group_.empty()) return;
            for (uint32_t j : group_) {
              const Range need = WalkNeed(file, keys[j], walks_[j]);
              if (need.to > need.from) __builtin_prefetch(mapping->data() + need.from);
            }
          }
          while (!group_.empty()) {
            // A round: a step of every key, then every next line requested in one tight
            // loop (prefetches back to back overlap their TLB walks; spread among the
            // steps they ran one after another: 2-3x the time, measured).
            const uint8_t* next[kGroup];
            size_t wanted = 0;
            for (size_t i = 0; i < group_.size();) {
              if (Step(group_[i], &next[wanted])) {
                i++;
                wanted++;
              } else {
                group_[i] = group_.back();
                group_.pop_back();
              }
            }
            // A prefetch never faults: on a page that is not resident it does nothing.
            for (size_t i = 0; i < wanted; i++) __builtin_prefetch(next[i]);
            // The clock after every round (~30 ns against a round's ≥ 1 µs): a cold round
            // also maps freshly read pages, asks mincore, submits reads; looking every 8
            // rounds let one turn of 8 batches run 0.7–2.2 ms past its 0.5 ms deadline.
            const auto now = Clock::now();
            now_ms_ = Millis(now);
            if (now > deadline) return;  // group_ goes on next turn
          }
        }
      },
      &bad);
  if (!ran || mapping->damaged()) {
    truncated_ = failed_ = true;
    fault_key_ = 0;
    fault_ = TruncatedFault(mapping, ran ? 0 : bad);
    return false;
  }
  return !group_.empty() || !ready_.empty() || (!ring->Full() && (!blocked_.empty() || next_new_ < n));
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
  mapping = nullptr;
  if (ring != nullptr) {
    ring->GiveBack(this);
  } else {
    delete this;
  }
}

void UringBatch::Reset() {
  deferred = nullptr;
  cancel_ref = nullptr;
  cancel = nullptr;
  walk_only = false;
  mapping = nullptr;
  ring = nullptr;
  path.clear();
  bytes.clear();
  keys.clear();
  ready_.clear();
  blocked_.clear();
  group_.clear();
  residency_ = nullptr;
  next_new_ = done_ = inflight_ = 0;
  failed_ = truncated_ = decided_ = whole_ = false;
  fault_key_ = 0;
  fault_ = CdbFault();
  scratch_fault_ = CdbFault();
}

}  // namespace mmcdb
#endif  // MMCDB_URING
