// See uncounted_buffer.h. The only file that includes V8's headers.
#include "uncounted_buffer.h"

#include "napi_util.h"

#ifdef MMCDB_V8_API
#include <v8.h>

#include <cstring>
#endif

namespace mmcdb {

#ifdef MMCDB_V8_API
namespace {

void FinalizeObject(napi_env, void* data, void*) { static_cast<SegmentToken*>(data)->Release(); }

// Node-API values are V8 handles (Node's v8impl::JsValueFromV8LocalValue is the same
// reinterpretation of the handle's slot address); both live in the current scope.
napi_value ToNapi(v8::Local<v8::Value> local) {
  napi_value v;
  static_assert(sizeof v == sizeof local, "a Local is one pointer");
  std::memcpy(&v, &local, sizeof v);
  return v;
}

}  // namespace

bool UncountedBuffers() { return true; }

napi_value MakeUncountedBuffer(napi_env env, void* data, size_t len, SegmentToken* token) {
  v8::Isolate* isolate = v8::Isolate::GetCurrent();
  if (isolate == nullptr) {
    token->Release();
    return nullptr;
  }
  std::unique_ptr<v8::BackingStore> store =
      v8::ArrayBuffer::NewBackingStore(data, len, v8::BackingStore::EmptyDeleter, nullptr);
  v8::Local<v8::ArrayBuffer> ab = v8::ArrayBuffer::New(isolate, std::move(store));
  // A detach key that JS never sees: Detach() without it fails, so neither transfer()
  // nor postMessage(…, [ab]) can move the memory away from this object's lifetime.
  ab->SetDetachKey(v8::Symbol::New(isolate));
  napi_value result = ToNapi(ab);
  if (napi_add_finalizer(env, result, token, FinalizeObject, nullptr, nullptr) != napi_ok) {
    // No finalizer: nothing would drop the reference, so refuse (the caller copies).
    token->Release();
    bool pending = false;
    napi_value dropped;
    if (napi_is_exception_pending(env, &pending) == napi_ok && pending) {
      DropTeardownStatus(napi_get_and_clear_last_exception(env, &dropped));
    }
    return nullptr;
  }
  return result;
}

#else

bool UncountedBuffers() { return false; }

napi_value MakeUncountedBuffer(napi_env, void*, size_t, SegmentToken* token) {
  token->Release();
  return nullptr;
}

#endif

}  // namespace mmcdb
