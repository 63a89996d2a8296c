/* evict: drop a file's pages from the page cache, then report how much of it is still resident.
 * usage: evict <file> [--check]   (--check: only report residency)
 * Prints {"bytes":N,"residentBytes":R}. posix_fadvise(DONTNEED) cannot drop pages that a live
 * process still maps, so run it after the reader process has exited. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 2) { fprintf(stderr, "usage: evict file [--check]\n"); return 2; }
  int fd = open(argv[1], O_RDONLY);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) < 0) { perror(argv[1]); return 111; }
  if (argc < 3 || strcmp(argv[2], "--check") != 0) {
    fdatasync(fd);
    int rc = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    if (rc != 0) { fprintf(stderr, "posix_fadvise failed: %d\n", rc); return 111; }
  }
  long page = sysconf(_SC_PAGESIZE);
  unsigned long long resident = 0;
  if (st.st_size > 0) {
    void *m = mmap(NULL, st.st_size, PROT_READ, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED) { perror("mmap"); return 111; }
    size_t pages = (st.st_size + page - 1) / page;
    unsigned char *vec = malloc(pages);
    if (mincore(m, st.st_size, vec) != 0) { perror("mincore"); return 111; }
    for (size_t i = 0; i < pages; i++) resident += (vec[i] & 1) ? page : 0;
    munmap(m, st.st_size);
  }
  printf("{\"bytes\":%lld,\"residentBytes\":%llu}\n", (long long)st.st_size, resident);
  return 0;
}
