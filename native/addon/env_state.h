// Per-environment state: what one Node environment (the main thread, each
// worker_thread) holds of the addon. Jobs and threads are process-wide; their
// results come back to the environment that started them through its mailbox.
#pragma once

#include "job.h"
#include "mailbox.h"

#include <napi.h>

#include <cstdint>
#include <memory>
#include <unordered_map>

namespace wsc {

class EnvState;
void NotifyResultsReady(Napi::Env env, Napi::Function unused, EnvState* state, void* unused_data);
using ResultsReadyTsfn = Napi::TypedThreadSafeFunction<EnvState, void, NotifyResultsReady>;

class EnvState {
 public:
  static EnvState* Get(Napi::Env env) { return env.GetInstanceData<EnvState>(); }
  static void Install(Napi::Env env);

  // JS thread: starts `job`; returns its id for cancel().
  uint32_t Start(Napi::Env env, std::shared_ptr<Job> job);
  // JS thread: abandon a job; true if it was still pending.
  bool Cancel(Napi::Env env, uint32_t id);
  // JS thread: ask a pending job to end early and deliver its result; false if not pending.
  bool Interrupt(uint32_t id);
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
  void DeliverOne(Napi::Env env, std::shared_ptr<Job> job, const Napi::Function& deliver);

  ResultsReadyTsfn tsfn_;
  std::shared_ptr<Mailbox> mailbox_;
  std::unordered_map<uint32_t, std::shared_ptr<Job>> pending_;
  uint32_t next_id_ = 1;
  bool tearing_down_ = false;
};

// The one way a Winsock function file starts its job: returns the id JS waits on.
inline Napi::Value StartJob(Napi::Env env, std::shared_ptr<Job> job) {
  return Napi::Number::New(env, EnvState::Get(env)->Start(env, std::move(job)));
}

}  // namespace wsc
