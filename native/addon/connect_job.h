// One connect operation, run on a thread of our own (job_pool.h) and delivered
// back to JavaScript through the environment's mailbox (mailbox.h).
//
// Ownership rule that makes "closed exactly once" hold on every path: the job's
// state moves Pending -> Completed (the result, socket included, goes to JS) or
// Pending -> Abandoned (JS has settled already: abort, deadline, env teardown).
// Whoever loses that race never touches the result; an abandoned job's socket is
// closed by the job itself when the OS call finally returns.
#pragma once

#include "winsock_api.h"  // winsock2, mswsock (SO_UPDATE_CONNECT_CONTEXT), windows

#include <napi.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "job_pool.h"
#include "owned_socket.h"
#include "sockaddr.h"

namespace wsc {

class Mailbox;

struct ConnectResult {
  int error = 0;                // Winsock / Win32 error code; 0 on success
  const char* syscall = "";     // the call that produced `error` (or that connected)
  OwnedSocket socket;           // set on success
  bool has_local = false;
  bool has_remote = false;
  SocketAddress local;
  SocketAddress remote;
  bool has_callee_data = false;
  std::vector<uint8_t> callee_data;

  void Fail(const char* call, int code) {
    syscall = call;
    error = code;
    socket.Close();
  }
};

class ConnectJob {
 public:
  ConnectJob() { Stamp(kCreated); }
  virtual ~ConnectJob() = default;
  ConnectJob(const ConnectJob&) = delete;
  ConnectJob& operator=(const ConnectJob&) = delete;

  uint32_t id() const { return id_; }
  void Bind(uint32_t id, std::shared_ptr<Mailbox> mailbox);

  // Pool thread: runs Execute() unless already abandoned, then hands the result
  // to the mailbox (Completed) or drops it, closing the socket (Abandoned).
  // `events` are the thread's own, lent to this job while it runs.
  void RunOnPoolThread(const std::shared_ptr<ConnectJob>& self, const WorkerEvents& events);
  // Used when the job can't be run at all (no thread could be started).
  void FailWithoutRunning(const std::shared_ptr<ConnectJob>& self, int error);

  // JS thread (or env teardown): true when this call abandoned a pending job;
  // false when the result is already on its way to JS.
  bool Abandon();

  // JS thread: the result as {errno, syscall, socket?, localAddress?, remoteAddress?, calleeData?}.
  Napi::Object TakeResultAsJs(Napi::Env env);

  static int64_t AbandonedStillRunning();

  // Diagnostics for bench/ (off by default): when on, every result carries
  // `timing`, the microseconds each stage of the hand-off took (see TimingAsJs).
  static void SetTimingEnabled(bool enabled);
  // JS thread, when the mailbox hands the job over (the last stamp).
  void StampDelivered() { Stamp(kDelivered); }

 protected:
  // Pool thread: does the Winsock work and fills result_. Must return soon after
  // cancel_event() is signalled, except inside calls that can't be interrupted
  // (WSAConnectByName/List), which are cut short with CancelIoEx instead.
  virtual void Execute() = 0;

  // JS thread: fields particular to a job kind (the driver's per-step statuses).
  virtual void AddResultFields(Napi::Env env, Napi::Object result) {}

  bool abandoned() const { return state_.load() == State::kAbandoned; }
  // Signalled when the job is abandoned (the pool thread's event, lent to this job).
  HANDLE cancel_event() const { return events_.cancel; }
  // A manual-reset event for the job's own waits, reset on each call: one wait at a time.
  HANDLE io_event() const {
    ResetEvent(events_.io);
    return events_.io;
  }

  // While a blocking call runs on `s`, Abandon() cancels its I/O with CancelIoEx
  // (a documented way to cut a blocking Winsock call short from another thread;
  // closing the socket from another thread is not), and keeps cancelling every
  // kCancelRetryMs until the call returns: CancelIoEx cancels only I/O already
  // pending, and an abandon can land while the call is still resolving the name,
  // before its connect exists. Returns false if the job was abandoned before the
  // call could start: then don't start it.
  bool BeginCancellableCall(SOCKET s);
  void EndCancellableCall();

  // Runs `call` (a blocking Winsock call on `s` returning BOOL) so that Abandon()
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

  ConnectResult result_;

 private:
  enum class State { kPending, kCompleted, kAbandoned };
  // Moments in a job's life, from QueryPerformanceCounter (no system call).
  enum StampIndex { kCreated, kStarted, kExecuted, kDelivered, kStampCount };

  void Stamp(StampIndex index);
  Napi::Object TimingAsJs(Napi::Env env) const;

  void Finish(const std::shared_ptr<ConnectJob>& self);
  // Lends the thread's events to this job / takes them back (under cancellable_mutex_).
  void BorrowEvents(const WorkerEvents& events);
  void ReturnEvents();

  uint32_t id_ = 0;
  std::shared_ptr<Mailbox> mailbox_;
  std::atomic<State> state_{State::kPending};
  std::atomic<bool> running_{false};
  int64_t stamps_[kStampCount] = {};
  WorkerEvents events_;             // while running on a pool thread; else null handles
  bool cancel_signalled_ = false;   // Abandon() set events_.cancel (guarded by cancellable_mutex_)
  static constexpr DWORD kCancelRetryMs = 20;
  static VOID CALLBACK RetryCancel(PTP_CALLBACK_INSTANCE, PVOID job, PTP_TIMER);
  void CancelPendingIoLocked();

  std::mutex cancellable_mutex_;
  SOCKET cancellable_socket_ = INVALID_SOCKET;
  PTP_TIMER cancel_retry_ = nullptr;  // repeats CancelIoEx while an abandoned call runs
};

// Fills local/remote from the connected socket. The OS-reported local address can
// carry port 0 (Wine's WSAConnectByName does), so getsockname is the source of truth.
// After a connect the provider reported as successful: both addresses from the
// socket itself, or result->Fail when it has no peer after all.
void RecordConnectedAddresses(ConnectResult* result);

// WSAGetLastError(), or fallback when it holds no error.
int LastSocketErrorOr(int fallback);

}  // namespace wsc

namespace wsc {
// After WSAConnectByName/List and ConnectEx the socket is in the default connected
// state until SO_UPDATE_CONNECT_CONTEXT (shutdown, getpeername etc. depend on it).
// Returns 0 or the error.
int UpdateConnectContext(SOCKET s);

// IPV6_V6ONLY on an AF_INET6 socket: off makes it dual stack (IPv4 as v4-mapped).
// Returns 0 or the error.
int SetV6Only(SOCKET s, bool v6_only);

// The timeval the Winsock connect-by functions take.
inline timeval TimevalFromMs(uint32_t ms) {
  return timeval{static_cast<long>(ms / 1000), static_cast<long>((ms % 1000) * 1000)};
}
}  // namespace wsc
