// A job whose OS call blocks: it runs on a thread of the blocking pool
// (blocking_pool.h), and an abandon cuts the call short where Windows allows it.
#pragma once

#include "blocking_pool.h"
#include "job.h"

#include "lock.h"

namespace wsc {

class BlockingJob : public Job, public PoolTask {
 public:
  void RunOnPoolThread(const WorkerEvents& events) final;
  void FailWithoutRunning(int error) final;
  // Signals cancel_event() without abandoning: the job's wait ends (an IOCTL is
  // cancelled with CancelIoEx) and its result is delivered as usual.
  void Interrupt() final;

 protected:
  // Pool thread: does the work and fills result_. Must return soon after
  // cancel_event() is signalled, except inside calls that can't be interrupted
  // (WSAConnectByName/List), which RunCancellable cuts short with CancelIoEx.
  virtual void Execute() = 0;

  void Launch() final;
  void OnAbandoned() final;

  // Signalled when the job is abandoned (the pool thread's event, lent to this job).
  HANDLE cancel_event() const { return events_.cancel; }
  // A manual-reset event for the job's own waits, reset on each call: one wait at a time.
  HANDLE io_event() const {
    ResetEvent(events_.io);
    return events_.io;
  }

  // Runs `call` (a blocking Winsock call on `s` returning BOOL) so that an abandon
  // can cut it short; on failure fills result_ with `name` and the error.
  template <typename Call>
  bool RunCancellable(SOCKET s, const char* name, Call call) {
    if (!BeginCancellableCall(s)) {
      result_.Fail(name, WSA_OPERATION_ABORTED);
      return false;
    }
    BOOL ok = call();
    int err = ok ? 0 : WSAGetLastError();
    EndCancellableCall();
    if (!ok) result_.Fail(name, err);
    return ok != FALSE;
  }

 private:
  // While a blocking call runs on `s`, an abandon cancels its I/O with CancelIoEx
  // (a documented way to cut a blocking Winsock call short from another thread;
  // closing the socket from another thread is not), and keeps cancelling every
  // kCancelRetryMs until the call returns: CancelIoEx cancels only I/O already
  // pending, and an abandon can land while the call is still resolving the name,
  // before its connect exists. False if the job was abandoned before the call
  // could start: then don't start it.
  bool BeginCancellableCall(SOCKET s);
  void EndCancellableCall();
  static VOID CALLBACK RetryCancel(PTP_CALLBACK_INSTANCE, PVOID job, PTP_TIMER);
  void StartCancelRetriesLocked();
  void SignalCancelLocked();
  void BorrowEvents(const WorkerEvents& events);
  void ReturnEvents();

  static constexpr DWORD kCancelRetryMs = 20;

  SRWLOCK cancellable_lock_ = SRWLOCK_INIT;  // guards everything below
  WorkerEvents events_;           // while running on a pool thread; else null handles
  bool cancel_signalled_ = false;
  bool interrupted_ = false;  // Interrupt() came, perhaps before the job had events
  SOCKET cancellable_socket_ = INVALID_SOCKET;
  PTP_TIMER cancel_retry_ = nullptr;
};

}  // namespace wsc
