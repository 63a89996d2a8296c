// The SIGBUS guard's registry of mapped regions (guard.h): unbounded, signal-safe.
// Chunks of kChunk regions form a list linked by atomic pointers. RegisterRegion claims
// a free slot (compare-and-swap on `used`) or, when every chunk is full, appends a new
// chunk (allocated here, under a mutex — never in the signal handler). Slots are reused;
// chunks are never freed, so the handler can walk the list at any moment. (A fixed
// array of 1,024 filled up after ~1,000 closed readers whose views were still alive;
// the next mapping was then unprotected and a truncation killed the process.)
#include <mutex>
#include <new>

#include "guard.h"
#include "guard_internal.h"

namespace mmcdb {
namespace {

constexpr int kChunk = 256;

struct Chunk {
  GuardRegion regions[kChunk];
  std::atomic<Chunk*> next{nullptr};
};

Chunk g_first;
std::mutex g_grow_mutex;

}  // namespace

GuardRegion* FindRegion(uintptr_t addr) {
  for (Chunk* c = &g_first; c != nullptr; c = c->next.load(std::memory_order_acquire)) {
    for (GuardRegion& r : c->regions) {
      uintptr_t s = r.start.load(std::memory_order_acquire);
      if (s == 0 || addr < s) continue;
      if (addr < r.end.load(std::memory_order_acquire)) return &r;
    }
  }
  return nullptr;
}

void RecordFault(GuardRegion* r, uintptr_t addr) {
  uint64_t off = r->file_offset.load(std::memory_order_relaxed) + (addr - r->start.load(std::memory_order_relaxed));
  uint64_t expected = 0;
  r->fault.compare_exchange_strong(expected, off + 1, std::memory_order_acq_rel);
}

GuardRegion* RegisterRegion(const void* start, uint64_t length, uint64_t file_offset, const void* owner) {
  if (start == nullptr || length == 0) return nullptr;
  for (Chunk* c = &g_first;;) {
    for (GuardRegion& r : c->regions) {
      bool expected = false;
      if (!r.used.compare_exchange_strong(expected, true, std::memory_order_acq_rel)) continue;
      r.fault.store(0, std::memory_order_relaxed);
      r.owner.store(owner, std::memory_order_relaxed);
      r.file_offset.store(file_offset, std::memory_order_relaxed);
      r.end.store(reinterpret_cast<uintptr_t>(start) + length, std::memory_order_release);
      r.start.store(reinterpret_cast<uintptr_t>(start), std::memory_order_release);  // live from here
      return &r;
    }
    Chunk* next = c->next.load(std::memory_order_acquire);
    if (next == nullptr) {
      std::lock_guard<std::mutex> lock(g_grow_mutex);
      next = c->next.load(std::memory_order_acquire);
      if (next == nullptr) {
        next = new (std::nothrow) Chunk();
        if (next == nullptr) return nullptr;  // out of memory: this region stays unprotected
        c->next.store(next, std::memory_order_release);
      }
    }
    c = next;
  }
}

void UnregisterRegion(GuardRegion* r) {
  if (r == nullptr) return;
  r->start.store(0, std::memory_order_release);  // the handler stops matching it first
  r->end.store(0, std::memory_order_release);
  r->owner.store(nullptr, std::memory_order_relaxed);
  r->used.store(false, std::memory_order_release);
}

uint64_t RegionFaultOffset(const GuardRegion* r) {
  uint64_t f = r != nullptr ? r->fault.load(std::memory_order_acquire) : 0;
  return f == 0 ? 0 : f - 1;
}

void MarkRegionFaulted(GuardRegion* r, uint64_t file_offset) {
  if (r == nullptr) return;
  uint64_t expected = 0;
  r->fault.compare_exchange_strong(expected, file_offset + 1, std::memory_order_acq_rel);
}

const void* RegionOwnerOf(uintptr_t addr, uint64_t* file_offset) {
  GuardRegion* r = FindRegion(addr);
  if (r == nullptr) return nullptr;
  *file_offset = r->file_offset.load(std::memory_order_relaxed) + (addr - r->start.load(std::memory_order_relaxed));
  return r->owner.load(std::memory_order_relaxed);
}

}  // namespace mmcdb
