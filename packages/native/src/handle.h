// The state behind one open database, and the JS methods bound to it. Each method is
// a plain Node-API callback whose data pointer is the Handle (no napi_unwrap on the hot
// path); every method function holds one reference to the Handle (its finalizer drops
// it), so the Handle lives until the last of them is collected, even when a method was
// detached from its object. A Handle belongs to the env (main thread or worker) that
// opened it.
#pragma once
#include <node_api.h>

#include <cstdint>
#include <string>
#include <vector>

#include "db_file.h"
#include "guard.h"
#include "mapping.h"

namespace mmcdb {

class UringRing;
class ResidencyMap;
// Drops a reference on an io_uring ring (uring_methods.cc; nothing without liburing).
void ReleaseUring(UringRing* ring);
// evict() dropped the pages: what the ring believed resident is forgotten (uring_methods.cc).
void ForgetUringResidency(UringRing* ring);

struct Handle {
  Mapping* mapping = nullptr;  // the handle's own reference; nullptr after close()
  DbFile file;                 // over the mapping; format detected once, at open
  std::string path;
  // Segments (segments.cc) cover the data section [seg_base, seg_end) only: window i
  // covers file bytes [seg_base + i × stride, seg_base + i × stride + window).
  uint64_t seg_base = 0;
  uint64_t seg_end = 0;
  uint64_t stride = 0;
  uint64_t window = 0;
  uint32_t window_count = 0;   // windows the data section has
  uint32_t segment_count = 0;  // ArrayBuffers JS may ask for: window_count, 0 without external buffers
  bool external_buffers = true;
  // The shared output array (a Float64Array held by out_ref).
  double* out = nullptr;
  size_t out_length = 0;  // in doubles
  napi_ref out_ref = nullptr;
  // getAll beyond the stack batch. Shared, but no JS runs while getAll uses it (batch
  // lookups, which do run JS while reading keys, keep everything per call).
  std::vector<ValueRef> scratch;
  // asyncIo 'uring' (uring_ring.h): the ring, made on the first uringStart() and released
  // at close(); or why the system refused it (the answer every later uringStart gives).
  UringRing* uring = nullptr;
  std::string uring_refused;
  // getManyAsync 'willneed': whether the whole file is resident (its sweep only:
  // residency_map.h), made on the first such call, used on the JS thread only.
  ResidencyMap* warm_sweep = nullptr;
  int js_refs = 0;  // method functions alive
  bool damaged_at_close = false;

  ~Handle();
};

// Builds the JS handle object with its methods for an opened Handle; takes ownership
// of `h` (freed once the last method function and the object itself are collected).
// The object is type-tagged and wraps h, so HandleOf() can find h from it. nullptr on
// failure.
napi_value MakeHandleObject(napi_env env, Handle* h);
// The Handle behind a handle object made by MakeHandleObject in this env (open()'s
// result), for native callers that take a handle as an argument (shard_index.cc).
// nullptr, without an exception, for any other value (objects of the same shape made in
// JS, other addons' wrapped objects). The Handle lives as long as the object: hold a
// reference to the object while using it. It may be closed (mapping nullptr) meanwhile.
Handle* HandleOf(napi_env env, napi_value value);
// Makes `object` hold one reference on h, dropped when it is collected (the `fast`
// object of the V8-API flavour: fast_calls.cc). False with a pending exception.
bool HoldHandle(napi_env env, napi_value object, Handle* h);
// Installs `array` (a Float64Array of ≥ 4 elements) as h->out. False with a pending
// exception otherwise.
bool SetOutArray(napi_env env, Handle* h, napi_value array);

// For the method files: the Handle of a method call (its data pointer) and arguments
// (missing ones are undefined). nullptr when the call info cannot be read.
Handle* MethodArgs(napi_env env, napi_callback_info info, size_t* argc, napi_value* argv, napi_value* self = nullptr);
// Throws ERR_CDB_CLOSED for h; returns nullptr.
napi_value ThrowClosed(napi_env env, Handle* h);
// The ERR_CDB_TRUNCATED fault for a SIGBUS at `fault_address` during a call on m (0:
// m was found damaged before reading). A fault in m's memory marks m damaged; one in
// other memory (the key's bytes: a view of another database's truncated file) does not
// — the fault is charged to the mapping it hit (guard.h) and the error names it. No
// Node-API: safe on the threadpool.
CdbFault TruncatedFault(Mapping* m, uintptr_t fault_address);
// The ERR_CDB_TRUNCATED fault for a SIGBUS at `fault_address` in a key's memory (no
// database of the call's own: a view of another database whose file was truncated, or
// memory we do not know) — TruncatedFault's words for that case.
CdbFault KeyFault(uintptr_t fault_address);
// Throws TruncatedFault(h->mapping, fault_address); returns nullptr.
napi_value ThrowTruncated(napi_env env, Handle* h, uintptr_t fault_address);

// The methods (index.d.ts NativeHandle).
// handle.cc
napi_value SetOut(napi_env env, napi_callback_info info);
napi_value Close(napi_env env, napi_callback_info info);
napi_value Stats(napi_env env, napi_callback_info info);
napi_value Damaged(napi_env env, napi_callback_info info);
// lookup.cc
napi_value Get(napi_env env, napi_callback_info info);
napi_value GetAll(napi_env env, napi_callback_info info);
napi_value Next(napi_env env, napi_callback_info info);
napi_value Metadata(napi_env env, napi_callback_info info);
napi_value Copy(napi_env env, napi_callback_info info);
napi_value RecordCount(napi_env env, napi_callback_info info);
// segments.cc
napi_value SegmentMethod(napi_env env, napi_callback_info info);
napi_value RangeMethod(napi_env env, napi_callback_info info);
// batch.cc
napi_value GetMany(napi_env env, napi_callback_info info);
napi_value GetManyAsync(napi_env env, napi_callback_info info);
// pages.cc
napi_value Advise(napi_env env, napi_callback_info info);
napi_value Warm(napi_env env, napi_callback_info info);
napi_value Residency(napi_env env, napi_callback_info info);
napi_value Evict(napi_env env, napi_callback_info info);
// uring_methods.cc
napi_value UringStart(napi_env env, napi_callback_info info);
napi_value UringGetMany(napi_env env, napi_callback_info info);

}  // namespace mmcdb
