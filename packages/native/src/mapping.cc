#include "mapping.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace mmcdb {

namespace {

// What a non-regular file is, for the error.
const char* KindOf(mode_t mode) {
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  return "not a file";
}

}  // namespace

Mapping* Mapping::Open(const std::string& path, OpenError* error) {
  // O_NONBLOCK: open(2) of a FIFO with no writer would otherwise block forever (and some
  // devices block too). Nothing is read before the S_ISREG check below.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    error->err_no = errno;
    error->syscall = "open";
    // A Unix socket (or a device without a driver) cannot be opened at all: say what it is.
    struct stat st;
    if ((errno == ENXIO || errno == EOPNOTSUPP) && ::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
      error->not_regular = KindOf(st.st_mode);
    }
    return nullptr;
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    error->err_no = errno;
    error->syscall = "fstat";
    ::close(fd);
    return nullptr;
  }
  if (S_ISDIR(st.st_mode)) {
    error->err_no = EISDIR;
    error->syscall = "open";
    ::close(fd);
    return nullptr;
  }
  if (!S_ISREG(st.st_mode)) {
    error->not_regular = KindOf(st.st_mode);
    ::close(fd);
    return nullptr;
  }
  // A regular file: blocking again (it never mattered for one, but the descriptor is
  // kept, and nothing should inherit a surprise flag).
  int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0) {
    error->err_no = errno;
    error->syscall = "fcntl";
    ::close(fd);
    return nullptr;
  }
  uint64_t size = static_cast<uint64_t>(st.st_size);
  uint8_t* base = nullptr;
  if (size > 0) {
    void* p = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
      error->err_no = errno;
      error->syscall = "mmap";
      ::close(fd);
      return nullptr;
    }
    base = static_cast<uint8_t*>(p);
  }
  InstallSigbusGuard();
  Mapping* m = new Mapping(base, size, fd, path);
  m->ro_region_ = RegisterRegion(base, size, 0, m);
  std::lock_guard<std::mutex> lock(RegistryMutex());
  Registry().push_back(m);
  return m;
}

int Mapping::MapViews(uint64_t from, uint64_t to) {
  if (views_ != nullptr || from > to || to > size_) return EINVAL;
  views_from_ = from;
  views_to_ = to;
  if (from == to) return 0;  // no records: nothing to view
  const uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  views_offset_ = from / page * page;  // mmap's offset must be page-aligned
  views_length_ = to - views_offset_;
  void* p = ::mmap(nullptr, views_length_, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd(), static_cast<off_t>(views_offset_));
  if (p == MAP_FAILED) return errno;
  views_ = static_cast<uint8_t*>(p);
  views_region_ = RegisterRegion(views_, views_length_, views_offset_, this);
  return 0;
}

bool Mapping::Contains(uintptr_t addr, uint64_t* file_offset) const {
  uintptr_t b = reinterpret_cast<uintptr_t>(base_);
  if (base_ != nullptr && addr >= b && addr - b < size_) {
    *file_offset = addr - b;
    return true;
  }
  uintptr_t v = reinterpret_cast<uintptr_t>(views_);
  if (views_ != nullptr && addr >= v && addr - v < views_length_) {
    *file_offset = views_offset_ + (addr - v);
    return true;
  }
  return false;
}

uint64_t Mapping::fault_offset() const {
  if (RegionFaulted(ro_region_)) return RegionFaultOffset(ro_region_);
  if (RegionFaulted(views_region_)) return RegionFaultOffset(views_region_);
  uint64_t f = local_fault_.load(std::memory_order_acquire);
  return f == 0 ? 0 : f - 1;
}

void Mapping::MarkDamaged(uint64_t offset) {
  if (ro_region_ != nullptr) {
    MarkRegionFaulted(ro_region_, offset);
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

std::mutex& Mapping::RegistryMutex() {
  static std::mutex* mutex = new std::mutex();  // never destroyed: mappings may outlive static teardown
  return *mutex;
}

std::vector<Mapping*>& Mapping::Registry() {
  static std::vector<Mapping*>* list = new std::vector<Mapping*>();
  return *list;
}

Mapping::~Mapping() {
  {
    std::lock_guard<std::mutex> lock(RegistryMutex());
    std::vector<Mapping*>& list = Registry();
    for (size_t i = 0; i < list.size(); i++) {
      if (list[i] == this) {
        list[i] = list.back();
        list.pop_back();
        break;
      }
    }
  }
  UnregisterRegion(ro_region_);
  UnregisterRegion(views_region_);
  if (base_ != nullptr) ::munmap(base_, size_);
  if (views_ != nullptr) ::munmap(views_, views_length_);
  CloseFd();
}

void SegmentToken::Release() {
  if (!released_.exchange(true)) {
    mapping_->DropBuffer();
    mapping_->Unref();
  }
  Drop();
}

void SegmentToken::CreatorDone() { Drop(); }

void SegmentToken::Drop() {
  if (owners_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
}

}  // namespace mmcdb
