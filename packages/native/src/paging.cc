#include "paging.h"

#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>

#include "mapping.h"

namespace mmcdb {
namespace {

constexpr uint64_t kWarmChunk = 2ULL << 20;  // 2 MiB (measured: one madvise over the
                                             // whole mapping brings one readahead window)
constexpr uint64_t kWarmAhead = 8;           // chunks requested before the one touched

// Where TouchPages leaves what it read, so the loads cannot be dropped.
volatile uint8_t g_touch_sink;

uintptr_t PageMask() { return ~static_cast<uintptr_t>(PageSize() - 1); }

}  // namespace

uint64_t PageSize() {
  static const uint64_t size = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  return size;
}

int AdviceFromName(const char* name, bool open_only) {
  if (std::strcmp(name, "normal") == 0) return MADV_NORMAL;
  if (std::strcmp(name, "random") == 0) return MADV_RANDOM;
  if (std::strcmp(name, "sequential") == 0) return MADV_SEQUENTIAL;
  if (open_only) return -1;
  if (std::strcmp(name, "willneed") == 0) return MADV_WILLNEED;
  if (std::strcmp(name, "dontneed") == 0) return MADV_DONTNEED;
  return -1;
}

int AdviseRange(const uint8_t* base, uint64_t offset, uint64_t length, int advice) {
  if (base == nullptr || length == 0) return 0;
  uintptr_t start = reinterpret_cast<uintptr_t>(base + offset) & PageMask();
  uintptr_t end = reinterpret_cast<uintptr_t>(base + offset + length);
  if (::madvise(reinterpret_cast<void*>(start), end - start, advice) != 0) return errno;
  return 0;
}

void WillNeedHint(const uint8_t* addr, uint64_t length) {
  if (length == 0) return;
  uintptr_t start = reinterpret_cast<uintptr_t>(addr) & PageMask();
  uintptr_t end = reinterpret_cast<uintptr_t>(addr) + length;
  ::madvise(reinterpret_cast<void*>(start), end - start, MADV_WILLNEED);  // a hint: errors ignored
}

void TouchPages(const uint8_t* p, uint64_t length) {
  if (length == 0) return;
  const uint64_t page = PageSize();
  const volatile uint8_t* v = p;
  uint8_t sink = v[0];
  // The first byte of every later page the range reaches.
  uint64_t first = page - (reinterpret_cast<uintptr_t>(p) & (page - 1));
  for (uint64_t i = first; i < length; i += page) sink ^= v[i];
  g_touch_sink = sink;
}

int WarmRange(const uint8_t* base, uint64_t from, uint64_t to) {
  if (base == nullptr || from >= to) return 0;
  uint64_t requested = from;  // chunks before this one have been requested
  int err = 0;
  for (uint64_t at = from; at < to; at += kWarmChunk) {
    while (requested < to && requested < at + kWarmAhead * kWarmChunk) {
      uint64_t len = to - requested < kWarmChunk ? to - requested : kWarmChunk;
      int e = AdviseRange(base, requested, len, MADV_WILLNEED);
      if (e != 0 && err == 0) err = e;
      requested += len;
    }
    TouchPages(base + at, to - at < kWarmChunk ? to - at : kWarmChunk);
  }
  return err;
}

int ResidentPages(const uint8_t* base, uint64_t size, std::vector<unsigned char>* pages) {
  const uint64_t page = PageSize();
  pages->assign((size + page - 1) / page, 0);
  if (base == nullptr || size == 0) return 0;
  if (::mincore(const_cast<uint8_t*>(base), size, pages->data()) != 0) return errno;
  return 0;
}

uint64_t ResidentBytes(const std::vector<unsigned char>& pages, uint64_t from, uint64_t to) {
  const uint64_t page = PageSize();
  uint64_t total = 0;
  for (uint64_t at = from; at < to;) {
    uint64_t i = at / page;
    uint64_t end = (i + 1) * page < to ? (i + 1) * page : to;
    if (i < pages.size() && (pages[i] & 1) != 0) total += end - at;
    at = end;
  }
  return total;
}

int AdviseMapping(const Mapping* m, uint64_t offset, uint64_t length, int advice) {
  int e = AdviseRange(m->data(), offset, length, advice);
  if (e != 0 || !m->has_views()) return e;
  const uint64_t lo = offset > m->views_offset() ? offset : m->views_offset();
  const uint64_t end = m->views_offset() + m->views_length();
  const uint64_t hi = offset + length < end ? offset + length : end;
  return lo < hi ? AdviseRange(m->views_base(), lo - m->views_offset(), hi - lo, advice) : 0;
}

int ResidentMapping(const Mapping* m, std::vector<unsigned char>* pages) {
  int e = ResidentPages(m->data(), m->size(), pages);
  if (e != 0 || !m->has_views()) return e;
  std::vector<unsigned char> views;
  e = ResidentPages(m->views_base(), m->views_length(), &views);
  if (e != 0) return e;
  const uint64_t first = m->views_offset() / PageSize();  // views_offset is page-aligned
  for (uint64_t i = 0; i < views.size() && first + i < pages->size(); i++) (*pages)[first + i] |= views[i] & 1;
  return 0;
}

}  // namespace mmcdb
