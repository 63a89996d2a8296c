#include "classic_lookup.h"

#include <string>

namespace mmcdb {
namespace {

constexpr uint64_t kRecordHeader = 8;  // §Records: klen u32 + dlen u32
constexpr uint64_t kSlot = 8;          // §Tables: hash u32 + recpos u32

// §Records: the record at `pos`, whose key and data must end by data_end. `referrer`
// is the offset that named pos (a table slot, or pos itself when walking the records).
bool ReadRecord(const ClassicFile& f, uint64_t pos, uint64_t referrer, RecordRef* r, CdbFault* fault) {
  if (pos < kClassicTocSize || pos > f.data_end || f.data_end - pos < kRecordHeader) {
    return fault->Set("ERR_CDB_CORRUPT",
                      referrer == pos ? "record header at " + Num(pos) + " runs past the end of the records (" +
                                            Num(f.data_end) + ")"
                                      : "record position " + Num(pos) + " is outside the records [2048, " +
                                            Num(f.data_end) + ")",
                      referrer);
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

// The slot walk of §Lookup in table h & 255: from slot *i after *probes probes,
// advances both to the next slot whose stored hash is h and returns its record
// position; 0 when the walk ends first (an empty slot — position 0, whatever the stored
// hash — or `slots` probes). Table t lies inside the file (checked at open).
inline uint32_t NextCandidate(const ClassicFile& f, uint32_t h, uint64_t* i, uint64_t* probes) {
  const uint32_t t = h & 255;
  const uint64_t n = f.slots[t];
  const uint8_t* table = f.base + f.pos[t];
  for (; *probes < n; ++*probes) {
    const uint8_t* slot = table + *i * kSlot;
    uint32_t recpos = LoadU32(slot + 4);
    if (recpos == 0) return 0;
    if (LoadU32(slot) == h) return recpos;
    if (++*i == n) *i = 0;
  }
  return 0;
}

// THE probe loop (single and batch lookups both run it): every record of hash h from
// slot i (after `probes` probes) on whose key equals `key`. Same contract as ClassicFind.
int64_t Probe(const ClassicFile& f, const uint8_t* key, size_t key_length, uint32_t h, uint64_t i, uint64_t probes,
              bool all, ValueRef* out, size_t capacity, CdbFault* fault) {
  const uint32_t t = h & 255;
  const uint64_t n = f.slots[t];
  int64_t found = 0;
  for (uint32_t recpos; (recpos = NextCandidate(f, h, &i, &probes)) != 0;) {
    RecordRef r;
    if (!ReadRecord(f, recpos, f.pos[t] + i * kSlot, &r, fault)) return -1;
    // The caller reads the value next: start loading its first cache line now. (Through
    // the read-only mapping: the lines are the same physical memory JS reads through the
    // views mapping, and measured faster than prefetching the views address.)
    if (r.value_length != 0) __builtin_prefetch(f.base + r.value_offset);
    if (r.key_length == key_length && std::memcmp(f.base + r.key_offset, key, key_length) == 0) {
      if (static_cast<size_t>(found) < capacity) out[found] = ValueRef{r.value_offset, r.value_length};
      found++;
      if (!all) break;
    }
    probes++;
    if (++i == n) i = 0;
  }
  return found;
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
  const uint64_t n = f.slots[h & 255];
  if (n == 0) return 0;
  return Probe(f, key, key_length, h, (h >> 8) % n, 0, all, out, capacity, fault);
}

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
      probes[j] = 0;
      if (f.slots[t] != 0) __builtin_prefetch(f.base + f.pos[t] + slot[j] * kSlot);
    }
    if (hint != nullptr) {
      for (size_t j = 0; j < m; j++) {
        const uint32_t t = hash[j] & 255;
        if (f.slots[t] != 0) hint(f.base + f.pos[t] + slot[j] * kSlot, kSlot);
      }
    }
    // 2. Walk to the first slot with the same hash; request its record.
    for (size_t j = 0; j < m; j++) {
      recpos[j] = NextCandidate(f, hash[j], &slot[j], &probes[j]);
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
    // 3. The probe loop from each candidate (in cache now); a djb collision continues
    //    the walk there.
    for (size_t j = 0; j < m; j++) {
      double* o = out + 2 * (b + j);
      ValueRef ref{0, 0};
      int64_t r = 0;
      if (recpos[j] != 0) {
        r = Probe(f, k[j].data, k[j].length, hash[j], slot[j], probes[j], false, &ref, 1, fault);
        if (r < 0) return -1;
      }
      if (r > 0) {
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

bool ClassicRecordAt(const ClassicFile& f, uint64_t pos, uint64_t referrer, RecordRef* rec, CdbFault* fault) {
  return ReadRecord(f, pos, referrer, rec, fault);
}

int ClassicNext(const ClassicFile& f, uint64_t pos, RecordRef* rec, CdbFault* fault) {
  if (pos < kClassicTocSize) pos = kClassicTocSize;
  if (pos >= f.data_end) return 0;
  return ReadRecord(f, pos, pos, rec, fault) ? 1 : -1;
}

uint64_t ClassicCountRecords(const ClassicFile& f) {
  uint64_t n = 0;
  for (int t = 0; t < 256; t++) {
    const uint8_t* table = f.base + f.pos[t];
    for (uint64_t i = 0; i < f.slots[t]; i++) n += LoadU32(table + i * kSlot + 4) != 0;
  }
  return n;
}

}  // namespace mmcdb
