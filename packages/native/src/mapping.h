// A file mapping with a reference count. The reader handle holds one reference and
// every segment ArrayBuffer handed to JS holds one (released by its finalizer), so the
// pages stay mapped until close() AND the last view is collected.
#pragma once
#include <atomic>
#include <cstdint>
#include <string>

#include "guard.h"

namespace mmcdb {

class Mapping {
 public:
  // Maps `path` MAP_PRIVATE with PROT_READ|PROT_WRITE: JS writes into a view land in
  // private copy-on-write pages and never reach the file. On failure returns nullptr
  // and sets *err_no (an errno value) and *syscall.
  static Mapping* Open(const std::string& path, int* err_no, const char** syscall);

  const uint8_t* data() const { return base_; }
  uint8_t* mutable_data() const { return base_; }
  uint64_t size() const { return size_; }
  const std::string& path() const { return path_; }
  // The file descriptor open() used, kept open for posix_fadvise (evict()) and fstat
  // (CheckFileSize) — reopening the path could reach a file that replaced it — until
  // the handle is closed: CloseFd(). The pages stay mapped without it (views made
  // earlier may outlive close() by any time); −1 once closed.
  int fd() const { return fd_.load(std::memory_order_acquire); }
  void CloseFd();

  // Whether addr lies in this mapping; *file_offset = the file offset it maps.
  bool Contains(uintptr_t addr, uint64_t* file_offset) const {
    uintptr_t b = reinterpret_cast<uintptr_t>(base_);
    if (base_ == nullptr || addr < b || addr - b >= size_) return false;
    *file_offset = addr - b;
    return true;
  }

  // Whether off-thread batch lookups should request pages (MADV_WILLNEED) before
  // reading them: worth it when the pages are cold (faults overlap: 2× the throughput),
  // ~1 µs per key wasted when they are resident. Jobs switch it from what they measure.
  bool io_hints() const { return io_hints_.load(std::memory_order_relaxed); }
  void set_io_hints(bool on) { io_hints_.store(on, std::memory_order_relaxed); }

  // Truncation under the mapping (guard.h): true once a read of it met SIGBUS (native
  // or JS) or CheckFileSize() saw the file shorter than the mapping. A damaged mapping
  // is never trusted again: every lookup reports ERR_CDB_TRUNCATED.
  bool damaged() const { return RegionFaulted(region_) || local_fault_.load(std::memory_order_relaxed) != 0; }
  // The file offset of the first fault (or the file's new size, from CheckFileSize()).
  uint64_t fault_offset() const;
  void MarkDamaged(uint64_t offset);
  // fstat on the kept descriptor: marks the mapping damaged when the file is now
  // shorter than the mapping (also catches a cut inside a page, which reads as zeros
  // without any fault). A syscall: for stats()/damaged(), not for every lookup.
  bool CheckFileSize();

  void Ref() { refs_.fetch_add(1, std::memory_order_relaxed); }
  // Unmaps and deletes when the count reaches zero.
  void Unref();

 private:
  Mapping(uint8_t* base, uint64_t size, int fd, std::string path)
      : base_(base), size_(size), fd_(fd), path_(std::move(path)) {}
  ~Mapping();

  uint8_t* base_;
  uint64_t size_;
  std::atomic<int> fd_;
  std::string path_;
  GuardRegion* region_ = nullptr;  // in the guard's registry; nullptr: not registered
  std::atomic<uint64_t> local_fault_{0};  // 1 + offset, for an unregistered mapping
  std::atomic<int64_t> refs_{1};
  std::atomic<bool> io_hints_{true};
};

// The finalizer hint of one segment ArrayBuffer. Releasing is idempotent, so a
// finalizer that runs during a failed create (Node calls it synchronously there) and a
// cleanup path of our own cannot release the same reference twice.
class SegmentToken {
 public:
  explicit SegmentToken(Mapping* m) : mapping_(m) { m->Ref(); }
  // Releases the mapping reference once; deletes the token when both the finalizer
  // and the creator are done with it.
  void Release();
  // The creator's side: call after the create attempt (whatever its outcome).
  void CreatorDone();

 private:
  Mapping* mapping_;
  std::atomic<bool> released_{false};
  std::atomic<int> owners_{2};  // the finalizer and the creator
  void Drop();
};

}  // namespace mmcdb
