// Test hooks, compiled only into the test addon (binding.gyp target mmcdb_test, built
// with -DMMCDB_TEST_HOOKS → build/Release/mmcdb_test.node). The production addon
// (mmcdb.node) has none of them.
#pragma once
#include <node_api.h>

namespace mmcdb {

// xxh64(bytes, seedHi, seedLo) → bigint.
napi_value Xxh64Hook(napi_env env, napi_callback_info info);
// djb(bytes) → number (the classic cdb hash).
napi_value DjbHook(napi_env env, napi_callback_info info);
// sigbusTest(path, mapLength, readOffset, chain) — SIGBUS chaining (test_hooks.cc).
napi_value SigbusTestHook(napi_env env, napi_callback_info info);

}  // namespace mmcdb
