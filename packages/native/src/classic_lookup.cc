#include "classic_lookup.h"

#include <string>

namespace mmcdb {
namespace {

constexpr uint64_t kRecordHeader = 8;  // klen u32 + dlen u32
constexpr uint64_t kSlot = 8;          // hash u32 + recpos u32

std::string Num(uint64_t v) { return std::to_string(v); }

// Record at `pos` whose key and data end by data_end.
bool ReadRecord(const ClassicFile& f, uint64_t pos, uint64_t referrer, RecordRef* r, CdbFault* fault) {
  if (pos < kClassicTocSize || pos > f.data_end || f.data_end - pos < kRecordHeader) {
    return fault->Set("ERR_CDB_CORRUPT", "record position " + Num(pos) + " (from offset " + Num(referrer) +
                      ") is outside the records [2048, " + Num(f.data_end) + ")", referrer);
  }
  const uint8_t* p = f.base + pos;
  uint64_t kl = LoadU32(p);
  uint64_t dl = LoadU32(p + 4);
  // Both ≤ 2^32 − 1, so the sum cannot overflow.
  if (kl + dl > f.data_end - pos - kRecordHeader) {
    return fault->Set("ERR_CDB_CORRUPT", "record at " + Num(pos) + " (key " + Num(kl) + ", data " + Num(dl) +
                      " bytes) runs past the end of the records " + Num(f.data_end), pos);
  }
  r->key_offset = pos + kRecordHeader;
  r->key_length = kl;
  r->value_offset = r->key_offset + kl;
  r->value_length = dl;
  r->next = r->value_offset + dl;
  return true;
}

}  // namespace

uint32_t DjbHash(const uint8_t* key, size_t length) {
  uint32_t h = 5381;
  for (size_t i = 0; i < length; i++) h = ((h << 5) + h) ^ key[i];
  return h;
}

bool ClassicOpen(const uint8_t* base, uint64_t size, ClassicFile* f, CdbFault* fault) {
  if (size < kClassicTocSize) {
    return fault->Set("ERR_CDB_FORMAT", "not an mmcdb or cdb file (" + Num(size) +
                      " bytes, a cdb file has at least 2048)", 0);
  }
  for (int i = 0; i < 256; i++) {
    uint64_t p = LoadU32(base + i * 8);
    uint64_t n = LoadU32(base + i * 8 + 4);
    if (p < kClassicTocSize || p > size || n * kSlot > size - p) {
      return fault->Set("ERR_CDB_FORMAT", "not an mmcdb or cdb file (table " + Num(i) + ": position " + Num(p) +
                        ", " + Num(n) + " slots, in a file of " + Num(size) + " bytes)", i * 8);
    }
    f->pos[i] = static_cast<uint32_t>(p);
    f->slots[i] = static_cast<uint32_t>(n);
  }
  f->base = base;
  f->size = size;
  f->data_end = f->pos[0];
  return true;
}

int64_t ClassicFind(const ClassicFile& f, const uint8_t* key, size_t key_length, bool all, ValueRef* out,
                    size_t capacity, CdbFault* fault) {
  const uint32_t h = DjbHash(key, key_length);
  const uint32_t t = h & 255;
  const uint64_t n = f.slots[t];
  if (n == 0) return 0;
  // Table t lies inside the file (checked at open): slot i < n is safe to read.
  const uint8_t* table = f.base + f.pos[t];
  uint64_t i = (h >> 8) % n;
  int64_t found = 0;
  for (uint64_t probes = 0; probes < n; probes++) {
    const uint8_t* slot = table + i * kSlot;
    uint32_t recpos = LoadU32(slot + 4);
    if (recpos == 0) break;  // empty is position 0, whatever the stored hash
    if (LoadU32(slot) == h) {
      RecordRef r;
      if (!ReadRecord(f, recpos, f.pos[t] + i * kSlot, &r, fault)) return -1;
      if (r.key_length == key_length && std::memcmp(f.base + r.key_offset, key, key_length) == 0) {
        if (static_cast<size_t>(found) < capacity) out[found] = ValueRef{r.value_offset, r.value_length};
        found++;
        if (!all) break;
      }
    }
    if (++i == n) i = 0;
  }
  return found;
}

int ClassicNext(const ClassicFile& f, uint64_t pos, RecordRef* rec, CdbFault* fault) {
  if (pos < kClassicTocSize) pos = kClassicTocSize;
  if (pos >= f.data_end) return 0;
  return ReadRecord(f, pos, pos, rec, fault) ? 1 : -1;
}

}  // namespace mmcdb
