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
//
// A sweep over the whole mapping answers a cheaper question for warm files: is every
// page resident? Then the walk steps aside and a batch runs getMany's lookup (FindMany),
// with no check per step. The sweep runs in slices (kSweepPages per mincore call, at most
// kSweepBudgetUs a call to AllResident), so that a 10 GiB file costs no single turn more
// than that; its answer is trusted for kFreshMs from the sweep's start, and a new sweep
// begins at half that age, so a warm file stays known warm.
#pragma once
#include <chrono>
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
  // Whether a sweep begun less than kFreshMs ago found every page of the mapping
  // resident. Goes on with (or begins) the sweep first, for at most kSweepBudgetUs.
  bool AllResident(int64_t now_ms);

  static constexpr uint64_t kSweepPages = 16384;  // 64 MiB of 4 KiB pages: 13–310 µs of mincore
  // A sweep's first slice (2 MiB), doubled after each that found every page resident up
  // to kSweepPages: on a cold file mincore pays for every page it is asked about (a
  // 64 MiB slice held one getManyAsync call 1–1.5 ms every kFreshMs), and the first
  // slice already finds a page missing.
  static constexpr uint64_t kSweepFirstPages = 512;
  static constexpr int64_t kSweepBudgetUs = 250;

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
  // The whole-mapping sweep: the last one that found every page resident began at
  // all_ms_; the one under way (sweeping_) began at sweep_ms_ and has reached page
  // sweep_page_; after one that met a page not resident, none begins before holdoff_ms_.
  int64_t all_ms_ = kNever;
  int64_t sweep_ms_ = kNever;
  int64_t holdoff_ms_ = kNever;
  uint64_t sweep_page_ = 0;
  uint64_t sweep_slice_ = kSweepFirstPages;  // pages the next mincore call of the sweep asks about
  bool sweeping_ = false;
  std::vector<unsigned char> sweep_scratch_;
};

}  // namespace mmcdb
