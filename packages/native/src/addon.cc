// @mmcdb/native: the export table. Features live in their own files:
// mapping (mmap + lifetime), mmcdb_lookup (FORMAT.md), classic_lookup (djb cdb),
// xxh64, handle (per-database methods), binding (open + test hooks), encode (the
// writer's bulk cdbmake path).
#include <napi.h>

#include "binding.h"
#include "encode.h"
#include "guard.h"
#include "shards.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("open", Napi::Function::New(env, mmcdb::Open, "open"));
  exports.Set("xxh64", Napi::Function::New(env, mmcdb::Xxh64Hook, "xxh64"));
  exports.Set("encodeCdbmake", Napi::Function::New(env, mmcdb::EncodeCdbmake, "encodeCdbmake"));
  exports.Set("djb", Napi::Function::New(env, mmcdb::DjbHook, "djb"));
  exports.Set("sigbusTest", Napi::Function::New(env, mmcdb::SigbusTestHook, "sigbusTest"));
  mmcdb::RegisterShards(env, exports);
  mmcdb::InstallSigbusGuard();
  return exports;
}

}  // namespace

NODE_API_MODULE(mmcdb, Init)
