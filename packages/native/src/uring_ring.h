// One reader's io_uring (asyncIo 'uring', docs/RELIABILITY.md §io_uring): a ring of
// `depth` reads, an eventfd the ring signals on completions, and the libuv handles on
// the env's own loop — a uv_poll_t on the eventfd (completions) and a uv_idle_t (turns
// for lookup work still to do) — so that no thread blocks: the JS thread submits reads,
// libuv tells it when they are done, and it walks the keys further (uring_batch.h).
//
// Reads go through a file descriptor of the ring's own (reopened from /proc/self/fd,
// POSIX_FADV_RANDOM: no readahead), into a scratch buffer nobody reads: their only
// purpose is to bring pages into the page cache, which the mapping then shares.
//
// Lifetime: reference-counted on the JS thread — the handle holds one reference until
// close(), every batch in flight one more — so a ring is never torn down with reads in
// flight, except at env teardown (a cleanup hook exits the ring; the scratch buffer
// lives for the process, so a read the kernel finishes later writes nowhere harmful).
#pragma once
#include <node_api.h>

#include <cstdint>
#include <string>
#include <vector>

#include "residency_map.h"

struct io_uring;

namespace mmcdb {

class UringBatch;
struct UringParts;

class UringRing {
 public:
  // A ring for reads of the file open as `file_fd`, with at most `depth` reads in
  // flight. nullptr with *why (the reason asyncIo 'auto' falls back) when the system
  // refuses: a seccomp filter (EPERM/ENOSYS, as in Docker), io_uring_disabled, a kernel
  // without IORING_OP_READ, MMCDB_URING_FORCE_FAIL (tests).
  static UringRing* Create(napi_env env, int file_fd, unsigned depth, std::string* why);

  void Ref() { refs_++; }
  void Unref();

  // A batch object to fill: a settled one kept for reuse (its buffers keep their
  // capacity: fresh ones cost page faults and zeroed pages on every batch), else new.
  UringBatch* TakeBatch();
  // A settled batch's object back (or freed: the pool is full, the batch was big, or
  // the env is going away).
  void GiveBack(UringBatch* batch);
  // The batch gets turns (Work) and completions (OnRead) until it reports itself done.
  void Add(UringBatch* batch);
  // A new batch (JS thread, inside its uringGetMany call): worked at once, for at most
  // kInlineUs, and settled in the call when that finished it, within the loop tick's
  // budget (inline_budget.h); else Add.
  void Start(napi_env env, UringBatch* batch);
  // Asks for a turn soon (the batch has work it can do without waiting for a read).
  void WantTurn();
  // Queues a read of `length` ≤ kMaxRead bytes at file `offset`; `tag` comes back with
  // its completion. False when `depth` reads are in flight already.
  bool Read(uint64_t offset, uint32_t length, uint64_t tag);
  bool Full() const { return inflight_ >= depth_; }
  // What its batches know of the mapping's residency (shared: a page one batch saw
  // resident or read is known to the next).
  ResidencyMap& residency() { return residency_; }
  // Hands the queued reads to the kernel (one syscall for all of them).
  void Submit();
  // Submit() calls so far: a walk that sees it move looks at its deadline (each read
  // costs its submitter ~3 µs of kernel work, the page cache's and the block layer's).
  unsigned submits() const { return submits_; }

  // Reads queued before Read() submits them: submitting costs the JS thread about 3 µs a
  // cold read (io_uring_enter starts each one inline), so 256 at once held the loop
  // 0.8–2.5 ms; in chunks the walk's deadline bounds it (bench/RESULTS.md §mmap, pread
  // or io_uring).
  static constexpr unsigned kSubmitChunk = 16;

  static constexpr uint32_t kMaxRead = 256 * 1024;

 private:
  UringRing() = default;
  ~UringRing();
  static void OnPoll(void* ring);
  static void OnIdle(void* ring);
  static void OnEnvTeardown(void* ring);
  void Reap();
  void Turn();
  void Close();

  napi_env env_ = nullptr;
  napi_async_context async_ = nullptr;
  ::io_uring* ring_ = nullptr;
  UringParts* uv_ = nullptr;  // the libuv handles (freed by their close callbacks)
  int event_fd_ = -1;
  int file_fd_ = -1;
  unsigned depth_ = 0;
  unsigned inflight_ = 0;   // reads handed out and not reaped
  unsigned queued_ = 0;     // reads prepared and not submitted
  unsigned submits_ = 0;    // Submit() calls that reached the kernel
  size_t first_batch_ = 0;  // where the next turn starts in batches_ (Turn)
  int refs_ = 1;
  bool in_turn_ = false;
  bool torn_down_ = false;
  std::vector<UringBatch*> batches_;
  std::vector<UringBatch*> spare_;  // settled batches kept for reuse (TakeBatch)
  ResidencyMap residency_;
};

}  // namespace mmcdb
