// @mmcdb/native: the export table. Everything else lives in its own file — open.cc
// (open), handle*.cc / lookup.cc / scan.cc / segments.cc / batch*.cc / pages.cc (the handle's
// methods), mapping + guard (mmap, SIGBUS), mmcdb_lookup / classic_lookup (the formats),
// mapping_list (mappings()), uncounted_buffer (views V8 does not count), errors (CdbError), encode (the writer's bulk cdbmake path), file_lock (build temp files),
// shards / shard_encode / shard_index (sharded sets: routing, encoding, route-and-look-up),
// test_hooks (test addon only).
#include <node_api.h>

#include "encode.h"
#include "errors.h"
#include "file_lock.h"
#include "guard.h"
#include "mapping_list.h"
#include "open.h"
#include "shards.h"
#ifdef MMCDB_V8_API
#include "fast_calls.h"
#endif
#ifdef MMCDB_TEST_HOOKS
#include "test_hooks.h"
#endif

NAPI_MODULE_INIT() {
  static const napi_property_descriptor kExports[] = {
      {"open", nullptr, mmcdb::Open, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"encodeCdbmake", nullptr, mmcdb::EncodeCdbmake, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"setErrorClass", nullptr, mmcdb::SetErrorClass, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"lockFile", nullptr, mmcdb::LockFile, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"shardRoute", nullptr, mmcdb::ShardRoute, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"shardEncode", nullptr, mmcdb::ShardEncode, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"shardRouter", nullptr, mmcdb::ShardRouter, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"shardIndex", nullptr, mmcdb::ShardIndex, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"mappings", nullptr, mmcdb::Mappings, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
#ifdef MMCDB_TEST_HOOKS
      {"xxh64", nullptr, mmcdb::Xxh64Hook, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"djb", nullptr, mmcdb::DjbHook, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"sigbusTest", nullptr, mmcdb::SigbusTestHook, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
#endif
  };
  if (!mmcdb::InitEnvData(env) ||
      napi_define_properties(env, exports, sizeof kExports / sizeof kExports[0], kExports) != napi_ok) {
    return nullptr;
  }
  // Which build this is (index.cjs reports it as nativeFlavor): the Node-API addon, or the
  // V8-API one built for this Node ABI only (binding.gyp mmcdb_v8_abi<ABI>).
#ifdef MMCDB_V8_API
  const char* flavor = "v8";
  if (!mmcdb::InitFastCalls(env)) return nullptr;
#else
  const char* flavor = "napi";
#endif
  napi_value flavor_value;
  if (napi_create_string_utf8(env, flavor, NAPI_AUTO_LENGTH, &flavor_value) != napi_ok ||
      napi_set_named_property(env, exports, "flavor", flavor_value) != napi_ok) {
    return nullptr;
  }
  mmcdb::InstallSigbusGuard();
  return exports;
}
