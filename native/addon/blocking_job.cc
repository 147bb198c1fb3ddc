#include "blocking_job.h"

namespace wsc {

void BlockingJob::Launch() {
  BlockingPool::Instance().Submit(std::static_pointer_cast<BlockingJob>(shared_from_this()));
}

void BlockingJob::RunOnPoolThread(const WorkerEvents& events) {
  StampStarted();
  // Borrowed before the abandoned() check: an abandon that comes after the check
  // then finds the cancel event and signals it (OnAbandoned).
  BorrowEvents(events);
  if (!abandoned()) {
    if (events.cancel == nullptr || events.io == nullptr) {
      result_.Fail("CreateEvent", static_cast<int>(events.create_error));
    } else {
      Execute();
    }
  }
  ReturnEvents();
  StampExecuted();
  Finish();
}

void BlockingJob::FailWithoutRunning(int error) {
  result_.Fail("CreateThread", error);
  Finish();
}

void BlockingJob::BorrowEvents(const WorkerEvents& events) {
  ExclusiveLock lock(&cancellable_lock_);
  events_ = events;
  if (interrupted_) SignalCancelLocked();
}

void BlockingJob::Interrupt() {
  ExclusiveLock lock(&cancellable_lock_);
  interrupted_ = true;
  SignalCancelLocked();
}

void BlockingJob::SignalCancelLocked() {
  if (events_.cancel == nullptr) return;  // not running yet: BorrowEvents signals it
  SetEvent(events_.cancel);
  cancel_signalled_ = true;
}

void BlockingJob::ReturnEvents() {
  ExclusiveLock lock(&cancellable_lock_);
  // The next job on this thread starts with a quiet cancel event.
  if (cancel_signalled_ && events_.cancel) ResetEvent(events_.cancel);
  events_ = WorkerEvents{};
}

void BlockingJob::OnAbandoned() {
  ExclusiveLock lock(&cancellable_lock_);
  SignalCancelLocked();
  if (cancellable_socket_ == INVALID_SOCKET) return;  // no blocking call running
  CancelIoEx(reinterpret_cast<HANDLE>(cancellable_socket_), nullptr);
  // The call may have no I/O pending yet (still resolving the name): cancel again
  // until EndCancellableCall() says it has returned (docs/performance.md).
  StartCancelRetriesLocked();
}

void BlockingJob::StartCancelRetriesLocked() {
  cancel_retry_ = CreateThreadpoolTimer(RetryCancel, this, nullptr);
  if (cancel_retry_ == nullptr) return;
  ULARGE_INTEGER relative;
  relative.QuadPart = static_cast<ULONGLONG>(-static_cast<LONGLONG>(kCancelRetryMs) * 10000);  // 100 ns units
  FILETIME due{relative.LowPart, relative.HighPart};
  SetThreadpoolTimer(cancel_retry_, &due, kCancelRetryMs, 0);
}

VOID CALLBACK BlockingJob::RetryCancel(PTP_CALLBACK_INSTANCE, PVOID job, PTP_TIMER) {
  // The job outlives this callback: EndCancellableCall() waits for it.
  auto* self = static_cast<BlockingJob*>(job);
  ExclusiveLock lock(&self->cancellable_lock_);
  if (self->cancellable_socket_ != INVALID_SOCKET) CancelIoEx(reinterpret_cast<HANDLE>(self->cancellable_socket_), nullptr);
}

bool BlockingJob::BeginCancellableCall(SOCKET s) {
  ExclusiveLock lock(&cancellable_lock_);
  if (abandoned()) return false;
  cancellable_socket_ = s;
  return true;
}

void BlockingJob::EndCancellableCall() {
  PTP_TIMER retry = nullptr;
  {
    // Under the lock so a concurrent abandon or retry never calls CancelIoEx on a
    // handle value that has been closed and possibly reused.
    ExclusiveLock lock(&cancellable_lock_);
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

}  // namespace wsc
