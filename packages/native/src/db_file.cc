#include "db_file.h"

namespace mmcdb {

bool DbFile::Open(const uint8_t* base, uint64_t size, CdbFault* fault) {
  is_mmcdb = HasMmcdbMagic(base, size);
  return is_mmcdb ? MmcdbOpen(base, size, &mm, fault) : ClassicOpen(base, size, &cl, fault);
}

}  // namespace mmcdb
