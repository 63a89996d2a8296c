// getMany (sync, one N-API call, cache misses of a group of keys overlapped) and
// getManyAsync (the same lookups plus a touch of every value page, on the libuv
// threadpool, split into up to UV_THREADPOOL_SIZE jobs).
#include <uv.h>

#include <chrono>
#include <cstdlib>
#include <cstring>

#include "handle.h"
#include "napi_util.h"
#include "paging.h"

namespace mmcdb {
namespace {

// Keys in flight per group on the JS thread (warm data: cache lines) and on the
// threadpool (cold data: page reads requested together).
constexpr size_t kSyncGroup = 16;
constexpr size_t kAsyncGroup = 64;
// A threadpool hop costs ~20 µs: no job gets fewer keys than this.
constexpr size_t kMinKeysPerJob = 16;
// Page hints on or off (Mapping::io_hints): a group of resident keys takes ~0.2 µs a
// key without hints and ~1.3 µs with them; one that waits for the disk takes 20–100 µs
// a key. A hinted group under this many ns a key turns hints off; an unhinted group
// over it (two or more page reads in a group of 64) turns them back on.
constexpr double kColdNsPerKey = 3000;

const uint8_t kNoBytes[1] = {0};

napi_value Int(napi_env env, int64_t v) {
  napi_value r;
  napi_create_int64(env, v, &r);
  return r;
}

// Copies the bytes of keys[from, from + count) into *bytes (cleared first) and the
// end offset of each into *ends: copies, so nothing JS does later (a getter on the
// array, a detached buffer) can pull them away. False with a pending exception.
bool ReadKeys(napi_env env, napi_value keys, uint32_t from, uint32_t count, std::vector<uint8_t>* bytes,
              std::vector<size_t>* ends) {
  bytes->clear();
  ends->clear();
  KeyArg key;
  for (uint32_t i = from; i < from + count; i++) {
    napi_value v;
    if (napi_get_element(env, keys, i, &v) != napi_ok) return false;
    if (!key.Read(env, v)) return false;
    bytes->insert(bytes->end(), key.data(), key.data() + key.length());
    ends->push_back(bytes->size());
  }
  return true;
}

void KeySpans(const std::vector<uint8_t>& bytes, const std::vector<size_t>& ends, KeyBytes* spans) {
  const uint8_t* base = bytes.empty() ? kNoBytes : bytes.data();
  size_t start = 0;
  for (size_t j = 0; j < ends.size(); j++) {
    spans[j] = KeyBytes{ends[j] == start ? kNoBytes : base + start, ends[j] - start};
    start = ends[j];
  }
}

bool KeysLength(napi_env env, napi_value keys, uint32_t* n) {
  bool is_array = false;
  if (napi_is_array(env, keys, &is_array) != napi_ok || !is_array) {
    ThrowType(env, "keys must be an array of strings or Uint8Arrays");
    return false;
  }
  napi_get_array_length(env, keys, n);
  return true;
}

// The Float64Array `out`, which must hold ≥ need numbers.
bool OutArray(napi_env env, napi_value value, size_t need, double** data) {
  bool is_typed = false;
  napi_typedarray_type type = napi_int8_array;
  size_t length = 0;
  void* p = nullptr;
  if (napi_is_typedarray(env, value, &is_typed) != napi_ok || !is_typed ||
      napi_get_typedarray_info(env, value, &type, &length, &p, nullptr, nullptr) != napi_ok ||
      type != napi_float64_array) {
    ThrowType(env, "out must be a Float64Array");
    return false;
  }
  if (length < need) {
    ThrowRange(env, ("out must hold at least 2 numbers per key (" + std::to_string(need) + "), it holds " +
                     std::to_string(length)).c_str());
    return false;
  }
  *data = static_cast<double*>(p);
  return true;
}

// The lookup state a job needs, copied from the Handle (which close() and gc may take
// away while the job runs); the mapping reference keeps the pointers valid.
struct FileView {
  bool is_mmcdb = true;
  MmcdbFile mm;
  ClassicFile cl;
  const uint8_t* base = nullptr;

  int64_t FindMany(const KeyBytes* keys, size_t n, size_t group, double* out, CdbFault* fault,
                   PageHint hint) const {
    return is_mmcdb ? MmcdbFindMany(mm, keys, n, group, out, fault, hint)
                    : ClassicFindMany(cl, keys, n, group, out, fault, hint);
  }
};

size_t ThreadpoolSize() {
  static const size_t k = [] {
    const char* v = std::getenv("UV_THREADPOOL_SIZE");
    long n = v != nullptr ? std::strtol(v, nullptr, 10) : 0;
    return n >= 1 ? static_cast<size_t>(n > 1024 ? 1024 : n) : static_cast<size_t>(4);
  }();
  return k;
}

struct AsyncBatch {
  napi_deferred deferred = nullptr;
  FileView file;
  std::string path;
  std::vector<uint8_t> bytes;
  std::vector<KeyBytes> keys;
  std::vector<double> results;  // 2 per key, the layout of getMany's out
  int pending = 0;              // jobs not completed (touched on the JS thread only)
  bool failed = false;
  size_t fault_key = 0;         // the lowest key index that met corruption
  CdbFault fault;
};

struct AsyncJob {
  AsyncBatch* batch = nullptr;
  Mapping* mapping = nullptr;  // this job's own reference
  size_t begin = 0, end = 0;
  napi_async_work work = nullptr;
  bool failed = false;
  size_t fault_key = 0;
  CdbFault fault;
};

// The lookups and page touches of one job (run under the SIGBUS guard).
void RunJob(AsyncJob* job) {
  AsyncBatch* b = job->batch;
  const FileView& f = b->file;
  for (size_t at = job->begin; at < job->end; at += kAsyncGroup) {
    size_t m = job->end - at < kAsyncGroup ? job->end - at : kAsyncGroup;
    double* out = b->results.data() + 2 * at;
    const bool hints = job->mapping->io_hints();
    auto t0 = std::chrono::steady_clock::now();
    if (f.FindMany(b->keys.data() + at, m, kAsyncGroup, out, &job->fault, hints ? WillNeedHint : nullptr) < 0) {
      job->failed = true;
      job->fault_key = at;
      return;
    }
    // Request every value of the group, then fault each page in here.
    for (size_t j = 0; hints && j < m; j++) {
      if (out[2 * j] >= 0 && out[2 * j + 1] > 0) {
        WillNeedHint(f.base + static_cast<uint64_t>(out[2 * j]), static_cast<uint64_t>(out[2 * j + 1]));
      }
    }
    for (size_t j = 0; j < m; j++) {
      if (out[2 * j] >= 0) TouchPages(f.base + static_cast<uint64_t>(out[2 * j]), static_cast<uint64_t>(out[2 * j + 1]));
    }
    double ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count();
    bool cold = ns > kColdNsPerKey * static_cast<double>(m);
    if (cold != hints) job->mapping->set_io_hints(cold);
  }
}

void ExecuteJob(napi_env, void* data) {
  AsyncJob* job = static_cast<AsyncJob*>(data);
  uintptr_t bad = 0;
  bool ran = !job->mapping->damaged() && Guarded([&] { RunJob(job); }, &bad);
  // A fault here, or one elsewhere in the mapping meanwhile (results may have read
  // zeros): the whole batch reports the truncation.
  if (!ran || job->mapping->damaged()) {
    job->failed = true;
    job->fault_key = 0;
    job->fault = TruncatedFault(job->mapping, ran ? 0 : bad);
  }
}

void SettleBatch(napi_env env, AsyncBatch* b) {
  if (b->failed) {
    napi_value err = MakeFaultError(env, b->fault, b->path);
    napi_reject_deferred(env, b->deferred, err);
  } else {
    napi_value ab, arr;
    void* data = nullptr;
    size_t count = b->results.size();
    if (napi_create_arraybuffer(env, count * sizeof(double), &data, &ab) != napi_ok ||
        napi_create_typedarray(env, napi_float64_array, count, ab, 0, &arr) != napi_ok) {
      bool pending = false;
      napi_value err = nullptr;
      napi_is_exception_pending(env, &pending);
      if (pending) napi_get_and_clear_last_exception(env, &err);
      if (err == nullptr) {
        napi_value msg;
        napi_create_string_utf8(env, "getManyAsync: cannot allocate the result", NAPI_AUTO_LENGTH, &msg);
        napi_create_range_error(env, nullptr, msg, &err);
      }
      napi_reject_deferred(env, b->deferred, err);
    } else {
      if (count > 0) std::memcpy(data, b->results.data(), count * sizeof(double));
      napi_resolve_deferred(env, b->deferred, arr);
    }
  }
  delete b;
}

void CompleteJob(napi_env env, napi_status status, void* data) {
  AsyncJob* job = static_cast<AsyncJob*>(data);
  AsyncBatch* b = job->batch;
  job->mapping->Unref();
  if (job->failed && (!b->failed || job->fault_key < b->fault_key)) {
    b->failed = true;
    b->fault_key = job->fault_key;
    b->fault = job->fault;
  }
  if (job->work != nullptr) napi_delete_async_work(env, job->work);
  delete job;
  if (--b->pending == 0) SettleBatch(env, b);
}

}  // namespace

// getMany(keys, out): first values of every key; out[2i], out[2i + 1] = offset, length
// or −1, 0. Returns the number found.
napi_value GetMany(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  Handle* h = MethodArgs(env, info, &argc, argv);
  if (h->mapping == nullptr) return ThrowClosed(env, h);
  uint32_t n = 0;
  if (!KeysLength(env, argv[0], &n)) return nullptr;
  double* out = nullptr;
  if (!OutArray(env, argv[1], 2 * static_cast<size_t>(n), &out)) return nullptr;
  // A getter on the array could call close(): this reference keeps the pages mapped.
  Mapping* m = h->mapping;
  m->Ref();
  const MmcdbFile& mm = h->mm;
  const ClassicFile& cl = h->cl;
  int64_t found = 0;
  KeyBytes spans[kSyncGroup];
  CdbFault fault;
  napi_value result = nullptr;
  for (uint32_t b = 0; b < n; b += kSyncGroup) {
    uint32_t count = n - b < kSyncGroup ? n - b : static_cast<uint32_t>(kSyncGroup);
    if (!ReadKeys(env, argv[0], b, count, &h->key_bytes, &h->key_ends)) goto done;
    // Reading keys can run JS (getters) that detaches or shrinks `out`: look again.
    if (!OutArray(env, argv[1], 2 * static_cast<size_t>(n), &out)) goto done;
    KeySpans(h->key_bytes, h->key_ends, spans);
    if (m->damaged()) {
      ThrowFault(env, TruncatedFault(m, 0), h->path);
      goto done;
    }
    int64_t r = 0;
    uintptr_t bad = 0;
    if (!Guarded([&] {
          r = h->is_mmcdb ? MmcdbFindMany(mm, spans, count, kSyncGroup, out + 2 * b, &fault, nullptr)
                          : ClassicFindMany(cl, spans, count, kSyncGroup, out + 2 * b, &fault, nullptr);
        }, &bad)) {
      ThrowFault(env, TruncatedFault(m, bad), h->path);
      goto done;
    }
    if (r < 0) {
      ThrowFault(env, fault, h->path);
      goto done;
    }
    found += r;
  }
  result = Int(env, found);
done:
  m->Unref();
  return result;
}

// getManyAsync(keys): copies the keys, then looks them up and touches their values'
// pages on the threadpool. Each job holds a mapping reference, so close() while jobs
// run is safe: they complete normally.
napi_value GetManyAsync(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  Handle* h = MethodArgs(env, info, &argc, argv);
  if (h->mapping == nullptr) return ThrowClosed(env, h);
  uint32_t n = 0;
  if (!KeysLength(env, argv[0], &n)) return nullptr;
  if (h->mapping->damaged()) return ThrowTruncated(env, h, 0);
  AsyncBatch* b = new AsyncBatch();
  std::vector<size_t> ends;
  if (!ReadKeys(env, argv[0], 0, n, &b->bytes, &ends)) {
    delete b;
    return nullptr;
  }
  if (h->mapping == nullptr) {  // a getter closed the handle
    delete b;
    return ThrowClosed(env, h);
  }
  b->keys.resize(n);
  KeySpans(b->bytes, ends, b->keys.data());
  b->results.assign(2 * static_cast<size_t>(n), 0);
  b->file.is_mmcdb = h->is_mmcdb;
  if (h->is_mmcdb) b->file.mm = h->mm; else b->file.cl = h->cl;
  b->file.base = h->mapping->data();
  b->path = h->path;
  napi_value promise;
  if (napi_create_promise(env, &b->deferred, &promise) != napi_ok) {
    delete b;
    return nullptr;
  }
  if (n == 0) {
    SettleBatch(env, b);
    return promise;
  }
  size_t jobs = (n + kMinKeysPerJob - 1) / kMinKeysPerJob;
  if (jobs > ThreadpoolSize()) jobs = ThreadpoolSize();
  size_t per = (n + jobs - 1) / jobs;
  napi_value name;
  napi_create_string_utf8(env, "mmcdb.getManyAsync", NAPI_AUTO_LENGTH, &name);
  std::vector<AsyncJob*> created;
  for (size_t begin = 0; begin < n; begin += per) {
    AsyncJob* job = new AsyncJob();
    job->batch = b;
    job->mapping = h->mapping;
    job->begin = begin;
    job->end = begin + per < n ? begin + per : n;
    if (napi_create_async_work(env, nullptr, name, ExecuteJob, CompleteJob, job, &job->work) != napi_ok) {
      delete job;
      for (AsyncJob* j : created) {
        napi_delete_async_work(env, j->work);
        delete j;
      }
      // The promise is dropped unsettled; the caller gets the exception instead.
      delete b;
      return nullptr;
    }
    created.push_back(job);
  }
  b->pending = static_cast<int>(created.size());
  for (AsyncJob* job : created) {
    job->mapping->Ref();
    if (napi_queue_async_work(env, job->work) != napi_ok) {
      job->failed = true;
      job->fault_key = job->begin;
      job->fault.Set("ERR_MMCDB_NATIVE_QUEUE", "getManyAsync: could not queue work on the threadpool", 0);
      CompleteJob(env, napi_generic_failure, job);
    }
  }
  return promise;
}

}  // namespace mmcdb
