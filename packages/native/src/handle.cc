// The handle object: method table, lifetime, shared output array, and the methods
// about the handle's own state (setOut, close, stats, damaged).
#include "handle.h"

#include "errors.h"
#include "napi_util.h"
#include "residency_map.h"
#include "scan.h"
#ifdef MMCDB_V8_API
#include "fast_calls.h"
#endif

namespace mmcdb {
namespace {

void FinalizeMethod(napi_env env, void* data, void*) {
  Handle* h = static_cast<Handle*>(data);
  if (--h->js_refs == 0) {
    // During env teardown Node may refuse; it frees the reference itself then.
    if (h->out_ref != nullptr) DropTeardownStatus(napi_delete_reference(env, h->out_ref));
    delete h;
  }
}

// damaged(): whether the file shrank under the mapping (a fault was met, or fstat now
// shows it shorter). After close(): as it was at close().
bool IsDamaged(Handle* h) { return h->mapping != nullptr ? h->mapping->CheckFileSize() : h->damaged_at_close; }

// The type tag of handle objects (HandleOf): random, fixed.
const napi_type_tag kHandleTag = {0x6d6d636462f1a7c3ULL, 0x9e3b5d0c41a2e867ULL};

}  // namespace

Handle::~Handle() {
  ReleaseUring(uring);
  delete warm_sweep;
  if (mapping == nullptr) return;
  mapping->DropReader();
  mapping->CloseFd();  // only this handle's methods use it
  mapping->Unref();
}

Handle* MethodArgs(napi_env env, napi_callback_info info, size_t* argc, napi_value* argv, napi_value* self) {
  void* data = nullptr;
  if (napi_get_cb_info(env, info, argc, argv, self, &data) != napi_ok) return nullptr;
  return static_cast<Handle*>(data);
}

napi_value ThrowClosed(napi_env env, Handle* h) { return ThrowCdb(env, "ERR_CDB_CLOSED", "the database is closed", h->path); }

CdbFault TruncatedFault(Mapping* m, uintptr_t fault_address) {
  CdbFault f;
  uint64_t offset = 0;
  if (fault_address == 0 || m->Contains(fault_address, &offset)) {
    // Our own memory: the file shrank under it. Every later lookup is refused.
    if (fault_address != 0) m->MarkDamaged(offset);
    else offset = m->fault_offset();
    f.Set("ERR_CDB_TRUNCATED", "the file was truncated while mapped: byte " + Num(offset) + " is gone (the mapping was " +
          Num(m->size()) + " bytes); reopen the database", offset);
    return f;
  }
  return KeyFault(fault_address);
}

CdbFault KeyFault(uintptr_t fault_address) {
  // Someone else's memory — the key: a view of another database whose file was
  // truncated (the handler charged that mapping), or of memory we do not know. This
  // database is fine and stays usable; the error names the memory that faulted.
  CdbFault f;
  uint64_t offset = 0;
  const Mapping* other = static_cast<const Mapping*>(RegionOwnerOf(fault_address, &offset));
  if (other != nullptr) {
    // `other` is alive: the key's ArrayBuffer holds a reference on it for this call.
    f.Set("ERR_CDB_TRUNCATED", "the key's memory faulted: it is a view of another database whose file was truncated "
          "while mapped (byte " + Num(offset) + " is gone)", offset);
    f.path = other->path();
  } else {
    f.SetNoOffset("ERR_CDB_TRUNCATED", "the key's memory faulted (SIGBUS outside this database's mappings: a view of a "
                  "file truncated while mapped?)");
  }
  return f;
}

napi_value ThrowTruncated(napi_env env, Handle* h, uintptr_t fault_address) {
  return ThrowCdbError(env, TruncatedFault(h->mapping, fault_address), h->path);
}

bool SetOutArray(napi_env env, Handle* h, napi_value array) {
  double* data = nullptr;
  size_t length = 0;
  if (!ReadFloat64Array(env, array, "out", &data, &length)) return false;
  if (length < 4) {
    ThrowRange(env, "out must hold at least 4 numbers");
    return false;
  }
  napi_ref ref;
  if (napi_create_reference(env, array, 1, &ref) != napi_ok) return false;
  napi_ref old = h->out_ref;
  h->out_ref = ref;
  h->out = data;
  h->out_length = length;
  // Only fails while the env is torn down (Node then frees the reference itself).
  return old == nullptr || napi_delete_reference(env, old) == napi_ok;
}

napi_value MakeHandleObject(napi_env env, Handle* h) {
  struct Method {
    const char* name;
    napi_callback cb;
  };
  static const Method kMethods[] = {
      {"get", Get},           {"getAll", GetAll},       {"next", Next},           {"setOut", SetOut},
      {"metadata", Metadata}, {"copy", Copy},           {"close", Close},         {"stats", Stats},
      {"getMany", GetMany},   {"getManyAsync", GetManyAsync}, {"advise", Advise}, {"warm", Warm},
      {"residency", Residency}, {"evict", Evict},       {"damaged", Damaged},     {"segment", SegmentMethod},
      {"range", RangeMethod}, {"recordCount", RecordCount}, {"scan", Scan},
      {"uringStart", UringStart}, {"uringGetMany", UringGetMany}};
  napi_value obj;
  if (napi_create_object(env, &obj) != napi_ok) {
    delete h;
    return nullptr;
  }
  // The object itself holds a reference too (its wrap finalizer drops it), so the Handle
  // outlives any native holder of a reference to the object (HandleOf).
  if (napi_type_tag_object(env, obj, &kHandleTag) != napi_ok ||
      napi_wrap(env, obj, h, FinalizeMethod, nullptr, nullptr) != napi_ok) {
    delete h;
    return nullptr;
  }
  h->js_refs++;
  for (const Method& m : kMethods) {
    napi_value fn;
    if (napi_create_function(env, m.name, NAPI_AUTO_LENGTH, m.cb, h, &fn) != napi_ok ||
        napi_add_finalizer(env, fn, h, FinalizeMethod, nullptr, nullptr) != napi_ok) {
      return nullptr;  // the wrap's finalizer (and those already attached) free h
    }
    h->js_refs++;
    if (napi_set_named_property(env, obj, m.name, fn) != napi_ok) return nullptr;
  }
#ifdef MMCDB_V8_API
  // The V8-API flavour: the lookups as V8 fast API calls (fast_calls.h).
  napi_value fast = MakeFastLookup(env, h);
  if (fast == nullptr || napi_set_named_property(env, obj, "fast", fast) != napi_ok) return nullptr;
#endif
  return obj;
}

bool HoldHandle(napi_env env, napi_value object, Handle* h) {
  if (napi_add_finalizer(env, object, h, FinalizeMethod, nullptr, nullptr) != napi_ok) return false;
  h->js_refs++;
  return true;
}

Handle* HandleOf(napi_env env, napi_value value) {
  napi_valuetype type;
  bool tagged = false;
  void* data = nullptr;
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_object ||
      napi_check_object_type_tag(env, value, &kHandleTag, &tagged) != napi_ok || !tagged ||
      napi_unwrap(env, value, &data) != napi_ok) {
    return nullptr;
  }
  return static_cast<Handle*>(data);
}

napi_value SetOut(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], self;
  Handle* h = MethodArgs(env, info, &argc, argv, &self);
  if (h == nullptr || !SetOutArray(env, h, argv[0])) return nullptr;
  if (napi_set_named_property(env, self, "out", argv[0]) != napi_ok) return nullptr;
  return Undefined(env);
}

// close(): closes the file descriptor now (only the handle's methods use it) and drops
// the handle's mapping reference. Segment ArrayBuffers keep theirs, so views made
// earlier stay readable until they are garbage-collected; in-flight threadpool jobs
// hold their own.
napi_value Close(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  Handle* h = MethodArgs(env, info, &argc, nullptr);
  if (h == nullptr) return nullptr;
  if (h->mapping != nullptr) {
    h->damaged_at_close = h->mapping->CheckFileSize();
    h->mapping->DropReader();
    h->mapping->CloseFd();
    h->mapping->Unref();
    h->mapping = nullptr;
  }
  ReleaseUring(h->uring);  // batches in flight hold their own references
  h->uring = nullptr;
  delete h->warm_sweep;  // (only calls on the JS thread use it)
  h->warm_sweep = nullptr;
  return Undefined(env);
}

napi_value Stats(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  Handle* h = MethodArgs(env, info, &argc, nullptr);
  if (h == nullptr) return nullptr;
  napi_value o;
  if (napi_create_object(env, &o) != napi_ok) return nullptr;
  const bool open = h->mapping != nullptr;
  if (!SetNumber(env, o, "mappedBytes", open ? static_cast<double>(h->mapping->size()) : 0) ||
      !SetNumber(env, o, "segments", h->segment_count) ||
      !SetProperty(env, o, "format", String(env, h->file.format_name())) ||
      !SetProperty(env, o, "externalBuffers", Bool(env, h->external_buffers)) ||
      !SetProperty(env, o, "closed", Bool(env, !open)) || !SetProperty(env, o, "damaged", Bool(env, IsDamaged(h)))) {
    return nullptr;
  }
  return o;
}

napi_value Damaged(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  Handle* h = MethodArgs(env, info, &argc, nullptr);
  return h == nullptr ? nullptr : Bool(env, IsDamaged(h));
}

}  // namespace mmcdb
