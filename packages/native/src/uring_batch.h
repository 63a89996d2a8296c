// One getManyAsync batch on a reader's io_uring (uring_ring.h), worked on the JS thread:
// every key walks slot → record → value (key_walk.h); before a step reads the mapping,
// the pages it reads must be known resident — by mincore, or because a read of them
// just completed. Otherwise the key waits for an IORING_OP_READ of those pages (at most
// the ring's depth in flight). So the JS thread never waits for the disk, and the
// values JS reads afterwards lie on resident pages (zero-copy views, as on every path).
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
  Mapping* mapping = nullptr;
  DbFile file;
  std::string path;
  std::vector<uint8_t> bytes;
  std::vector<KeyBytes> keys;

  // Sizes the per-key state (after keys is filled).
  void Prepare();

 private:
  struct KeyState {
    UringBatch* batch;
    uint32_t key;
    bool reading;        // a read for this key is in flight
    uint64_t known_from;  // file pages [known_from, known_to) are known resident
    uint64_t known_to;
    uint64_t read_to;    // the current read runs up to here
  };
  void Drive(uint32_t k, UringRing* ring);
  bool KnownResident(KeyState& s, Range pages);
  void Fail(uint32_t k, const CdbFault& f);

  std::vector<KeyWalk> walks_;
  std::vector<KeyState> state_;
  std::vector<double> results_;
  std::vector<uint32_t> ready_;    // keys whose pages arrived: their walk goes on
  std::vector<uint32_t> blocked_;  // keys that found the ring full
  std::vector<unsigned char> pages_;  // mincore's answer (a value may span many pages)
  size_t next_new_ = 0;            // keys [next_new_, n) not started
  size_t done_ = 0;
  size_t inflight_ = 0;
  bool failed_ = false;
  bool truncated_ = false;
  size_t fault_key_ = 0;
  CdbFault fault_;
  CdbFault scratch_fault_;
};

}  // namespace mmcdb
