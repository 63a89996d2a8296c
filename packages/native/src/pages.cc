// Page-cache control of an open database: advise (madvise), warm (off-thread
// readahead + touch), residency (mincore) and evict (drop this file's clean pages).
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "errors.h"
#include "handle.h"
#include "napi_util.h"
#include "paging.h"
#include "residency_map.h"

namespace mmcdb {
namespace {

struct WarmJob {
  Mapping* mapping;  // the job's own reference
  napi_deferred deferred = nullptr;
  napi_async_work work = nullptr;
  Range ranges[2];
  int range_count = 0;
  bool views = false;  // also touch the data section through the views mapping
  int read_fd = -1;    // a descriptor of the job's own on the file (ReadRange), or -1
  int err_no = 0;
  bool truncated = false;
  CdbFault fault;
  std::string path;
};

// Reads file bytes [r.from, r.to) with read(2), 1 MiB at a time, into a buffer nobody
// reads: the page cache then holds them in large folios, as sequential reads leave them
// (ext4, XFS), which a mapping aligned to 2 MiB (ours are) maps with PMD entries — one
// TLB entry per 2 MiB instead of 512. MADV_WILLNEED under MADV_RANDOM, as warm did
// before, left 4 KiB folios. Measured on 1m-100b (docs/RELIABILITY.md §Page tables and
// the TLB): 0 → 129 MB of 160 MB PMD-mapped; a dependent random read through the
// mapping 243 → 125 ns in C. Errors are left to the touch that follows (guarded).
void ReadRange(int fd, Range r) {
  constexpr size_t kChunk = 1 << 20;
  std::vector<uint8_t> buffer(kChunk);
  for (uint64_t at = r.from; at < r.to;) {
    const size_t want = r.to - at < kChunk ? static_cast<size_t>(r.to - at) : kChunk;
    const ssize_t got = ::pread(fd, buffer.data(), want, static_cast<off_t>(at));
    if (got <= 0) return;
    at += static_cast<uint64_t>(got);
  }
}

void ExecuteWarm(napi_env, void* data) {
  WarmJob* job = static_cast<WarmJob*>(data);
  if (job->read_fd >= 0) {
    for (int i = 0; i < job->range_count; i++) ReadRange(job->read_fd, job->ranges[i]);
  }
  uintptr_t bad = 0;
  bool ran = Guarded(
      [&] {
        const Mapping* m = job->mapping;
        for (int i = 0; i < job->range_count; i++) {
          int e = WarmRange(m->data(), job->ranges[i].from, job->ranges[i].to);
          if (e != 0 && job->err_no == 0) job->err_no = e;
        }
        // 'all': the pages are in now; map them into the views mapping too, so that JS
        // reading values does not fault on them (minor faults, a few per 64 KiB).
        if (job->views && m->has_views()) {
          TouchPages(m->view(m->views_from()), m->views_to() - m->views_from());
        }
      },
      &bad);
  if (!ran || job->mapping->damaged()) {
    job->truncated = true;
    job->fault = TruncatedFault(job->mapping, ran ? 0 : bad);
  }
}

// Settles the promise and frees the job; when the env is going away the calls fail
// and the memory is freed all the same.
void CompleteWarm(napi_env env, napi_status, void* data) {
  WarmJob* job = static_cast<WarmJob*>(data);
  job->mapping->Unref();
  if (job->read_fd >= 0) ::close(job->read_fd);
  napi_value err = nullptr;
  if (job->truncated) {
    err = MakeCdbError(env, job->fault, job->path);
  } else if (job->err_no != 0) {
    err = MakeErrnoError(env, job->err_no, "madvise", job->path);
  }
  if (job->truncated || job->err_no != 0) {
    if (err == nullptr) err = TakeException(env, "warm: cannot make the error");
    if (err != nullptr) DropTeardownStatus(napi_reject_deferred(env, job->deferred, err));
  } else {
    napi_value undef = Undefined(env);
    if (undef != nullptr) DropTeardownStatus(napi_resolve_deferred(env, job->deferred, undef));
  }
  DropTeardownStatus(napi_delete_async_work(env, job->work));
  delete job;
}

// A descriptor of the warm job's own on the file open as `fd` (a new open file
// description, so its sequential reads leave the mapping's read-ahead state alone; the
// job may outlive close() of the handle's), or -1.
int OwnDescriptor(int fd) {
  if (fd < 0) return -1;
#ifdef __linux__
  const std::string self = "/proc/self/fd/" + std::to_string(fd);
  const int own = ::open(self.c_str(), O_RDONLY | O_CLOEXEC);
  if (own >= 0) return own;
#endif
  return ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
}

// The mincore bytes of the file (one per page, bit 0 = resident in either mapping); 0
// or an errno.
int Resident(Handle* h, std::vector<unsigned char>* pages) { return ResidentMapping(h->mapping, pages); }

}  // namespace

// advise(advice, offset?, length?): madvise over the file or a range of it (both
// mappings: the read-only one and, for the data section, the views).
napi_value Advise(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  Handle* h = MethodArgs(env, info, &argc, argv);
  if (h == nullptr) return nullptr;
  if (h->mapping == nullptr) return ThrowClosed(env, h);
  std::string name;
  if (!ReadShortString(env, argv[0], &name)) return ThrowType(env, "advice must be a string");
  int advice = AdviceFromName(name.c_str(), false);
  if (advice < 0) {
    return ThrowRange(env, "advice must be 'normal', 'random', 'sequential', 'willneed' or 'dontneed'");
  }
  const uint64_t size = h->mapping->size();
  uint64_t offset = 0, length = size;
  if (!IsUndefined(env, argv[1])) {
    if (!ReadOffset(env, argv[1], "offset", &offset)) return nullptr;
    length = offset <= size ? size - offset : 0;
  }
  if (!IsUndefined(env, argv[2]) && !ReadOffset(env, argv[2], "length", &length)) return nullptr;
  if (offset > size || length > size - offset) return ThrowRange(env, "offset + length is beyond the end of the file");
  int e = AdviseMapping(h->mapping, offset, length, advice);
  if (e != 0) return ThrowErrno(env, e, "madvise", h->path);
  return Undefined(env);
}

// warm('index' | 'all'): a promise resolved once the range has been read in (on the
// threadpool; the job's mapping reference makes close() meanwhile safe).
napi_value Warm(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  Handle* h = MethodArgs(env, info, &argc, argv);
  if (h == nullptr) return nullptr;
  if (h->mapping == nullptr) return ThrowClosed(env, h);
  std::string what;
  if (!ReadShortString(env, argv[0], &what)) return ThrowType(env, "what must be 'index' or 'all'");
  if (what != "all" && what != "index") return ThrowRange(env, "what must be 'index' or 'all'");
  if (h->mapping->damaged()) return ThrowTruncated(env, h, 0);
  WarmJob* job = new WarmJob();
  if (what == "all") {
    job->ranges[job->range_count++] = Range{0, h->mapping->size()};
    job->views = true;
  } else {
    job->ranges[job->range_count++] = h->file.Index();
    if (!h->file.is_mmcdb) job->ranges[job->range_count++] = Range{0, kClassicTocSize};
  }
  job->mapping = h->mapping;
  job->path = h->path;
  job->read_fd = OwnDescriptor(h->mapping->fd());
  napi_value promise, name = String(env, "mmcdb.warm");
  if (name == nullptr || napi_create_promise(env, &job->deferred, &promise) != napi_ok ||
      napi_create_async_work(env, nullptr, name, ExecuteWarm, CompleteWarm, job, &job->work) != napi_ok) {
    if (job->read_fd >= 0) ::close(job->read_fd);
    delete job;  // a created promise is dropped unsettled; the caller gets the exception
    return nullptr;
  }
  job->mapping->Ref();
  if (napi_queue_async_work(env, job->work) != napi_ok) {
    job->mapping->Unref();
    DropTeardownStatus(napi_delete_async_work(env, job->work));
    if (job->read_fd >= 0) ::close(job->read_fd);
    delete job;
    return nullptr;
  }
  return promise;
}

// residency(): bytes of the index and of the records resident in the page cache.
napi_value Residency(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  Handle* h = MethodArgs(env, info, &argc, nullptr);
  if (h == nullptr) return nullptr;
  if (h->mapping == nullptr) return ThrowClosed(env, h);
  std::vector<unsigned char> pages;
  int e = Resident(h, &pages);
  if (e != 0) return ThrowErrno(env, e, "mincore", h->path);
  Range ir = h->file.Index(), dr = h->file.Data();
  uint64_t index_resident = ResidentBytes(pages, ir.from, ir.to), index_total = ir.to - ir.from;
  if (!h->file.is_mmcdb) {  // classic: the TOC is part of the index
    index_resident += ResidentBytes(pages, 0, kClassicTocSize);
    index_total += kClassicTocSize;
  }
  napi_value obj, index, data;
  if (napi_create_object(env, &obj) != napi_ok || napi_create_object(env, &index) != napi_ok ||
      napi_create_object(env, &data) != napi_ok ||
      !SetNumber(env, index, "resident", static_cast<double>(index_resident)) ||
      !SetNumber(env, index, "total", static_cast<double>(index_total)) ||
      !SetNumber(env, data, "resident", static_cast<double>(ResidentBytes(pages, dr.from, dr.to))) ||
      !SetNumber(env, data, "total", static_cast<double>(dr.to - dr.from)) || !SetProperty(env, obj, "index", index) ||
      !SetProperty(env, obj, "data", data) || !SetNumber(env, obj, "pageSize", static_cast<double>(PageSize()))) {
    return nullptr;
  }
  return obj;
}

// evict(): MADV_DONTNEED over both mappings (this process lets go of its pages; private
// copies written through views are discarded), then POSIX_FADV_DONTNEED on the file.
// Returns the bytes of the file still resident (pages another process maps, or dirty).
napi_value Evict(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  Handle* h = MethodArgs(env, info, &argc, nullptr);
  if (h == nullptr) return nullptr;
  if (h->mapping == nullptr) return ThrowClosed(env, h);
  const uint64_t size = h->mapping->size();
  int e = AdviseMapping(h->mapping, 0, size, MADV_DONTNEED);
  if (e != 0) return ThrowErrno(env, e, "madvise", h->path);
  e = ::posix_fadvise(h->mapping->fd(), 0, 0, POSIX_FADV_DONTNEED);
  if (e != 0) return ThrowErrno(env, e, "posix_fadvise", h->path);
  ForgetUringResidency(h->uring);
  if (h->warm_sweep != nullptr) h->warm_sweep->Forget();
  std::vector<unsigned char> pages;
  e = Resident(h, &pages);
  if (e != 0) return ThrowErrno(env, e, "mincore", h->path);
  return Number(env, static_cast<double>(ResidentBytes(pages, 0, size)));
}

}  // namespace mmcdb
