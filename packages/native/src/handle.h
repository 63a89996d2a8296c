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
#include "mapping.h"
#include "mmcdb_lookup.h"

namespace mmcdb {

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
  int js_refs = 0;                // method functions alive

  ~Handle();
};

// Builds the JS handle object (data properties + methods) for an opened Handle.
// Takes ownership of `h`. Returns nullptr with a pending exception on failure.
napi_value MakeHandleObject(napi_env env, Handle* h);

// Installs `array` (a Float64Array of ≥ 4 elements) as h->out. False with a pending
// exception otherwise.
bool SetOutArray(napi_env env, Handle* h, napi_value array);

}  // namespace mmcdb
