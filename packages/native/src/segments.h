// The ArrayBuffers JS views values through (index.d.ts, Addressing). They cover the
// data section only (mapping.h: the views mapping) — never the header or the index —
// and are addressed from its file offset, h->seg_base (JS: handle.segmentBase): one
// segment over all of it up to 1 GiB, else overlapping windows made on first use.
#pragma once
#include <node_api.h>

#include <cstdint>

#include "handle.h"

namespace mmcdb {

// Data sections up to 1 GiB get one segment at open. Larger ones get overlapping windows
// of 256 MiB every 128 MiB, created on first use: a range of ≤ 128 MiB lies wholly in
// window floor((off − base) / 128 MiB); a larger value gets an ArrayBuffer of its own
// (handle.range()).
// The trade-off behind the sizes: V8 counts each ArrayBuffer's length as external memory
// and collects garbage whenever that count grows by more than 64 MiB. One segment made at
// open pays that GC once, at open (1–6 ms in a small process, 42 ms in the benchmark's
// child with a large heap, for a 156 MB file) and never while reading. Windows made on
// first use keep open O(1) for huge files, but each one costs a GC when it is made —
// with 32 MiB windows (tried), a cold random read of a 1.6 GB file made ~100 of them and
// stalled the event loop up to 45 ms; 256 MiB windows make 13 (stalls 5–14 ms).
constexpr uint64_t kSingleSegmentMax = 1ULL << 30;
constexpr uint64_t kWindow = 1ULL << 28;
constexpr uint64_t kWindowStride = 1ULL << 27;
// External memory (RELIABILITY.md §Open without a GC): every buffer is taken out of V8's
// external-memory count before it is made (segments.cc Compensate), but V8 lowers its
// limit to (count + 64 MiB) whenever the count drops, so a counted buffer of more than
// 64 MiB still starts a collection. The Node-API flavour therefore keeps every counted
// buffer under that: one segment up to kCountedSingleMax, else windows of kCountedWindow
// every kCountedStride (values up to 16 MiB lie in one). The V8-API flavour's buffers are
// not counted at all (uncounted_buffer.h) and keep the sizes above.
constexpr uint64_t kCountedSingleMax = 48ULL << 20;
constexpr uint64_t kCountedWindow = 32ULL << 20;
constexpr uint64_t kCountedStride = 16ULL << 20;
// Node 20 refuses external ArrayBuffers of 2^32 bytes or more (native-measurements.md,
// Limits), so no segment is ever larger than 2^32 − 1 bytes.
constexpr uint64_t kMaxSegment = (1ULL << 32) - 1;

// Sets h's data section and its windows (test options: window, stride > 0 force windows).
void ChooseWindows(Handle* h, Range data, double window, double stride);

// The segment list for the handle object: [segment 0] for a single segment, `count`
// holes for windows, [] without external buffers (h->external_buffers false).
napi_value MakeSegmentList(napi_env env, Handle* h, bool allow_external);

// The window holding file offset `offset` of the data section, i = floor((offset −
// base) / stride) — the last one for offset = seg_end (an empty value at the very end).
inline uint64_t WindowOf(const Handle* h, uint64_t offset) {
  uint64_t i = (offset - h->seg_base) / h->stride;
  return h->window_count > 0 && i >= h->window_count ? h->window_count - 1 : i;
}

// Whether [offset, offset + length) (a value or key: inside the data section) lies
// wholly in window WindowOf(offset).
inline bool InOneSegment(const Handle* h, uint64_t offset, uint64_t length) {
  uint64_t start = h->seg_base + WindowOf(h, offset) * h->stride;
  return offset + length - start <= h->window;
}

}  // namespace mmcdb
