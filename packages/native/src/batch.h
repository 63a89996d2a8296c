// Shared by the batch lookups, getMany (batch.cc) and getManyAsync (batch_async.cc):
// reading the keys array.
#pragma once
#include <node_api.h>

#include <cstdint>
#include <vector>

#include "common.h"

namespace mmcdb {

// The length of `keys`, which must be an array (TypeError otherwise).
bool KeysLength(napi_env env, napi_value keys, uint32_t* n);

// Copies the bytes of keys[0, n) into *bytes (cleared first) and the end offset of each
// into *ends — the CALLER's buffers, never shared state: reading an element can run JS
// (a getter) that calls this handle again, detaches a key's buffer or changes the
// array. Elements past a shrunk array are undefined: TypeError. A TypedArray key's bytes
// are copied under the SIGBUS guard (it may be a view of a truncated file): a fault
// returns false with *fault_address set and no exception; any other failure returns
// false with a pending exception.
bool ReadKeys(napi_env env, napi_value keys, uint32_t n, std::vector<uint8_t>* bytes, std::vector<size_t>* ends,
              uintptr_t* fault_address);

// getManyAsync's optional arguments: mode undefined | 'threadpool' | 'willneed'
// (*willneed), and the cancel flag, undefined or an Int32Array of ≥ 1 element (*cancel =
// its first element, nullptr for undefined). False with a pending TypeError otherwise.
bool ReadAsyncMode(napi_env env, napi_value mode, bool* willneed);
bool ReadCancelFlag(napi_env env, napi_value flag, int32_t** cancel);

// Spans over ReadKeys' output: spans[j] = key j (ends.size() of them).
void KeySpans(const std::vector<uint8_t>& bytes, const std::vector<size_t>& ends, KeyBytes* spans);

}  // namespace mmcdb
