/* tinycdb C full-scan harness (bench/scans.mjs): cdb_seqinit / cdb_seqnext over the whole
 * file, touching a byte of every key and of every value, no JS at all.
 * usage: tinycdb-seq <db.cdb> <passes>
 * One untimed pass first (page cache and CPU caches warm), then <passes> timed ones.
 * Prints one JSON line: {"n":..,"checksum":..,"seconds":[..]}; checksum = sum over records
 * of key[0] + value[last] + key length + value length (0 for an empty key or value), as
 * bench/scans-child.mjs computes it for the JS contenders. */
#include <cdb.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static unsigned long long scan(struct cdb *db, unsigned long long *count) {
  unsigned long long sum = 0, n = 0;
  unsigned pos;
  cdb_seqinit(&pos, db);
  while (cdb_seqnext(&pos, db) > 0) {
    unsigned kl = cdb_keylen(db), dl = cdb_datalen(db);
    const unsigned char *k = cdb_get(db, kl, cdb_keypos(db));
    const unsigned char *v = cdb_get(db, dl, cdb_datapos(db));
    if (k == NULL || v == NULL) { fprintf(stderr, "cdb_get failed at record %llu\n", n); exit(111); }
    sum += (kl ? k[0] : 0) + (dl ? v[dl - 1] : 0) + kl + dl;
    n++;
  }
  *count = n;
  return sum;
}

int main(int argc, char **argv) {
  if (argc < 3) { fprintf(stderr, "usage: tinycdb-seq <db.cdb> <passes>\n"); return 2; }
  int fd = open(argv[1], O_RDONLY);
  struct cdb db;
  if (fd < 0 || cdb_init(&db, fd) != 0) { perror(argv[1]); return 111; }
  int passes = atoi(argv[2]);
  unsigned long long n = 0, sum = scan(&db, &n);
  printf("{\"n\":%llu,\"checksum\":%llu,\"seconds\":[", n, sum);
  for (int i = 0; i < passes; i++) {
    double t = now();
    unsigned long long m = 0, s = scan(&db, &m);
    double secs = now() - t;
    if (s != sum || m != n) { fprintf(stderr, "pass %d disagrees\n", i); return 1; }
    printf("%s%.9f", i ? "," : "", secs);
  }
  printf("]}\n");
  return 0;
}
