#include "env_state.h"

namespace wsc {

namespace {

// With NAPI_CPP_EXCEPTIONS a failing Node-API call throws Napi::Error. In a worker
// being terminated every call fails (JavaScript can no longer run), and handing
// the error back with napi_throw fails as well and throws again, out of the TSFN
// callback: std::terminate and the whole process is gone (docs/reliability.md).
// So the error goes back to JavaScript only where JavaScript can still run, and
// never escapes.
void RethrowIfJavaScriptCanRun(napi_env env, const Napi::Error& error) noexcept {
  bool pending = false;
  if (napi_is_exception_pending(env, &pending) != napi_ok || pending) return;
  try {
    napi_throw(env, error.Value());  // fails, harmlessly, in a terminating environment
  } catch (...) {
    // error.Value() itself failed: the environment is going away.
  }
}

}  // namespace

void NotifyResultsReady(Napi::Env env, Napi::Function, EnvState* state, void*) {
  // env is null when the TSFN is being torn down with a call still queued: the
  // mailbox is closed by then and has dropped its jobs.
  if (env == nullptr || state == nullptr) return;
  try {
    state->NotifyReady(env);
  } catch (const Napi::Error& error) {
    RethrowIfJavaScriptCanRun(env, error);
  }
}

void EnvState::Install(Napi::Env env) {
  auto* state = new EnvState();
  env.SetInstanceData<EnvState>(state);
  state->tsfn_ = ResultsReadyTsfn::New(env, "winsock-connect", 0, 1, state);
  state->tsfn_.Unref(env);  // only pending jobs keep the loop alive (see Start/JobDone)
  ResultsReadyTsfn tsfn = state->tsfn_;
  state->mailbox_ = std::make_shared<Mailbox>([tsfn]() mutable { return tsfn.NonBlockingCall() == napi_ok; });
  // Registered after the TSFN so it runs before the TSFN's own teardown (hooks run in reverse order).
  env.AddCleanupHook([state] { state->OnTeardown(); });
}

uint32_t EnvState::Start(Napi::Env env, std::shared_ptr<Job> job) {
  uint32_t id = next_id_++;
  if (next_id_ == 0) next_id_ = 1;
  if (pending_.empty()) tsfn_.Ref(env);
  pending_.emplace(id, job);
  job->Start(id, mailbox_);
  return id;
}

bool EnvState::Cancel(Napi::Env env, uint32_t id) {
  auto it = pending_.find(id);
  if (it == pending_.end()) return false;
  if (!it->second->Abandon()) return false;  // completed: its delivery is already queued
  pending_.erase(it);
  JobDone(env);
  return true;
}

bool EnvState::Interrupt(uint32_t id) {
  auto it = pending_.find(id);
  if (it == pending_.end()) return false;
  it->second->Interrupt();
  return true;
}

void EnvState::NotifyReady(Napi::Env env) {
  if (tearing_down_ || on_ready.IsEmpty()) return;
  Napi::HandleScope scope(env);
  on_ready.Call({});
}

size_t EnvState::DeliverQueued(Napi::Env env, size_t max, const Napi::Function& deliver) {
  size_t remaining = 0;
  for (std::shared_ptr<Job>& job : mailbox_->Take(max, &remaining)) DeliverOne(env, std::move(job), deliver);
  return remaining;
}

void EnvState::DeliverOne(Napi::Env env, std::shared_ptr<Job> job, const Napi::Function& deliver) {
  job->StampDelivered();
  if (pending_.erase(job->id()) == 0 || tearing_down_) return;  // dropping `job` closes its socket
  JobDone(env);
  Napi::HandleScope scope(env);
  Napi::Object result = job->TakeResultAsJs(env);
  deliver.Call({Napi::Number::New(env, job->id()), result});
}

void EnvState::JobDone(Napi::Env env) {
  if (pending_.empty()) tsfn_.Unref(env);
}

void EnvState::OnTeardown() {
  tearing_down_ = true;
  mailbox_->Close();
  for (auto& entry : pending_) entry.second->Abandon();
  pending_.clear();
  tsfn_.Abort();
}

}  // namespace wsc
