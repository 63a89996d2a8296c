/* tinycdb C harness: the same lookups as the JS engines, from the same key file, no JS at all.
 * usage: tinycdb-get <db.cdb> get <keyfile> <warmup> | tinycdb-get <db.cdb> scan
 * Prints one JSON line: {"n":..,"found":..,"checksum":..,"seconds":..,"openMs":..,"firstGetMs":..}
 * checksum = sum over found values of first byte + last byte + length (as in bench/child.mjs). */
#include <cdb.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static unsigned char *read_file(const char *p, size_t *len) {
  int fd = open(p, O_RDONLY);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) < 0) { perror(p); exit(111); }
  unsigned char *b = malloc(st.st_size);
  size_t o = 0;
  while (o < (size_t)st.st_size) {
    ssize_t n = read(fd, b + o, st.st_size - o);
    if (n <= 0) { perror(p); exit(111); }
    o += n;
  }
  close(fd);
  *len = o;
  return b;
}

static int lookup(struct cdb *db, const unsigned char *k, unsigned kl, unsigned long long *sum) {
  if (cdb_find(db, k, kl) <= 0) return 0;
  unsigned dl = cdb_datalen(db);
  const unsigned char *v = cdb_get(db, dl, cdb_datapos(db));
  *sum += (dl ? v[0] + v[dl - 1] : 0) + dl;
  return 1;
}

int main(int argc, char **argv) {
  if (argc < 3) { fprintf(stderr, "usage: tinycdb-get db get keys warmup | db scan\n"); return 2; }
  double t0 = now();
  int fd = open(argv[1], O_RDONLY);
  struct cdb db;
  if (fd < 0 || cdb_init(&db, fd) != 0) { perror(argv[1]); return 111; }
  double openMs = (now() - t0) * 1e3;
  unsigned long long sum = 0, found = 0, n = 0;
  double secs;
  if (strcmp(argv[2], "scan") == 0) {
    unsigned pos;
    cdb_seqinit(&pos, &db);
    double s = now();
    while (cdb_seqnext(&pos, &db) > 0) {
      unsigned dl = cdb_datalen(&db);
      const unsigned char *v = cdb_get(&db, dl, cdb_datapos(&db));
      sum += (dl ? v[0] + v[dl - 1] : 0) + dl;
      found++;
      n++;
    }
    secs = now() - s;
    printf("{\"n\":%llu,\"found\":%llu,\"checksum\":%llu,\"seconds\":%.9f,\"openMs\":%.4f}\n", n, found, sum, secs, openMs);
    return 0;
  }
  size_t len;
  unsigned char *kf = read_file(argv[3], &len);
  unsigned count = kf[0] | kf[1] << 8 | kf[2] << 16 | (unsigned)kf[3] << 24;
  long warm = argc > 4 ? atol(argv[4]) : 0;
  const unsigned char **keys = malloc(sizeof *keys * count);
  unsigned *lens = malloc(sizeof *lens * count);
  size_t o = 4;
  for (unsigned i = 0; i < count; i++) { lens[i] = kf[o]; keys[i] = kf + o + 1; o += 1 + kf[o]; }
  double f0 = now();
  unsigned long long firstSum = 0;
  lookup(&db, keys[0], lens[0], &firstSum);
  double firstGetMs = (now() - f0) * 1e3;
  unsigned long long junk = 0;
  for (long i = 0; i < warm && i < (long)count; i++) lookup(&db, keys[i], lens[i], &junk);
  double s = now();
  for (unsigned i = 0; i < count; i++) found += lookup(&db, keys[i], lens[i], &sum);
  secs = now() - s;
  n = count;
  printf("{\"n\":%llu,\"found\":%llu,\"checksum\":%llu,\"seconds\":%.9f,\"openMs\":%.4f,\"firstGetMs\":%.4f,\"junk\":%llu}\n",
         n, found, sum, secs, openMs, firstGetMs, junk & 1);
  return 0;
}
