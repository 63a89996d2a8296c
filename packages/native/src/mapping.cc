#include "mapping.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace mmcdb {

Mapping* Mapping::Open(const std::string& path, int* err_no, const char** syscall) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    *err_no = errno;
    *syscall = "open";
    return nullptr;
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    *err_no = errno;
    *syscall = "fstat";
    ::close(fd);
    return nullptr;
  }
  if (S_ISDIR(st.st_mode)) {
    *err_no = EISDIR;
    *syscall = "open";
    ::close(fd);
    return nullptr;
  }
  if (!S_ISREG(st.st_mode)) {
    *err_no = ENODEV;
    *syscall = "mmap";
    ::close(fd);
    return nullptr;
  }
  uint64_t size = static_cast<uint64_t>(st.st_size);
  uint8_t* base = nullptr;
  if (size > 0) {
    void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      *err_no = errno;
      *syscall = "mmap";
      ::close(fd);
      return nullptr;
    }
    base = static_cast<uint8_t*>(p);
  }
  InstallSigbusGuard();
  Mapping* m = new Mapping(base, size, fd, path);
  m->region_ = RegisterRegion(base, size, 0, m);
  return m;
}

uint64_t Mapping::fault_offset() const {
  if (RegionFaulted(region_)) return RegionFaultOffset(region_);
  uint64_t f = local_fault_.load(std::memory_order_acquire);
  return f == 0 ? 0 : f - 1;
}

void Mapping::MarkDamaged(uint64_t offset) {
  if (region_ != nullptr) {
    MarkRegionFaulted(region_, offset);
    return;
  }
  uint64_t expected = 0;
  local_fault_.compare_exchange_strong(expected, offset + 1, std::memory_order_acq_rel);
}

void Mapping::CloseFd() {
  int fd = fd_.exchange(-1, std::memory_order_acq_rel);
  if (fd >= 0) ::close(fd);
}

bool Mapping::CheckFileSize() {
  if (damaged()) return true;
  struct stat st;
  const int fd = this->fd();
  if (fd >= 0 && ::fstat(fd, &st) == 0 && static_cast<uint64_t>(st.st_size) < size_) {
    MarkDamaged(static_cast<uint64_t>(st.st_size));
  }
  return damaged();
}

void Mapping::Unref() {
  if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
}

Mapping::~Mapping() {
  UnregisterRegion(region_);
  if (base_ != nullptr) ::munmap(base_, size_);
  CloseFd();
}

void SegmentToken::Release() {
  if (!released_.exchange(true)) mapping_->Unref();
  Drop();
}

void SegmentToken::CreatorDone() { Drop(); }

void SegmentToken::Drop() {
  if (owners_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
}

}  // namespace mmcdb
