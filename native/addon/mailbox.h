// Per-environment state: the one ThreadSafeFunction that carries finished jobs
// back to JavaScript, the table of jobs JS may still cancel, and the SocketHandle
// class. Each Node environment (main thread, every worker_thread) has its own.
//
// Batching: finished jobs wait in the mailbox's own queue (an SRWLOCK guards it).
// Only the post that finds no call pending calls the ThreadSafeFunction, and
// that call just tells JS "results are waiting"; JS then takes them one per
// event-loop turn (takeResults; lib/jobs.ts), so a burst of finished jobs never
// holds the loop: with one TSFN call per job, Node dispatched every queued result in one
// go (and kept going while more arrived), and 1,000 concurrent connects held the
// loop for over 100 ms at a time (bench/, under Wine).
//
// Teardown: the Mailbox is shared with pool threads. When the environment goes
// away its cleanup hook closes the mailbox under the lock before the TSFN is
// released, so no thread can call into a TSFN that is being torn down; results
// that arrive later are dropped by their job, which closes their socket.
#pragma once

#include <napi.h>
#include <windows.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <unordered_map>
#include <vector>

namespace wsc {

class ConnectJob;
class AddonData;
class Mailbox;

void DeliverToJs(Napi::Env env, Napi::Function unused, AddonData* data, Mailbox* mailbox);
using CompletionTsfn = Napi::TypedThreadSafeFunction<AddonData, Mailbox, DeliverToJs>;

class Mailbox {
 public:
  explicit Mailbox(CompletionTsfn tsfn) : tsfn_(tsfn) {}
  // Any thread. False when the environment is gone (the caller cleans up).
  bool Post(std::shared_ptr<ConnectJob> job);
  // JS thread: up to `max` jobs, oldest first; *remaining is how many are still
  // queued. When that is 0, the next post calls the TSFN again.
  std::vector<std::shared_ptr<ConnectJob>> Take(size_t max, size_t* remaining);
  // JS thread, at environment teardown: no more posts; what is queued is dropped
  // (dropping a job closes its socket).
  void Close();

 private:
  SRWLOCK lock_ = SRWLOCK_INIT;
  bool open_ = true;
  bool call_pending_ = false;  // JS was told (or is being told) that results are waiting
  std::deque<std::shared_ptr<ConnectJob>> queued_;
  CompletionTsfn tsfn_;
};

class AddonData {
 public:
  static AddonData* Get(Napi::Env env) { return env.GetInstanceData<AddonData>(); }
  static void Install(Napi::Env env, Napi::Object exports);

  // JS thread: queue `job` on the pool; returns its id for cancel().
  uint32_t Start(Napi::Env env, std::shared_ptr<ConnectJob> job);
  // JS thread: abandon a job; true if it was still pending.
  bool Cancel(Napi::Env env, uint32_t id);
  // JS thread: hands up to `max` finished jobs to `deliver(id, result)`; returns
  // how many are still waiting (JS asks again on a later turn).
  size_t DeliverQueued(Napi::Env env, size_t max, const Napi::Function& deliver);
  // JS thread: the TSFN says results are waiting.
  void NotifyReady(Napi::Env env);

  Napi::FunctionReference socket_handle_class;
  Napi::FunctionReference on_ready;  // set by JS once: () => void, "call takeResults soon"

 private:
  void OnTeardown();
  void JobDone(Napi::Env env);
  void DeliverOne(Napi::Env env, std::shared_ptr<ConnectJob> job, const Napi::Function& deliver);

  CompletionTsfn tsfn_;
  std::shared_ptr<Mailbox> mailbox_;
  std::unordered_map<uint32_t, std::shared_ptr<ConnectJob>> pending_;
  uint32_t next_id_ = 1;
  bool tearing_down_ = false;
};

}  // namespace wsc
