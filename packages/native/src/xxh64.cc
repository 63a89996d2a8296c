// XXH64 per doc/xxhash_spec.md: four 64-bit accumulators over 32-byte stripes,
// convergence, then the remaining 8-, 4- and 1-byte pieces, then the avalanche. Lanes
// are little-endian integers: common.h LoadU64 / LoadU32.
#include "xxh64.h"

#include "common.h"

namespace mmcdb {
namespace {

constexpr uint64_t kPrime1 = 0x9E3779B185EBCA87ULL;
constexpr uint64_t kPrime2 = 0xC2B2AE3D27D4EB4FULL;
constexpr uint64_t kPrime3 = 0x165667B19E3779F9ULL;
constexpr uint64_t kPrime4 = 0x85EBCA77C2B2AE63ULL;
constexpr uint64_t kPrime5 = 0x27D4EB2F165667C5ULL;

inline uint64_t Rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

inline uint64_t Round(uint64_t acc, uint64_t lane) {
  acc += lane * kPrime2;
  acc = Rotl(acc, 31);
  return acc * kPrime1;
}

inline uint64_t MergeAccumulator(uint64_t acc, uint64_t accN) {
  acc ^= Round(0, accN);
  return acc * kPrime1 + kPrime4;
}

}  // namespace

uint64_t Xxh64(const uint8_t* p, size_t length, uint64_t seed) {
  const uint8_t* const end = p + length;
  uint64_t acc;
  if (length >= 32) {
    // Step 1: initialise the four accumulators; step 2: process 32-byte stripes.
    uint64_t a1 = seed + kPrime1 + kPrime2;
    uint64_t a2 = seed + kPrime2;
    uint64_t a3 = seed;
    uint64_t a4 = seed - kPrime1;
    const uint8_t* const limit = end - 32;
    do {
      a1 = Round(a1, LoadU64(p));
      a2 = Round(a2, LoadU64(p + 8));
      a3 = Round(a3, LoadU64(p + 16));
      a4 = Round(a4, LoadU64(p + 24));
      p += 32;
    } while (p <= limit);
    // Step 3: convergence.
    acc = Rotl(a1, 1) + Rotl(a2, 7) + Rotl(a3, 12) + Rotl(a4, 18);
    acc = MergeAccumulator(acc, a1);
    acc = MergeAccumulator(acc, a2);
    acc = MergeAccumulator(acc, a3);
    acc = MergeAccumulator(acc, a4);
  } else {
    acc = seed + kPrime5;
  }
  // Step 4: add the input length.
  acc += static_cast<uint64_t>(length);
  // Step 5: consume the remaining input.
  while (end - p >= 8) {
    acc ^= Round(0, LoadU64(p));
    acc = Rotl(acc, 27) * kPrime1 + kPrime4;
    p += 8;
  }
  if (end - p >= 4) {
    acc ^= static_cast<uint64_t>(LoadU32(p)) * kPrime1;
    acc = Rotl(acc, 23) * kPrime2 + kPrime3;
    p += 4;
  }
  while (p < end) {
    acc ^= static_cast<uint64_t>(*p) * kPrime5;
    acc = Rotl(acc, 11) * kPrime1;
    p++;
  }
  // Step 6: final mix (avalanche).
  acc ^= acc >> 33;
  acc *= kPrime2;
  acc ^= acc >> 29;
  acc *= kPrime3;
  acc ^= acc >> 32;
  return acc;
}

}  // namespace mmcdb
