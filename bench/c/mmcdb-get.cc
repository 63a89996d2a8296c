// The addon's own mmcdb lookup (packages/native/src/mmcdb_lookup.cc, xxh64.cc) in a plain
// C loop — what a get() would cost with no per-call overhead at all: no JS, no call
// boundary, no view. bench/hot-path.mjs compiles it next to the tinycdb harness
// (tinycdb-get.c) and runs both on the same key files; the same output line.
//   mmcdb-get <db.mmcdb> <keys file> <warm-up count>
// Every value found is touched (first byte + last byte + length into the checksum).
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

#include "mmcdb_lookup.h"

static double Now() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static std::vector<unsigned char> ReadAll(const char* path) {
  FILE* f = std::fopen(path, "rb");
  if (f == nullptr) {
    std::perror(path);
    std::exit(111);
  }
  std::vector<unsigned char> b;
  unsigned char chunk[1 << 16];
  size_t n;
  while ((n = std::fread(chunk, 1, sizeof chunk, f)) > 0) b.insert(b.end(), chunk, chunk + n);
  std::fclose(f);
  return b;
}

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: mmcdb-get db keys warmup\n");
    return 2;
  }
  int fd = open(argv[1], O_RDONLY);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0) {
    std::perror(argv[1]);
    return 111;
  }
  const uint8_t* base = static_cast<const uint8_t*>(mmap(nullptr, st.st_size, PROT_READ, MAP_SHARED, fd, 0));
  if (base == MAP_FAILED) {
    std::perror("mmap");
    return 111;
  }
  mmcdb::MmcdbFile file;
  mmcdb::CdbFault fault;
  if (!mmcdb::MmcdbOpen(base, st.st_size, &file, &fault)) {
    std::fprintf(stderr, "%s: not a sound mmcdb file\n", argv[1]);
    return 111;
  }
  // Key file (bench/lib/dataset.mjs writeKeyFile): u32 count, then length byte + bytes.
  std::vector<unsigned char> kf = ReadAll(argv[2]);
  if (kf.size() < 4) return 111;
  const uint32_t count = kf[0] | kf[1] << 8 | kf[2] << 16 | static_cast<uint32_t>(kf[3]) << 24;
  std::vector<const uint8_t*> keys(count);
  std::vector<uint8_t> lens(count);
  size_t o = 4;
  for (uint32_t i = 0; i < count; i++) {
    if (o >= kf.size() || o + 1 + kf[o] > kf.size()) return 111;
    lens[i] = kf[o];
    keys[i] = &kf[o + 1];
    o += 1 + kf[o];
  }
  const long warm = std::atol(argv[3]);
  auto lookup = [&](uint32_t i, unsigned long long* sum) -> int {
    mmcdb::ValueRef ref;
    if (mmcdb::MmcdbFind(file, keys[i], lens[i], false, &ref, 1, &fault) <= 0) return 0;
    const uint8_t* v = base + ref.offset;
    *sum += (ref.length ? v[0] + v[ref.length - 1] : 0) + ref.length;
    return 1;
  };
  unsigned long long junk = 0;
  for (long i = 0; i < warm && i < static_cast<long>(count); i++) lookup(static_cast<uint32_t>(i), &junk);
  unsigned long long sum = 0, found = 0;
  const double t0 = Now();
  for (uint32_t i = 0; i < count; i++) found += lookup(i, &sum);
  const double secs = Now() - t0;
  std::printf("{\"n\":%u,\"found\":%llu,\"checksum\":%llu,\"seconds\":%.9f,\"junk\":%llu}\n", count, found, sum, secs,
              junk & 1);
  return 0;
}
