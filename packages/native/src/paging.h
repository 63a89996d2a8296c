// Page-cache tools: madvise by name, off-thread warming (chunked MADV_WILLNEED + one
// read per page), residency (mincore) and page touching. Plain functions over raw
// pointers, and over a Mapping's two mappings (mapping.h): safe on the threadpool while
// the caller holds a Mapping reference.
#pragma once
#include <cstdint>
#include <vector>

namespace mmcdb {

class Mapping;

uint64_t PageSize();

// MADV_* for 'normal' | 'random' | 'sequential' | 'willneed' | 'dontneed'; −1 for
// any other name. `open_only` accepts only the first three (open()'s advice option).
int AdviceFromName(const char* name, bool open_only);

// madvise over [base + offset, base + offset + length), widened to whole pages
// (the mapping starts on a page). Returns 0 or an errno value.
int AdviseRange(const uint8_t* base, uint64_t offset, uint64_t length, int advice);

// A PageHint (common.h) for cold batch lookups: MADV_WILLNEED over the pages of
// [addr, addr + length), which starts their reads without waiting for them.
void WillNeedHint(const uint8_t* addr, uint64_t length);

// Reads one byte of every page [p, p + length) touches, through volatile loads, so
// the pages fault in here (and are mapped) rather than on the JS thread.
void TouchPages(const uint8_t* p, uint64_t length);

// Brings [base + from, base + to) into memory: MADV_WILLNEED in 2 MiB chunks kept
// ahead of a touch of every page. Returns 0 or an errno value (madvise's).
int WarmRange(const uint8_t* base, uint64_t from, uint64_t to);

// mincore over [base, base + size): one byte per page, bit 0 = resident. Returns 0 or
// an errno value.
int ResidentPages(const uint8_t* base, uint64_t size, std::vector<unsigned char>* pages);

// Bytes of [from, to) that lie on resident pages.
uint64_t ResidentBytes(const std::vector<unsigned char>& pages, uint64_t from, uint64_t to);

// Over both mappings of m: madvise file bytes [offset, offset + length) in the
// read-only mapping and the part of them the views mapping holds. 0 or an errno.
int AdviseMapping(const Mapping* m, uint64_t offset, uint64_t length, int advice);
// mincore per page of the file: resident in either mapping (JS reads views, native code
// the read-only mapping; mincore may report only this process's own pages). 0 or errno.
int ResidentMapping(const Mapping* m, std::vector<unsigned char>* pages);

}  // namespace mmcdb
