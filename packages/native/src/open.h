// open(path, options?) → NativeHandle (index.d.ts).
#pragma once
#include <node_api.h>

namespace mmcdb {

napi_value Open(napi_env env, napi_callback_info info);

}  // namespace mmcdb
