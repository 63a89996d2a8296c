#include "residency_map.h"

#include <sys/mman.h>

#include "paging.h"

namespace mmcdb {

void ResidencyMap::Init(const uint8_t* base, uint64_t size) {
  base_ = base;
  size_ = size;
  page_ = PageSize();
  page_shift_ = static_cast<unsigned>(__builtin_ctzll(page_));
  const uint64_t pages = (size + page_ - 1) >> page_shift_;
  chunks_.assign((pages + kChunkPages - 1) / kChunkPages, Chunk{kNever, {}});
  scratch_.resize(kChunkPages);
}

void ResidencyMap::Forget() {
  for (Chunk& c : chunks_) c.checked_ms = kNever;
  all_ms_ = sweep_ms_ = holdoff_ms_ = kNever;
  sweeping_ = false;
}

bool ResidencyMap::AllResident(int64_t now_ms) {
  if (base_ == nullptr) return false;
  const bool fresh = now_ms - all_ms_ < kFreshMs;
  if (!sweeping_ && now_ms >= holdoff_ms_ && now_ms - all_ms_ >= kFreshMs / 2) {
    sweeping_ = true;
    sweep_ms_ = now_ms;
    sweep_page_ = 0;
    sweep_slice_ = kSweepFirstPages;
  }
  if (!sweeping_) return fresh;
  const uint64_t pages = (size_ + page_ - 1) >> page_shift_;
  sweep_scratch_.resize(kSweepPages);
  const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(kSweepBudgetUs);
  while (sweep_page_ < pages) {
    const uint64_t count = pages - sweep_page_ < sweep_slice_ ? pages - sweep_page_ : sweep_slice_;
    const uint64_t from = sweep_page_ << page_shift_;
    const uint64_t length = size_ - from < (count << page_shift_) ? size_ - from : count << page_shift_;
    bool all = ::mincore(const_cast<uint8_t*>(base_) + from, length, sweep_scratch_.data()) == 0;
    for (uint64_t i = 0; all && i < count; i++) all = (sweep_scratch_[i] & 1) != 0;
    if (!all) {
      // Not all resident (or mincore failed): the walk checks chunk by chunk, and the
      // next sweep waits kFreshMs, so a cold file pays one slice per kFreshMs.
      sweeping_ = false;
      holdoff_ms_ = now_ms + kFreshMs;
      return fresh;
    }
    sweep_page_ += count;
    if (sweep_slice_ < kSweepPages) sweep_slice_ *= 2;
    if (std::chrono::steady_clock::now() > until) break;
  }
  if (sweep_page_ >= pages) {
    sweeping_ = false;
    all_ms_ = sweep_ms_;  // trusted from the sweep's start: its first pages were seen then
  }
  return now_ms - all_ms_ < kFreshMs;
}

void ResidencyMap::Check(uint64_t c, int64_t now_ms) {
  Chunk& chunk = chunks_[c];
  const uint64_t from = (c * kChunkPages) << page_shift_;
  const uint64_t length = size_ - from < (kChunkPages << page_shift_) ? size_ - from : kChunkPages << page_shift_;
  for (uint64_t& w : chunk.bits) w = 0;
  // On failure nothing is believed resident: every step then reads through the ring.
  if (::mincore(const_cast<uint8_t*>(base_) + from, length, scratch_.data()) == 0) {
    const uint64_t count = (length + page_ - 1) >> page_shift_;
    for (uint64_t i = 0; i < count; i++) chunk.bits[i >> 6] |= static_cast<uint64_t>(scratch_[i] & 1) << (i & 63);
  }
  chunk.checked_ms = now_ms;
}

bool ResidencyMap::Resident(uint64_t from, uint64_t to, int64_t now_ms) {
  if (base_ == nullptr || to > size_ + page_ || from >= to) return false;
  const uint64_t first = from >> page_shift_, last = (to - 1) >> page_shift_;
  for (uint64_t p = first; p <= last; p++) {
    const uint64_t c = p / kChunkPages;
    if (c >= chunks_.size()) return false;
    if (now_ms - chunks_[c].checked_ms >= kFreshMs) Check(c, now_ms);
    const uint64_t i = p % kChunkPages;
    if ((chunks_[c].bits[i >> 6] >> (i & 63) & 1) == 0) return false;
  }
  return true;
}

void ResidencyMap::MarkResident(uint64_t from, uint64_t to) {
  if (base_ == nullptr || from >= to) return;
  // Only whole pages, only chunks whose answer is still in use (a stale chunk is asked
  // of mincore again anyway).
  const uint64_t first = (from + page_ - 1) >> page_shift_, end = to >> page_shift_;
  for (uint64_t p = first; p < end; p++) {
    const uint64_t c = p / kChunkPages;
    if (c >= chunks_.size()) return;
    if (chunks_[c].checked_ms == kNever) continue;
    const uint64_t i = p % kChunkPages;
    chunks_[c].bits[i >> 6] |= uint64_t{1} << (i & 63);
  }
}

}  // namespace mmcdb
