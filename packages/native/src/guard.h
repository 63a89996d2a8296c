// SIGBUS protection for reads of a file mapping whose file another process truncated
// (docs/RELIABILITY.md §Truncation under a live reader).
//
// - Native reads run inside Guarded(): a SIGBUS there jumps back out (siglongjmp) and
//   the call reports ERR_CDB_TRUNCATED with the faulting offset.
// - A SIGBUS outside a guarded read whose address lies in one of our registered
//   mappings (JS reading a view) maps anonymous zero pages from the faulting page to
//   the end of that mapping and returns: the read continues and sees zeros. The
//   mapping is marked damaged.
// - Any other SIGBUS goes to the handler installed before ours (or, when there was
//   none, the default action: the process dies of SIGBUS as it would without us).
//
// The handler reads only a fixed array of atomics (the registry) and one initial-exec
// thread-local pointer, and calls only mmap / sigaction: async-signal-safe.
#pragma once
#include <setjmp.h>

#include <atomic>
#include <cstdint>

namespace mmcdb {

// Installs the SIGBUS handler once per process (later calls do nothing). Returns false
// when sigaction failed (reads are then unguarded, as before).
bool InstallSigbusGuard();

// The registry of live mappings. Register() returns a slot (or −1 when all slots are
// taken: that mapping's JS views are then not protected, native reads still are).
int RegisterMapping(const uint8_t* base, uint64_t size);
void UnregisterMapping(int slot);
// Whether a fault (native or JS) hit the mapping of `slot`, and the file offset of the
// first one. MarkDamaged() records a fault found another way (a guarded read, fstat).
bool MappingDamaged(int slot);
uint64_t MappingFaultOffset(int slot);
void MarkDamaged(int slot, uint64_t offset);

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

}  // namespace mmcdb
