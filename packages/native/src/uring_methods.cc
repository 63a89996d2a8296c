// The handle's io_uring methods (index.d.cts uringStart / uringGetMany): the ring is made
// on the first uringStart (the reader's first async call under asyncIo 'auto'), never at
// open — docs/RELIABILITY.md §io_uring has why (CVE-2024-22017: a ring keeps the
// credentials of the thread that created it).
#include <string>

#include "batch.h"
#include "errors.h"
#include "handle.h"
#include "napi_util.h"
#ifdef MMCDB_URING
#include "uring_batch.h"
#include "uring_ring.h"
#endif

namespace mmcdb {

namespace {

napi_value ThrowQueue(napi_env env, const std::string& message) {
  napi_value err = MakeCodeError(env, "ERR_MMCDB_NATIVE_QUEUE", message);
  if (err != nullptr) napi_throw(env, err);
  return nullptr;
}

}  // namespace

void ReleaseUring(UringRing* ring) {
#ifdef MMCDB_URING
  if (ring != nullptr) ring->Unref();
#else
  (void)ring;
#endif
}

void ForgetUringResidency(UringRing* ring) {
#ifdef MMCDB_URING
  if (ring != nullptr) ring->residency().Forget();
#else
  (void)ring;
#endif
}

// uringStart(queueDepth): undefined once the ring runs, else why it cannot (the same
// answer on every later call).
napi_value UringStart(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  Handle* h = MethodArgs(env, info, &argc, argv);
  if (h == nullptr) return nullptr;
  if (h->mapping == nullptr) return ThrowClosed(env, h);
  uint64_t depth = 0;
  if (!ReadOffset(env, argv[0], "queueDepth", &depth)) return nullptr;
  if (depth < 1 || depth > 4096) return ThrowRange(env, "queueDepth must be an integer from 1 to 4096");
  if (h->uring != nullptr) return Undefined(env);
  if (!h->uring_refused.empty()) return String(env, h->uring_refused);
#if defined(MMCDB_URING)
  std::string why;
  h->uring = UringRing::Create(env, h->mapping->fd(), static_cast<unsigned>(depth), &why);
  if (h->uring != nullptr) return Undefined(env);
  h->uring_refused = why.empty() ? "io_uring setup failed" : why;
#elif defined(__linux__)
  h->uring_refused = "this build of @mmcdb/native has no io_uring (liburing was not found when it was built)";
#else
  h->uring_refused = "io_uring is Linux only";
#endif
  return String(env, h->uring_refused);
}

// uringGetMany(keys, cancel?, walkOnly?): getManyAsync through the handle's ring.
// walkOnly: walk every key even when the whole file is resident (tests reach the walk
// with it; uring_batch.h).
napi_value UringGetMany(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  Handle* h = MethodArgs(env, info, &argc, argv);
  if (h == nullptr) return nullptr;
  if (h->mapping == nullptr) return ThrowClosed(env, h);
#ifdef MMCDB_URING
  int32_t* cancel = nullptr;
  uint32_t n = 0;
  if (!ReadCancelFlag(env, argv[1], &cancel) || !KeysLength(env, argv[0], &n)) return nullptr;
  bool walk_only = false;
  if (!IsUndefined(env, argv[2]) && napi_get_value_bool(env, argv[2], &walk_only) != napi_ok) {
    return ThrowType(env, "walkOnly must be a boolean");
  }
  UringBatch* b = h->uring != nullptr ? h->uring->TakeBatch() : new UringBatch();
  std::vector<size_t> ends;
  uintptr_t key_fault = 0;
  // Every key first (getters run JS: batch.h ReadKeys); the handle's state only afterwards.
  if (!ReadKeys(env, argv[0], n, &b->bytes, &ends, &key_fault)) {
    delete b;
    return key_fault != 0 && h->mapping != nullptr ? ThrowTruncated(env, h, key_fault) : nullptr;
  }
  if (h->mapping == nullptr || h->mapping->damaged() || h->uring == nullptr) {
    delete b;
    if (h->mapping == nullptr) return ThrowClosed(env, h);
    if (h->uring == nullptr) return ThrowQueue(env, "uringGetMany: call uringStart first");
    return ThrowTruncated(env, h, 0);
  }
  b->keys.resize(n);
  KeySpans(b->bytes, ends, b->keys.data());
  b->file = h->file;
  b->path = h->path;
  napi_value promise;
  if ((cancel != nullptr && napi_create_reference(env, argv[1], 1, &b->cancel_ref) != napi_ok) ||
      napi_create_promise(env, &b->deferred, &promise) != napi_ok) {
    if (b->cancel_ref != nullptr) napi_delete_reference(env, b->cancel_ref);
    delete b;
    return nullptr;
  }
  b->cancel = cancel;
  b->walk_only = walk_only;
  b->Prepare();
  b->mapping = h->mapping;
  b->mapping->Ref();  // the batch's own: close() meanwhile is safe
  h->uring->Start(env, b);
  return promise;
#else
  return ThrowQueue(env, "uringGetMany: this build of @mmcdb/native has no io_uring");
#endif
}

}  // namespace mmcdb
