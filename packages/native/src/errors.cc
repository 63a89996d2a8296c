#include "errors.h"

#include <uv.h>

#include "napi_util.h"

namespace mmcdb {
namespace {

struct EnvData {
  napi_ref error_class = nullptr;
};

void FinalizeEnvData(napi_env env, void* data, void*) {
  EnvData* d = static_cast<EnvData*>(data);
  // During teardown Node may refuse; it then frees the reference itself.
  if (d->error_class != nullptr) DropTeardownStatus(napi_delete_reference(env, d->error_class));
  delete d;
}

EnvData* GetEnvData(napi_env env) {
  void* data = nullptr;
  return napi_get_instance_data(env, &data) == napi_ok ? static_cast<EnvData*>(data) : nullptr;
}

// The class set by setErrorClass, or nullptr.
napi_value ErrorClass(napi_env env) {
  EnvData* d = GetEnvData(env);
  napi_value ctor = nullptr;
  if (d == nullptr || d->error_class == nullptr || napi_get_reference_value(env, d->error_class, &ctor) != napi_ok) {
    return nullptr;
  }
  return ctor;
}

// What CdbError's constructor appends: " (path, offset N)".
std::string Suffix(const CdbFault& fault, const std::string& path) {
  return " (" + path + (fault.has_offset ? ", offset " + Num(fault.offset) : "") + ")";
}

napi_value Throw(napi_env env, napi_value err) {
  // A failed throw means the env cannot run JS any more: nothing else to do.
  if (err != nullptr && napi_throw(env, err) != napi_ok) return nullptr;
  return nullptr;
}

}  // namespace

bool InitEnvData(napi_env env) {
  // The module can be initialised twice in one env (loaded again under another path):
  // keep the data, and the class, of the first.
  if (GetEnvData(env) != nullptr) return true;
  EnvData* d = new EnvData();
  if (napi_set_instance_data(env, d, FinalizeEnvData, nullptr) != napi_ok) {
    delete d;
    return false;
  }
  return true;
}

napi_value SetErrorClass(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok) return nullptr;
  napi_valuetype t;
  if (napi_typeof(env, argv[0], &t) != napi_ok) return nullptr;
  if (t != napi_function && t != napi_null && t != napi_undefined) {
    return ThrowType(env, "setErrorClass: the argument must be a class (constructor) or null");
  }
  EnvData* d = GetEnvData(env);
  if (d == nullptr) return ThrowType(env, "setErrorClass: the addon is not initialised in this env");
  napi_ref ref = nullptr;
  if (t == napi_function && napi_create_reference(env, argv[0], 1, &ref) != napi_ok) return nullptr;
  napi_ref old = d->error_class;
  d->error_class = ref;
  if (old != nullptr && napi_delete_reference(env, old) != napi_ok) return nullptr;
  return Undefined(env);
}

napi_value MakeCdbError(napi_env env, const CdbFault& fault, const std::string& default_path) {
  const std::string& path = fault.path.empty() ? default_path : fault.path;
  const char* code = fault.code != nullptr ? fault.code : "ERR_CDB_CORRUPT";
  napi_value ctor = ErrorClass(env);
  napi_value err = nullptr;
  if (ctor != nullptr) {
    napi_value options;
    if (napi_create_object(env, &options) != napi_ok || !SetProperty(env, options, "path", String(env, path)) ||
        (fault.has_offset && !SetNumber(env, options, "offset", static_cast<double>(fault.offset)))) {
      return nullptr;
    }
    napi_value args[3] = {String(env, code), String(env, fault.message), options};
    if (args[0] == nullptr || args[1] == nullptr || napi_new_instance(env, ctor, 3, args, &err) != napi_ok) {
      return nullptr;
    }
    return err;
  }
  napi_value code_v = String(env, code), msg = String(env, fault.message + Suffix(fault, path));
  if (code_v == nullptr || msg == nullptr || napi_create_error(env, code_v, msg, &err) != napi_ok) return nullptr;
  if ((fault.has_offset && !SetNumber(env, err, "offset", static_cast<double>(fault.offset))) ||
      !SetProperty(env, err, "path", String(env, path))) {
    return nullptr;
  }
  return err;
}

napi_value ThrowCdbError(napi_env env, const CdbFault& fault, const std::string& path) {
  return Throw(env, MakeCdbError(env, fault, path));
}

napi_value ThrowCdb(napi_env env, const char* code, const std::string& message, const std::string& path) {
  CdbFault f;
  f.SetNoOffset(code, message);
  return ThrowCdbError(env, f, path);
}

napi_value MakeErrnoError(napi_env env, int err_no, const char* syscall, const std::string& path) {
  const char* name = uv_err_name(-err_no);
  std::string msg = std::string(name) + ": " + uv_strerror(-err_no) + ", " + syscall + " '" + path + "'";
  napi_value err, code = String(env, name), text = String(env, msg);
  if (code == nullptr || text == nullptr || napi_create_error(env, code, text, &err) != napi_ok) return nullptr;
  napi_value num;
  if (napi_create_int32(env, -err_no, &num) != napi_ok || !SetProperty(env, err, "errno", num) ||
      !SetProperty(env, err, "syscall", String(env, syscall)) || !SetProperty(env, err, "path", String(env, path))) {
    return nullptr;
  }
  return err;
}

napi_value ThrowErrno(napi_env env, int err_no, const char* syscall, const std::string& path) {
  return Throw(env, MakeErrnoError(env, err_no, syscall, path));
}

napi_value MakeCodeError(napi_env env, const char* code, const std::string& message) {
  napi_value err, c = String(env, code), m = String(env, message);
  if (c == nullptr || m == nullptr || napi_create_error(env, c, m, &err) != napi_ok) return nullptr;
  return err;
}

napi_value ThrowType(napi_env env, const std::string& message) {
  // A failed throw: the env cannot run JS any more; the callback returns either way.
  if (napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", message.c_str()) != napi_ok) return nullptr;
  return nullptr;
}

napi_value ThrowRange(napi_env env, const std::string& message) {
  if (napi_throw_range_error(env, "ERR_OUT_OF_RANGE", message.c_str()) != napi_ok) return nullptr;
  return nullptr;
}

napi_value TakeException(napi_env env, const char* fallback) {
  bool pending = false;
  napi_value err = nullptr;
  if (napi_is_exception_pending(env, &pending) == napi_ok && pending &&
      napi_get_and_clear_last_exception(env, &err) == napi_ok && err != nullptr) {
    return err;
  }
  napi_value msg = String(env, fallback);
  if (msg == nullptr || napi_create_error(env, nullptr, msg, &err) != napi_ok) return nullptr;
  return err;
}

}  // namespace mmcdb
