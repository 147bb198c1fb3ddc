#include "job.h"

#include "clock.h"
#include "socket_handle.h"

namespace wsc {

namespace {
std::atomic<int64_t> abandoned_running{0};
std::atomic<int64_t> alive{0};
std::atomic<bool> timing_enabled{false};
}  // namespace

bool JobResult::RecordConnectedAddresses() {
  SOCKET s = socket.get();
  if (!PeerAddressOf(s, &remote)) {
    Fail("getpeername", LastSocketErrorOr(WSAENOTCONN));
    return false;
  }
  has_remote = true;
  if (!LocalAddressOf(s, &local)) {
    Fail("getsockname", LastSocketErrorOr(WSAEINVAL));
    return false;
  }
  has_local = true;
  return true;
}

Job::Job() {
  alive.fetch_add(1);
  Stamp(kCreated);
}

Job::~Job() { alive.fetch_sub(1); }

int64_t Job::Alive() { return alive.load(); }

void Job::SetTimingEnabled(bool enabled) { timing_enabled.store(enabled); }

int64_t Job::AbandonedStillRunning() { return abandoned_running.load(); }

void Job::Stamp(StampIndex index) { stamps_[index] = ClockNow(); }

// {queuedUs: created -> its runner starts it, executeUs: the Winsock work,
//  handBackUs: done -> the JS thread holds the result}
Napi::Object Job::TimingAsJs(Napi::Env env) const {
  Napi::Object timing = Napi::Object::New(env);
  timing.Set("queuedUs", ClockToMicroseconds(stamps_[kStarted] - stamps_[kCreated]));
  timing.Set("executeUs", ClockToMicroseconds(stamps_[kExecuted] - stamps_[kStarted]));
  timing.Set("handBackUs", ClockToMicroseconds(stamps_[kDelivered] - stamps_[kExecuted]));
  return timing;
}

void Job::Start(uint32_t id, std::shared_ptr<JobSink> sink) {
  id_ = id;
  sink_ = std::move(sink);
  Launch();
}

void Job::Finish() {
  State expected = State::kPending;
  if (state_.compare_exchange_strong(expected, State::kCompleted)) {
    if (sink_->Post(shared_from_this())) return;
    // The environment is gone: nobody will take the result. Fall through to cleanup.
  } else {
    abandoned_running.fetch_sub(1);
  }
  result_.socket.Close();
}

bool Job::Abandon() {
  State expected = State::kPending;
  if (!state_.compare_exchange_strong(expected, State::kAbandoned)) return false;
  abandoned_running.fetch_add(1);
  OnAbandoned();
  return true;
}

Napi::Object Job::TakeResultAsJs(Napi::Env env) {
  Napi::Object object = Napi::Object::New(env);
  object.Set("errno", result_.error);
  object.Set("syscall", result_.syscall);
  if (result_.error == 0 && result_.socket.valid()) {
    object.Set("socket", SocketHandle::Wrap(env, std::move(result_.socket)));
  }
  if (result_.has_local) object.Set("localAddress", result_.local.ToJs(env));
  if (result_.has_remote) object.Set("remoteAddress", result_.remote.ToJs(env));
  AddResultFields(env, object);
  if (timing_enabled.load()) object.Set("timing", TimingAsJs(env));
  if (result_.has_callee_data) {
    object.Set("calleeData",
               Napi::Buffer<uint8_t>::Copy(env, result_.callee_data.data(), result_.callee_data.size()));
  }
  return object;
}

}  // namespace wsc
