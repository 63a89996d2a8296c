// SIGBUS protection for reads of a file mapping whose file another process truncated
// (docs/RELIABILITY.md §Truncation under a live reader).
//
// - Native reads run inside Guarded(): a SIGBUS there jumps back out (siglongjmp) and
//   the call reports ERR_CDB_TRUNCATED for the memory that faulted.
// - A SIGBUS outside a guarded read whose address lies in one of our registered regions
//   (JS reading a view) maps anonymous zero pages from the faulting page to the end of
//   that region and returns: the read continues and sees zeros.
// - Either way the fault is recorded in the region it hit (RegionFaulted), looked up by
//   address.
// - Any other SIGBUS goes to the handler installed before ours (or, when there was
//   none, the default action: the process dies of SIGBUS as it would without us).
//
// The registry has no fixed size: chunks of regions linked by atomic pointers, allocated
// by RegisterRegion (never in the handler), whose slots are reused and never freed
// (guard_registry.cc). The handler only walks them with atomic loads, reads one
// initial-exec thread-local pointer and calls only mmap / sigaction: async-signal-safe.
#pragma once
#include <setjmp.h>
#include <signal.h>

#include <atomic>
#include <cstdint>

namespace mmcdb {

// Installs the SIGBUS handler once per process (later calls do nothing). Returns false
// when sigaction failed (reads are then unguarded, as before).
bool InstallSigbusGuard();

// One registered range of mapped memory.
struct GuardRegion {
  std::atomic<uintptr_t> start{0};  // 0 = free: the handler skips it
  std::atomic<uintptr_t> end{0};
  std::atomic<uint64_t> file_offset{0};  // the file offset `start` maps
  std::atomic<const void*> owner{nullptr};
  std::atomic<uint64_t> fault{0};  // 0: intact; else 1 + the file offset of the first fault
  std::atomic<bool> used{false};
};

// Registers [start, start + length), which maps the file from file_offset on, for
// `owner` (an opaque pointer, handed back by RegionOwnerOf). nullptr only when memory
// for a new chunk could not be allocated (the region is then unprotected).
GuardRegion* RegisterRegion(const void* start, uint64_t length, uint64_t file_offset, const void* owner);
void UnregisterRegion(GuardRegion* region);
inline bool RegionFaulted(const GuardRegion* r) {
  return r != nullptr && r->fault.load(std::memory_order_relaxed) != 0;
}
// The file offset of the region's first fault (0 when none).
uint64_t RegionFaultOffset(const GuardRegion* r);
// Records a fault found another way (a guarded read, fstat).
void MarkRegionFaulted(GuardRegion* r, uint64_t file_offset);
// Not for the handler: the owner of the registered region holding addr, and the file
// offset addr maps; nullptr when no region holds it.
const void* RegionOwnerOf(uintptr_t addr, uint64_t* file_offset);

struct GuardFrame {
  sigjmp_buf jump;
  GuardFrame* previous;
  volatile uintptr_t fault_address;
};

// The innermost guarded read of this thread (nullptr outside any). initial-exec: no
// lazy allocation when the handler reads it on a thread that never set it.
extern thread_local GuardFrame* t_guard __attribute__((tls_model("initial-exec")));

// Runs fn() with SIGBUS guarded. Returns true when it ran to the end; false when a
// SIGBUS interrupted it, with *fault_address set. fn must not allocate, take locks or
// call into V8/Node (a jump out of those would leave them inconsistent): it only reads
// the mapping and writes plain memory (std::string building on error paths happens
// after the reads it reports on, never during one).
template <typename Fn>
__attribute__((noinline)) bool Guarded(Fn&& fn, uintptr_t* fault_address) {
  GuardFrame frame;
  frame.previous = t_guard;
  frame.fault_address = 0;
  // savemask 0: no sigprocmask syscall. The handler runs with SA_NODEFER, so SIGBUS
  // is not blocked when it jumps here.
  if (sigsetjmp(frame.jump, 0) != 0) {
    // The handler already restored t_guard = frame.previous.
    std::atomic_signal_fence(std::memory_order_seq_cst);
    *fault_address = frame.fault_address;
    return false;
  }
  t_guard = &frame;
  // The store must be in place before any read of the mapping (the compiler once
  // dropped a thread-local guard store as dead: the fences keep it).
  std::atomic_signal_fence(std::memory_order_seq_cst);
  fn();
  std::atomic_signal_fence(std::memory_order_seq_cst);
  t_guard = frame.previous;
  std::atomic_signal_fence(std::memory_order_seq_cst);
  return true;
}

#ifdef MMCDB_TEST_HOOKS
// test_hooks.cc (sigbusTest): re-install over whatever handler is now in place, which
// becomes the one chained to; and put back the handler that was there before ours.
bool ReinstallSigbusGuardForTesting();
bool RestorePreviousSigbusForTesting(struct sigaction* previous);
#endif

}  // namespace mmcdb
