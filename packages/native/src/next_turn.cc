#include "next_turn.h"

#include <uv.h>

#include <vector>

#include "errors.h"
#include "napi_util.h"

namespace mmcdb {
namespace {

struct Item {
  SettleFn settle;
  DropFn drop;
  void* item;
};

// One per JS thread (env). Left allocated at env teardown: the loop may still hold the
// idle handle, and no close callback of ours may run after the addon is unloaded.
struct Queue {
  napi_env env = nullptr;
  napi_async_context async = nullptr;
  uv_idle_t idle;
  bool idle_on = false;
  std::vector<Item> items;
};
thread_local Queue* g_queue = nullptr;

void OnIdle(uv_idle_t* handle) {
  Queue* q = static_cast<Queue*>(handle->data);
  uv_idle_stop(&q->idle);
  q->idle_on = false;
  std::vector<Item> items;
  items.swap(q->items);
  napi_handle_scope scope;
  if (napi_open_handle_scope(q->env, &scope) != napi_ok) return;
  // One callback scope for the lot: their reactions run when it closes.
  napi_value resource;
  napi_callback_scope cs = nullptr;
  if (napi_create_object(q->env, &resource) == napi_ok) {
    DropTeardownStatus(napi_open_callback_scope(q->env, resource, q->async, &cs));
  }
  for (const Item& it : items) it.settle(q->env, it.item);
  if (cs != nullptr) DropTeardownStatus(napi_close_callback_scope(q->env, cs));
  DropTeardownStatus(napi_close_handle_scope(q->env, scope));
}

void OnTeardown(void* data) {
  Queue* q = static_cast<Queue*>(data);
  for (const Item& it : q->items) it.drop(it.item);  // their promises die with the env
  q->items.clear();
  uv_idle_stop(&q->idle);
  uv_close(reinterpret_cast<uv_handle_t*>(&q->idle), nullptr);
  if (g_queue == q) g_queue = nullptr;
}

Queue* QueueFor(napi_env env) {
  if (g_queue != nullptr) return g_queue->env == env ? g_queue : nullptr;
  uv_loop_t* loop = nullptr;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) return nullptr;
  Queue* q = new Queue();
  q->env = env;
  napi_value name = String(env, "mmcdb.getManyAsync");
  if (name == nullptr || napi_async_init(env, nullptr, name, &q->async) != napi_ok) {
    delete q;
    return nullptr;
  }
  if (napi_add_env_cleanup_hook(env, OnTeardown, q) != napi_ok) {
    DropTeardownStatus(napi_async_destroy(env, q->async));
    delete q;
    return nullptr;
  }
  uv_idle_init(loop, &q->idle);
  q->idle.data = q;
  return g_queue = q;
}

}  // namespace

bool SettleNextTurn(napi_env env, SettleFn settle, DropFn drop, void* item) {
  Queue* q = QueueFor(env);
  if (q == nullptr) return false;
  q->items.push_back(Item{settle, drop, item});
  if (!q->idle_on) {
    q->idle_on = true;
    uv_idle_start(&q->idle, OnIdle);
  }
  return true;
}

}  // namespace mmcdb
