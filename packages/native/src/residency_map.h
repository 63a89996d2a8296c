// Which pages of a mapping are resident, as far as the io_uring walk (uring_batch.h)
// knows: it must know before every step whether the step's pages are in memory, and a
// mincore call per step costs about 350 ns on this machine class — more than a whole
// warm lookup (bench: 2 calls a key made warm io_uring 0.2× getMany). So mincore runs
// once per chunk of 128 pages (512 KiB with 4 KiB pages: 0.5–3 µs, so that no step
// waits long for one) and its answer is trusted for kFreshMs; the reads the ring
// completes mark their pages too.
//
// The trade-off (docs/RELIABILITY.md §io_uring): a page the kernel evicts within
// kFreshMs of a check is still believed resident, and the JS thread takes that page
// fault itself. Eviction of a page just used takes memory pressure; the cost then is one
// fault per evicted page, as on the sync path.
#pragma once
#include <cstdint>
#include <vector>

namespace mmcdb {

class ResidencyMap {
 public:
  static constexpr int64_t kFreshMs = 250;
  static constexpr uint64_t kChunkPages = 128;
  static constexpr int64_t kNever = -(int64_t{1} << 62);  // checked_ms of a chunk never asked

  // The mapping [base, base + size) (page-aligned base). Nothing is known yet.
  void Init(const uint8_t* base, uint64_t size);
  bool ready() const { return base_ != nullptr; }
  // Whether every page of file bytes [from, to) is resident: chunks unchecked for
  // kFreshMs are asked of mincore first. `now_ms`: a steady clock, in milliseconds.
  bool Resident(uint64_t from, uint64_t to, int64_t now_ms);
  // Nothing is known any more (evict() dropped the pages).
  void Forget();
  // A read of [from, to) completed: its whole pages are in the page cache now.
  void MarkResident(uint64_t from, uint64_t to);

 private:
  struct Chunk {
    int64_t checked_ms;
    uint64_t bits[kChunkPages / 64];
  };
  void Check(uint64_t chunk, int64_t now_ms);

  const uint8_t* base_ = nullptr;
  uint64_t size_ = 0;
  uint64_t page_ = 4096;
  unsigned page_shift_ = 12;
  std::vector<Chunk> chunks_;
  std::vector<unsigned char> scratch_;  // mincore's answer for one chunk
};

}  // namespace mmcdb
