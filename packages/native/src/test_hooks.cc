#include "test_hooks.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <string>

#include "classic_lookup.h"
#include "errors.h"
#include "guard.h"
#include "napi_util.h"
#include "xxh64.h"

namespace mmcdb {
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

bool Bytes(napi_env env, napi_value v, TypedArrayInfo* t) {
  if (!GetTypedArray(env, v, t)) return ThrowType(env, "bytes must be a Uint8Array"), false;
  return true;
}

bool U32(napi_env env, napi_value v, uint32_t* out) {
  if (napi_get_value_uint32(env, v, out) != napi_ok) return ThrowType(env, "expected a number"), false;
  return true;
}

}  // namespace

napi_value Xxh64Hook(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  TypedArrayInfo t;
  uint32_t hi = 0, lo = 0;
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || !Bytes(env, argv[0], &t) ||
      !U32(env, argv[1], &hi) || !U32(env, argv[2], &lo)) {
    return nullptr;
  }
  napi_value r;
  uint64_t h = Xxh64(t.data, t.byte_length, (static_cast<uint64_t>(hi) << 32) | lo);
  return napi_create_bigint_uint64(env, h, &r) == napi_ok ? r : nullptr;
}

napi_value DjbHook(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  TypedArrayInfo t;
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || !Bytes(env, argv[0], &t)) return nullptr;
  return Number(env, DjbHash(t.data, t.byte_length));
}

// sigbusTest(path, mapLength, readOffset, chain). Maps `mapLength` bytes of `path`
// OUTSIDE the guard's registry and reads the byte at readOffset (beyond the end of the
// file: a SIGBUS that is not ours). chain true: a test handler is installed first and
// ours re-installed over it, so ours must chain to it: returns { value, previousCalls,
// previousAddressOk }. chain false: nothing before ours — the process must die of
// SIGBUS (run it in a child). readOffset must lie inside the mapped length.
napi_value SigbusTestHook(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok) return nullptr;
  char path[4096];
  size_t n = 0;
  uint64_t length = 0, offset = 0;
  bool chain = false;
  if (napi_get_value_string_utf8(env, argv[0], path, sizeof path, &n) != napi_ok) return ThrowType(env, "path must be a string");
  if (!ReadOffset(env, argv[1], "mapLength", &length) || !ReadOffset(env, argv[2], "readOffset", &offset)) return nullptr;
  if (napi_get_value_bool(env, argv[3], &chain) != napi_ok) return ThrowType(env, "chain must be a boolean");
  if (length == 0 || offset >= length) return ThrowRange(env, "readOffset must lie inside mapLength (> 0)");
  int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ThrowErrno(env, errno, "open", path);
  void* p = ::mmap(nullptr, length, PROT_READ, MAP_PRIVATE, fd, 0);
  int e = errno;
  ::close(fd);
  if (p == MAP_FAILED) return ThrowErrno(env, e, "mmap", path);
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
  if (chain) {
    // Back to: ours on top of what was there before the test.
    struct sigaction ignored;
    RestorePreviousSigbusForTesting(&ignored);
    sigaction(SIGBUS, &saved_previous, nullptr);
    ReinstallSigbusGuardForTesting();
  }
  ::munmap(p, length);
  napi_value r;
  if (napi_create_object(env, &r) != napi_ok || !SetNumber(env, r, "value", value) ||
      !SetNumber(env, r, "previousCalls", g_test_handler_calls.load()) ||
      !SetProperty(env, r, "previousAddressOk", Bool(env, g_test_handler_address.load() == expected))) {
    return nullptr;
  }
  return r;
}

}  // namespace mmcdb
