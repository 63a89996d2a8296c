#include "binding.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>

#include "handle.h"
#include "napi_util.h"
#include "paging.h"
#include "xxh64.h"

namespace mmcdb {
namespace {

// Node 20 refuses external ArrayBuffers of 2^32 bytes or more (and a failed create
// double-frees in node-addon-api), so no segment is ever larger than 2^32 − 1 bytes.
constexpr uint64_t kMaxSegment = (1ULL << 32) - 1;
// Window sizes: see kWindow in handle.h.


// The segment list handed to JS. A file under 4 GiB gets its one segment now (the fast
// path). A windowed file gets a list of `count` holes that JS fills through the handle's
// segment(i): creating an external ArrayBuffer reports its whole length to V8 as external
// memory, which triggers garbage collections — measured here, eagerly creating the five
// 4 GiB windows of a 10 GiB file made open() take 22 ms; lazily, open is O(1) and only
// the windows that values are read from are ever created.
napi_value MakeSegments(napi_env env, Handle* h, bool allow_external) {
  const uint64_t size = h->mapping->size();
  // Window i covers [i × stride, i × stride + window): ceil(size / stride) of them, so that
  // every offset below size has its window floor(offset / stride).
  uint32_t count = 1;
  if (size > h->window) count = static_cast<uint32_t>((size + h->stride - 1) / h->stride);
  h->external_buffers = allow_external;
  h->segment_count = allow_external ? count : 0;
  napi_value list;
  if (!allow_external) {
    napi_create_array(env, &list);
    return list;
  }
  napi_create_array_with_length(env, count, &list);
  if (count == 1) {
    napi_value ab = MakeSegment(env, h, 0);
    if (ab != nullptr) napi_set_element(env, list, 0, ab);
    else napi_create_array(env, &list);  // refused (V8 sandbox): copy() serves every value
  }
  return list;
}

bool BoolOption(Napi::Object opts, const char* name, bool dflt) {
  Napi::Value v = opts.Get(name);
  return v.IsBoolean() ? v.As<Napi::Boolean>().Value() : dflt;
}

double NumberOption(Napi::Object opts, const char* name, double dflt) {
  Napi::Value v = opts.Get(name);
  return v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : dflt;
}

}  // namespace

Napi::Value Open(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString()) return Napi::Value(env, ThrowType(env, "path must be a string"));
  std::string path = info[0].As<Napi::String>().Utf8Value();
  // Options (test hooks): externalBuffers: false simulates a V8 sandbox;
  // windowSize / windowStride force windowed segments on a small file.
  // Production option: advice ('normal' | 'random' | 'sequential'), madvise'd over the
  // whole mapping right after mmap; absent = the kernel's default (normal).
  bool allow_external = true;
  double window = 0, stride = 0;
  int advice = -1;
  if (info[1].IsObject()) {
    Napi::Object opts = info[1].As<Napi::Object>();
    allow_external = BoolOption(opts, "externalBuffers", true);
    window = NumberOption(opts, "windowSize", 0);
    stride = NumberOption(opts, "windowStride", 0);
    Napi::Value a = opts.Get("advice");
    if (!a.IsUndefined()) {
      if (!a.IsString()) return Napi::Value(env, ThrowType(env, "options.advice must be a string"));
      advice = AdviceFromName(a.As<Napi::String>().Utf8Value().c_str(), true);
      if (advice < 0) {
        return Napi::Value(env, ThrowRange(env, "options.advice must be 'normal', 'random' or 'sequential'"));
      }
    }
  }
  int err_no = 0;
  const char* syscall = "open";
  Mapping* m = Mapping::Open(path.c_str(), &err_no, &syscall);
  if (m == nullptr) return Napi::Value(env, ThrowErrno(env, err_no, syscall, path));
  if (advice >= 0) {
    int e = AdviseRange(m->data(), 0, m->size(), advice);
    if (e != 0) {
      m->Unref();
      return Napi::Value(env, ThrowErrno(env, e, "madvise", path));
    }
  }
  Handle* h = new Handle();  // owns the mapping reference from here on
  h->mapping = m;
  h->path = path;
  CdbFault fault;
  const uint8_t* base = m->data();
  uint64_t size = m->size();
  // §Header magic → mmcdb; otherwise classic detection (classic-cdb.md §Layout).
  bool ok = false, magic = false;
  uintptr_t bad = 0;
  // The file may shrink between fstat and these reads: guarded like every lookup.
  bool ran = Guarded(
      [&] {
        magic = HasMmcdbMagic(base, size);
        if (magic || size < kClassicTocSize) {
          h->is_mmcdb = true;
          ok = MmcdbOpen(base, size, &h->mm, &fault);
        } else {
          h->is_mmcdb = false;
          ok = ClassicOpen(base, size, &h->cl, &fault);
        }
      },
      &bad);
  if (!ran) {
    fault = TruncatedFault(m, bad);
    ok = false;
  } else if (!ok && h->is_mmcdb && !magic && std::string(fault.code) == "ERR_CDB_FORMAT") {
    fault.message = "not an mmcdb or cdb file (" + std::to_string(size) + " bytes)";
  }
  if (!ok) {
    delete h;
    return Napi::Value(env, ThrowFault(env, fault, path));
  }
  if (size <= kSingleSegmentMax) {
    h->stride = 1ULL << 32;
    h->window = size;
  } else {
    h->stride = kWindowStride;
    h->window = kWindow;
  }
  if (window > 0 && stride > 0 && stride <= window && window <= static_cast<double>(kMaxSegment)) {
    h->stride = static_cast<uint64_t>(stride);
    h->window = static_cast<uint64_t>(window);
  }
  napi_value segments = MakeSegments(env, h, allow_external);
  // The shared output array: 256 (offset, length) pairs until setOut() replaces it.
  napi_value ab, out;
  napi_create_arraybuffer(env, 512 * sizeof(double), nullptr, &ab);
  napi_create_typedarray(env, napi_float64_array, 512, ab, 0, &out);
  if (!SetOutArray(env, h, out)) {
    delete h;
    return env.Null();
  }
  napi_value obj = MakeHandleObject(env, h);  // owns h from here on
  if (obj == nullptr) return env.Null();
  Napi::Object o(env, obj);
  o.Set("format", h->is_mmcdb ? "mmcdb" : "classic");
  o.Set("fileSize", static_cast<double>(size));
  o.Set("segments", Napi::Value(env, segments));
  o.Set("segmentStride", static_cast<double>(h->stride));
  o.Set("externalBuffers", h->external_buffers);
  o.Set("out", Napi::Value(env, out));
  return o;
}

Napi::Value Xxh64Hook(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsTypedArray()) return Napi::Value(env, ThrowType(env, "bytes must be a Uint8Array"));
  Napi::TypedArray ta = info[0].As<Napi::TypedArray>();
  const uint8_t* p = static_cast<const uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
  uint64_t hi = static_cast<uint32_t>(info[1].ToNumber().Int64Value());
  uint64_t lo = static_cast<uint32_t>(info[2].ToNumber().Int64Value());
  return Napi::BigInt::New(env, Xxh64(p, ta.ByteLength(), (hi << 32) | lo));
}

Napi::Value DjbHook(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsTypedArray()) return Napi::Value(env, ThrowType(env, "bytes must be a Uint8Array"));
  Napi::TypedArray ta = info[0].As<Napi::TypedArray>();
  const uint8_t* p = static_cast<const uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
  return Napi::Number::New(env, DjbHash(p, ta.ByteLength()));
}

bool ReinstallSigbusGuardForTesting();
bool RestorePreviousSigbusForTesting(struct sigaction* previous);

namespace {

std::atomic<uintptr_t> g_test_handler_address{0};
std::atomic<int> g_test_handler_calls{0};

// The "previous" SIGBUS handler of the chaining test: records the fault and maps a
// zero page over it, so the read can go on.
void TestPreviousHandler(int, siginfo_t* info, void*) {
  uintptr_t a = reinterpret_cast<uintptr_t>(info->si_addr);
  g_test_handler_address.store(a);
  g_test_handler_calls.fetch_add(1);
  uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  mmap(reinterpret_cast<void*>(a & ~(page - 1)), page, PROT_READ | PROT_WRITE,
       MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

}  // namespace

// Test hook: sigbusTest(path, mapLength, readOffset, chain). Maps `mapLength` bytes of
// `path` OUTSIDE the guard's registry and reads the byte at readOffset (beyond the end
// of the file: a SIGBUS that is not ours). chain true: a test handler is installed
// first and ours re-installed over it, so ours must chain to it: returns { value,
// previousCalls, previousAddressOk }. chain false: nothing before ours — the process
// must die of SIGBUS (run it in a child).
Napi::Value SigbusTestHook(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path = info[0].As<Napi::String>().Utf8Value();
  uint64_t length = static_cast<uint64_t>(info[1].As<Napi::Number>().Int64Value());
  uint64_t offset = static_cast<uint64_t>(info[2].As<Napi::Number>().Int64Value());
  bool chain = info[3].ToBoolean().Value();
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Napi::Value(env, ThrowErrno(env, errno, "open", path));
  void* p = ::mmap(nullptr, length, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (p == MAP_FAILED) return Napi::Value(env, ThrowErrno(env, errno, "mmap", path));
  InstallSigbusGuard();
  struct sigaction saved_previous {};
  if (chain) {
    // Ours → previous; then the test handler; then ours again on top of it.
    RestorePreviousSigbusForTesting(&saved_previous);
    struct sigaction test {};
    test.sa_sigaction = TestPreviousHandler;
    test.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&test.sa_mask);
    sigaction(SIGBUS, &test, nullptr);
    ReinstallSigbusGuardForTesting();
  }
  g_test_handler_calls.store(0);
  g_test_handler_address.store(0);
  const volatile uint8_t* v = static_cast<const uint8_t*>(p);
  uint8_t value = v[offset];
  uintptr_t expected = reinterpret_cast<uintptr_t>(p) + offset;
  Napi::Object r = Napi::Object::New(env);
  r.Set("value", static_cast<double>(value));
  r.Set("previousCalls", static_cast<double>(g_test_handler_calls.load()));
  r.Set("previousAddressOk", g_test_handler_address.load() == expected);
  if (chain) {
    // Back to: ours on top of what was there before the test.
    struct sigaction ignored;
    RestorePreviousSigbusForTesting(&ignored);
    sigaction(SIGBUS, &saved_previous, nullptr);
    ReinstallSigbusGuardForTesting();
  }
  ::munmap(p, length);
  return r;
}

}  // namespace mmcdb
