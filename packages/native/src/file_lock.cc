#include "file_lock.h"

#include <errno.h>
#include <sys/file.h>

#include <cmath>

#include "errors.h"

namespace mmcdb {

napi_value LockFile(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok) return nullptr;
  double fd = -1;
  bool exclusive = true;
  if (argc < 1 || napi_get_value_double(env, argv[0], &fd) != napi_ok || !(fd >= 0) || fd > 2147483647.0 ||
      std::floor(fd) != fd) {
    return ThrowType(env, "fd must be a file descriptor (a non-negative integer)");
  }
  if (argc >= 2 && napi_get_value_bool(env, argv[1], &exclusive) != napi_ok) {
    return ThrowType(env, "exclusive must be a boolean");
  }
  int r;
  do {
    r = ::flock(static_cast<int>(fd), (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB);
  } while (r != 0 && errno == EINTR);
  if (r != 0 && errno != EWOULDBLOCK) return ThrowErrno(env, errno, "flock", "");
  napi_value result;
  if (napi_get_boolean(env, r == 0, &result) != napi_ok) return nullptr;
  return result;
}

}  // namespace mmcdb
