// ArrayBuffers over the views mapping that V8 does not count as external memory — only
// in the V8-API flavour of the addon (MMCDB_V8_API: built against one Node ABI, see
// binding.gyp), which may use V8's own C++ API next to Node-API.
//
// Why (docs/RELIABILITY.md §Open without a GC): V8 adds every ArrayBuffer's length to
// its external-memory and young-generation backing-store counts and collects garbage
// when they grow fast — opening a 600 MiB file in a process with a 1 GiB heap cost
// 0.8-5 s of forced GCs. A backing store with V8's EmptyDeleter is never counted (V8
// cannot free it anyway), so creating it triggers nothing. Its lifetime is then ours:
// the mapping reference is dropped by a Node-API finalizer on the ArrayBuffer object,
// which runs once no view of it is reachable.
#pragma once
#include <node_api.h>

#include <cstddef>

#include "mapping.h"

namespace mmcdb {

// True when this build makes uncounted buffers (the V8-API flavour).
bool UncountedBuffers();

// An ArrayBuffer over [data, data + len) that holds `token`'s mapping reference until it
// is collected; it cannot be transferred to another thread (postMessage throws) nor
// detached, so the memory can never outlive the object. nullptr (token released, no
// exception pending) when the runtime refuses.
napi_value MakeUncountedBuffer(napi_env env, void* data, size_t len, SegmentToken* token);

}  // namespace mmcdb
