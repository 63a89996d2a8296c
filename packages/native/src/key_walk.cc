#include "key_walk.h"

#include <cstring>

#include "xxh64.h"

namespace mmcdb {
namespace {

// docs/FORMAT.md §Index / §Records (mmcdb) and docs/CLASSIC.md (classic).
constexpr uint64_t kMmSlot = 16, kMmRecordHeader = 12;
constexpr uint64_t kClSlot = 8, kClRecordHeader = 8;

// Bytes [pos, pos + header + key_length) capped at data_end: the record header and, if
// the stored key has the length of ours, the key. A position the record check refuses
// needs no read (Advance reports it).
Range RecordNeed(uint64_t pos, uint64_t lowest, uint64_t data_end, uint64_t header, size_t key_length) {
  if (pos < lowest || pos > data_end || data_end - pos < header) return Range{0, 0};
  uint64_t end = data_end - pos < header + key_length ? data_end : pos + header + key_length;
  return Range{pos, end};
}

void Finish(KeyWalk* w, bool found) {
  w->stage = KeyWalk::kDone;
  w->found = found;
}

// The record at w->pos was read: true (and the walk moves on to its value) when its key is
// ours; false when the caller must go back to the next slot.
bool TakeIfOurs(const uint8_t* base, const RecordRef& r, const KeyBytes& key, KeyWalk* w) {
  if (r.key_length != key.length || std::memcmp(base + r.key_offset, key.data, key.length) != 0) return false;
  w->stage = KeyWalk::kValue;
  w->value_offset = r.value_offset;
  w->value_length = r.value_length;
  return true;
}

bool MmAdvance(const MmcdbFile& f, const KeyBytes& key, KeyWalk* w, CdbFault* fault) {
  const uint64_t slot_at = f.index_offset + w->slot * kMmSlot;
  if (w->stage == KeyWalk::kSlot) {
    if (w->slot >= f.index_length) return Finish(w, false), true;
    const uint8_t* s = f.base + slot_at;
    uint64_t pos = LoadU64(s + 8), hs = LoadU64(s);
    if (pos == 0 || hs > w->hash) return Finish(w, false), true;  // the run ends
    if (hs == w->hash) w->stage = KeyWalk::kRecord, w->pos = pos;
    else w->slot++;
    return true;
  }
  RecordRef r;
  bool superseded = false;
  if (!MmcdbRecordAt(f, w->pos, slot_at, &r, &superseded, fault)) return w->stage = KeyWalk::kFailed, false;
  if (superseded) {
    fault->Set("ERR_CDB_CORRUPT", "index slot points to a superseded record at " + Num(w->pos), slot_at);
    return w->stage = KeyWalk::kFailed, false;
  }
  if (!TakeIfOurs(f.base, r, key, w)) {
    w->stage = KeyWalk::kSlot;
    w->slot++;
  }
  return true;
}

bool ClAdvance(const ClassicFile& f, const KeyBytes& key, KeyWalk* w, CdbFault* fault) {
  const uint32_t h = static_cast<uint32_t>(w->hash);
  const uint64_t n = f.slots[h & 255];
  const uint64_t slot_at = f.pos[h & 255] + w->slot * kClSlot;
  if (w->stage == KeyWalk::kSlot) {
    if (w->probes >= n) return Finish(w, false), true;
    const uint8_t* s = f.base + slot_at;
    uint32_t recpos = LoadU32(s + 4);
    if (recpos == 0) return Finish(w, false), true;  // an empty slot ends the walk
    if (LoadU32(s) == h) {
      w->stage = KeyWalk::kRecord;
      w->pos = recpos;
    } else {
      w->probes++;
      if (++w->slot == n) w->slot = 0;
    }
    return true;
  }
  RecordRef r;
  if (!ClassicRecordAt(f, w->pos, slot_at, &r, fault)) return w->stage = KeyWalk::kFailed, false;
  if (!TakeIfOurs(f.base, r, key, w)) {
    w->stage = KeyWalk::kSlot;
    w->probes++;
    if (++w->slot == n) w->slot = 0;
  }
  return true;
}

}  // namespace

void WalkStart(const DbFile& f, const KeyBytes& key, KeyWalk* w) {
  *w = KeyWalk();
  w->stage = KeyWalk::kSlot;
  if (f.is_mmcdb) {
    if (f.mm.record_count == 0) return Finish(w, false);
    w->hash = Xxh64(key.data, key.length, f.mm.seed);
    w->slot = ((w->hash >> 32) * static_cast<uint64_t>(f.mm.home_slots)) >> 32;  // §Index home(h)
    return;
  }
  const uint32_t h = DjbHash(key.data, key.length);
  const uint64_t n = f.cl.slots[h & 255];
  w->hash = h;
  if (n == 0) return Finish(w, false);
  w->slot = (h >> 8) % n;
}

Range WalkNeed(const DbFile& f, const KeyBytes& key, const KeyWalk& w) {
  switch (w.stage) {
    case KeyWalk::kSlot:
      if (f.is_mmcdb) {
        if (w.slot >= f.mm.index_length) return Range{0, 0};
        const uint64_t at = f.mm.index_offset + w.slot * kMmSlot;
        return Range{at, at + kMmSlot};
      } else {
        const uint32_t t = static_cast<uint32_t>(w.hash) & 255;
        if (w.probes >= f.cl.slots[t]) return Range{0, 0};
        const uint64_t at = f.cl.pos[t] + w.slot * kClSlot;
        return Range{at, at + kClSlot};
      }
    case KeyWalk::kRecord:
      return f.is_mmcdb ? RecordNeed(w.pos, kHeaderSize, f.mm.data_end, kMmRecordHeader, key.length)
                        : RecordNeed(w.pos, kClassicTocSize, f.cl.data_end, kClRecordHeader, key.length);
    case KeyWalk::kValue:
      return Range{w.value_offset, w.value_offset + w.value_length};
    default:
      return Range{0, 0};
  }
}

bool WalkAdvance(const DbFile& f, const KeyBytes& key, KeyWalk* w, CdbFault* fault) {
  if (w->stage == KeyWalk::kValue) return Finish(w, true), true;
  if (w->stage != KeyWalk::kSlot && w->stage != KeyWalk::kRecord) return w->stage != KeyWalk::kFailed;
  return f.is_mmcdb ? MmAdvance(f.mm, key, w, fault) : ClAdvance(f.cl, key, w, fault);
}

}  // namespace mmcdb
