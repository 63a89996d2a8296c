# Two addons from the same sources, raw Node-API (node_api.h) only:
# - mmcdb: the production addon (build/Release/mmcdb.node, the one prebuilds ship and
#   node-gyp-build loads).
# - mmcdb_test: the same plus test hooks (xxh64, djb, sigbusTest), compiled with
#   -DMMCDB_TEST_HOOKS into build/Release/mmcdb_test.node. Only the tests load it
#   (test/native/helpers/native.ts). node-gyp-build and prebuildify take the first .node
#   file of build/Release in name order, which is mmcdb.node ('.' sorts before '_'); the
#   loader (index.js) also refuses a module that exports test hooks.
# - mmcdb_v8_abi<NODE_MODULE_VERSION>: the V8-API flavour, only when
#   scripts/v8-fast-header.mjs finds (or has cached) v8-fast-api-calls.h of exactly the
#   V8 in use: the lookups as V8 fast API calls (src/fast_calls.cc) and segment buffers V8
#   does not count (src/uncounted_buffer.cc, -DMMCDB_V8_API). Built against V8's C++ API,
#   it loads on this Node ABI only; index.cjs loads it there (MMCDB_NATIVE_FLAVOR) and
#   mmcdb.node everywhere else.
{
  "variables": {
    "mmcdb_v8_include": "<!(node scripts/v8-fast-header.mjs --include-dir)",
    # asyncIo 'uring' (src/uring_*.cc) when liburing is found (scripts/has-liburing.cjs:
    # Linux, liburing.h and liburing.a), linked statically (its symbols not exported);
    # else the addon has no ring.
    "liburing_a%": "<!(node scripts/has-liburing.cjs)",
    "mmcdb_sources": [
      "src/addon.cc",
      "src/batch.cc",
      "src/batch_async.cc",
      "src/batch_willneed.cc",
      "src/classic_lookup.cc",
      "src/db_file.cc",
      "src/encode.cc",
      "src/errors.cc",
      "src/file_lock.cc",
      "src/guard.cc",
      "src/guard_registry.cc",
      "src/handle.cc",
      "src/inline_budget.cc",
      "src/key_walk.cc",
      "src/lookup.cc",
      "src/mapping.cc",
      "src/mapping_list.cc",
      "src/mmcdb_lookup.cc",
      "src/napi_util.cc",
      "src/next_turn.cc",
      "src/open.cc",
      "src/pages.cc",
      "src/paging.cc",
      "src/residency_map.cc",
      "src/scan.cc",
      "src/segments.cc",
      "src/shard_encode.cc",
      "src/shard_index.cc",
      "src/shards.cc",
      "src/uncounted_buffer.cc",
      "src/uring_batch.cc",
      "src/uring_methods.cc",
      "src/uring_resident.cc",
      "src/uring_ring.cc",
      "src/xxh64.cc"
    ]
  },
  "target_defaults": {
    "defines": ["NAPI_VERSION=8"],
    "cflags!": ["-fexceptions"],
    "cflags_cc!": ["-fexceptions"],
    "cflags": ["-fvisibility=hidden"],
    "cflags_cc": ["-std=c++17", "-O2", "-fno-exceptions", "-fvisibility=hidden", "-Wall", "-Wextra", "-Wno-unused-parameter"],
    "xcode_settings": {
      "GCC_ENABLE_CPP_EXCEPTIONS": "NO",
      "GCC_SYMBOLS_PRIVATE_EXTERN": "YES",
      "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
      "MACOSX_DEPLOYMENT_TARGET": "10.15"
    }
  },
  "targets": [
    {
      "target_name": "mmcdb",
      "sources": ["<@(mmcdb_sources)"]
    },
    {
      "target_name": "mmcdb_test",
      "defines": ["MMCDB_TEST_HOOKS"],
      "sources": ["<@(mmcdb_sources)", "src/test_hooks.cc"]
    }
  ],
  "conditions": [
    ["liburing_a!=''", {
      "target_defaults": {
        "defines": ["MMCDB_URING"],
        "libraries": ["<(liburing_a)"],
        "ldflags": ["-Wl,--exclude-libs,liburing.a"]
      }
    }],
    ["mmcdb_v8_include!=''", {
      "targets": [
        {
          "target_name": "mmcdb_v8_abi<(node_module_version)",
          "defines": ["MMCDB_V8_API"],
          "include_dirs": ["<(mmcdb_v8_include)"],
          "sources": ["<@(mmcdb_sources)", "src/fast_calls.cc"],
          "conditions": [["OS=='linux'", {"libraries": ["-ldl"]}]]
        }
      ]
    }]
  ]
}
