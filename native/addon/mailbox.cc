#include "mailbox.h"

#include "connect_job.h"
#include "job_pool.h"

namespace wsc {

bool Mailbox::Post(const std::shared_ptr<ConnectJob>& job) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!open_) return false;
  auto* delivery = new Delivery{job};
  if (tsfn_.NonBlockingCall(delivery) != napi_ok) {
    delete delivery;
    return false;
  }
  return true;
}

void Mailbox::Close() {
  std::lock_guard<std::mutex> lock(mutex_);
  open_ = false;
}

namespace {

// With NAPI_CPP_EXCEPTIONS a failing Node-API call throws Napi::Error. In a worker
// being terminated every call fails (JavaScript can no longer run), and
// node-addon-api's callback wrapper would rethrow the error with napi_throw, which
// fails as well and throws again, out of the callback: std::terminate, and the whole
// process is gone (measured under Wine: "Unhandled exception 0x20474343", for about
// one worker in three terminated while its connects completed). So the error goes
// back to JavaScript only where JavaScript can still run, and never escapes.
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

void DeliverToJs(Napi::Env env, Napi::Function, AddonData* data, Delivery* delivery) {
  // env is null when the TSFN is being torn down with items still queued:
  // deleting the delivery drops the job, and with it closes its socket.
  if (env == nullptr || data == nullptr) {
    delete delivery;
    return;
  }
  try {
    data->Deliver(env, delivery);  // unwinding drops the job: its socket is closed
  } catch (const Napi::Error& error) {
    RethrowIfJavaScriptCanRun(env, error);
  }
}

void AddonData::Install(Napi::Env env, Napi::Object exports) {
  auto* data = new AddonData();
  env.SetInstanceData<AddonData>(data);
  data->tsfn_ = CompletionTsfn::New(env, "winsock-connect", 0, 1, data);
  data->tsfn_.Unref(env);  // only pending jobs keep the loop alive (see Start/JobDone)
  data->mailbox_ = std::make_shared<Mailbox>(data->tsfn_);
  // Registered after the TSFN so it runs before the TSFN's own teardown (hooks run in reverse order).
  env.AddCleanupHook([data] { data->OnTeardown(); });
}

uint32_t AddonData::Start(Napi::Env env, std::shared_ptr<ConnectJob> job) {
  uint32_t id = next_id_++;
  if (next_id_ == 0) next_id_ = 1;
  job->Bind(id, mailbox_);
  if (pending_.empty()) tsfn_.Ref(env);
  pending_.emplace(id, job);
  JobPool::Instance().Submit(std::move(job));
  return id;
}

bool AddonData::Cancel(Napi::Env env, uint32_t id) {
  auto it = pending_.find(id);
  if (it == pending_.end()) return false;
  if (!it->second->Abandon()) return false;  // completed: its delivery is already queued
  pending_.erase(it);
  JobDone(env);
  return true;
}

void AddonData::Deliver(Napi::Env env, Delivery* delivery) {
  std::shared_ptr<ConnectJob> job = std::move(delivery->job);
  delete delivery;
  if (pending_.erase(job->id()) == 0 || tearing_down_) return;  // dropping `job` closes its socket
  JobDone(env);
  Napi::HandleScope scope(env);
  Napi::Object result = job->TakeResultAsJs(env);
  if (!on_complete.IsEmpty()) on_complete.Call({Napi::Number::New(env, job->id()), result});
}

void AddonData::JobDone(Napi::Env env) {
  if (pending_.empty()) tsfn_.Unref(env);
}

void AddonData::OnTeardown() {
  tearing_down_ = true;
  mailbox_->Close();
  for (auto& entry : pending_) entry.second->Abandon();
  pending_.clear();
  tsfn_.Abort();
}

}  // namespace wsc
