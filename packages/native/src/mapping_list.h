// mappings(): every file this process has mapped through the addon, for memory reports
// (the "mmap hides from heap reports" pitfall: mapped pages are in RSS, never in
// process.memoryUsage().heapUsed/external). @mmcdb/core's mappings() wraps it.
#pragma once
#include <node_api.h>

namespace mmcdb {

// mappings(): [{ path, fileBytes, mappedBytes, residentBytes, readers, views }], one per
// live mapping of the process (every thread's readers), in no particular order.
napi_value Mappings(napi_env env, napi_callback_info info);

}  // namespace mmcdb
