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

// Files up to 32 MiB get one segment at open. Larger files get overlapping windows of
// 32 MiB every 16 MiB, created on first use: a range of ≤ 16 MiB lies wholly in window
// floor(off / 16 MiB); a larger value gets an ArrayBuffer of its own (handle.range()).
// Why so small: V8 counts each ArrayBuffer's length as external memory and collects
// garbage when that count grows by more than 64 MiB since the last full GC. One segment
// over a 156 MB file made every open() pay a full GC (42 ms in a process with a large
// heap); a 32 MiB window stays under that step, so open is O(1) and the windows a
// reader touches are counted a few at a time, as V8's incremental marking expects.
constexpr uint64_t kWindow = 1ULL << 25;
constexpr uint64_t kWindowStride = 1ULL << 24;

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
