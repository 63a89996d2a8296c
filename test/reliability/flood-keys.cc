// Crafts keys whose xxh64 under a given seed has its top `bits` bits zero: they all land
// in the first 2^-bits of any mmcdb index (FORMAT.md §Index home), the worst case for
// linear probing. Used by hash-flooding.test.ts. Usage: flood-keys <count> <bits> <seed>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include "../../packages/native/src/xxh64.h"

int main(int argc, char** argv) {
  if (argc != 4) return 2;
  long count = std::atol(argv[1]);
  int bits = std::atoi(argv[2]);
  unsigned long long seed = std::strtoull(argv[3], nullptr, 0);
  char key[32];
  for (unsigned long long n = 0; count > 0; n++) {
    int len = std::snprintf(key, sizeof key, "flood-%llx", n);
    uint64_t h = mmcdb::Xxh64(reinterpret_cast<const uint8_t*>(key), len, seed);
    if ((h >> (64 - bits)) == 0) {
      std::puts(key);
      count--;
    }
  }
  return 0;
}
