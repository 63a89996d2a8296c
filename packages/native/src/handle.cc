#include <algorithm>
#include "handle.h"

#include "napi_util.h"

namespace mmcdb {

Handle* MethodArgs(napi_env env, napi_callback_info info, size_t* argc, napi_value* argv, napi_value* self) {
  void* data = nullptr;
  napi_get_cb_info(env, info, argc, argv, self, &data);
  return static_cast<Handle*>(data);
}

napi_value ThrowClosed(napi_env env, Handle* h) {
  return ThrowCode(env, "ERR_CDB_CLOSED", "the database is closed (" + h->path + ")");
}

CdbFault TruncatedFault(Mapping* m, uintptr_t fault_address) {
  uintptr_t base = reinterpret_cast<uintptr_t>(m->data());
  uint64_t offset;
  if (fault_address >= base && fault_address - base < m->size()) {
    offset = fault_address - base;
    m->MarkDamaged(offset);
  } else {
    m->MarkDamaged(m->size());  // a fault outside the mapping (a key's bytes?): still not trusted
    offset = m->fault_offset();
  }
  CdbFault f;
  f.Set("ERR_CDB_TRUNCATED", "the file was truncated while mapped: byte " + std::to_string(offset) +
        " is gone (the mapping was " + std::to_string(m->size()) + " bytes); reopen the database", offset);
  return f;
}

napi_value ThrowTruncated(napi_env env, Handle* h, uintptr_t fault_address) {
  return ThrowFault(env, TruncatedFault(h->mapping, fault_address), h->path);
}

namespace {

Handle* Args(napi_env env, napi_callback_info info, size_t* argc, napi_value* argv, napi_value* self = nullptr) {
  return MethodArgs(env, info, argc, argv, self);
}

napi_value Int(napi_env env, int64_t v) {
  napi_value r;
  napi_create_int64(env, v, &r);
  return r;
}

int64_t Find(Handle* h, const KeyArg& k, bool all, ValueRef* out, size_t cap, CdbFault* fault) {
  return h->is_mmcdb ? MmcdbFind(h->mm, k.data(), k.length(), all, out, cap, fault)
                     : ClassicFind(h->cl, k.data(), k.length(), all, out, cap, fault);
}

// get(key): 1 and out[0..1] = (absolute value offset, length); 0 when absent.
// Returns 2 instead of 1 when the value does not lie wholly inside segment
// floor(offset / segmentStride) (possible for values over 128 MiB in files over 1 GiB,
// handle.h kWindow): JS then uses range() or copy().
napi_value Get(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  Handle* h = Args(env, info, &argc, argv);
  if (h->mapping == nullptr) return ThrowClosed(env, h);
  KeyArg key;
  if (!key.Read(env, argv[0])) return nullptr;
  if (h->mapping->damaged()) return ThrowTruncated(env, h, 0);
  ValueRef ref;
  CdbFault fault;
  int64_t n = 0;
  uintptr_t bad = 0;
  if (!Guarded([&] { n = Find(h, key, false, &ref, 1, &fault); }, &bad)) return ThrowTruncated(env, h, bad);
  if (n < 0) return ThrowFault(env, fault, h->path);
  if (n == 0) return Int(env, 0);
  h->out[0] = static_cast<double>(ref.offset);
  h->out[1] = static_cast<double>(ref.length);
  uint64_t start = (ref.offset / h->stride) * h->stride;
  return Int(env, ref.offset + ref.length - start <= h->window ? 1 : 2);
}

// getAll(key): the number n of values; when n ≤ out.length / 2, out holds n pairs.
napi_value GetAll(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  Handle* h = Args(env, info, &argc, argv);
  if (h->mapping == nullptr) return ThrowClosed(env, h);
  KeyArg key;
  if (!key.Read(env, argv[0])) return nullptr;
  size_t cap = h->out_length / 2;
  ValueRef batch[32];
  ValueRef* dst = batch;
  if (cap > 32) {
    if (h->scratch.size() < cap) h->scratch.resize(cap);
    dst = h->scratch.data();
  }
  if (h->mapping->damaged()) return ThrowTruncated(env, h, 0);
  CdbFault fault;
  int64_t n = 0;
  uintptr_t bad = 0;
  if (!Guarded([&] { n = Find(h, key, true, dst, cap, &fault); }, &bad)) return ThrowTruncated(env, h, bad);
  if (n < 0) return ThrowFault(env, fault, h->path);
  if (static_cast<uint64_t>(n) <= cap) {
    for (int64_t i = 0; i < n; i++) {
      h->out[2 * i] = static_cast<double>(dst[i].offset);
      h->out[2 * i + 1] = static_cast<double>(dst[i].length);
    }
  }
  return Int(env, n);
}

// next(cursor): the record at or after cursor (0 = first); out[0..3] = key offset,
// key length, value offset, value length; returns the next cursor or -1 at the end.
napi_value Next(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  Handle* h = Args(env, info, &argc, argv);
  if (h->mapping == nullptr) return ThrowClosed(env, h);
  uint64_t cursor;
  if (!ReadOffset(env, argv[0], "cursor", &cursor)) return nullptr;
  if (h->mapping->damaged()) return ThrowTruncated(env, h, 0);
  RecordRef rec;
  CdbFault fault;
  int r = 0;
  uintptr_t bad = 0;
  if (!Guarded([&] { r = h->is_mmcdb ? MmcdbNext(h->mm, cursor, &rec, &fault) : ClassicNext(h->cl, cursor, &rec, &fault); },
               &bad)) {
    return ThrowTruncated(env, h, bad);
  }
  if (r < 0) return ThrowFault(env, fault, h->path);
  if (r == 0) return Int(env, -1);
  h->out[0] = static_cast<double>(rec.key_offset);
  h->out[1] = static_cast<double>(rec.key_length);
  h->out[2] = static_cast<double>(rec.value_offset);
  h->out[3] = static_cast<double>(rec.value_length);
  napi_value v;
  napi_create_double(env, static_cast<double>(rec.next), &v);
  return v;
}

napi_value SetOut(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], self;
  Handle* h = Args(env, info, &argc, argv, &self);
  if (!SetOutArray(env, h, argv[0])) return nullptr;
  napi_set_named_property(env, self, "out", argv[0]);
  return nullptr;
}

napi_value Metadata(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  Handle* h = Args(env, info, &argc, nullptr);
  if (h->mapping == nullptr) return ThrowClosed(env, h);
  if (h->mapping->damaged()) return ThrowTruncated(env, h, 0);
  if (!h->is_mmcdb || h->mm.meta_length == 0) return nullptr;  // undefined
  // Copied under the guard first: V8 must never be the one to fault on the mapping.
  if (h->mm.meta_length > (1ULL << 29)) {
    return ThrowFault(env, CdbFault{"ERR_CDB_FORMAT", "metadata too large for a string", h->mm.meta_offset},
                      h->path);
  }
  std::string text(h->mm.meta_length, '\0');
  uintptr_t bad = 0;
  if (!Guarded([&] { std::memcpy(&text[0], h->mm.base + h->mm.meta_offset, h->mm.meta_length); }, &bad)) {
    return ThrowTruncated(env, h, bad);
  }
  napi_value v;
  if (napi_create_string_utf8(env, text.data(), text.size(), &v) != napi_ok) {
    return ThrowFault(env, CdbFault{"ERR_CDB_FORMAT", "metadata too large for a string", h->mm.meta_offset},
                      h->path);
  }
  return v;
}

// copy(offset, length): a Buffer copy of file bytes — for a V8 sandbox (no external
// buffers) and for values that no segment holds whole.
napi_value Copy(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  Handle* h = Args(env, info, &argc, argv);
  if (h->mapping == nullptr) return ThrowClosed(env, h);
  uint64_t off, len;
  if (!ReadOffset(env, argv[0], "offset", &off) || !ReadOffset(env, argv[1], "length", &len)) return nullptr;
  if (off > h->mapping->size() || len > h->mapping->size() - off) {
    return ThrowRange(env, "offset + length is beyond the end of the file");
  }
  // Node 20 aborts (CHECK) instead of failing on a Buffer beyond its kMaxLength (2^32).
  if (len > (1ULL << 32) - 1) {
    return ThrowCode(env, "ERR_CDB_TOO_LARGE", "cannot copy " + std::to_string(len) +
                     " bytes into one Buffer (the limit here is 2^32 - 1)");
  }
  if (h->mapping->damaged()) return ThrowTruncated(env, h, 0);
  napi_value buf;
  void* dst = nullptr;
  // Allocated first, filled under the guard: V8 must never be the one to fault.
  if (napi_create_buffer(env, len, &dst, &buf) != napi_ok) {
    bool pending = false;
    napi_is_exception_pending(env, &pending);
    if (!pending) ThrowCode(env, "ERR_CDB_TOO_LARGE", "cannot make a Buffer of " + std::to_string(len) + " bytes");
    return nullptr;
  }
  const uint8_t* src = h->mapping->data() + off;
  uintptr_t bad = 0;
  if (len > 0 && !Guarded([&] { std::memcpy(dst, src, len); }, &bad)) return ThrowTruncated(env, h, bad);
  return buf;
}

// close(): drops the handle's mapping reference. Segment ArrayBuffers keep theirs,
// so views made earlier stay readable until they are garbage-collected.
napi_value Close(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  Handle* h = Args(env, info, &argc, nullptr);
  if (h->mapping != nullptr) {
    h->damaged_at_close = h->mapping->damaged();
    h->mapping->Unref();
    h->mapping = nullptr;
  }
  return nullptr;
}

napi_value Stats(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  Handle* h = Args(env, info, &argc, nullptr);
  napi_value o, v;
  napi_create_object(env, &o);
  napi_create_double(env, h->mapping ? static_cast<double>(h->mapping->size()) : 0, &v);
  napi_set_named_property(env, o, "mappedBytes", v);
  napi_create_uint32(env, h->segment_count, &v);
  napi_set_named_property(env, o, "segments", v);
  napi_create_string_utf8(env, h->is_mmcdb ? "mmcdb" : "classic", NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, o, "format", v);
  napi_get_boolean(env, h->external_buffers, &v);
  napi_set_named_property(env, o, "externalBuffers", v);
  napi_get_boolean(env, h->mapping == nullptr, &v);
  napi_set_named_property(env, o, "closed", v);
  napi_get_boolean(env, h->mapping != nullptr ? h->mapping->CheckFileSize() : h->damaged_at_close, &v);
  napi_set_named_property(env, o, "damaged", v);
  return o;
}

// damaged(): whether the file shrank under the mapping (a fault was met, or fstat now
// shows it shorter). After close(): as it was at close().
void FinalizeSegment(napi_env, void*, void* hint) { static_cast<SegmentToken*>(hint)->Release(); }

// segment(i): the external ArrayBuffer over window i (see MakeSegments in binding.cc), or
// undefined when i is out of range or the runtime refuses external buffers.
napi_value SegmentMethod(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  Handle* h = Args(env, info, &argc, argv);
  if (h->mapping == nullptr) return ThrowClosed(env, h);
  uint32_t i = 0;
  napi_value undefined;
  napi_get_undefined(env, &undefined);
  if (argc < 1 || napi_get_value_uint32(env, argv[0], &i) != napi_ok || i >= h->segment_count) return undefined;
  napi_value ab = MakeSegment(env, h, i);
  return ab != nullptr ? ab : undefined;
}

// range(offset, length): an external ArrayBuffer over exactly these file bytes, for a
// value no window holds whole; undefined when external buffers are refused or length
// ≥ 2^32 (then JS falls back to copy()).
napi_value RangeMethod(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  Handle* h = Args(env, info, &argc, argv);
  if (h->mapping == nullptr) return ThrowClosed(env, h);
  double off = -1, len = -1;
  napi_value undefined;
  napi_get_undefined(env, &undefined);
  if (argc < 2 || napi_get_value_double(env, argv[0], &off) != napi_ok ||
      napi_get_value_double(env, argv[1], &len) != napi_ok || !(off >= 0) || !(len >= 0) ||
      len > static_cast<double>((1ULL << 32) - 1) || off + len > static_cast<double>(h->mapping->size())) {
    return undefined;
  }
  napi_value ab = MakeRange(env, h, static_cast<uint64_t>(off), static_cast<uint64_t>(len));
  return ab != nullptr ? ab : undefined;
}

napi_value Damaged(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  Handle* h = Args(env, info, &argc, nullptr);
  napi_value v;
  napi_get_boolean(env, h->mapping != nullptr ? h->mapping->CheckFileSize() : h->damaged_at_close, &v);
  return v;
}

void FinalizeMethod(napi_env env, void* data, void*) {
  Handle* h = static_cast<Handle*>(data);
  if (--h->js_refs == 0) {
    if (h->out_ref != nullptr) napi_delete_reference(env, h->out_ref);
    h->out_ref = nullptr;
    delete h;
  }
}

}  // namespace

Handle::~Handle() {
  if (mapping != nullptr) mapping->Unref();
}

bool SetOutArray(napi_env env, Handle* h, napi_value array) {
  bool is_typed = false;
  napi_typedarray_type type = napi_int8_array;
  size_t length = 0;
  void* data = nullptr;
  if (napi_is_typedarray(env, array, &is_typed) != napi_ok || !is_typed ||
      napi_get_typedarray_info(env, array, &type, &length, &data, nullptr, nullptr) != napi_ok ||
      type != napi_float64_array) {
    ThrowType(env, "out must be a Float64Array");
    return false;
  }
  if (length < 4) {
    ThrowRange(env, "out must hold at least 4 numbers");
    return false;
  }
  napi_ref ref;
  if (napi_create_reference(env, array, 1, &ref) != napi_ok) return false;
  if (h->out_ref != nullptr) napi_delete_reference(env, h->out_ref);
  h->out_ref = ref;
  h->out = static_cast<double*>(data);
  h->out_length = length;
  return true;
}

napi_value MakeHandleObject(napi_env env, Handle* h) {
  struct Method {
    const char* name;
    napi_callback cb;
  };
  static const Method kMethods[] = {
      {"get", Get},           {"getAll", GetAll},     {"next", Next},           {"setOut", SetOut},
      {"metadata", Metadata}, {"copy", Copy},         {"close", Close},         {"stats", Stats},
      {"getMany", GetMany},   {"getManyAsync", GetManyAsync}, {"advise", Advise}, {"warm", Warm},
      {"residency", Residency}, {"evict", Evict}, {"damaged", Damaged}, {"segment", SegmentMethod}, {"range", RangeMethod}};
  napi_value obj;
  if (napi_create_object(env, &obj) != napi_ok) {
    delete h;
    return nullptr;
  }
  for (const Method& m : kMethods) {
    napi_value fn;
    if (napi_create_function(env, m.name, NAPI_AUTO_LENGTH, m.cb, h, &fn) != napi_ok ||
        napi_add_finalizer(env, fn, h, FinalizeMethod, nullptr, nullptr) != napi_ok) {
      if (h->js_refs == 0) delete h;  // otherwise the finalizers already attached free it
      return nullptr;
    }
    h->js_refs++;
    napi_set_named_property(env, obj, m.name, fn);
  }
  return obj;
}

napi_value MakeSegment(napi_env env, Handle* h, uint32_t i) {
  if (h->mapping == nullptr) return nullptr;
  const uint64_t size = h->mapping->size();
  const uint64_t start = static_cast<uint64_t>(i) * h->stride;
  if (start >= size && size != 0) return nullptr;
  return MakeRange(env, h, start, std::min(h->window, size - start));
}

napi_value MakeRange(napi_env env, Handle* h, uint64_t start, uint64_t len) {
  if (!h->external_buffers || h->mapping == nullptr) return nullptr;
  SegmentToken* token = new SegmentToken(h->mapping);
  napi_value ab;
  napi_status s =
      napi_create_external_arraybuffer(env, h->mapping->mutable_data() + start, len, FinalizeSegment, token, &ab);
  token->CreatorDone();
  if (s == napi_ok) return ab;
  // Sandbox: Node returns before touching the finalizer, so release it here. Any other
  // failure: Node may have run the finalizer; Release() is idempotent but we cannot know
  // whether it will still run, so we only leak, never free twice.
  if (s == napi_no_external_buffers_allowed) token->Release();
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (pending) {
    napi_value ignored;
    napi_get_and_clear_last_exception(env, &ignored);
  }
  h->external_buffers = false;
  h->segment_count = 0;
  return nullptr;
}

}  // namespace mmcdb
