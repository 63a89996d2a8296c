// The lookup methods of a handle: get, getAll, next, metadata, copy, recordCount. Each
// reads its arguments first (no JS runs while the file is read), then reads the file
// under the SIGBUS guard (guard.h).
#include <cstring>

#include "errors.h"
#include "handle.h"
#include "napi_util.h"
#include "segments.h"

namespace mmcdb {

// get(key): 1 and out[0..1] = (absolute value offset, length); 0 when absent.
// Returns 2 instead of 1 when the value does not lie wholly inside its segment
// (segments.h InOneSegment; possible for values over 128 MiB in data sections over
// 1 GiB): JS then uses range() or copy().
napi_value Get(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  Handle* h = MethodArgs(env, info, &argc, argv);
  if (h == nullptr) return nullptr;
  if (h->mapping == nullptr) return ThrowClosed(env, h);
  KeyArg key;
  if (!key.Read(env, argv[0])) return nullptr;
  if (h->mapping->damaged()) return ThrowTruncated(env, h, 0);
  ValueRef ref;
  CdbFault fault;
  int64_t n = 0;
  uintptr_t bad = 0;
  if (!Guarded([&] { n = h->file.Find(key.data(), key.length(), false, &ref, 1, &fault); }, &bad)) {
    return ThrowTruncated(env, h, bad);
  }
  if (n < 0) return ThrowCdbError(env, fault, h->path);
  if (n == 0) return Small(env, 0);
  h->out[0] = static_cast<double>(ref.offset);
  h->out[1] = static_cast<double>(ref.length);
  return Small(env, InOneSegment(h, ref.offset, ref.length) ? 1 : 2);
}

// getAll(key): the number n of values; when n ≤ out.length / 2, out holds n pairs.
napi_value GetAll(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  Handle* h = MethodArgs(env, info, &argc, argv);
  if (h == nullptr) return nullptr;
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
  if (!Guarded([&] { n = h->file.Find(key.data(), key.length(), true, dst, cap, &fault); }, &bad)) {
    return ThrowTruncated(env, h, bad);
  }
  if (n < 0) return ThrowCdbError(env, fault, h->path);
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
  Handle* h = MethodArgs(env, info, &argc, argv);
  if (h == nullptr) return nullptr;
  if (h->mapping == nullptr) return ThrowClosed(env, h);
  uint64_t cursor;
  if (!ReadOffset(env, argv[0], "cursor", &cursor)) return nullptr;
  if (h->mapping->damaged()) return ThrowTruncated(env, h, 0);
  RecordRef rec;
  CdbFault fault;
  int r = 0;
  uintptr_t bad = 0;
  if (!Guarded([&] { r = h->file.Next(cursor, &rec, &fault); }, &bad)) return ThrowTruncated(env, h, bad);
  if (r < 0) return ThrowCdbError(env, fault, h->path);
  if (r == 0) return Int(env, -1);
  h->out[0] = static_cast<double>(rec.key_offset);
  h->out[1] = static_cast<double>(rec.key_length);
  h->out[2] = static_cast<double>(rec.value_offset);
  h->out[3] = static_cast<double>(rec.value_length);
  return Number(env, static_cast<double>(rec.next));
}

// metadata(): the §Metadata JSON text, undefined when none (or classic).
napi_value Metadata(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  Handle* h = MethodArgs(env, info, &argc, nullptr);
  if (h == nullptr) return nullptr;
  if (h->mapping == nullptr) return ThrowClosed(env, h);
  if (h->mapping->damaged()) return ThrowTruncated(env, h, 0);
  const MmcdbFile& mm = h->file.mm;
  if (!h->file.is_mmcdb || mm.meta_length == 0) return Undefined(env);
  CdbFault too_large;
  too_large.Set("ERR_CDB_FORMAT", "metadata too large for a string", mm.meta_offset);
  if (mm.meta_length > (1ULL << 29)) return ThrowCdbError(env, too_large, h->path);
  // Copied under the guard first: V8 must never be the one to fault on the mapping.
  std::string text(mm.meta_length, '\0');
  uintptr_t bad = 0;
  if (!Guarded([&] { std::memcpy(&text[0], mm.base + mm.meta_offset, mm.meta_length); }, &bad)) {
    return ThrowTruncated(env, h, bad);
  }
  napi_value v;
  if (napi_create_string_utf8(env, text.data(), text.size(), &v) != napi_ok) {
    return ThrowCdbError(env, too_large, h->path);
  }
  return v;
}

// copy(offset, length): a Buffer copy of file bytes — for a V8 sandbox (no external
// buffers) and for values that no segment holds whole.
napi_value Copy(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  Handle* h = MethodArgs(env, info, &argc, argv);
  if (h == nullptr) return nullptr;
  if (h->mapping == nullptr) return ThrowClosed(env, h);
  uint64_t off, len;
  if (!ReadOffset(env, argv[0], "offset", &off) || !ReadOffset(env, argv[1], "length", &len)) return nullptr;
  if (off > h->mapping->size() || len > h->mapping->size() - off) {
    return ThrowRange(env, "offset + length is beyond the end of the file");
  }
  // Node 20 aborts (CHECK) instead of failing on a Buffer beyond its kMaxLength (2^32).
  if (len > (1ULL << 32) - 1) {
    return ThrowCdb(env, "ERR_CDB_TOO_LARGE", "cannot copy " + Num(len) +
                    " bytes into one Buffer (the limit here is 2^32 - 1)", h->path);
  }
  if (h->mapping->damaged()) return ThrowTruncated(env, h, 0);
  napi_value buf;
  void* dst = nullptr;
  // Allocated first, filled under the guard: V8 must never be the one to fault.
  if (napi_create_buffer(env, len, &dst, &buf) != napi_ok) {
    bool pending = false;
    if (napi_is_exception_pending(env, &pending) != napi_ok || pending) return nullptr;
    return ThrowCdb(env, "ERR_CDB_TOO_LARGE", "cannot make a Buffer of " + Num(len) + " bytes", h->path);
  }
  const uint8_t* src = h->mapping->data() + off;
  uintptr_t bad = 0;
  if (len > 0 && !Guarded([&] { std::memcpy(dst, src, len); }, &bad)) return ThrowTruncated(env, h, bad);
  return buf;
}

// recordCount(): mmcdb: the header's record_count; classic: the records the tables
// reach (non-empty slots), as @mmcdb/core's ClassicEngine counts them.
napi_value RecordCount(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  Handle* h = MethodArgs(env, info, &argc, nullptr);
  if (h == nullptr) return nullptr;
  if (h->mapping == nullptr) return ThrowClosed(env, h);
  if (h->mapping->damaged()) return ThrowTruncated(env, h, 0);
  uint64_t n = 0;
  uintptr_t bad = 0;
  if (!Guarded([&] { n = h->file.RecordCount(); }, &bad)) return ThrowTruncated(env, h, bad);
  return Number(env, static_cast<double>(n));
}

}  // namespace mmcdb
