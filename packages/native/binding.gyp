{
  "targets": [
    {
      "target_name": "mmcdb",
      "sources": [
        "src/addon.cc",
        "src/binding.cc",
        "src/handle.cc",
        "src/batch.cc",
        "src/pages.cc",
        "src/paging.cc",
        "src/napi_util.cc",
        "src/mapping.cc",
        "src/mmcdb_lookup.cc",
        "src/classic_lookup.cc",
        "src/xxh64.cc",
        "src/guard.cc",
        "src/encode.cc",
        "src/shards.cc",
        "src/shard_index.cc",
        "src/shard_encode.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_CPP_EXCEPTIONS"],
      "cflags!": ["-fexceptions"],
      "cflags_cc!": ["-fexceptions"],
      "cflags_cc": ["-std=c++17", "-O2", "-fno-exceptions", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "xcode_settings": {
        "GCC_ENABLE_CPP_EXCEPTIONS": "NO",
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
        "MACOSX_DEPLOYMENT_TARGET": "10.15"
      }
    }
  ]
}
