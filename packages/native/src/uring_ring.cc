// asyncIo 'uring' (uring_ring.h). Compiled only when binding.gyp found liburing
// (scripts/has-liburing.cjs defines MMCDB_URING); uring_batch.cc says why not otherwise.
#ifdef MMCDB_URING
#include "uring_ring.h"

#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <uv.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "inline_budget.h"
#include "napi_util.h"
#include "uring_batch.h"

namespace mmcdb {

struct UringParts {
  uv_poll_t poll;
  uv_idle_t idle;
  int open = 0;  // handles not closed yet
  bool idle_on = false;
};

namespace {

// Where every read lands: never read, never freed (a read the kernel completes after
// an env teardown cancelled its ring still has somewhere harmless to go).
uint8_t* Scratch() {
  static uint8_t* buffer = static_cast<uint8_t*>(std::aligned_alloc(4096, UringRing::kMaxRead));
  return buffer;
}

// The /proc/sys/kernel/io_uring_disabled setting (Linux 6.6+): 0, 1, 2, or −1 if absent.
int IoUringDisabled() {
  FILE* f = std::fopen("/proc/sys/kernel/io_uring_disabled", "r");
  if (f == nullptr) return -1;
  int v = -1;
  if (std::fscanf(f, "%d", &v) != 1) v = -1;
  std::fclose(f);
  return v;
}

// Why io_uring_queue_init failed, in words that say what to do about it.
std::string SetupRefusal(int err, int disabled) {
  std::string s = std::string("io_uring_setup failed with ") + (err == EPERM ? "EPERM" : err == ENOSYS ? "ENOSYS" :
                  err == ENOMEM ? "ENOMEM" : err == EINVAL ? "EINVAL" : std::strerror(err));
  if (err == EPERM || err == ENOSYS) s += " (a seccomp filter blocks it, as Docker's default profile does";
  if (err == ENOSYS) s += ", or the kernel is older than 5.1";
  if (err == EPERM && disabled >= 1) s += ", or /proc/sys/kernel/io_uring_disabled = " + std::to_string(disabled);
  if (err == EPERM || err == ENOSYS) s += ")";
  if (err == ENOMEM) s += " (RLIMIT_MEMLOCK too low for the ring on a kernel before 5.12)";
  return s;
}

void CloseCallback(uv_handle_t* handle) {
  UringParts* parts = static_cast<UringParts*>(handle->data);
  if (--parts->open == 0) delete parts;
}

}  // namespace

UringRing* UringRing::Create(napi_env env, int file_fd, unsigned depth, std::string* why) {
  const char* forced = std::getenv("MMCDB_URING_FORCE_FAIL");
  int disabled = IoUringDisabled();
  if (forced != nullptr && forced[0] != '\0' && std::strcmp(forced, "0") != 0) {
    int err = std::strcmp(forced, "EPERM") == 0 ? EPERM : std::strcmp(forced, "ENOSYS") == 0 ? ENOSYS : 0;
    *why = (err != 0 ? SetupRefusal(err, disabled) + " — " : std::string()) + "forced by MMCDB_URING_FORCE_FAIL=" + forced;
    return nullptr;
  }
  if (disabled == 2) return *why = "io_uring is disabled (/proc/sys/kernel/io_uring_disabled = 2)", nullptr;
  uv_loop_t* loop = nullptr;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) return *why = "no libuv loop", nullptr;
  if (Scratch() == nullptr) return *why = "out of memory", nullptr;
  UringRing* r = new UringRing();
  r->env_ = env;
  r->depth_ = depth;
  r->ring_ = new io_uring();
  unsigned entries = 1;
  while (entries < depth) entries <<= 1;
  int e = io_uring_queue_init(entries, r->ring_, 0);
  if (e < 0) {
    *why = SetupRefusal(-e, disabled);
    delete r->ring_;
    r->ring_ = nullptr;
    delete r;
    return nullptr;
  }
  io_uring_probe* probe = io_uring_get_probe_ring(r->ring_);
  bool has_read = probe != nullptr && io_uring_opcode_supported(probe, IORING_OP_READ);
  if (probe != nullptr) io_uring_free_probe(probe);
  // A descriptor of our own on the same file (not the path: it may have been replaced),
  // with readahead off: each read brings exactly the pages asked for.
  std::string self = "/proc/self/fd/" + std::to_string(file_fd);
  r->file_fd_ = has_read ? ::open(self.c_str(), O_RDONLY | O_CLOEXEC) : -1;
  if (r->file_fd_ >= 0) ::posix_fadvise(r->file_fd_, 0, 0, POSIX_FADV_RANDOM);
  r->event_fd_ = r->file_fd_ >= 0 ? ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC) : -1;
  if (!has_read || r->file_fd_ < 0 || r->event_fd_ < 0 || io_uring_register_eventfd(r->ring_, r->event_fd_) < 0) {
    *why = !has_read ? "the kernel has no IORING_OP_READ (Linux 5.6 or later needed)"
                     : std::string("cannot set up the ring's descriptors: ") + std::strerror(errno);
    r->Close();
    delete r;
    return nullptr;
  }
  r->uv_ = new UringParts();
  uv_poll_init(loop, &r->uv_->poll, r->event_fd_);
  uv_idle_init(loop, &r->uv_->idle);
  r->uv_->open = 2;
  r->uv_->poll.data = r;
  r->uv_->idle.data = r;
  uv_poll_start(&r->uv_->poll, UV_READABLE, [](uv_poll_t* p, int, int) { OnPoll(p->data); });
  uv_unref(reinterpret_cast<uv_handle_t*>(&r->uv_->poll));  // ref'd only while reads are in flight
  napi_value name = String(env, "mmcdb.uringGetMany");
  if (name == nullptr || napi_async_init(env, nullptr, name, &r->async_) != napi_ok ||
      napi_add_env_cleanup_hook(env, OnEnvTeardown, r) != napi_ok) {
    *why = "cannot register the ring with Node";
    r->Close();
    delete r;
    return nullptr;
  }
  return r;
}

UringRing::~UringRing() {
  for (UringBatch* b : spare_) delete b;
}

UringBatch* UringRing::TakeBatch() {
  if (spare_.empty()) return new UringBatch();
  UringBatch* b = spare_.back();
  spare_.pop_back();
  return b;
}

void UringRing::GiveBack(UringBatch* batch) {
  // Kept only while small (getManyAsync hands over slices of 1,024 keys): at most
  // 16 × (4,096 keys' state, ~0.5 MiB, + 1 MiB of key bytes) stay allocated.
  constexpr size_t kSpares = 16, kMaxKeptKeys = 4096, kMaxKeptBytes = 1 << 20;
  if (torn_down_ || spare_.size() >= kSpares || batch->keys.capacity() > kMaxKeptKeys ||
      batch->bytes.capacity() > kMaxKeptBytes) {
    delete batch;
    return;
  }
  batch->Reset();
  spare_.push_back(batch);
}

void UringRing::Close() {
  if (uv_ != nullptr) {
    // From here on the handles only close: their callbacks free the parts.
    uv_->poll.data = uv_;
    uv_->idle.data = uv_;
    uv_poll_stop(&uv_->poll);
    uv_idle_stop(&uv_->idle);
    // At env teardown no callback of ours: a worker's loop may finish closing them after
    // the addon is unloaded (a crash, seen). The parts (a few hundred bytes) then leak.
    uv_close_cb cb = torn_down_ ? nullptr : CloseCallback;
    uv_close(reinterpret_cast<uv_handle_t*>(&uv_->poll), cb);
    uv_close(reinterpret_cast<uv_handle_t*>(&uv_->idle), cb);
    uv_ = nullptr;
  }
  if (ring_ != nullptr) {
    io_uring_queue_exit(ring_);  // cancels what is still in flight (env teardown only)
    delete ring_;
    ring_ = nullptr;
  }
  if (event_fd_ >= 0) ::close(event_fd_), event_fd_ = -1;
  if (file_fd_ >= 0) ::close(file_fd_), file_fd_ = -1;
}

void UringRing::Unref() {
  if (--refs_ > 0) return;
  if (!torn_down_) {
    DropTeardownStatus(napi_remove_env_cleanup_hook(env_, OnEnvTeardown, this));
    if (async_ != nullptr) DropTeardownStatus(napi_async_destroy(env_, async_));
  }
  Close();
  delete this;
}

void UringRing::OnEnvTeardown(void* data) {
  UringRing* r = static_cast<UringRing*>(data);
  r->torn_down_ = true;
  for (UringBatch* b : r->batches_) b->Abandon();  // their promises die with the env
  r->batches_.clear();
  r->Close();
}

void UringRing::Add(UringBatch* batch) {
  Ref();
  batches_.push_back(batch);
  WantTurn();
}

void UringRing::Start(napi_env env, UringBatch* batch) {
  if (uv_ == nullptr || torn_down_ || ring_ == nullptr || !InlineAllowed(uv_->poll.loop)) return Add(batch);
  batch->Work(this, std::chrono::steady_clock::now() + std::chrono::microseconds(kInlineUs));
  if (!batch->Finished()) {
    Add(batch);
    Submit();  // the reads its walk queued start now, not at the next turn
    return;
  }
  batch->Settle(env);  // the promise is returned settled; its reactions run as microtasks
}

void UringRing::WantTurn() {
  if (uv_ == nullptr || uv_->idle_on) return;
  uv_->idle_on = true;
  uv_idle_start(&uv_->idle, [](uv_idle_t* i) { OnIdle(i->data); });
}

bool UringRing::Read(uint64_t offset, uint32_t length, uint64_t tag) {
  if (ring_ == nullptr || Full()) return false;
  io_uring_sqe* sqe = io_uring_get_sqe(ring_);
  if (sqe == nullptr) {
    Submit();
    sqe = io_uring_get_sqe(ring_);
    if (sqe == nullptr) return false;
  }
  io_uring_prep_read(sqe, file_fd_, Scratch(), length > kMaxRead ? kMaxRead : length, offset);
  io_uring_sqe_set_data64(sqe, tag);
  inflight_++;
  if (++queued_ >= kSubmitChunk) Submit();
  return true;
}

void UringRing::Submit() {
  if (ring_ == nullptr || queued_ == 0) return;
  int e = io_uring_submit(ring_);
  submits_++;
  if (e >= 0) queued_ = 0;  // (on EAGAIN/EBUSY they stay queued: the next Submit retries)
  if (uv_ != nullptr && inflight_ > 0) uv_ref(reinterpret_cast<uv_handle_t*>(&uv_->poll));
}

void UringRing::Reap() {
  uint64_t count;
  while (::read(event_fd_, &count, sizeof count) > 0) {
  }
  io_uring_cqe* cqe;
  unsigned head, seen = 0;
  io_uring_for_each_cqe(ring_, head, cqe) {
    seen++;
    inflight_--;
    UringBatch::OnRead(io_uring_cqe_get_data64(cqe), cqe->res);
  }
  io_uring_cq_advance(ring_, seen);
}

void UringRing::OnPoll(void* data) {
  UringRing* r = static_cast<UringRing*>(data);
  if (r->ring_ == nullptr) return;
  r->Reap();
  r->Turn();
}

void UringRing::OnIdle(void* data) { static_cast<UringRing*>(data)->Turn(); }

// One turn: every batch works up to a shared deadline (≤ 0.5 ms of this loop iteration,
// its submissions included: Read submits every kSubmitChunk reads),
// the reads they queued go to the kernel, and the batches that finished settle — in a
// callback scope, so their promise reactions run before libuv moves on.
void UringRing::Turn() {
  if (in_turn_ || torn_down_ || ring_ == nullptr) return;
  in_turn_ = true;
  Ref();
  napi_handle_scope scope;
  bool scoped = napi_open_handle_scope(env_, &scope) == napi_ok;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::microseconds(500);
  bool more = false;
  std::vector<UringBatch*> finished;
  // From a different batch each turn: once the deadline has passed a batch does nothing
  // more this turn, and the same first batch every turn would starve the others.
  const size_t count = batches_.size();
  for (size_t i = 0; i < count; i++) more |= batches_[(first_batch_ + i) % count]->Work(this, deadline);
  first_batch_++;
  Submit();
  size_t kept = 0;
  for (UringBatch* b : batches_) {
    if (b->Finished()) finished.push_back(b);
    else batches_[kept++] = b;
  }
  batches_.resize(kept);
  // The loop's handles for what is left; a settled batch's reactions (below) may add
  // batches, which ask for their own turn.
  if (uv_ != nullptr) {
    if (!more && uv_->idle_on) uv_idle_stop(&uv_->idle), uv_->idle_on = false;
    if (more) WantTurn();
    if (inflight_ == 0) uv_unref(reinterpret_cast<uv_handle_t*>(&uv_->poll));
  }
  // One callback scope for all of them: their reactions run when it closes (a scope
  // per batch cost an object, an async-hooks round and a microtask checkpoint each).
  napi_callback_scope cs = nullptr;
  napi_value resource;
  if (!finished.empty() && scoped && napi_create_object(env_, &resource) == napi_ok) {
    DropTeardownStatus(napi_open_callback_scope(env_, resource, async_, &cs));
  }
  for (UringBatch* b : finished) {
    b->Settle(env_);
    Unref();  // the batch's reference
  }
  if (cs != nullptr) DropTeardownStatus(napi_close_callback_scope(env_, cs));
  if (scoped) DropTeardownStatus(napi_close_handle_scope(env_, scope));
  in_turn_ = false;
  Unref();
}

}  // namespace mmcdb
#endif  // MMCDB_URING
