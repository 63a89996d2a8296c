// See fast_calls.h. Compiled only into the V8-API flavour (binding.gyp mmcdb_v8_abi<ABI>),
// against V8 11.3 (Node 20): v8-fast-api-calls.h comes from the header cache that
// scripts/v8-fast-header.mjs fills and checks against the Node headers in use.
#include "fast_calls.h"

#include <v8-fast-api-calls.h>
#include <v8.h>

#include <dlfcn.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "errors.h"
#include "segments.h"

#if V8_MAJOR_VERSION != 11 || V8_MINOR_VERSION != 3
#error "fast_calls.cc is written against V8 11.3's fast API (FastOneByteString, FastApiTypedArray)"
#endif

namespace mmcdb {
namespace {

// A key needs at most this many UTF-8 bytes to be looked up on the fast path (Latin-1
// characters ≥ 0x80 take two); longer keys go to handle.get().
constexpr size_t kKeyBuffer = 1024;
constexpr int32_t kAskNapi = -1;

// The class template of `fast` objects for this thread's isolate. Thread-local: each
// worker thread has its own isolate; `envs` counts the module instances using it there.
struct Templates {
  v8::Isolate* isolate = nullptr;
  v8::Global<v8::FunctionTemplate> cls;
  int envs = 0;
};
thread_local Templates* t_templates = nullptr;

napi_value ToNapi(v8::Local<v8::Value> local) {
  // Node-API values are V8 handles (as in uncounted_buffer.cc).
  napi_value v;
  static_assert(sizeof v == sizeof local, "a Local is one pointer");
  std::memcpy(&v, &local, sizeof v);
  return v;
}

// The lookup both paths share: h open and intact, key bytes in hand. Returns the code.
int32_t Lookup(Handle* h, const uint8_t* key, size_t length) {
  if (h == nullptr || h->mapping == nullptr || h->mapping->damaged()) return kAskNapi;
  ValueRef ref;
  CdbFault fault;
  int64_t n = 0;
  uintptr_t bad = 0;
  // A fault is left for handle.get() to meet again and report (it marks the mapping).
  if (!Guarded([&] { n = h->file.Find(key, length, false, &ref, 1, &fault); }, &bad)) return kAskNapi;
  if (n < 0) return kAskNapi;
  if (n == 0) return 0;
  h->out[0] = static_cast<double>(ref.offset);
  h->out[1] = static_cast<double>(ref.length);
  // One segment holds the whole data section, so every value (a 64-bit division saved).
  return h->window_count == 1 || InOneSegment(h, ref.offset, ref.length) ? 1 : 2;
}

// Latin-1 characters as UTF-8 (what handle.get() hashes for a string key): in place when
// they are all ASCII, else encoded into `buffer`. False when they do not fit.
bool Latin1Key(const char* chars, size_t count, uint8_t* buffer, const uint8_t** key, size_t* length) {
  const uint8_t* c = reinterpret_cast<const uint8_t*>(chars);
  // ASCII check eight bytes at a time (keys are mostly ASCII; this runs on every get).
  uint64_t any = 0;
  size_t i = 0;
  for (; i + 8 <= count; i += 8) {
    uint64_t w;
    std::memcpy(&w, c + i, 8);
    any |= w;
  }
  for (; i < count; i++) any |= c[i];
  if ((any & 0x8080808080808080ULL) == 0) {
    *key = count > 0 ? c : buffer;
    *length = count;
    return true;
  }
  size_t high = 0;
  for (size_t j = 0; j < count; j++) high += c[j] >> 7;
  if (count + high > kKeyBuffer) return false;
  size_t o = 0;
  for (size_t j = 0; j < count; j++) {
    if (c[j] < 0x80) {
      buffer[o++] = c[j];
    } else {
      buffer[o++] = static_cast<uint8_t>(0xc0 | (c[j] >> 6));
      buffer[o++] = static_cast<uint8_t>(0x80 | (c[j] & 0x3f));
    }
  }
  *key = buffer;
  *length = o;
  return true;
}

Handle* HandleIn(v8::Local<v8::Object> receiver) {
  return static_cast<Handle*>(receiver->GetAlignedPointerFromInternalField(0));
}

// --- fast paths (TurboFan calls these directly: no allocation, no JS, no throwing) ---

int32_t FastGet(v8::Local<v8::Object> receiver, const v8::FastOneByteString& s) {
  uint8_t buffer[kKeyBuffer];
  const uint8_t* key;
  size_t length;
  if (!Latin1Key(s.data, s.length, buffer, &key, &length)) return kAskNapi;
  return Lookup(HandleIn(receiver), key, length);
}

int32_t FastGetBytes(v8::Local<v8::Object> receiver, const v8::FastApiTypedArray<uint8_t>& bytes) {
  uint8_t* data = nullptr;
  // Always aligned for bytes; a detached or empty view has no storage.
  if (!bytes.getStorageIfAligned(&data)) return kAskNapi;
  static const uint8_t kEmpty[1] = {0};
  size_t length = bytes.length();
  return Lookup(HandleIn(receiver), length > 0 && data != nullptr ? data : kEmpty, data != nullptr ? length : 0);
}

bool FastClosed(v8::Local<v8::Object> receiver) {
  Handle* h = HandleIn(receiver);
  return h == nullptr || h->mapping == nullptr;
}

// --- slow paths (before the caller is optimized, or an argument of another kind) ---

Handle* SlowHandle(const v8::FunctionCallbackInfo<v8::Value>& info) {
  // The signature already checked that `this` is a `fast` object.
  v8::Local<v8::Object> self = info.This();
  return self->InternalFieldCount() > 0 ? HandleIn(self) : nullptr;
}

// Either method, any argument: a string is read as UTF-8 (as Node-API does), a
// TypedArray as its bytes; anything else is handle.get()'s to reject.
void SlowGet(const v8::FunctionCallbackInfo<v8::Value>& info) {
  Handle* h = SlowHandle(info);
  v8::Local<v8::Value> arg = info[0];
  int32_t r = kAskNapi;
  uint8_t buffer[kKeyBuffer];
  if (h != nullptr && arg->IsString()) {
    v8::Local<v8::String> s = arg.As<v8::String>();
    if (s->Utf8Length(info.GetIsolate()) <= static_cast<int>(kKeyBuffer)) {
      int n = s->WriteUtf8(info.GetIsolate(), reinterpret_cast<char*>(buffer), kKeyBuffer, nullptr,
                           v8::String::NO_NULL_TERMINATION | v8::String::REPLACE_INVALID_UTF8);
      r = Lookup(h, buffer, static_cast<size_t>(n));
    }
  } else if (h != nullptr && arg->IsTypedArray()) {
    v8::Local<v8::TypedArray> view = arg.As<v8::TypedArray>();
    size_t length = view->ByteLength();
    if (view->HasBuffer()) {
      // Off-heap memory (possibly another database's mapping): read in place, under the
      // lookup's guard.
      const uint8_t* base = static_cast<const uint8_t*>(view->Buffer()->Data());
      r = base == nullptr ? Lookup(h, buffer, 0) : Lookup(h, base + view->ByteOffset(), length);
    } else if (length <= kKeyBuffer) {
      view->CopyContents(buffer, length);  // on-heap: V8's own memory
      r = Lookup(h, buffer, length);
    }
  }
  info.GetReturnValue().Set(r);
}

void SlowClosed(const v8::FunctionCallbackInfo<v8::Value>& info) {
  Handle* h = SlowHandle(info);
  info.GetReturnValue().Set(h == nullptr || h->mapping == nullptr);
}

void Method(v8::Isolate* isolate, v8::Local<v8::FunctionTemplate> cls, const char* name, v8::FunctionCallback slow,
            const v8::CFunction* fast, v8::SideEffectType effect) {
  v8::Local<v8::Signature> signature = v8::Signature::New(isolate, cls);
  v8::Local<v8::FunctionTemplate> t =
      v8::FunctionTemplate::New(isolate, slow, v8::Local<v8::Value>(), signature, 1, v8::ConstructorBehavior::kThrow,
                                effect, fast);
  cls->PrototypeTemplate()->Set(v8::String::NewFromUtf8(isolate, name).ToLocalChecked(), t);
}

v8::Local<v8::FunctionTemplate> ClassTemplate(v8::Isolate* isolate) {
  if (t_templates->cls.IsEmpty()) {
    static const v8::CFunction kGet = v8::CFunction::Make(FastGet);
    static const v8::CFunction kGetBytes = v8::CFunction::Make(FastGetBytes);
    static const v8::CFunction kClosed = v8::CFunction::Make(FastClosed);
    v8::Local<v8::FunctionTemplate> cls = v8::FunctionTemplate::New(isolate);
    cls->SetClassName(v8::String::NewFromUtf8Literal(isolate, "MmcdbFastLookup"));
    cls->InstanceTemplate()->SetInternalFieldCount(1);
    // get/getBytes write the shared out array.
    Method(isolate, cls, "get", SlowGet, &kGet, v8::SideEffectType::kHasSideEffect);
    Method(isolate, cls, "getBytes", SlowGet, &kGetBytes, v8::SideEffectType::kHasSideEffect);
    Method(isolate, cls, "closed", SlowClosed, &kClosed, v8::SideEffectType::kHasNoSideEffect);
    t_templates->cls.Reset(isolate, cls);
  }
  return t_templates->cls.Get(isolate);
}

// Keeps this library loaded until the process exits. Node unloads an addon that a worker
// thread loaded when that worker's environment goes away, but the worker's isolate is torn
// down after that, and it still runs code of ours then: the shared_ptr control blocks of
// the uncounted segment buffers (uncounted_buffer.cc: made here, released by V8's
// ArrayBufferSweeper at heap teardown) — a worker exiting crashed (SIGSEGV) without this.
bool PinLibrary() {
  Dl_info self;
  if (dladdr(reinterpret_cast<void*>(&PinLibrary), &self) == 0 || self.dli_fname == nullptr) return false;
  // RTLD_NOLOAD: only takes one more reference on the copy already loaded.
  return dlopen(self.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE) != nullptr;
}

void CleanupEnv(void* registration) {
  delete static_cast<int*>(registration);
  Templates* t = t_templates;
  if (t == nullptr || --t->envs > 0) return;
  t->cls.Reset();
  delete t;
  t_templates = nullptr;
}

}  // namespace

bool InitFastCalls(napi_env env) {
  // The ABI tag (NODE_MODULE_VERSION) stands for one V8 (Node 20: 11.3.244.8 throughout);
  // a Node that embeds another one anyway is refused here, before any fast call exists.
  char built[64];
  std::snprintf(built, sizeof built, "%d.%d.%d.%d", V8_MAJOR_VERSION, V8_MINOR_VERSION, V8_BUILD_NUMBER, V8_PATCH_LEVEL);
  const char* running = v8::V8::GetVersion();
  size_t n = std::strlen(built);
  if (std::strncmp(running, built, n) != 0 || (running[n] != '\0' && running[n] != '-')) {
    ThrowType(env, std::string("this V8-API addon was built for V8 ") + built + ", this is V8 " + running);
    return false;
  }
  static const bool pinned = PinLibrary();
  if (!pinned) {
    ThrowType(env, "the V8-API addon could not keep itself loaded (dlopen RTLD_NODELETE failed)");
    return false;
  }
  v8::Isolate* isolate = v8::Isolate::GetCurrent();
  if (isolate == nullptr) return false;
  if (t_templates == nullptr) {
    t_templates = new Templates();
    t_templates->isolate = isolate;
  }
  // Node aborts on a second hook with the same (function, argument): the module can be
  // initialised twice in one env (loaded again under another path), so each
  // registration has an argument of its own.
  int* registration = new int(0);
  if (napi_add_env_cleanup_hook(env, CleanupEnv, registration) != napi_ok) {
    delete registration;
    return false;
  }
  t_templates->envs++;
  return true;
}

napi_value MakeFastLookup(napi_env env, Handle* h) {
  v8::Isolate* isolate = v8::Isolate::GetCurrent();
  if (isolate == nullptr || t_templates == nullptr || t_templates->isolate != isolate) {
    ThrowType(env, "the fast lookup is not set up in this thread");
    return nullptr;
  }
  v8::EscapableHandleScope scope(isolate);
  v8::Local<v8::Object> obj;
  if (!ClassTemplate(isolate)->InstanceTemplate()->NewInstance(isolate->GetCurrentContext()).ToLocal(&obj)) {
    return nullptr;  // an exception is pending
  }
  obj->SetAlignedPointerInInternalField(0, h);
  napi_value result = ToNapi(scope.Escape(obj));
  // The object holds a reference on h (handle.cc HoldHandle): its internal field never
  // dangles.
  if (!HoldHandle(env, result, h)) return nullptr;
  return result;
}

}  // namespace mmcdb
