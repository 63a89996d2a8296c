// Settling on the next event-loop turn, on the JS thread, without a thread: a batch
// answered inside its call (batch_async.cc RunResident) whose loop tick has used up its
// inline budget (inline_budget.h) is settled from a uv_idle_t callback instead, so the
// chain of awaits it belongs to lets the loop turn. (Handing it to the threadpool for
// that, as before, set 4 pool threads against the JS thread on 2 vCPUs: 5–9 ms stalls.)
#pragma once
#include <node_api.h>

namespace mmcdb {

using SettleFn = void (*)(napi_env env, void* item);  // settles item (JS thread, handle and callback scope)
using DropFn = void (*)(void* item);                  // env teardown: frees item unsettled

// Queues item for the next turn of env's loop. False when that cannot be (no loop,
// Node refused the registration): the caller settles it another way.
bool SettleNextTurn(napi_env env, SettleFn settle, DropFn drop, void* item);

}  // namespace mmcdb
