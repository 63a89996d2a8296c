#include "guard.h"

#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <mutex>

namespace mmcdb {

thread_local GuardFrame* t_guard __attribute__((tls_model("initial-exec"))) = nullptr;

namespace {

constexpr int kSlots = 1024;

struct Entry {
  std::atomic<uintptr_t> start{0};  // 0 = free
  std::atomic<uintptr_t> end{0};
  std::atomic<bool> used{false};
  std::atomic<uint64_t> fault{0};  // 0: intact; else 1 + the file offset of the first fault
};

Entry g_registry[kSlots];

struct sigaction g_previous;
std::atomic<bool> g_installed{false};
std::mutex g_install_mutex;

uintptr_t PageSizeSignalSafe() {
  static const uintptr_t size = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));  // set before any fault
  return size;
}

int FindSlot(uintptr_t addr) {
  for (int i = 0; i < kSlots; i++) {
    uintptr_t s = g_registry[i].start.load(std::memory_order_acquire);
    if (s == 0 || addr < s) continue;
    if (addr < g_registry[i].end.load(std::memory_order_acquire)) return i;
  }
  return -1;
}

void Record(int slot, uintptr_t addr) {
  Entry& e = g_registry[slot];
  uint64_t expected = 0;
  e.fault.compare_exchange_strong(expected, addr - e.start.load(std::memory_order_relaxed) + 1,
                                  std::memory_order_acq_rel);
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
    GuardFrame* frame = t_guard;
    if (frame != nullptr) {
      int slot = FindSlot(addr);
      if (slot >= 0) Record(slot, addr);
      frame->fault_address = addr;
      t_guard = frame->previous;
      std::atomic_signal_fence(std::memory_order_seq_cst);
      siglongjmp(frame->jump, 1);
    }
    int slot = FindSlot(addr);
    if (slot >= 0) {
      Entry& e = g_registry[slot];
      const uintptr_t page = PageSizeSignalSafe();
      uintptr_t from = addr & ~(page - 1);
      uintptr_t end = e.end.load(std::memory_order_acquire);
      uintptr_t to = (end + page - 1) & ~(page - 1);
      // Every page from the faulting one on lies beyond the new end of the file.
      void* p = mmap(reinterpret_cast<void*>(from), to - from, PROT_READ | PROT_WRITE,
                     MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (p != MAP_FAILED) {
        Record(slot, addr);
        return;  // the read runs again and sees zeros
      }
    }
  }
  Chain(sig, info, context);
}

}  // namespace

bool InstallSigbusGuard() {
  if (g_installed.load(std::memory_order_acquire)) return true;
  std::lock_guard<std::mutex> lock(g_install_mutex);
  if (g_installed.load(std::memory_order_relaxed)) return true;
  PageSizeSignalSafe();
  struct sigaction act {};
  act.sa_sigaction = Handler;
  act.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
  sigemptyset(&act.sa_mask);
  if (sigaction(SIGBUS, &act, &g_previous) != 0) return false;
  g_installed.store(true, std::memory_order_release);
  return true;
}

// Test hook support (binding.cc): re-install over whatever handler is now in place,
// which becomes the one chained to. Not for production use.
bool ReinstallSigbusGuardForTesting() {
  std::lock_guard<std::mutex> lock(g_install_mutex);
  struct sigaction act {};
  act.sa_sigaction = Handler;
  act.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
  sigemptyset(&act.sa_mask);
  struct sigaction prev;
  if (sigaction(SIGBUS, &act, &prev) != 0) return false;
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

int RegisterMapping(const uint8_t* base, uint64_t size) {
  if (base == nullptr || size == 0) return -1;
  for (int i = 0; i < kSlots; i++) {
    bool expected = false;
    if (!g_registry[i].used.compare_exchange_strong(expected, true, std::memory_order_acq_rel)) continue;
    Entry& e = g_registry[i];
    e.fault.store(0, std::memory_order_relaxed);
    e.end.store(reinterpret_cast<uintptr_t>(base) + size, std::memory_order_release);
    e.start.store(reinterpret_cast<uintptr_t>(base), std::memory_order_release);
    return i;
  }
  return -1;
}

void UnregisterMapping(int slot) {
  if (slot < 0) return;
  Entry& e = g_registry[slot];
  e.start.store(0, std::memory_order_release);
  e.end.store(0, std::memory_order_release);
  e.used.store(false, std::memory_order_release);
}

bool MappingDamaged(int slot) {
  return slot >= 0 && g_registry[slot].fault.load(std::memory_order_relaxed) != 0;
}

uint64_t MappingFaultOffset(int slot) {
  uint64_t f = slot >= 0 ? g_registry[slot].fault.load(std::memory_order_acquire) : 0;
  return f == 0 ? 0 : f - 1;
}

void MarkDamaged(int slot, uint64_t offset) {
  if (slot < 0) return;
  uint64_t expected = 0;
  g_registry[slot].fault.compare_exchange_strong(expected, offset + 1, std::memory_order_acq_rel);
}

}  // namespace mmcdb
