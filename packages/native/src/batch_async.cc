// getManyAsync: the lookups of getMany plus a touch of every value page, on the libuv
// threadpool, split into up to UV_THREADPOOL_SIZE jobs. Keys are copied on the JS
// thread first; a job touches only its copies, a copy of the DbFile and the mapping it
// holds a reference on — never the Handle, which close() and gc may take away.
#include <chrono>
#include <cstdlib>
#include <cstring>

#include "batch.h"
#include "batch_willneed.h"
#include "errors.h"
#include "handle.h"
#include "inline_budget.h"
#include "napi_util.h"
#include "next_turn.h"
#include "paging.h"
#include "residency_map.h"

namespace mmcdb {
namespace {

// Keys in flight per group on the threadpool (cold data: page reads requested together).
constexpr size_t kAsyncGroup = 64;
// A threadpool hop costs ~20 µs: no job gets fewer keys than this.
constexpr size_t kMinKeysPerJob = 16;
// 'willneed' jobs request all of their keys' pages at once: fewer, wider jobs.
constexpr size_t kMinKeysPerWillneedJob = 256;
// Page hints on or off (Mapping::io_hints): a group of resident keys takes ~0.2 µs a
// key without hints and ~1.3 µs with them; one that waits for the disk takes 20–100 µs
// a key. A hinted group under this many ns a key turns hints off; an unhinted group
// over it (two or more page reads in a group of 64) turns them back on.
constexpr double kColdNsPerKey = 3000;
// 'willneed' jobs: requesting every step of a key costs ~1 µs a step (three madvise calls
// a key) even when the pages are resident, so the wide rounds turn hints off only under
// this many ns a key — still far below a disk read (20–100 µs). Jobs of fewer keys than
// kMinWideKeys have nothing to gain from rounds and take the groups' way.
constexpr double kWideColdNsPerKey = 10000;
constexpr size_t kMinWideKeys = 16;
// RunResident's largest batch: two slices (reader/async-batch.ts NATIVE_SLICE_KEYS, 1,024)
// of resident keys, ≈ 0.3 ms.
constexpr size_t kMaxInlineKeys = 2048;

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
  DbFile file;
  std::string path;
  std::vector<uint8_t> bytes;
  std::vector<KeyBytes> keys;
  std::vector<double> results;  // 2 per key, the layout of getMany's out
  bool willneed = false;        // the 'willneed' lookups (batch_willneed.h), else groups of kAsyncGroup
  napi_ref cancel_ref = nullptr;  // the cancel flag's Int32Array, kept alive while jobs read it
  const int32_t* cancel = nullptr;
  int pending = 0;              // jobs not completed (touched on the JS thread only)
  bool failed = false;
  bool queue_failed = false;    // the failure is ours (ERR_MMCDB_NATIVE_QUEUE), not the file's
  size_t fault_key = 0;         // the lowest key index that met corruption
  CdbFault fault;
};

struct AsyncJob {
  AsyncBatch* batch = nullptr;
  Mapping* mapping = nullptr;  // this job's own reference
  size_t begin = 0, end = 0;
  napi_async_work work = nullptr;
  bool failed = false;
  bool queue_failed = false;
  bool resident = false;  // run by RunResident: the pages are known resident, no hints
  size_t fault_key = 0;
  CdbFault fault;
};

// The lookups and page touches of one job (run under the SIGBUS guard).
void RunJob(AsyncJob* job) {
  AsyncBatch* b = job->batch;
  const DbFile& f = b->file;
  const Mapping* mapping = job->mapping;
  if (!job->resident && b->willneed && mapping->io_hints() && job->end - job->begin >= kMinWideKeys) {
    // Hints on (cold pages): the whole job's reads in flight at once.
    size_t m = job->end - job->begin;
    auto t0 = std::chrono::steady_clock::now();
    size_t bad_key = 0;
    if (!WillneedLookups(f, mapping, b->keys.data() + job->begin, m, b->results.data() + 2 * job->begin, &job->fault,
                         &bad_key, b->cancel)) {
      job->failed = true;
      job->fault_key = job->begin + bad_key;
      return;
    }
    double ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count();
    if (ns <= kWideColdNsPerKey * static_cast<double>(m)) job->mapping->set_io_hints(false);
    return;
  }
  for (size_t at = job->begin; at < job->end && !Cancelled(b->cancel); at += kAsyncGroup) {
    size_t m = job->end - at < kAsyncGroup ? job->end - at : kAsyncGroup;
    double* out = b->results.data() + 2 * at;
    const bool hints = !job->resident && mapping->io_hints();
    auto t0 = std::chrono::steady_clock::now();
    if (f.FindMany(b->keys.data() + at, m, kAsyncGroup, out, &job->fault, hints ? WillNeedHint : nullptr) < 0) {
      job->failed = true;
      job->fault_key = at;
      return;
    }
    // Request every value of the group, then fault each page in here — through the
    // views mapping, the memory JS will read them from (values lie in the data section,
    // so it has them; found values mean it exists).
    for (size_t j = 0; hints && j < m; j++) {
      if (out[2 * j] >= 0 && out[2 * j + 1] > 0) {
        WillNeedHint(mapping->view(static_cast<uint64_t>(out[2 * j])), static_cast<uint64_t>(out[2 * j + 1]));
      }
    }
    for (size_t j = 0; j < m; j++) {
      if (out[2 * j] >= 0 && out[2 * j + 1] > 0) {
        TouchPages(mapping->view(static_cast<uint64_t>(out[2 * j])), static_cast<uint64_t>(out[2 * j + 1]));
      }
    }
    double ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count();
    bool cold = ns > kColdNsPerKey * static_cast<double>(m);
    if (job->resident) continue;
    if (cold != hints) job->mapping->set_io_hints(cold);  // (the only write: an atomic)
    if (b->willneed && cold && job->end - (at + m) >= kMinWideKeys) {  // cold after all: the rest the wide way
      job->begin = at + m;
      return RunJob(job);
    }
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

// Resolves or rejects the batch's promise and frees it. When the env is going away the
// calls fail; the memory is freed all the same.
void SettleBatch(napi_env env, AsyncBatch* b) {
  napi_value err = nullptr, arr = nullptr;
  if (b->failed) {
    err = b->queue_failed ? MakeCodeError(env, "ERR_MMCDB_NATIVE_QUEUE", b->fault.message)
                          : MakeCdbError(env, b->fault, b->path);
  } else {
    napi_value ab;
    void* data = nullptr;
    size_t count = b->results.size();
    if (napi_create_arraybuffer(env, count * sizeof(double), &data, &ab) == napi_ok &&
        napi_create_typedarray(env, napi_float64_array, count, ab, 0, &arr) == napi_ok) {
      if (count > 0) std::memcpy(data, b->results.data(), count * sizeof(double));
    } else {
      arr = nullptr;
    }
  }
  if (arr != nullptr) {
    DropTeardownStatus(napi_resolve_deferred(env, b->deferred, arr));
  } else {
    if (err == nullptr) err = TakeException(env, "getManyAsync: cannot make the result");
    if (err != nullptr) DropTeardownStatus(napi_reject_deferred(env, b->deferred, err));
  }
  if (b->cancel_ref != nullptr) DropTeardownStatus(napi_delete_reference(env, b->cancel_ref));
  delete b;
}

void CompleteJob(napi_env env, napi_status, void* data) {
  AsyncJob* job = static_cast<AsyncJob*>(data);
  AsyncBatch* b = job->batch;
  job->mapping->Unref();
  if (job->failed && (!b->failed || job->fault_key < b->fault_key)) {
    b->failed = true;
    b->queue_failed = job->queue_failed;
    b->fault_key = job->fault_key;
    b->fault = job->fault;
  }
  if (job->work != nullptr) DropTeardownStatus(napi_delete_async_work(env, job->work));
  delete job;
  if (--b->pending == 0) SettleBatch(env, b);
}

void SettleLater(napi_env env, void* b) { SettleBatch(env, static_cast<AsyncBatch*>(b)); }
void DropLater(void* b) { delete static_cast<AsyncBatch*>(b); }

// Either mode on a file known resident in whole (the handle's sweep, residency_map.h):
// the lookups and page touches run here, in the call — no pool thread — and the batch
// settles at once within the loop tick's inline budget (inline_budget.h), else on the
// next turn (*later; next_turn.h). A warm batch handed to the pool cost a hop and, on
// 2 vCPUs, the pool threads' competition with the JS thread for the CPU: one
// getManyAsync() call was seen to take 3.8 ms (bench/RESULTS.md §mmap, pread or
// io_uring, warm; 'threadpool' with 16 or 64 threads held the loop 7–10 ms). False
// (nothing done) otherwise.
bool RunResident(napi_env env, Handle* h, AsyncBatch* b, bool* later) {
  uv_loop_t* loop = nullptr;
  if (b->keys.size() > kMaxInlineKeys || napi_get_uv_event_loop(env, &loop) != napi_ok) return false;
  if (h->warm_sweep == nullptr) {
    h->warm_sweep = new ResidencyMap();
    h->warm_sweep->Init(h->mapping->data(), h->mapping->size());
  }
  const int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
  if (!h->warm_sweep->AllResident(now_ms)) return false;
  // Over the loop tick's budget: answered now all the same, settled on the next turn.
  *later = !InlineAllowed(loop);
  AsyncJob job;
  job.batch = b;
  job.mapping = h->mapping;
  job.end = b->keys.size();
  job.resident = true;
  ExecuteJob(env, &job);
  if (job.failed) {
    b->failed = true;
    b->fault_key = job.fault_key;
    b->fault = job.fault;
  }
  return true;
}

}  // namespace

// getManyAsync(keys, mode?, cancel?): copies the keys, then looks them up and touches
// their values' pages on the threadpool; mode 'threadpool' (default) or 'willneed'.
// Each job holds a mapping reference, so close() while jobs run is safe: they complete
// normally. cancel[0] ≠ 0 (an Int32Array): the jobs stop early and the batch resolves
// with what it has (the caller has given up on it).
napi_value GetManyAsync(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  Handle* h = MethodArgs(env, info, &argc, argv);
  if (h == nullptr) return nullptr;
  if (h->mapping == nullptr) return ThrowClosed(env, h);
  bool willneed = false;
  int32_t* cancel = nullptr;
  if (!ReadAsyncMode(env, argv[1], &willneed) || !ReadCancelFlag(env, argv[2], &cancel)) return nullptr;
  uint32_t n = 0;
  if (!KeysLength(env, argv[0], &n)) return nullptr;
  // Every key first, into the batch's own buffers (getters run JS: batch.h ReadKeys);
  // the handle's state only afterwards.
  AsyncBatch* b = new AsyncBatch();
  std::vector<size_t> ends;
  uintptr_t key_fault = 0;
  if (!ReadKeys(env, argv[0], n, &b->bytes, &ends, &key_fault)) {
    delete b;
    return key_fault != 0 && h->mapping != nullptr ? ThrowTruncated(env, h, key_fault) : nullptr;
  }
  if (h->mapping == nullptr || h->mapping->damaged()) {  // a getter closed the handle / the file shrank
    delete b;
    return h->mapping == nullptr ? ThrowClosed(env, h) : ThrowTruncated(env, h, 0);
  }
  b->keys.resize(n);
  KeySpans(b->bytes, ends, b->keys.data());
  b->results.assign(2 * static_cast<size_t>(n), 0);
  b->file = h->file;
  b->path = h->path;
  b->willneed = willneed;
  if (cancel != nullptr && napi_create_reference(env, argv[2], 1, &b->cancel_ref) != napi_ok) {
    delete b;
    return nullptr;
  }
  b->cancel = cancel;
  napi_value promise;
  if (napi_create_promise(env, &b->deferred, &promise) != napi_ok) {
    if (b->cancel_ref != nullptr) napi_delete_reference(env, b->cancel_ref);
    delete b;
    return nullptr;
  }
  bool later = false;
  if (n == 0 || RunResident(env, h, b, &later)) {
    if (!later || !SettleNextTurn(env, SettleLater, DropLater, b)) SettleBatch(env, b);
    return promise;
  }
  const size_t least = willneed ? kMinKeysPerWillneedJob : kMinKeysPerJob;
  size_t jobs = (n + least - 1) / least;
  if (jobs > ThreadpoolSize()) jobs = ThreadpoolSize();
  size_t per = (n + jobs - 1) / jobs;
  napi_value name = String(env, "mmcdb.getManyAsync");
  std::vector<AsyncJob*> created;
  for (size_t begin = 0; begin < n; begin += per) {
    AsyncJob* job = new AsyncJob();
    job->batch = b;
    job->mapping = h->mapping;
    job->begin = begin;
    job->end = begin + per < n ? begin + per : n;
    if (name == nullptr ||
        napi_create_async_work(env, nullptr, name, ExecuteJob, CompleteJob, job, &job->work) != napi_ok) {
      delete job;
      for (AsyncJob* j : created) {
        DropTeardownStatus(napi_delete_async_work(env, j->work));
        delete j;
      }
      // The promise is dropped unsettled; the caller gets the exception instead.
      if (b->cancel_ref != nullptr) napi_delete_reference(env, b->cancel_ref);
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
      job->queue_failed = true;
      job->fault_key = job->begin;
      job->fault.SetNoOffset("ERR_MMCDB_NATIVE_QUEUE", "getManyAsync: could not queue work on the threadpool");
      CompleteJob(env, napi_generic_failure, job);
    }
  }
  return promise;
}

}  // namespace mmcdb
