// XXH64 (xxHash 64-bit), written from the public specification
// (github.com/Cyan4973/xxHash, doc/xxhash_spec.md). FORMAT.md §Conventions uses it
// for every key hash (§Index) and the header checksum (§Header).
#pragma once
#include <cstddef>
#include <cstdint>

namespace mmcdb {

uint64_t Xxh64(const uint8_t* data, size_t length, uint64_t seed);

}  // namespace mmcdb
