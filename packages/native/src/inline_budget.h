// When an async batch may be settled inside its own call (UringRing::Start, and
// getManyAsync 'willneed' on a resident file: batch_async.cc). A warm batch finishes in
// microseconds, and handing it to a loop turn — an idle turn or a threadpool hop and a
// callback scope — cost 4.3 µs of a 64-key batch's 10 µs (measured). But a promise
// settled in its call resumes its caller in the same microtask checkpoint, so a chain
// of awaited calls would hold the event loop for ever: calls settled inline share a
// budget of kInlineTickUs per loop tick (uv_now, which libuv moves on once per loop
// iteration). Only the clock renews it: renewing it at each ring turn or threadpool
// completion let a chain run again in the same iteration (libuv runs all completed
// jobs in one pass: 8 completions, 8 chains of 1 ms, an 11 ms stall, measured).
#pragma once
#include <uv.h>

#include <cstdint>

namespace mmcdb {

constexpr int64_t kInlineTickUs = 500;  // inline work per loop tick, at most
constexpr int64_t kInlineUs = 250;       // one inline batch's own deadline

// Whether a batch may run inline now (this thread's loop). Counts from its first call
// in a tick; false once kInlineTickUs have passed since.
bool InlineAllowed(uv_loop_t* loop);

}  // namespace mmcdb
