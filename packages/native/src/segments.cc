// The segment ArrayBuffers (segments.h) and the handle methods that make them:
// segment(i), range(offset, length).
#include "segments.h"

#include <algorithm>

#include "errors.h"
#include "napi_util.h"
#include "uncounted_buffer.h"

namespace mmcdb {
namespace {

// Give V8 back the external-memory count taken away at creation (MakeRange): the
// ArrayBuffer sweeper subtracted the length when it freed the buffer, so the count
// returns to what it would be without this buffer. The status is ignored: during env
// teardown there is no heap left to tell.
void GiveBack(napi_env env, SegmentToken* token) {
  int64_t unused;
  if (token->compensated() > 0) DropTeardownStatus(napi_adjust_external_memory(env, token->compensated(), &unused));
}

void FinalizeSegment(napi_env env, void*, void* hint) {
  SegmentToken* token = static_cast<SegmentToken*>(hint);
  GiveBack(env, token);
  token->Release();
}

// Open without a GC (segments.h, "External memory"): V8 adds an ArrayBuffer's length to
// its external-memory count when the buffer is created and collects garbage right then
// when the count grows past its limit (64 MiB over the count at the last GC) — 0.8-5 s
// with a large heap. The mapping is not memory V8 could free by collecting, so it is
// taken out of the count first: the creation then brings the count back to where it was.
void Compensate(napi_env env, SegmentToken* token, uint64_t len) {
  int64_t unused;
  if (len > 0 && napi_adjust_external_memory(env, -static_cast<int64_t>(len), &unused) == napi_ok) {
    token->set_compensated(static_cast<int64_t>(len));
  }
}

// The external ArrayBuffer over file bytes [start, start + len) of the data section
// (len < 2^32) in the views mapping, holding one reference on the mapping; nullptr when
// the runtime refuses external buffers (then h->external_buffers becomes false) or the
// call failed. An empty data section has no views mapping: a plain empty ArrayBuffer.
napi_value MakeRange(napi_env env, Handle* h, uint64_t start, uint64_t len) {
  if (!h->external_buffers || h->mapping == nullptr) return nullptr;
  napi_value ab;
  if (!h->mapping->has_views()) return napi_create_arraybuffer(env, 0, nullptr, &ab) == napi_ok ? ab : nullptr;
  SegmentToken* token = new SegmentToken(h->mapping);
  if (UncountedBuffers()) {
    napi_value uncounted = MakeUncountedBuffer(env, h->mapping->view(start), len, token);
    token->CreatorDone();
    if (uncounted != nullptr) return uncounted;
    token = new SegmentToken(h->mapping);  // refused: a counted buffer instead
  }
  Compensate(env, token, len);
  napi_status s = napi_create_external_arraybuffer(env, h->mapping->view(start), len, FinalizeSegment, token, &ab);
  token->CreatorDone();
  if (s == napi_ok) return ab;
  // Sandbox: Node returns before touching the finalizer, so release it (and give the
  // count back) here. Any other failure: Node may have run the finalizer; Release() is
  // idempotent but we cannot know whether it will still run, so we only leak (and leave
  // the count lower by len), never free twice.
  if (s == napi_no_external_buffers_allowed) {
    GiveBack(env, token);
    token->Release();
  }
  // Either way external buffers are off for this handle from now on: copy() serves
  // every value (index.d.ts externalBuffers). The exception a failed create left (Node
  // 20: ERR_BUFFER_TOO_LARGE) is dropped for the same reason.
  h->external_buffers = false;
  h->segment_count = 0;
  bool pending = false;
  napi_value dropped;
  if (napi_is_exception_pending(env, &pending) == napi_ok && pending) {
    if (napi_get_and_clear_last_exception(env, &dropped) != napi_ok) return nullptr;
  }
  return nullptr;
}

// Window i: file bytes [base + i × stride, min(base + i × stride + window, end)).
napi_value MakeSegment(napi_env env, Handle* h, uint32_t i) {
  if (h->mapping == nullptr || i >= h->window_count) return nullptr;
  const uint64_t start = h->seg_base + static_cast<uint64_t>(i) * h->stride;
  return MakeRange(env, h, start, std::min(h->window, h->seg_end - start));
}

}  // namespace

void ChooseWindows(Handle* h, Range data, double window, double stride) {
  h->seg_base = data.from;
  h->seg_end = data.to;
  const uint64_t size = data.to - data.from;
  const bool counted = !UncountedBuffers();
  if (size <= (counted ? kCountedSingleMax : kSingleSegmentMax)) {
    h->stride = 1ULL << 32;
    h->window = size;
  } else {
    h->stride = counted ? kCountedStride : kWindowStride;
    h->window = counted ? kCountedWindow : kWindow;
  }
  if (window > 0 && stride > 0 && stride <= window && window <= static_cast<double>(kMaxSegment)) {
    h->stride = static_cast<uint64_t>(stride);
    h->window = static_cast<uint64_t>(window);
  }
  // Window i covers [i × stride, i × stride + window) of the section: ceil(size / stride)
  // of them, so that every offset in it has its window floor(offset / stride).
  h->window_count = size > h->window ? static_cast<uint32_t>((size + h->stride - 1) / h->stride) : 1;
}

// A data section under 1 GiB gets its one segment now (the fast path). A windowed one
// gets a list of `count` holes that JS fills through segment(i): creating an external
// ArrayBuffer reports its whole length to V8 as external memory, which triggers garbage
// collections — measured here, eagerly creating the five 4 GiB windows of a 10 GiB file
// made open() take 22 ms; lazily, open is O(1) and only the windows values are read
// from are ever created.
napi_value MakeSegmentList(napi_env env, Handle* h, bool allow_external) {
  const uint32_t count = h->window_count;
  h->external_buffers = allow_external;
  h->segment_count = allow_external ? count : 0;
  napi_value list;
  if (!allow_external) return napi_create_array(env, &list) == napi_ok ? list : nullptr;
  if (napi_create_array_with_length(env, count, &list) != napi_ok) return nullptr;
  if (count == 1) {
    napi_value ab = MakeSegment(env, h, 0);
    if (ab != nullptr) {
      if (napi_set_element(env, list, 0, ab) != napi_ok) return nullptr;
    } else if (napi_create_array(env, &list) != napi_ok) {  // refused (V8 sandbox): copy() serves every value
      return nullptr;
    }
  }
  return list;
}

// segment(i): the external ArrayBuffer over window i, or undefined when i is out of
// range or the runtime refuses external buffers.
napi_value SegmentMethod(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  Handle* h = MethodArgs(env, info, &argc, argv);
  if (h == nullptr) return nullptr;
  if (h->mapping == nullptr) return ThrowClosed(env, h);
  uint32_t i = 0;
  if (napi_get_value_uint32(env, argv[0], &i) != napi_ok || i >= h->segment_count) return Undefined(env);
  napi_value ab = MakeSegment(env, h, i);
  return ab != nullptr ? ab : Undefined(env);
}

// range(offset, length): an external ArrayBuffer over exactly these file bytes of the
// data section, for a value no window holds whole; undefined when they are not all in
// the data section, external buffers are refused or length ≥ 2^32 (then JS falls back
// to copy()).
napi_value RangeMethod(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  Handle* h = MethodArgs(env, info, &argc, argv);
  if (h == nullptr) return nullptr;
  if (h->mapping == nullptr) return ThrowClosed(env, h);
  double off = -1, len = -1;
  if (napi_get_value_double(env, argv[0], &off) != napi_ok || napi_get_value_double(env, argv[1], &len) != napi_ok ||
      !(off >= 0) || !(len >= 0) || len > static_cast<double>(kMaxSegment) ||
      off < static_cast<double>(h->seg_base) || off + len > static_cast<double>(h->seg_end)) {
    return Undefined(env);
  }
  napi_value ab = MakeRange(env, h, static_cast<uint64_t>(off), static_cast<uint64_t>(len));
  return ab != nullptr ? ab : Undefined(env);
}

}  // namespace mmcdb
