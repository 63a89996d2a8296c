/* raw-reads: what the device and the kernel give for random 4 KiB buffered reads, with no
 * database in the way — the ceiling the cold-I/O rows are measured against (bench/cold-io.mjs).
 * usage: raw-reads <file> <count> pread <threads> | uring <queue depth>
 * Evict the file first (bench/c/evict.c). Offsets: a fixed xorshift stream over the file's
 * pages. Prints {"mode":…,"depth":N,"reads":N,"seconds":S,"iops":X}. */
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#ifdef HAVE_URING
#include <liburing.h>
#endif

static int fd;
static uint64_t pages;
static long count;
static volatile long next_read;

static uint64_t page_of(long i) {
  uint64_t x = 0x9e3779b97f4a7c15ull * (uint64_t)(i + 1);
  x ^= x >> 31;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  return x % pages;
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static void *reader(void *arg) {
  char buf[4096];
  (void)arg;
  for (;;) {
    long i = __atomic_fetch_add(&next_read, 1, __ATOMIC_RELAXED);
    if (i >= count) return NULL;
    if (pread(fd, buf, sizeof buf, (off_t)(page_of(i) * 4096)) < 0) {
      perror("pread");
      exit(111);
    }
  }
}

static void run_threads(int n) {
  pthread_t *t = calloc(n, sizeof *t);
  for (int i = 0; i < n; i++) pthread_create(&t[i], NULL, reader, NULL);
  for (int i = 0; i < n; i++) pthread_join(t[i], NULL);
  free(t);
}

#ifdef HAVE_URING
static void run_uring(int depth) {
  struct io_uring ring;
  if (io_uring_queue_init(depth, &ring, 0) != 0) {
    fprintf(stderr, "io_uring_queue_init failed\n");
    exit(111);
  }
  char *bufs = malloc((size_t)depth * 4096);
  long submitted = 0, done = 0;
  int inflight = 0;
  while (done < count) {
    while (inflight < depth && submitted < count) {
      struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
      int slot = (int)(submitted % depth);
      io_uring_prep_read(sqe, fd, bufs + (size_t)slot * 4096, 4096, page_of(submitted) * 4096);
      submitted++;
      inflight++;
    }
    io_uring_submit(&ring);
    struct io_uring_cqe *cqe;
    if (io_uring_wait_cqe(&ring, &cqe) != 0) exit(111);
    do {
      if (cqe->res < 0) {
        fprintf(stderr, "read: %s\n", strerror(-cqe->res));
        exit(111);
      }
      io_uring_cqe_seen(&ring, cqe);
      inflight--;
      done++;
    } while (io_uring_peek_cqe(&ring, &cqe) == 0);
  }
  io_uring_queue_exit(&ring);
  free(bufs);
}
#endif

int main(int argc, char **argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: raw-reads file count pread|uring N\n");
    return 2;
  }
  fd = open(argv[1], O_RDONLY);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0) {
    perror(argv[1]);
    return 111;
  }
  posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM); /* as the readers do: no read-ahead */
  pages = (uint64_t)st.st_size / 4096;
  count = atol(argv[2]);
  int n = atoi(argv[4]);
  double t0 = now();
  if (strcmp(argv[3], "pread") == 0) {
    run_threads(n);
  } else {
#ifdef HAVE_URING
    run_uring(n);
#else
    fprintf(stderr, "built without liburing\n");
    return 111;
#endif
  }
  double s = now() - t0;
  printf("{\"mode\":\"%s\",\"depth\":%d,\"reads\":%ld,\"seconds\":%.6f,\"iops\":%.0f}\n", argv[3], n, count, s, count / s);
  return 0;
}
