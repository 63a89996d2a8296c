// open(): reads every argument first (option getters are JS), then maps the file,
// validates it (format detection once: DbFile::Open), and builds the handle object.
#include "open.h"

#include <string>

#include "errors.h"
#include "handle.h"
#include "napi_util.h"
#include "paging.h"
#include "segments.h"
#include "uncounted_buffer.h"

namespace mmcdb {
namespace {

struct OpenOptions {
  // Test hooks: externalBuffers false simulates a V8 sandbox; windowSize / windowStride
  // force windowed segments on a small file.
  bool allow_external = true;
  double window = 0, stride = 0;
  // Production option: madvise over the whole mapping right after mmap; −1 = the
  // kernel's default (normal).
  int advice = -1;
};

// options[name] when it has type `want`; *found false when it is absent or another type.
bool Option(napi_env env, napi_value opts, const char* name, napi_valuetype want, napi_value* v, bool* found) {
  napi_valuetype t;
  if (napi_get_named_property(env, opts, name, v) != napi_ok || napi_typeof(env, *v, &t) != napi_ok) return false;
  *found = t == want;
  return true;
}

bool ReadOptions(napi_env env, napi_value value, OpenOptions* o) {
  napi_valuetype t;
  if (napi_typeof(env, value, &t) != napi_ok) return false;
  if (t != napi_object) return true;  // absent (or not an object): defaults
  napi_value v;
  bool found = false;
  if (!Option(env, value, "externalBuffers", napi_boolean, &v, &found)) return false;
  if (found && napi_get_value_bool(env, v, &o->allow_external) != napi_ok) return false;
  if (!Option(env, value, "windowSize", napi_number, &v, &found)) return false;
  if (found && napi_get_value_double(env, v, &o->window) != napi_ok) return false;
  if (!Option(env, value, "windowStride", napi_number, &v, &found)) return false;
  if (found && napi_get_value_double(env, v, &o->stride) != napi_ok) return false;
  if (!Option(env, value, "advice", napi_string, &v, &found)) return false;
  if (!found) {
    if (!IsUndefined(env, v)) return ThrowType(env, "options.advice must be a string"), false;
    return true;
  }
  std::string name;
  if (!ReadShortString(env, v, &name)) return false;
  o->advice = AdviceFromName(name.c_str(), true);
  if (o->advice < 0) return ThrowRange(env, "options.advice must be 'normal', 'random' or 'sequential'"), false;
  return true;
}

bool ReadPath(napi_env env, napi_value value, std::string* path) {
  size_t n = 0;
  napi_status s = napi_get_value_string_utf8(env, value, nullptr, 0, &n);
  if (s == napi_string_expected) return ThrowType(env, "path must be a string"), false;
  if (s != napi_ok) return false;
  path->resize(n + 1);
  if (napi_get_value_string_utf8(env, value, &(*path)[0], n + 1, &n) != napi_ok) return false;
  path->resize(n);
  return true;
}

// The handle object's data properties (index.d.ts NativeHandle).
bool SetDataProperties(napi_env env, napi_value obj, Handle* h, napi_value segments, napi_value out) {
  return SetProperty(env, obj, "format", String(env, h->file.format_name())) &&
         SetNumber(env, obj, "fileSize", static_cast<double>(h->mapping->size())) &&
         SetProperty(env, obj, "segments", segments) &&
         SetNumber(env, obj, "segmentStride", static_cast<double>(h->stride)) &&
         SetNumber(env, obj, "segmentBase", static_cast<double>(h->seg_base)) &&
         SetProperty(env, obj, "externalBuffers", Bool(env, h->external_buffers)) &&
         SetProperty(env, obj, "uncountedBuffers", Bool(env, UncountedBuffers())) &&
         SetProperty(env, obj, "out", out);
}

}  // namespace

napi_value Open(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok) return nullptr;
  std::string path;
  OpenOptions opts;
  if (!ReadPath(env, argv[0], &path) || !ReadOptions(env, argv[1], &opts)) return nullptr;

  Mapping::OpenError error;
  Mapping* m = Mapping::Open(path, &error);
  if (m == nullptr && error.not_regular != nullptr) {
    return ThrowCdb(env, "ERR_CDB_FORMAT", std::string("not a regular file (") + error.not_regular + ")", path);
  }
  if (m == nullptr) return ThrowErrno(env, error.err_no, error.syscall, path);
  Handle* h = new Handle();  // owns the mapping reference from here on
  h->mapping = m;
  m->AddReader();
  h->path = path;
  CdbFault fault;
  bool ok = false;
  uintptr_t bad = 0;
  // The file may shrink between fstat and these reads: guarded like every lookup.
  if (!Guarded([&] { ok = h->file.Open(m->data(), m->size(), &fault); }, &bad)) {
    fault = TruncatedFault(m, bad);
    ok = false;
  }
  if (!ok) {
    delete h;
    return ThrowCdbError(env, fault, path);
  }
  // The second mapping, for views: the data section only (mapping.h).
  const Range data = h->file.Data();
  int e = m->MapViews(data.from, data.to);
  if (e == 0 && opts.advice >= 0) e = AdviseMapping(m, 0, m->size(), opts.advice);
  if (e != 0) {
    delete h;
    return ThrowErrno(env, e, opts.advice >= 0 ? "madvise" : "mmap", path);
  }
  ChooseWindows(h, data, opts.window, opts.stride);
  napi_value segments = MakeSegmentList(env, h, opts.allow_external);
  // The shared output array: 256 (offset, length) pairs until setOut() replaces it.
  napi_value ab, out;
  if (segments == nullptr || napi_create_arraybuffer(env, 512 * sizeof(double), nullptr, &ab) != napi_ok ||
      napi_create_typedarray(env, napi_float64_array, 512, ab, 0, &out) != napi_ok) {
    delete h;
    return nullptr;
  }
  napi_value obj = MakeHandleObject(env, h);  // owns h from here on (even on failure)
  if (obj == nullptr || !SetOutArray(env, h, out) || !SetDataProperties(env, obj, h, segments, out)) return nullptr;
  return obj;
}

}  // namespace mmcdb
