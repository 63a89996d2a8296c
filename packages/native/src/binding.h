// The module-level Node-API functions: open() and the test hooks.
#pragma once
#include <napi.h>

namespace mmcdb {

// open(path, options?) → NativeHandle (see index.d.ts).
Napi::Value Open(const Napi::CallbackInfo& info);
// Test hook: xxh64(bytes, seedHi, seedLo) → bigint.
Napi::Value Xxh64Hook(const Napi::CallbackInfo& info);
// Test hook: djb(bytes) → number (the classic cdb hash).
Napi::Value DjbHook(const Napi::CallbackInfo& info);
// Test hook: sigbusTest(path, mapLength, readOffset, chain) — SIGBUS chaining.
Napi::Value SigbusTestHook(const Napi::CallbackInfo& info);

}  // namespace mmcdb
