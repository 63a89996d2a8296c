// V8 fast API calls for the lookup entry points — only in the V8-API flavour of the addon
// (MMCDB_V8_API: built against one Node ABI, binding.gyp target mmcdb_v8_abi<ABI>).
//
// Each handle object of that flavour gets a `fast` object (index.d.ts NativeFastLookup)
// whose methods TurboFan calls as plain C functions once the calling JS is optimized: no
// Node-API callback frame, no napi_value, the key's characters handed over in place.
//
//   fast.get(key: string) / fast.getBytes(key: Uint8Array) → 1 | 2 | 0 | -1
//     1 / 2 / 0: what handle.get(key) returns (out[0..1] = absolute value offset and
//     length when found). -1: "ask handle.get(key)" — closed, damaged, a fault, a corrupt
//     slot, a key that needs more than the stack buffer: the Node-API method then does
//     the same lookup and throws the error it reports. The fast functions never throw,
//     allocate or call into JS (V8's rule for them); the slow callbacks V8 runs before
//     the caller is optimized do the same work through V8's ordinary API.
//   fast.closed() → boolean: the cheapest call there is (bench/hot-path.mjs "empty call").
//
// The class template is made once per isolate (templates are never collected; one per
// open() would leak); each `fast` object holds one reference on its Handle.
#pragma once
#include <node_api.h>

#include "handle.h"

namespace mmcdb {

// Per-env set-up (the module's init): the template cache and its cleanup hook.
bool InitFastCalls(napi_env env);

// The `fast` object for h, or nullptr with a pending exception.
napi_value MakeFastLookup(napi_env env, Handle* h);

}  // namespace mmcdb
