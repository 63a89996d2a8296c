// The memory of one open file, with a reference count. The reader handle holds one
// reference and every segment ArrayBuffer handed to JS holds one (released by its
// finalizer), so the pages stay mapped until close() AND the last view is collected.
//
// Two mappings of the same file (docs/RELIABILITY.md §Native reader hardening, item 4):
// - the read-only mapping (PROT_READ, MAP_SHARED) of the whole file: everything native
//   code reads — header, index, record headers, keys, metadata, copies — comes from
//   here, and no JS ArrayBuffer ever points into it;
// - the views mapping (MAP_PRIVATE, PROT_READ|PROT_WRITE) of the data section only
//   (FORMAT.md §Layout: mmcdb [128, data_end); classic [2048, position of table 0)),
//   which the segment ArrayBuffers cover. A JS write into a view lands in a private
//   copy-on-write page: it changes neither the file nor what any lookup reads (only what
//   later views of the same bytes show).
// Both are registered with the SIGBUS guard.
#pragma once
#include <atomic>
#include <mutex>
#include <vector>
#include <cstdint>
#include <string>

#include "guard.h"

namespace mmcdb {

class Mapping {
 public:
  // Why Open failed: an errno from `syscall`, or (not_regular != nullptr) the path is
  // not a regular file — "a FIFO", "a socket", "a character device", ….
  struct OpenError {
    int err_no = 0;
    const char* syscall = "open";
    const char* not_regular = nullptr;
  };
  // Opens `path` and maps it read-only; nullptr with *error on failure. Never blocks on
  // a FIFO: the file is opened O_NONBLOCK, fstat'ed and refused unless it is a regular
  // file (a folder: EISDIR), and only then made blocking again.
  static Mapping* Open(const std::string& path, OpenError* error);
  // Maps file bytes [from, to) — the data section, known once the file is validated —
  // for views (from the page holding `from`). Once, before any view. 0 or an errno.
  int MapViews(uint64_t from, uint64_t to);

  // The read-only mapping of the whole file (nullptr for an empty file).
  const uint8_t* data() const { return base_; }
  uint64_t size() const { return size_; }
  const std::string& path() const { return path_; }

  // The views mapping: file bytes [views_from(), views_to()) are at view(offset).
  uint64_t views_from() const { return views_from_; }
  uint64_t views_to() const { return views_to_; }
  uint8_t* view(uint64_t file_offset) const { return views_ + (file_offset - views_offset_); }
  bool has_views() const { return views_ != nullptr; }
  // Its pages: [views_base(), + views_length()) maps the file from views_offset() on.
  uint8_t* views_base() const { return views_; }
  uint64_t views_offset() const { return views_offset_; }
  uint64_t views_length() const { return views_length_; }

  // The file descriptor open() used, kept open for posix_fadvise (evict()) and fstat
  // (CheckFileSize) — reopening the path could reach a file that replaced it — until
  // the handle is closed: CloseFd(). The pages stay mapped without it (views made
  // earlier may outlive close() by any time); −1 once closed.
  int fd() const { return fd_.load(std::memory_order_acquire); }
  void CloseFd();

  // Whether addr lies in either mapping; *file_offset = the file offset it maps.
  bool Contains(uintptr_t addr, uint64_t* file_offset) const;

  // Whether off-thread batch lookups should request pages (MADV_WILLNEED) before
  // reading them: worth it when the pages are cold (faults overlap: 2× the throughput),
  // ~1 µs per key wasted when they are resident. Jobs switch it from what they measure.
  bool io_hints() const { return io_hints_.load(std::memory_order_relaxed); }
  void set_io_hints(bool on) { io_hints_.store(on, std::memory_order_relaxed); }

  // Truncation under the mapping (guard.h): true once a read of either mapping met
  // SIGBUS (native or JS) or CheckFileSize() saw the file shorter than the mapping. A
  // damaged mapping is never trusted again: every lookup reports ERR_CDB_TRUNCATED.
  bool damaged() const {
    return RegionFaulted(ro_region_) || RegionFaulted(views_region_) ||
           local_fault_.load(std::memory_order_relaxed) != 0;
  }
  // The file offset of the first fault (or the file's new size, from CheckFileSize()).
  uint64_t fault_offset() const;
  void MarkDamaged(uint64_t offset);
  // fstat on the kept descriptor: marks the mapping damaged when the file is now
  // shorter than the mapping (also catches a cut inside a page, which reads as zeros
  // without any fault). A syscall: for stats()/damaged(), not for every lookup.
  bool CheckFileSize();

  // For mappings() (mapping_list.cc): the open handles (readers) on this mapping and
  // the segment ArrayBuffers alive over it. A mapping with no reader left is still
  // mapped while a view lives — the memory a heap report never shows.
  void AddReader() { readers_.fetch_add(1, std::memory_order_relaxed); }
  void DropReader() { readers_.fetch_sub(1, std::memory_order_relaxed); }
  int readers() const { return readers_.load(std::memory_order_relaxed); }
  void AddBuffer() { buffers_.fetch_add(1, std::memory_order_relaxed); }
  void DropBuffer() { buffers_.fetch_sub(1, std::memory_order_relaxed); }
  int buffers() const { return buffers_.load(std::memory_order_relaxed); }
  // Calls fn(m) for every mapping of the process (all threads' readers), under the
  // registry's lock: no mapping is freed while fn runs. fn must not open or free any.
  template <typename Fn>
  static void ForEach(Fn fn) {
    std::lock_guard<std::mutex> lock(RegistryMutex());
    for (Mapping* m : Registry()) fn(m);
  }

  void Ref() { refs_.fetch_add(1, std::memory_order_relaxed); }
  // Unmaps and deletes when the count reaches zero.
  void Unref();

 private:
  Mapping(uint8_t* base, uint64_t size, int fd, std::string path)
      : base_(base), size_(size), fd_(fd), path_(std::move(path)) {}
  ~Mapping();

  uint8_t* base_;  // read-only
  uint64_t size_;
  std::atomic<int> fd_;
  std::string path_;
  uint8_t* views_ = nullptr;
  uint64_t views_offset_ = 0, views_length_ = 0, views_from_ = 0, views_to_ = 0;
  GuardRegion* ro_region_ = nullptr;  // in the guard's registry; nullptr: not registered
  GuardRegion* views_region_ = nullptr;
  std::atomic<uint64_t> local_fault_{0};  // 1 + offset, for an unregistered mapping
  std::atomic<int64_t> refs_{1};
  std::atomic<bool> io_hints_{true};
  std::atomic<int> readers_{0};
  std::atomic<int> buffers_{0};

  static std::mutex& RegistryMutex();
  static std::vector<Mapping*>& Registry();
};

// The finalizer hint of one segment ArrayBuffer. Releasing is idempotent, so a
// finalizer that runs during a failed create (Node calls it synchronously there) and a
// cleanup path of our own cannot release the same reference twice.
class SegmentToken {
 public:
  explicit SegmentToken(Mapping* m) : mapping_(m) {
    m->Ref();
    m->AddBuffer();
  }
  // Releases the mapping reference once; deletes the token when both the finalizer
  // and the creator are done with it.
  void Release();
  // The creator's side: call after the create attempt (whatever its outcome).
  void CreatorDone();
  // The bytes taken out of V8's external-memory count for this buffer (segments.cc
  // Compensate), given back by its finalizer; 0 when none were.
  int64_t compensated() const { return compensated_; }
  void set_compensated(int64_t bytes) { compensated_ = bytes; }

 private:
  Mapping* mapping_;
  int64_t compensated_ = 0;  // written before the create call, read by its finalizer (JS thread)
  std::atomic<bool> released_{false};
  std::atomic<int> owners_{2};  // the finalizer and the creator
  void Drop();
};

}  // namespace mmcdb
