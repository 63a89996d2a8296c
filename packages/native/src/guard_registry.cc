// The SIGBUS guard's registry of mapped regions (guard.h), signal-safe: a fixed chunk
// of kChunk regions. RegisterRegion claims a free slot (compare-and-swap on `used`);
// slots are reused. When all are taken the region is not registered (its JS views are
// then unprotected; native reads still are).

#include "guard.h"
#include "guard_internal.h"

namespace mmcdb {
namespace {

constexpr int kChunk = 1024;

struct Chunk {
  GuardRegion regions[kChunk];
  std::atomic<Chunk*> next{nullptr};
};

Chunk g_first;

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
    c = c->next.load(std::memory_order_acquire);
    if (c == nullptr) return nullptr;  // full
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
