// Per-environment state: the one ThreadSafeFunction that carries finished jobs
// back to JavaScript, the table of jobs JS may still cancel, and the SocketHandle
// class. Each Node environment (main thread, every worker_thread) has its own.
//
// Teardown: the Mailbox is shared with pool threads. When the environment goes
// away its cleanup hook closes the mailbox under the mutex before the TSFN is
// released, so no thread can call into a TSFN that is being torn down; results
// that arrive later are dropped by their job, which closes their socket.
#pragma once

#include <napi.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace wsc {

class ConnectJob;
class AddonData;

struct Delivery {
  std::shared_ptr<ConnectJob> job;
};

void DeliverToJs(Napi::Env env, Napi::Function unused, AddonData* data, Delivery* delivery);
using CompletionTsfn = Napi::TypedThreadSafeFunction<AddonData, Delivery, DeliverToJs>;

class Mailbox {
 public:
  explicit Mailbox(CompletionTsfn tsfn) : tsfn_(tsfn) {}
  // Any thread. False when the environment is gone (the caller cleans up).
  bool Post(const std::shared_ptr<ConnectJob>& job);
  // JS thread, at environment teardown.
  void Close();

 private:
  std::mutex mutex_;
  bool open_ = true;
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
  // JS thread: a finished job arrives.
  void Deliver(Napi::Env env, Delivery* delivery);

  Napi::FunctionReference socket_handle_class;
  Napi::FunctionReference on_complete;  // set by JS once: (id, result) => void

 private:
  void OnTeardown();
  void JobDone(Napi::Env env);

  CompletionTsfn tsfn_;
  std::shared_ptr<Mailbox> mailbox_;
  std::unordered_map<uint32_t, std::shared_ptr<ConnectJob>> pending_;
  uint32_t next_id_ = 1;
  bool tearing_down_ = false;
};

}  // namespace wsc
