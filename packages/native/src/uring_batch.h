// One getManyAsync batch on a reader's io_uring (uring_ring.h), worked on the JS thread:
// every key walks slot → record → value (key_walk.h); before a step reads the mapping,
// the pages it reads must be known resident — by the ring's ResidencyMap (mincore per
// 512 KiB chunk, residency_map.h), or because a read of them just completed. Otherwise the
// key waits for an IORING_OP_READ of those pages (at most the ring's depth in flight).
// So the JS thread never waits for the disk, and the values JS reads afterwards lie on
// resident pages (zero-copy views, as on every path).
//
// A batch that starts while the whole mapping is known resident (ResidencyMap::
// AllResident) does not walk: it runs getMany's FindMany (WorkResident), in slices.
//
// Keys walk in a group of kGroup, one step each in turn, each step prefetching the
// next one's cache line: as getMany's groups do (mmcdb_lookup.h), so that warm keys'
// cache misses overlap instead of following one another.
#pragma once
#include <node_api.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "common.h"
#include "db_file.h"
#include "key_walk.h"

namespace mmcdb {

class Mapping;
class ResidencyMap;
class UringRing;

class UringBatch {
 public:
  using Clock = std::chrono::steady_clock;

  // Walks keys until `deadline`, queueing reads on `ring`. True when it could go on
  // without waiting for a read (it wants another turn).
  bool Work(UringRing* ring, Clock::time_point deadline);
  // Every key done (or the batch failed or was cancelled) and no read of it in flight.
  bool Finished() const;
  // Resolves (or rejects) the promise and frees the batch. JS thread, in a handle scope.
  void Settle(napi_env env);
  // Env teardown: frees the batch without settling.
  void Abandon();
  // A read's completion: `tag` names the batch and key (res: bytes read, or −errno).
  static void OnRead(uint64_t tag, int res);

  // The N-API side (uring_batch.cc): the batch takes the keys, a mapping reference and
  // the cancel flag's reference.
  napi_deferred deferred = nullptr;
  napi_ref cancel_ref = nullptr;
  const int32_t* cancel = nullptr;
  bool walk_only = false;  // never WorkResident (tests)
  Mapping* mapping = nullptr;
  UringRing* ring = nullptr;  // the reader's, which outlives its batches
  DbFile file;
  std::string path;
  std::vector<uint8_t> bytes;
  std::vector<KeyBytes> keys;

  // Sizes the per-key state (after keys is filled).
  void Prepare();
  // Back to a blank batch, buffers kept (UringRing::GiveBack).
  void Reset();

 private:
  struct KeyState {
    UringBatch* batch;
    uint32_t key;
    bool reading;        // a read for this key is in flight
    uint64_t known_from;  // file pages [known_from, known_to) are known resident
    uint64_t known_to;
    uint64_t read_from;  // the current read: [read_from, read_to)
    uint64_t read_to;
  };
  static constexpr size_t kGroup = 16;
  bool NextKey(uint32_t* k);
  bool Step(uint32_t k, const uint8_t** next_at);
  bool KnownResident(KeyState& s, Range pages);
  void WorkResident(Clock::time_point deadline);
  static constexpr size_t kFastKeys = 256;  // keys per FindMany call between deadline checks
  void Done(uint32_t k);
  void Fail(uint32_t k, const CdbFault& f);

  std::vector<KeyWalk> walks_;
  std::vector<KeyState> state_;
  std::vector<double> results_;
  std::vector<uint32_t> ready_;    // keys whose pages arrived: their walk goes on
  std::vector<uint32_t> blocked_;  // keys that found the ring full
  std::vector<uint32_t> group_;    // keys walking now, one step each in turn
  ResidencyMap* residency_ = nullptr;  // the ring's (set by Work)
  int64_t now_ms_ = 0;
  uint64_t page_ = 4096;
  size_t next_new_ = 0;            // keys [next_new_, n) not started
  size_t done_ = 0;
  size_t inflight_ = 0;
  bool failed_ = false;
  bool truncated_ = false;
  bool decided_ = false;  // whole_ is decided at the batch's first Work
  bool whole_ = false;    // the whole mapping was resident then: WorkResident runs the batch
  size_t fault_key_ = 0;
  CdbFault fault_;
  CdbFault scratch_fault_;
};

}  // namespace mmcdb
