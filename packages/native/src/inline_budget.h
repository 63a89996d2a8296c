// When an async batch may be settled inside its own call (UringRing::Start, and
// getManyAsync 'willneed' on a resident file: batch_async.cc). A warm batch finishes in
// microseconds, and handing it to a loop turn — an idle turn or a threadpool hop and a
// callback scope — cost 4.3 µs of a 64-key batch's 10 µs (measured). But a promise
// settled in its call resumes its caller in the same microtask checkpoint, so a chain
// of awaited calls would hold the event loop for ever: calls settled inline share a
// budget of kInlineTickUs per loop tick (uv_now), and the budget begins again when the
// loop's clock moved on or a ring turned (once per loop iteration). Not on every
// threadpool completion: libuv runs all completed jobs in one pass, and 8 of them
// resetting the budget let 8 chains run 1 ms each, an 11 ms stall (measured).
#pragma once
#include <uv.h>

#include <cstdint>

namespace mmcdb {

constexpr int64_t kInlineTickUs = 1000;  // inline work per loop tick, at most
constexpr int64_t kInlineUs = 250;       // one inline batch's own deadline

// Whether a batch may run inline now (this thread's loop). Counts from its first call
// in a tick; false once kInlineTickUs have passed since.
bool InlineAllowed(uv_loop_t* loop);
// A callback of the loop ran (the loop turned): the budget begins again.
void InlineLoopTurned();

}  // namespace mmcdb
