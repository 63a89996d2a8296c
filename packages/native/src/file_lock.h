// Advisory locks on files, for build temp files (packages/core/src/build/atomic-file.ts):
// a live build holds an exclusive flock(2) on its temp file for as long as it writes it,
// so another build — in another PID namespace, a container sharing the volume, another
// host over NFS — can tell a live temp file from a dead build's leftover by trying the
// lock, instead of guessing from a PID it cannot see.
#pragma once
#include <node_api.h>

namespace mmcdb {

// lockFile(fd, exclusive): flock(fd, LOCK_EX or LOCK_SH | LOCK_NB). true = locked now;
// false = someone else holds a conflicting lock. Other errors throw (errno error). The
// lock goes with the descriptor: closing it releases the lock.
napi_value LockFile(napi_env env, napi_callback_info info);

}  // namespace mmcdb
