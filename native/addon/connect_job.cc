#include "connect_job.h"

#include "mailbox.h"
#include "socket_handle.h"

namespace wsc {

namespace {
std::atomic<int64_t> abandoned_running{0};
std::atomic<bool> timing_enabled{false};

int64_t PerformanceCounter() {
  LARGE_INTEGER now;
  QueryPerformanceCounter(&now);
  return now.QuadPart;
}

double CounterToMicroseconds(int64_t ticks) {
  static const double frequency = [] {
    LARGE_INTEGER f;
    QueryPerformanceFrequency(&f);
    return static_cast<double>(f.QuadPart);
  }();
  return static_cast<double>(ticks) * 1e6 / frequency;
}
}  // namespace

void ConnectJob::SetTimingEnabled(bool enabled) { timing_enabled.store(enabled); }

void ConnectJob::Stamp(StampIndex index) { stamps_[index] = PerformanceCounter(); }

// {queuedUs: created -> a pool thread starts it (includes the wake-up),
//  executeUs: the Winsock work on the pool thread,
//  handBackUs: executed -> JS thread holds the result (mailbox post, loop wake-up)}
Napi::Object ConnectJob::TimingAsJs(Napi::Env env) const {
  Napi::Object timing = Napi::Object::New(env);
  timing.Set("queuedUs", CounterToMicroseconds(stamps_[kStarted] - stamps_[kCreated]));
  timing.Set("executeUs", CounterToMicroseconds(stamps_[kExecuted] - stamps_[kStarted]));
  timing.Set("handBackUs", CounterToMicroseconds(stamps_[kDelivered] - stamps_[kExecuted]));
  return timing;
}

void ConnectJob::Bind(uint32_t id, std::shared_ptr<Mailbox> mailbox) {
  id_ = id;
  mailbox_ = std::move(mailbox);
}

void ConnectJob::RunOnPoolThread(const std::shared_ptr<ConnectJob>& self, const WorkerEvents& events) {
  // Borrowed before the abandoned() check: an Abandon() that comes after the check
  // then finds the cancel event and signals it (see Abandon).
  Stamp(kStarted);
  BorrowEvents(events);
  if (!abandoned()) {
    running_.store(true);
    if (events.cancel == nullptr || events.io == nullptr) {
      result_.Fail("CreateEvent", static_cast<int>(events.create_error));
    } else {
      Execute();
    }
    running_.store(false);
  }
  ReturnEvents();
  Stamp(kExecuted);
  Finish(self);
}

void ConnectJob::BorrowEvents(const WorkerEvents& events) {
  std::lock_guard<std::mutex> lock(cancellable_mutex_);
  events_ = events;
}

void ConnectJob::ReturnEvents() {
  std::lock_guard<std::mutex> lock(cancellable_mutex_);
  // The next job on this thread starts with a quiet cancel event.
  if (cancel_signalled_ && events_.cancel) ResetEvent(events_.cancel);
  events_ = WorkerEvents{};
}

void ConnectJob::FailWithoutRunning(const std::shared_ptr<ConnectJob>& self, int error) {
  result_.Fail("CreateThread", error);
  Finish(self);
}

void ConnectJob::Finish(const std::shared_ptr<ConnectJob>& self) {
  State expected = State::kPending;
  if (state_.compare_exchange_strong(expected, State::kCompleted)) {
    if (mailbox_->Post(self)) return;
    // The environment is gone: nobody will take the result. Fall through to cleanup.
  } else {
    abandoned_running.fetch_sub(1);
  }
  result_.socket.Close();
}

bool ConnectJob::Abandon() {
  State expected = State::kPending;
  if (!state_.compare_exchange_strong(expected, State::kAbandoned)) return false;
  abandoned_running.fetch_add(1);
  std::lock_guard<std::mutex> lock(cancellable_mutex_);
  if (events_.cancel) {
    SetEvent(events_.cancel);
    cancel_signalled_ = true;
  }
  if (cancellable_socket_ == INVALID_SOCKET) return true;  // no blocking call running
  CancelPendingIoLocked();
  // The call may have no I/O pending yet (still resolving the name, say): measured
  // under Wine, 4 to 44 of 400 WSAConnectByName("localhost") calls abandoned within
  // a millisecond found nothing to cancel, and their connects then hung on, each
  // holding a pool thread. So cancel again until EndCancellableCall() says the call
  // has returned.
  cancel_retry_ = CreateThreadpoolTimer(RetryCancel, this, nullptr);
  if (cancel_retry_ != nullptr) {
    FILETIME due;
    ULARGE_INTEGER relative;
    relative.QuadPart = static_cast<ULONGLONG>(-static_cast<LONGLONG>(kCancelRetryMs) * 10000);  // 100 ns units, relative
    due.dwLowDateTime = relative.LowPart;
    due.dwHighDateTime = relative.HighPart;
    SetThreadpoolTimer(cancel_retry_, &due, kCancelRetryMs, 0);
  }
  return true;
}

VOID CALLBACK ConnectJob::RetryCancel(PTP_CALLBACK_INSTANCE, PVOID job, PTP_TIMER) {
  // The job outlives this callback: EndCancellableCall() waits for it.
  auto* self = static_cast<ConnectJob*>(job);
  std::lock_guard<std::mutex> lock(self->cancellable_mutex_);
  if (self->cancellable_socket_ != INVALID_SOCKET) self->CancelPendingIoLocked();
}

void ConnectJob::CancelPendingIoLocked() {
  CancelIoEx(reinterpret_cast<HANDLE>(cancellable_socket_), nullptr);
}

bool ConnectJob::BeginCancellableCall(SOCKET s) {
  std::lock_guard<std::mutex> lock(cancellable_mutex_);
  if (abandoned()) return false;
  cancellable_socket_ = s;
  return true;
}

void ConnectJob::EndCancellableCall() {
  PTP_TIMER retry = nullptr;
  {
    // Under the lock so a concurrent Abandon() or retry never calls CancelIoEx on a
    // handle value that has been closed and possibly reused.
    std::lock_guard<std::mutex> lock(cancellable_mutex_);
    cancellable_socket_ = INVALID_SOCKET;
    retry = cancel_retry_;
    cancel_retry_ = nullptr;
  }
  if (retry == nullptr) return;
  // Outside the lock: a running callback takes it.
  SetThreadpoolTimer(retry, nullptr, 0, 0);
  WaitForThreadpoolTimerCallbacks(retry, TRUE);
  CloseThreadpoolTimer(retry);
}

Napi::Object ConnectJob::TakeResultAsJs(Napi::Env env) {
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

int64_t ConnectJob::AbandonedStillRunning() { return abandoned_running.load(); }

void RecordConnectedAddresses(ConnectResult* result) {
  // A connect the provider called successful must have a peer. If getpeername
  // says otherwise the connect did not happen, and that error is the answer.
  SOCKET s = result->socket.get();
  if (!PeerAddressOf(s, &result->remote)) return result->Fail("getpeername", LastSocketErrorOr(WSAENOTCONN));
  result->has_remote = true;
  if (!LocalAddressOf(s, &result->local)) return result->Fail("getsockname", LastSocketErrorOr(WSAEINVAL));
  result->has_local = true;
}

int LastSocketErrorOr(int fallback) {
  int err = WSAGetLastError();
  return err != 0 ? err : fallback;
}

}  // namespace wsc

namespace wsc {
int SetV6Only(SOCKET s, bool v6_only) {
  DWORD value = v6_only ? 1 : 0;
  if (setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, reinterpret_cast<const char*>(&value), sizeof value) != 0) {
    return WSAGetLastError();
  }
  return 0;
}

int UpdateConnectContext(SOCKET s) {
  if (setsockopt(s, SOL_SOCKET, SO_UPDATE_CONNECT_CONTEXT, nullptr, 0) == SOCKET_ERROR) return WSAGetLastError();
  return 0;
}
}  // namespace wsc
