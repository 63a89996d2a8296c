// Every error the addon throws or rejects with.
//
// Data problems (ERR_CDB_*) are @mmcdb/core's CdbError itself: core hands its class to
// setErrorClass() once per env (worker threads each load the addon and call it), and
// errors are made with `new CdbError(code, message, { offset, path })` — the message
// without the "(path, offset N)" suffix, which CdbError's constructor appends. Without
// a class (the addon loaded directly, as the tests do) they are plain Errors with the
// same message and suffix, `code`, `offset` (when known) and `path`.
// System errors look like Node's fs errors: code = errno name, errno, syscall, path.
#pragma once
#include <node_api.h>

#include <string>

#include "common.h"

namespace mmcdb {

// Per-env state (napi_set_instance_data), set up by the module's init.
bool InitEnvData(napi_env env);

// setErrorClass(ctor | null): the class ERR_CDB_* errors are made with in this env.
napi_value SetErrorClass(napi_env env, napi_callback_info info);

// The CdbError for `fault` (its own path when set, else `path`); nullptr on failure.
napi_value MakeCdbError(napi_env env, const CdbFault& fault, const std::string& path);
// Throws it; returns nullptr for the callback to return.
napi_value ThrowCdbError(napi_env env, const CdbFault& fault, const std::string& path);
// A CdbError without an offset (ERR_CDB_CLOSED, ERR_CDB_TOO_LARGE, …).
napi_value ThrowCdb(napi_env env, const char* code, const std::string& message, const std::string& path);

napi_value MakeErrnoError(napi_env env, int err_no, const char* syscall, const std::string& path);
napi_value ThrowErrno(napi_env env, int err_no, const char* syscall, const std::string& path);

// A plain Error with `code`, for the addon's own failures (ERR_MMCDB_NATIVE_QUEUE).
napi_value MakeCodeError(napi_env env, const char* code, const std::string& message);

// TypeError (code ERR_INVALID_ARG_TYPE) / RangeError (ERR_OUT_OF_RANGE).
napi_value ThrowType(napi_env env, const std::string& message);
napi_value ThrowRange(napi_env env, const std::string& message);

// For rejecting a promise after a failed call: the pending exception (cleared), or a
// new plain Error with `fallback` when none is pending. nullptr when even that fails.
napi_value TakeException(napi_env env, const char* fallback);

}  // namespace mmcdb
