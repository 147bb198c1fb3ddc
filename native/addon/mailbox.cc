#include "mailbox.h"

#include "connect_job.h"
#include "job_pool.h"

namespace wsc {

namespace {
// Holds an SRWLOCK exclusively for a scope.
class LockGuard {
 public:
  explicit LockGuard(SRWLOCK* lock) : lock_(lock) { AcquireSRWLockExclusive(lock_); }
  ~LockGuard() { ReleaseSRWLockExclusive(lock_); }
  LockGuard(const LockGuard&) = delete;
  LockGuard& operator=(const LockGuard&) = delete;

 private:
  SRWLOCK* lock_;
};
}  // namespace

bool Mailbox::Post(std::shared_ptr<ConnectJob> job) {
  LockGuard lock(&lock_);
  if (!open_) return false;
  queued_.push_back(std::move(job));
  if (call_pending_) return true;  // the call on its way takes this job too
  // Under the lock, so Close() can't let the TSFN go while a call is being made.
  // It fails only while the environment is torn down; Close() then drops the queue.
  call_pending_ = tsfn_.NonBlockingCall(this) == napi_ok;
  return true;
}

std::vector<std::shared_ptr<ConnectJob>> Mailbox::Take(size_t max, size_t* remaining) {
  std::vector<std::shared_ptr<ConnectJob>> jobs;
  LockGuard lock(&lock_);
  while (jobs.size() < max && !queued_.empty()) {
    jobs.push_back(std::move(queued_.front()));
    queued_.pop_front();
  }
  *remaining = queued_.size();
  if (*remaining == 0) call_pending_ = false;
  return jobs;
}

void Mailbox::Close() {
  std::deque<std::shared_ptr<ConnectJob>> dropped;
  {
    LockGuard lock(&lock_);
    open_ = false;
    dropped.swap(queued_);
  }
  // `dropped` goes out of scope here, outside the lock: each job closes its socket.
}

namespace {

// With NAPI_CPP_EXCEPTIONS a failing Node-API call throws Napi::Error. In a worker
// being terminated every call fails (JavaScript can no longer run), and handing
// the error back with napi_throw fails as well and throws again, out of the TSFN
// callback: std::terminate, and the whole process is gone (measured under Wine: "Unhandled exception 0x20474343", for about
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

void DeliverToJs(Napi::Env env, Napi::Function, AddonData* data, Mailbox*) {
  // env is null when the TSFN is being torn down with a call still queued: the
  // mailbox is closed by then and has dropped its jobs.
  if (env == nullptr || data == nullptr) return;
  try {
    data->NotifyReady(env);
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

void AddonData::NotifyReady(Napi::Env env) {
  if (tearing_down_ || on_ready.IsEmpty()) return;
  Napi::HandleScope scope(env);
  on_ready.Call({});
}

size_t AddonData::DeliverQueued(Napi::Env env, size_t max, const Napi::Function& deliver) {
  size_t remaining = 0;
  for (std::shared_ptr<ConnectJob>& job : mailbox_->Take(max, &remaining)) DeliverOne(env, std::move(job), deliver);
  return remaining;
}

void AddonData::DeliverOne(Napi::Env env, std::shared_ptr<ConnectJob> job, const Napi::Function& deliver) {
  job->StampDelivered();
  if (pending_.erase(job->id()) == 0 || tearing_down_) return;  // dropping `job` closes its socket
  JobDone(env);
  Napi::HandleScope scope(env);
  Napi::Object result = job->TakeResultAsJs(env);
  deliver.Call({Napi::Number::New(env, job->id()), result});
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
