// The state behind one open database, and the JS methods bound to it. Each method is
// a plain function whose data pointer is the Handle (no napi_unwrap on the hot path);
// every method function holds one reference to the Handle, so the Handle lives until
// the last of them is collected, even when a method was detached from its object.
#pragma once
#include <node_api.h>

#include <cstdint>
#include <string>
#include <vector>

#include "classic_lookup.h"
#include "guard.h"
#include "mapping.h"
#include "mmcdb_lookup.h"

namespace mmcdb {

// Files up to 1 GiB get one segment at open. Larger files get overlapping windows of
// 256 MiB every 128 MiB, created on first use: a range of ≤ 128 MiB lies wholly in window
// floor(off / 128 MiB); a larger value gets an ArrayBuffer of its own (handle.range()).
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

struct Handle {
  Mapping* mapping = nullptr;  // the handle's own reference; nullptr after close()
  bool is_mmcdb = true;
  MmcdbFile mm;
  ClassicFile cl;
  std::string path;
  // Segments: window i covers [i × stride, i × stride + window_i) (see index.d.ts).
  uint64_t stride = 0;
  uint64_t window = 0;
  uint32_t segment_count = 0;
  bool external_buffers = true;
  // The shared output array (a Float64Array held by out_ref).
  double* out = nullptr;
  size_t out_length = 0;  // in doubles
  napi_ref out_ref = nullptr;
  std::vector<ValueRef> scratch;  // getAll beyond the stack batch
  std::vector<uint8_t> key_bytes;  // getMany: the current group's keys
  std::vector<size_t> key_ends;
  int js_refs = 0;                // method functions alive
  bool damaged_at_close = false;

  ~Handle();
};

// Builds the JS handle object (data properties + methods) for an opened Handle.
// Takes ownership of `h`. Returns nullptr with a pending exception on failure.
napi_value MakeHandleObject(napi_env env, Handle* h);

// For the method files: the Handle of a method call (its data pointer) and arguments.
Handle* MethodArgs(napi_env env, napi_callback_info info, size_t* argc, napi_value* argv, napi_value* self = nullptr);
// Throws ERR_CDB_CLOSED for h; returns nullptr.
napi_value ThrowClosed(napi_env env, Handle* h);
// The ERR_CDB_TRUNCATED fault of a mapping whose file shrank: at `fault_address` (a
// SIGBUS just caught), or the first fault recorded for the mapping when 0. Marks the
// mapping damaged.
CdbFault TruncatedFault(Mapping* m, uintptr_t fault_address);
// Throws TruncatedFault(h->mapping, fault_address); returns nullptr.
napi_value ThrowTruncated(napi_env env, Handle* h, uintptr_t fault_address);

// Batch lookups (batch.cc).
napi_value GetMany(napi_env env, napi_callback_info info);
napi_value GetManyAsync(napi_env env, napi_callback_info info);
// Page-cache control (pages.cc).
napi_value Advise(napi_env env, napi_callback_info info);
napi_value Warm(napi_env env, napi_callback_info info);
napi_value Residency(napi_env env, napi_callback_info info);
napi_value Evict(napi_env env, napi_callback_info info);

// Installs `array` (a Float64Array of ≥ 4 elements) as h->out. False with a pending
// exception otherwise.
bool SetOutArray(napi_env env, Handle* h, napi_value array);

// The external ArrayBuffer over segment i (one reference on the mapping), or nullptr
// when the runtime refuses external buffers (then h->external_buffers becomes false).
napi_value MakeSegment(napi_env env, Handle* h, uint32_t i);
// The external ArrayBuffer over file bytes [start, start + len), len < 2^32, or nullptr.
napi_value MakeRange(napi_env env, Handle* h, uint64_t start, uint64_t len);

}  // namespace mmcdb
