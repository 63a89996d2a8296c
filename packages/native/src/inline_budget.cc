#include "inline_budget.h"

#include <chrono>

namespace mmcdb {
namespace {

// Per JS thread (each worker has its own loop).
struct Budget {
  uint64_t tick = ~uint64_t{0};  // uv_now when the budget began
  std::chrono::steady_clock::time_point since;
};
thread_local Budget g_budget;

}  // namespace

bool InlineAllowed(uv_loop_t* loop) {
  if (loop == nullptr) return false;
  const uint64_t tick = uv_now(loop);
  const auto now = std::chrono::steady_clock::now();
  if (tick != g_budget.tick) g_budget.tick = tick, g_budget.since = now;
  return now - g_budget.since <= std::chrono::microseconds(kInlineTickUs);
}

}  // namespace mmcdb
