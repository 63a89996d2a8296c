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
    return fault->Set("ERR_CDB_CORRUPT", "record at " + Num(pos) + " (key " + Num(kl) + " bytes, value " + Num(dl) +
                      " bytes) runs past the end of the records (" + Num(f.data_end) + ")", pos);
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

namespace {

// ClassicFind's probe loop of hash h in table t from slot i after `probes` probes,
// first match only: 1 with *ref, 0 absent, −1 with *fault.
int ClassicProbeFrom(const ClassicFile& f, const uint8_t* key, size_t key_length, uint32_t h, uint64_t i,
                     uint64_t probes, ValueRef* ref, CdbFault* fault) {
  const uint32_t t = h & 255;
  const uint64_t n = f.slots[t];
  const uint8_t* table = f.base + f.pos[t];
  for (; probes < n; probes++) {
    const uint8_t* slot = table + i * kSlot;
    uint32_t recpos = LoadU32(slot + 4);
    if (recpos == 0) return 0;
    if (LoadU32(slot) == h) {
      RecordRef r;
      if (!ReadRecord(f, recpos, f.pos[t] + i * kSlot, &r, fault)) return -1;
      if (r.key_length == key_length && std::memcmp(f.base + r.key_offset, key, key_length) == 0) {
        *ref = ValueRef{r.value_offset, r.value_length};
        return 1;
      }
    }
    if (++i == n) i = 0;
  }
  return 0;
}

}  // namespace

int64_t ClassicFindMany(const ClassicFile& f, const KeyBytes* keys, size_t n, size_t group, double* out,
                        CdbFault* fault, PageHint hint) {
  if (group < 1) group = 1;
  if (group > kMaxBatchGroup) group = kMaxBatchGroup;
  uint32_t hash[kMaxBatchGroup];
  uint64_t slot[kMaxBatchGroup], probes[kMaxBatchGroup], recpos[kMaxBatchGroup];
  int64_t found = 0;
  for (size_t b = 0; b < n; b += group) {
    const size_t m = n - b < group ? n - b : group;
    const KeyBytes* k = keys + b;
    // 1. Hash; the TOC entry is in f (copied at open); request the first slot.
    for (size_t j = 0; j < m; j++) {
      hash[j] = DjbHash(k[j].data, k[j].length);
      const uint32_t t = hash[j] & 255;
      slot[j] = f.slots[t] == 0 ? 0 : (hash[j] >> 8) % f.slots[t];
      if (f.slots[t] != 0) __builtin_prefetch(f.base + f.pos[t] + slot[j] * kSlot);
    }
    if (hint != nullptr) {
      for (size_t j = 0; j < m; j++) {
        const uint32_t t = hash[j] & 255;
        if (f.slots[t] != 0) hint(f.base + f.pos[t] + slot[j] * kSlot, kSlot);
      }
    }
    // 2. Probe to the first slot with the same hash; request its record.
    for (size_t j = 0; j < m; j++) {
      const uint32_t t = hash[j] & 255;
      const uint64_t nslots = f.slots[t];
      const uint8_t* table = f.base + f.pos[t];
      recpos[j] = 0;
      probes[j] = 0;
      uint64_t i = slot[j];
      for (uint64_t p = 0; p < nslots; p++) {
        const uint8_t* sp = table + i * kSlot;
        uint32_t rp = LoadU32(sp + 4);
        if (rp == 0) break;
        if (LoadU32(sp) == hash[j]) {
          recpos[j] = rp;
          slot[j] = i;
          probes[j] = p;
          break;
        }
        if (++i == nslots) i = 0;
      }
      if (recpos[j] >= kClassicTocSize && recpos[j] < f.data_end) {
        const uint8_t* rp = f.base + recpos[j];
        __builtin_prefetch(rp);
        if (f.data_end - recpos[j] > kRecordHeader + k[j].length) __builtin_prefetch(rp + kRecordHeader + k[j].length);
      }
    }
    if (hint != nullptr) {
      for (size_t j = 0; j < m; j++) {
        if (recpos[j] >= kClassicTocSize && recpos[j] < f.data_end) {
          uint64_t len = f.data_end - recpos[j];
          if (len > kRecordHeader + k[j].length) len = kRecordHeader + k[j].length;
          hint(f.base + recpos[j], len);
        }
      }
    }
    // 3. Compare keys; a djb collision continues the probe as ClassicFind does.
    for (size_t j = 0; j < m; j++) {
      double* o = out + 2 * (b + j);
      int r = 0;
      ValueRef ref{0, 0};
      if (recpos[j] != 0) {
        const uint32_t t = hash[j] & 255;
        RecordRef rec;
        if (!ReadRecord(f, recpos[j], f.pos[t] + slot[j] * kSlot, &rec, fault)) return -1;
        if (rec.key_length == k[j].length && std::memcmp(f.base + rec.key_offset, k[j].data, k[j].length) == 0) {
          ref = ValueRef{rec.value_offset, rec.value_length};
          r = 1;
        } else {
          uint64_t next = slot[j] + 1 == f.slots[t] ? 0 : slot[j] + 1;
          r = ClassicProbeFrom(f, k[j].data, k[j].length, hash[j], next, probes[j] + 1, &ref, fault);
          if (r < 0) return -1;
        }
      }
      if (r == 1) {
        if (ref.length > 0) __builtin_prefetch(f.base + ref.offset + ref.length - 1);
        o[0] = static_cast<double>(ref.offset);
        o[1] = static_cast<double>(ref.length);
        found++;
      } else {
        o[0] = -1;
        o[1] = 0;
      }
    }
  }
  return found;
}

int ClassicNext(const ClassicFile& f, uint64_t pos, RecordRef* rec, CdbFault* fault) {
  if (pos < kClassicTocSize) pos = kClassicTocSize;
  if (pos >= f.data_end) return 0;
  return ReadRecord(f, pos, pos, rec, fault) ? 1 : -1;
}

}  // namespace mmcdb
