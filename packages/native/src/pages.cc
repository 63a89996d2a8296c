// Page-cache control of an open database: advise (madvise), warm (off-thread
// readahead + touch), residency (mincore) and evict (drop this file's clean pages).
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>

#include "handle.h"
#include "napi_util.h"
#include "paging.h"

namespace mmcdb {
namespace {

struct Range {
  uint64_t from, to;
};

// FORMAT.md §Layout / classic §Layout: the index and the records of the file.
Range IndexRange(const Handle* h) {
  if (h->is_mmcdb) return Range{h->mm.index_offset, h->mm.meta_offset};
  return Range{h->cl.pos[0], h->cl.size};
}

Range DataRange(const Handle* h) {
  if (h->is_mmcdb) return Range{kHeaderSize, h->mm.data_end};
  return Range{kClassicTocSize, h->cl.pos[0]};
}

std::string ArgString(napi_env env, napi_value v, bool* ok) {
  char buf[32];
  size_t n = 0;
  *ok = napi_get_value_string_utf8(env, v, buf, sizeof buf, &n) == napi_ok;
  return *ok ? std::string(buf, n) : std::string();
}

void SetNumber(napi_env env, napi_value obj, const char* name, double v) {
  napi_value n;
  napi_create_double(env, v, &n);
  napi_set_named_property(env, obj, name, n);
}

struct WarmJob {
  Mapping* mapping;  // the job's own reference
  napi_deferred deferred = nullptr;
  napi_async_work work = nullptr;
  Range ranges[2];
  int range_count = 0;
  int err_no = 0;
  bool truncated = false;
  CdbFault fault;
  std::string path;
};

void ExecuteWarm(napi_env, void* data) {
  WarmJob* job = static_cast<WarmJob*>(data);
  uintptr_t bad = 0;
  bool ran = Guarded(
      [&] {
        for (int i = 0; i < job->range_count; i++) {
          int e = WarmRange(job->mapping->data(), job->ranges[i].from, job->ranges[i].to);
          if (e != 0 && job->err_no == 0) job->err_no = e;
        }
      },
      &bad);
  if (!ran || job->mapping->damaged()) {
    job->truncated = true;
    job->fault = TruncatedFault(job->mapping, ran ? 0 : bad);
  }
}

void CompleteWarm(napi_env env, napi_status status, void* data) {
  WarmJob* job = static_cast<WarmJob*>(data);
  job->mapping->Unref();
  if (job->truncated) {
    napi_reject_deferred(env, job->deferred, MakeFaultError(env, job->fault, job->path));
  } else if (job->err_no != 0) {
    napi_reject_deferred(env, job->deferred, MakeErrnoError(env, job->err_no, "madvise", job->path));
  } else {
    napi_value undef;
    napi_get_undefined(env, &undef);
    napi_resolve_deferred(env, job->deferred, undef);
  }
  napi_delete_async_work(env, job->work);
  delete job;
}

}  // namespace

// advise(advice, offset?, length?): madvise over the mapping or a range of it.
napi_value Advise(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  Handle* h = MethodArgs(env, info, &argc, argv);
  if (h->mapping == nullptr) return ThrowClosed(env, h);
  bool ok = false;
  std::string name = ArgString(env, argv[0], &ok);
  if (!ok) return ThrowType(env, "advice must be a string");
  int advice = AdviceFromName(name.c_str(), false);
  if (advice < 0) {
    return ThrowRange(env, "advice must be 'normal', 'random', 'sequential', 'willneed' or 'dontneed'");
  }
  const uint64_t size = h->mapping->size();
  uint64_t offset = 0, length = size;
  napi_valuetype t = napi_undefined;
  if (argc >= 2) napi_typeof(env, argv[1], &t);
  if (argc >= 2 && t != napi_undefined) {
    if (!ReadOffset(env, argv[1], "offset", &offset)) return nullptr;
    length = offset <= size ? size - offset : 0;
  }
  t = napi_undefined;
  if (argc >= 3) napi_typeof(env, argv[2], &t);
  if (argc >= 3 && t != napi_undefined) {
    if (!ReadOffset(env, argv[2], "length", &length)) return nullptr;
  }
  if (offset > size || length > size - offset) return ThrowRange(env, "offset + length is beyond the end of the file");
  int e = AdviseRange(h->mapping->data(), offset, length, advice);
  if (e != 0) return ThrowErrno(env, e, "madvise", h->path);
  return nullptr;
}

// warm('index' | 'all'): a promise resolved once the range has been read in (on the
// threadpool; the job's mapping reference makes close() meanwhile safe).
napi_value Warm(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  Handle* h = MethodArgs(env, info, &argc, argv);
  if (h->mapping == nullptr) return ThrowClosed(env, h);
  bool ok = false;
  std::string what = ArgString(env, argv[0], &ok);
  if (!ok) return ThrowType(env, "what must be 'index' or 'all'");
  if (h->mapping->damaged()) return ThrowTruncated(env, h, 0);
  WarmJob* job = new WarmJob();
  if (what == "all") {
    job->ranges[job->range_count++] = Range{0, h->mapping->size()};
  } else if (what == "index") {
    job->ranges[job->range_count++] = IndexRange(h);
    if (!h->is_mmcdb) job->ranges[job->range_count++] = Range{0, kClassicTocSize};
  } else {
    delete job;
    return ThrowRange(env, "what must be 'index' or 'all'");
  }
  job->mapping = h->mapping;
  job->path = h->path;
  napi_value promise, name;
  napi_create_string_utf8(env, "mmcdb.warm", NAPI_AUTO_LENGTH, &name);
  if (napi_create_promise(env, &job->deferred, &promise) != napi_ok ||
      napi_create_async_work(env, nullptr, name, ExecuteWarm, CompleteWarm, job, &job->work) != napi_ok) {
    delete job;
    return nullptr;
  }
  job->mapping->Ref();
  if (napi_queue_async_work(env, job->work) != napi_ok) {
    job->mapping->Unref();
    napi_delete_async_work(env, job->work);
    delete job;
    return nullptr;
  }
  return promise;
}

// residency(): bytes of the index and of the records resident in the page cache.
napi_value Residency(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  Handle* h = MethodArgs(env, info, &argc, nullptr);
  if (h->mapping == nullptr) return ThrowClosed(env, h);
  std::vector<unsigned char> pages;
  int e = ResidentPages(h->mapping->data(), h->mapping->size(), &pages);
  if (e != 0) return ThrowErrno(env, e, "mincore", h->path);
  napi_value obj, index, data;
  napi_create_object(env, &obj);
  napi_create_object(env, &index);
  napi_create_object(env, &data);
  Range ir = IndexRange(h), dr = DataRange(h);
  uint64_t index_resident = ResidentBytes(pages, ir.from, ir.to), index_total = ir.to - ir.from;
  if (!h->is_mmcdb) {  // classic: the TOC is part of the index
    index_resident += ResidentBytes(pages, 0, kClassicTocSize);
    index_total += kClassicTocSize;
  }
  SetNumber(env, index, "resident", static_cast<double>(index_resident));
  SetNumber(env, index, "total", static_cast<double>(index_total));
  SetNumber(env, data, "resident", static_cast<double>(ResidentBytes(pages, dr.from, dr.to)));
  SetNumber(env, data, "total", static_cast<double>(dr.to - dr.from));
  napi_set_named_property(env, obj, "index", index);
  napi_set_named_property(env, obj, "data", data);
  SetNumber(env, obj, "pageSize", static_cast<double>(PageSize()));
  return obj;
}

// evict(): MADV_DONTNEED over the mapping (this process lets go of its pages; private
// copies written through views are discarded), then POSIX_FADV_DONTNEED on the file.
// Returns the bytes of the file still resident (pages another process maps, or dirty).
napi_value Evict(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  Handle* h = MethodArgs(env, info, &argc, nullptr);
  if (h->mapping == nullptr) return ThrowClosed(env, h);
  const uint8_t* base = h->mapping->data();
  const uint64_t size = h->mapping->size();
  int e = AdviseRange(base, 0, size, MADV_DONTNEED);
  if (e != 0) return ThrowErrno(env, e, "madvise", h->path);
  e = ::posix_fadvise(h->mapping->fd(), 0, 0, POSIX_FADV_DONTNEED);
  if (e != 0) return ThrowErrno(env, e, "posix_fadvise", h->path);
  std::vector<unsigned char> pages;
  e = ResidentPages(base, size, &pages);
  if (e != 0) return ThrowErrno(env, e, "mincore", h->path);
  napi_value v;
  napi_create_double(env, static_cast<double>(ResidentBytes(pages, 0, size)), &v);
  return v;
}

}  // namespace mmcdb
