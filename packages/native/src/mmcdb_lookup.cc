#include "mmcdb_lookup.h"

#include <cstdio>
#include <string>

#include "xxh64.h"

namespace mmcdb {

const uint8_t kMmcdbMagic[8] = {0x89, 0x4D, 0x4D, 0x43, 0x44, 0x42, 0x0D, 0x0A};

namespace {

constexpr uint64_t kHeaderChecksumOffset = 120;
constexpr uint64_t kRecordHeader = 12;  // §Records: key_length u32 + value_length u64
constexpr uint32_t kSuperseded = 0x80000000u;
constexpr uint64_t kSlotSize = 16;  // §Index: hash u64 + position u64
constexpr uint64_t kIndexAlign = 64;
constexpr uint32_t kMaxValueAlign = 65536;
constexpr uint32_t kRequiredFlags = 0xffff;

// A decoded record header whose key and value both end by data_end (§Index: "the key
// and value it describes must end by data_end").
struct Record {
  uint32_t key_length;
  bool superseded;
  uint64_t key_offset;
  uint64_t value_offset;
  uint64_t value_length;
};

// `referrer`: the offset that named pos (an index slot, or pos itself when iterating).
bool ReadRecord(const MmcdbFile& f, uint64_t pos, uint64_t referrer, Record* r, CdbFault* fault) {
  // data_offset ≤ position and position + 12 ≤ data_end.
  if (pos < kHeaderSize || pos > f.data_end || f.data_end - pos < kRecordHeader) {
    return fault->Set("ERR_CDB_CORRUPT", "record position " + Num(pos) + " is outside the records [" + Num(kHeaderSize) + ", " +
                      Num(f.data_end) + ")", referrer);
  }
  const uint8_t* p = f.base + pos;
  uint32_t kl = LoadU32(p);
  r->superseded = (kl & kSuperseded) != 0;
  r->key_length = kl & ~kSuperseded;
  r->value_length = LoadU64(p + 4);
  r->key_offset = pos + kRecordHeader;
  // §Records: pad = (−(p + 12 + K)) mod A, A a power of two checked at open. Computed
  // without overflow: key_length ≤ room first, then value_length ≤ data_end − v.
  // The words and offsets of format/mmcdb/codec.ts decodeRecord (tested equal).
  uint64_t room = f.data_end - r->key_offset;
  if (r->key_length > room) {
    return fault->Set("ERR_CDB_CORRUPT", "key_length " + Num(r->key_length) + " of the record at " + Num(pos) + " runs past data_end", pos);
  }
  uint64_t key_end = r->key_offset + r->key_length;
  uint64_t v = (key_end + (f.value_align - 1)) & ~static_cast<uint64_t>(f.value_align - 1);
  if (v > f.data_end || r->value_length > f.data_end - v) {
    return fault->Set("ERR_CDB_CORRUPT", "value_length " + Num(r->value_length) + " of the record at " + Num(pos) + " runs past data_end",
                      pos + 4);
  }
  r->value_offset = v;
  return true;
}

inline uint64_t SlotOffset(const MmcdbFile& f, uint64_t i) { return f.index_offset + i * kSlotSize; }

// §Index: home(h) = (h >>> 32) × H >>> 32.
inline uint64_t Home(uint64_t h, uint32_t home_slots) {
  return ((h >> 32) * static_cast<uint64_t>(home_slots)) >> 32;
}

// The slot walk of §Index: from slot *i on, advances *i to the next slot whose stored
// hash is h and returns that slot's record position; 0 when the run ends first (an
// empty slot, a greater hash — slots of a run are sorted — or the end of the index).
// The index lies wholly inside the file (meta_offset = index_offset + 16 × index_length
// ≤ file_length was checked at open), so slot i < index_length is safe to read.
inline uint64_t NextCandidate(const MmcdbFile& f, uint64_t h, uint64_t* i) {
  const uint8_t* index = f.base + f.index_offset;
  for (; *i < f.index_length; ++*i) {
    const uint8_t* slot = index + *i * kSlotSize;
    uint64_t pos = LoadU64(slot + 8);
    if (pos == 0) return 0;
    uint64_t hs = LoadU64(slot);
    if (hs > h) return 0;
    if (hs == h) return pos;
  }
  return 0;
}

// THE probe loop (single and batch lookups both run it): every record of hash h from
// slot i on whose key equals `key`, in insertion order. Same contract as MmcdbFind.
int64_t Probe(const MmcdbFile& f, const uint8_t* key, size_t key_length, uint64_t h, uint64_t i, bool all,
              ValueRef* out, size_t capacity, CdbFault* fault) {
  int64_t found = 0;
  for (uint64_t pos; (pos = NextCandidate(f, h, &i)) != 0; i++) {
    Record r;
    if (!ReadRecord(f, pos, SlotOffset(f, i), &r, fault)) return -1;
    // §Records: a SUPERSEDED record is never in the index.
    if (r.superseded) {
      fault->Set("ERR_CDB_CORRUPT", "index slot points to a superseded record at " + Num(pos), SlotOffset(f, i));
      return -1;
    }
    // The caller reads the value next: start loading its first and last cache lines now,
    // so those misses overlap the key compare and the trip back to JS. (Through the
    // read-only mapping: the same physical lines JS reads through the views mapping;
    // prefetching the views address instead measured slower.)
    if (r.value_length != 0) {
      __builtin_prefetch(f.base + r.value_offset);
      __builtin_prefetch(f.base + r.value_offset + r.value_length - 1);
    }
    if (r.key_length != key_length || std::memcmp(f.base + r.key_offset, key, key_length) != 0) continue;
    if (static_cast<size_t>(found) < capacity) out[found] = ValueRef{r.value_offset, r.value_length};
    found++;
    if (!all) break;
  }
  return found;
}

}  // namespace

bool HasMmcdbMagic(const uint8_t* base, uint64_t size) {
  return size >= 8 && std::memcmp(base, kMmcdbMagic, 8) == 0;
}

bool MmcdbOpen(const uint8_t* base, uint64_t size, MmcdbFile* f, CdbFault* fault) {
  // Order of checks: §Header, "A reader checks, at open, in this order".
  if (size < kHeaderSize) {
    if (HasMmcdbMagic(base, size)) {
      return fault->Set("ERR_CDB_TRUNCATED", "file is " + Num(size) + " bytes, shorter than the 128-byte header",
                        size);
    }
    return fault->Set("ERR_CDB_FORMAT", "not an mmcdb file (too short for a header)", 0);
  }
  if (!HasMmcdbMagic(base, size)) return fault->Set("ERR_CDB_FORMAT", "not an mmcdb file (bad magic)", 0);
  uint16_t version = LoadU16(base + 8);
  if (version != 1) {
    return fault->Set("ERR_CDB_VERSION", "unsupported mmcdb format version " + Num(version) +
                      " (this reader knows 1)", 8);
  }
  if (LoadU64(base + kHeaderChecksumOffset) != Xxh64(base, kHeaderChecksumOffset, 0)) {
    return fault->Set("ERR_CDB_CHECKSUM", "header checksum mismatch", kHeaderChecksumOffset);
  }
  uint16_t header_size = LoadU16(base + 10);
  if (header_size != kHeaderSize) {
    return fault->Set("ERR_CDB_FORMAT", "header_size is " + Num(header_size) + ", expected 128", 10);
  }
  uint32_t flags = LoadU32(base + 12);
  if ((flags & kRequiredFlags) != 0) {
    char hex[16];
    std::snprintf(hex, sizeof hex, "0x%x", flags & kRequiredFlags);
    return fault->Set("ERR_CDB_VERSION", std::string("unknown required flags ") + hex, 12);
  }
  // u64 fields beyond 2^53 − 1 cannot be addressed from JS (§Conventions).
  struct Field {
    const char* name;
    uint64_t offset;
    uint64_t* dst;
  };
  uint64_t data_offset = 0, file_length = 0;
  const Field fields[] = {{"record_count", 16, &f->record_count}, {"data_offset", 32, &data_offset},
                          {"data_end", 40, &f->data_end},         {"index_offset", 48, &f->index_offset},
                          {"index_length", 64, &f->index_length}, {"meta_offset", 72, &f->meta_offset},
                          {"meta_length", 80, &f->meta_length},   {"file_length", 88, &file_length}};
  for (const Field& fd : fields) {
    uint64_t v = LoadU64(base + fd.offset);
    if (v > kMaxSafeInteger) {
      return fault->Set("ERR_CDB_FORMAT", std::string("header field ") + fd.name + " is " + Num(v) +
                        ", beyond what this reader can address", fd.offset);
    }
    *fd.dst = v;
  }
  f->base = base;
  f->size = size;
  f->seed = LoadU64(base + 24);
  f->home_slots = LoadU32(base + 56);
  f->value_align = LoadU32(base + 60);
  if (file_length > size) {
    return fault->Set("ERR_CDB_TRUNCATED", "file is " + Num(size) + " bytes but its header says " +
                      Num(file_length), size);
  }
  if (file_length < size) {
    return fault->Set("ERR_CDB_FORMAT", "file is " + Num(size) + " bytes but its header says " +
                      Num(file_length) + " (trailing bytes)", 88);
  }
  if (data_offset != kHeaderSize) {
    return fault->Set("ERR_CDB_FORMAT", "data_offset is " + Num(data_offset) + ", expected 128", 32);
  }
  if (f->data_end < data_offset) return fault->Set("ERR_CDB_FORMAT", "data_end is before data_offset", 40);
  if (f->index_offset % kIndexAlign != 0 || f->index_offset < f->data_end ||
      f->index_offset >= f->data_end + kIndexAlign) {
    return fault->Set("ERR_CDB_FORMAT", "index_offset " + Num(f->index_offset) +
                      " is not data_end rounded up to 64", 48);
  }
  // Both terms are < 2^53, so neither the product nor the sums overflow 64 bits.
  if (f->meta_offset != f->index_offset + f->index_length * kSlotSize) {
    return fault->Set("ERR_CDB_FORMAT", "meta_offset does not follow the index", 72);
  }
  if (f->meta_offset + f->meta_length != file_length) {
    return fault->Set("ERR_CDB_FORMAT", "file_length does not follow the metadata", 80);
  }
  if (f->home_slots > f->index_length) return fault->Set("ERR_CDB_FORMAT", "home_slots exceeds index_length", 56);
  if (f->record_count > f->index_length) {
    return fault->Set("ERR_CDB_FORMAT", "record_count exceeds index_length", 16);
  }
  if ((f->home_slots == 0) != (f->record_count == 0)) {
    return fault->Set("ERR_CDB_FORMAT", "home_slots and record_count disagree", 56);
  }
  uint32_t a = f->value_align;
  if (a < 1 || a > kMaxValueAlign || (a & (a - 1)) != 0) {
    return fault->Set("ERR_CDB_FORMAT", "value_align " + Num(a) + " is not a power of two \xe2\x89\xa4 65536", 60);
  }
  return true;
}

int64_t MmcdbFind(const MmcdbFile& f, const uint8_t* key, size_t key_length, bool all, ValueRef* out,
                  size_t capacity, CdbFault* fault) {
  if (f.record_count == 0) return 0;
  const uint64_t h = Xxh64(key, key_length, f.seed);
  return Probe(f, key, key_length, h, Home(h, f.home_slots), all, out, capacity, fault);
}

int64_t MmcdbFindHashed(const MmcdbFile& f, const uint8_t* key, size_t key_length, uint64_t hash, bool all,
                        ValueRef* out, size_t capacity, CdbFault* fault) {
  if (f.record_count == 0) return 0;
  return Probe(f, key, key_length, hash, Home(hash, f.home_slots), all, out, capacity, fault);
}

int64_t MmcdbFindMany(const MmcdbFile& f, const KeyBytes* keys, size_t n, size_t group, double* out,
                      CdbFault* fault, PageHint hint) {
  if (f.record_count == 0) {
    for (size_t j = 0; j < n; j++) out[2 * j] = -1, out[2 * j + 1] = 0;
    return 0;
  }
  if (group < 1) group = 1;
  if (group > kMaxBatchGroup) group = kMaxBatchGroup;
  const uint8_t* index = f.base + f.index_offset;
  uint64_t hash[kMaxBatchGroup], slot[kMaxBatchGroup], pos[kMaxBatchGroup];
  int64_t found = 0;
  for (size_t b = 0; b < n; b += group) {
    const size_t m = n - b < group ? n - b : group;
    const KeyBytes* k = keys + b;
    // 1. Hash every key; request every home slot.
    for (size_t j = 0; j < m; j++) {
      hash[j] = Xxh64(k[j].data, k[j].length, f.seed);
      slot[j] = Home(hash[j], f.home_slots);
      __builtin_prefetch(index + slot[j] * kSlotSize);
    }
    if (hint != nullptr) {
      for (size_t j = 0; j < m; j++) hint(index + slot[j] * kSlotSize, kSlotSize);
    }
    // 2. Walk each run to its first candidate; request that record (header and key).
    //    pos 0 = no candidate: absent.
    for (size_t j = 0; j < m; j++) {
      pos[j] = NextCandidate(f, hash[j], &slot[j]);
      // Only positions inside the records are prefetched (ReadRecord reports the others).
      if (pos[j] >= kHeaderSize && pos[j] < f.data_end) {
        const uint8_t* rp = f.base + pos[j];
        __builtin_prefetch(rp);
        if (f.data_end - pos[j] > kRecordHeader + k[j].length) __builtin_prefetch(rp + kRecordHeader + k[j].length);
      }
    }
    if (hint != nullptr) {
      for (size_t j = 0; j < m; j++) {
        if (pos[j] >= kHeaderSize && pos[j] < f.data_end) {
          uint64_t len = f.data_end - pos[j];
          if (len > kRecordHeader + k[j].length) len = kRecordHeader + k[j].length;
          hint(f.base + pos[j], len);
        }
      }
    }
    // 3. The probe loop from each candidate's slot (its slot and record are in cache
    //    now); a 64-bit hash collision continues the run there.
    for (size_t j = 0; j < m; j++) {
      double* o = out + 2 * (b + j);
      ValueRef ref{0, 0};
      int64_t r = 0;
      if (pos[j] != 0) {
        r = Probe(f, k[j].data, k[j].length, hash[j], slot[j], false, &ref, 1, fault);
        if (r < 0) return -1;
      }
      if (r > 0) {
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

bool MmcdbRecordAt(const MmcdbFile& f, uint64_t pos, uint64_t referrer, RecordRef* rec, bool* superseded, CdbFault* fault) {
  Record r;
  if (!ReadRecord(f, pos, referrer, &r, fault)) return false;
  *rec = RecordRef{r.key_offset, r.key_length, r.value_offset, r.value_length, r.value_offset + r.value_length};
  *superseded = r.superseded;
  return true;
}

int MmcdbNext(const MmcdbFile& f, uint64_t pos, RecordRef* rec, CdbFault* fault) {
  if (pos < kHeaderSize) pos = kHeaderSize;
  while (pos < f.data_end) {
    Record r;
    if (!ReadRecord(f, pos, pos, &r, fault)) return -1;
    uint64_t next = r.value_offset + r.value_length;
    if (!r.superseded) {
      *rec = RecordRef{r.key_offset, r.key_length, r.value_offset, r.value_length, next};
      return 1;
    }
    pos = next;  // §Records: SUPERSEDED records are skipped by iteration
  }
  return 0;
}

}  // namespace mmcdb
