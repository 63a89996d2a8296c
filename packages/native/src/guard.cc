// The SIGBUS handler and its installation (guard.h); the registry is guard_registry.cc.
#include "guard.h"

#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <mutex>

#include "guard_internal.h"

namespace mmcdb {

thread_local GuardFrame* t_guard __attribute__((tls_model("initial-exec"))) = nullptr;

namespace {

struct sigaction g_previous;
std::atomic<bool> g_installed{false};
std::mutex g_install_mutex;

uintptr_t PageSizeSignalSafe() {
  static const uintptr_t size = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));  // set before any fault
  return size;
}

// Hands a fault that is not ours to the handler before us, or to the default action.
void Chain(int sig, siginfo_t* info, void* context) {
  const struct sigaction& p = g_previous;
  if (p.sa_flags & SA_SIGINFO) {
    if (p.sa_sigaction != nullptr) {
      p.sa_sigaction(sig, info, context);
      return;
    }
  } else if (p.sa_handler != SIG_DFL && p.sa_handler != SIG_IGN && p.sa_handler != nullptr) {
    p.sa_handler(sig);
    return;
  }
  // No handler before us (or SIG_IGN, which the kernel does not honour for a fault):
  // restore the default action and return; the faulting instruction runs again and the
  // process dies of SIGBUS, as it would without us. A SIGBUS sent by kill() has no
  // instruction to re-run: raise it again.
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  sigaction(SIGBUS, &dfl, nullptr);
  if (info == nullptr || info->si_code <= 0) raise(SIGBUS);
}

void Handler(int sig, siginfo_t* info, void* context) {
  const uintptr_t addr = info != nullptr ? reinterpret_cast<uintptr_t>(info->si_addr) : 0;
  // Only faults from the hardware (si_code > 0) are ours to repair; kill -BUS is chained.
  if (info != nullptr && info->si_code > 0) {
    GuardRegion* region = FindRegion(addr);
    GuardFrame* frame = t_guard;
    if (frame != nullptr) {
      // A guarded native read: charge the region it hit (if any: a key's bytes may lie
      // in memory we do not know), then jump back; the caller words the error.
      if (region != nullptr) RecordFault(region, addr);
      frame->fault_address = addr;
      t_guard = frame->previous;
      std::atomic_signal_fence(std::memory_order_seq_cst);
      siglongjmp(frame->jump, 1);
    }
    if (region != nullptr) {
      const uintptr_t page = PageSizeSignalSafe();
      uintptr_t from = addr & ~(page - 1);
      uintptr_t end = region->end.load(std::memory_order_acquire);
      uintptr_t to = (end + page - 1) & ~(page - 1);
      // Every page from the faulting one on lies beyond the new end of the file.
      void* p = mmap(reinterpret_cast<void*>(from), to - from, PROT_READ | PROT_WRITE,
                     MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (p != MAP_FAILED) {
        RecordFault(region, addr);
        return;  // the read runs again and sees zeros
      }
    }
  }
  Chain(sig, info, context);
}

bool InstallLocked(struct sigaction* replaced) {
  struct sigaction act {};
  act.sa_sigaction = Handler;
  act.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
  sigemptyset(&act.sa_mask);
  return sigaction(SIGBUS, &act, replaced) == 0;
}

}  // namespace

bool InstallSigbusGuard() {
  if (g_installed.load(std::memory_order_acquire)) return true;
  std::lock_guard<std::mutex> lock(g_install_mutex);
  if (g_installed.load(std::memory_order_relaxed)) return true;
  PageSizeSignalSafe();
  if (!InstallLocked(&g_previous)) return false;
  g_installed.store(true, std::memory_order_release);
  return true;
}

#ifdef MMCDB_TEST_HOOKS
bool ReinstallSigbusGuardForTesting() {
  std::lock_guard<std::mutex> lock(g_install_mutex);
  struct sigaction prev;
  if (!InstallLocked(&prev)) return false;
  // The handler being replaced may be ours (re-install): keep the chain as it was.
  if (!((prev.sa_flags & SA_SIGINFO) && prev.sa_sigaction == Handler)) g_previous = prev;
  g_installed.store(true, std::memory_order_release);
  return true;
}

bool RestorePreviousSigbusForTesting(struct sigaction* previous) {
  std::lock_guard<std::mutex> lock(g_install_mutex);
  *previous = g_previous;
  return sigaction(SIGBUS, &g_previous, nullptr) == 0;
}
#endif

}  // namespace mmcdb
