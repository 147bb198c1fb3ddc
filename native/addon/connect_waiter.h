// One thread waits for every pending non-blocking connect of the process
// (wsaConnect, and each attempt of connectByList's race), so a connect that hangs
// holds no thread and can never delay another. Why this design, against the
// others Windows offers (docs/performance.md has the measurements):
// - WSAAsyncSelect(FD_CONNECT) to a message-only window: one thread for any
//   number of sockets, O(1) per completion (the message names its socket), and
//   another thread wakes it with PostMessage. Chosen.
// - WSAEventSelect / OVERLAPPED events with WaitForMultipleObjects (at most 64
//   handles a call), or the system thread pool's waits (63 per thread under Wine):
//   10,000 pending connects would cost ~160 threads.
// - select() or WSAPoll over every socket: O(n) per wake-up; WSAPoll reports no
//   failed connect before Windows 10 2004.
// - An I/O completion port of ours: a socket can be bound to one port for life,
//   and libuv then runs the adopted socket in its slower emulated mode.
// Each connect gets its own message number (rotating through the WM_APP range),
// so a message still queued for a closed socket whose handle value a new socket
// reuses does not match the new one, and a matching message's error is the
// answer without asking the socket again. A recheck of every
// pending socket on a doubling interval, batched into one select(), catches a
// notification that never came (Wine 8 loses ~1 in 8,000 FD_CONNECT events under
// load; Windows caps a thread's posted messages at 10,000).
//
// Every socket call of a multiplexed connect runs on this thread: creating it,
// binding, starting the connect, closing it. None of them blocks.
#pragma once

#include "job.h"
#include "lock.h"

#include <windows.h>

#include <atomic>
#include <deque>
#include <memory>
#include <unordered_map>
#include <vector>

namespace wsc {

class MultiplexedConnect : public Job {
 public:
  enum class Progress { kDone, kWaiting };

  // Waiter thread: creates the socket, asks for FD_CONNECT news
  // (RequestConnectNotification) and starts the connect. kDone once result_ is
  // final (connected at once, or failed).
  virtual Progress Begin() = 0;
  // Waiter thread, at a recheck, once select() has news of the socket: kDone once
  // result_ is final. A finished connect no longer has messages sent for its socket.
  virtual Progress Check() = 0;
  // Waiter thread: FD_CONNECT arrived with `error` (0: connected). The message is
  // this socket's own (its number is unique to this connect), so its error is the
  // answer: the connect has ended.
  virtual void OnConnectEvent(int error) = 0;

  SOCKET socket() const { return result_.socket.get(); }
  bool was_abandoned() const { return abandoned(); }
  // The waiter's window and the message number for this connect, before Begin().
  void SetNotificationTarget(HWND window, UINT message) {
    window_ = window;
    message_ = message;
  }
  UINT message() const { return message_; }
  void MarkStarted() { StampStarted(); }
  void Complete() {
    StampExecuted();
    Finish();
  }
  // The waiter could not run it at all (no thread or window for it).
  void FailUnstarted(const char* call, int error) {
    MarkStarted();
    result_.Fail(call, error);
    Complete();
  }

 protected:
  void Launch() final;
  void OnAbandoned() final;

  // WSAAsyncSelect(FD_CONNECT) to the waiter; it makes the socket non-blocking.
  // Asked for before the connect starts, so its completion can't slip past unseen.
  // It is never taken back (a third system call per connect): Microsoft's
  // WSAAsyncSelect page lists no re-enabling call for FD_CONNECT, so after its one
  // message none comes, and what libuv does with an adopted socket is allowed on
  // one left in this mode (FIONBIO to non-blocking, overlapped I/O; only a switch
  // back to blocking needs the select taken back). closesocket ends it.
  int RequestConnectNotification() {
    return WSAAsyncSelect(socket(), window_, message_, FD_CONNECT) == 0 ? 0 : WSAGetLastError();
  }

 private:
  HWND window_ = nullptr;
  UINT message_ = 0;
};

class ConnectWaiter {
 public:
  static constexpr int kTickMs = 50;            // how often due rechecks run while connects wait (WM_TIMER)
  static constexpr int kFirstRecheckMs = 50;    // a pending socket's first recheck, then doubling…
  static constexpr int kLastRecheckMs = 1000;   // …up to this
  static constexpr int kIdleTickMs = 1000;      // the tick outlives the last connect by this much

  static ConnectWaiter& Instance();
  // Any thread.
  void Submit(std::shared_ptr<MultiplexedConnect> job);
  void Cancel(std::shared_ptr<MultiplexedConnect> job);
  // Connects waiting for their handshake.
  int64_t Waiting() const { return waiting_count_.load(); }
  // Test hook: the next wake is not posted, as if PostMessage had failed.
  void DropNextWakeForTesting() { drop_next_wake_.store(true); }
  // Test hook: the next FD_CONNECT of a waiting connect is ignored, as if lost.
  void DropNextConnectEventForTesting() { drop_next_connect_event_.store(true); }

 private:
  enum class CommandKind { kStart, kCancel };
  struct Command {
    CommandKind kind;
    std::shared_ptr<MultiplexedConnect> job;
  };
  struct Pending {
    std::shared_ptr<MultiplexedConnect> job;
    int64_t next_check;  // clock.h ticks
    int interval_ms;
  };

  ConnectWaiter() = default;
  // With lock_ held: starts the thread on first use; false (with start_error_) if it can't.
  bool EnsureThreadLocked();
  void Enqueue(Command command);
  static DWORD WINAPI ThreadMain(LPVOID waiter);
  void Run();
  bool CreateWindowOnThisThread();
  void DrainInbox();
  void StartConnect(const std::shared_ptr<MultiplexedConnect>& job);
  void CancelConnect(const std::shared_ptr<MultiplexedConnect>& job);
  void OnSocketMessage(SOCKET s, UINT message, int error);
  void Recheck();
  void Release(const std::shared_ptr<MultiplexedConnect>& job) { job->Complete(); }
  void CountWaiting();  // publishes pending_.size() for Waiting()
  void StartTicking();
  void StopTickingWhenIdle();
  UINT NextConnectMessage();

  // Shared with other threads (guarded by lock_).
  SRWLOCK lock_ = SRWLOCK_INIT;
  std::deque<Command> inbox_;
  bool thread_started_ = false;
  int start_error_ = 0;      // the thread or its window could not be made: every job fails with it
  const char* start_call_ = "";
  HWND window_ = nullptr;    // set once the thread's window exists
  bool wake_posted_ = false; // a wake message is on its way: later commands ride along

  // The waiter thread's own.
  std::unordered_map<SOCKET, Pending> pending_;
  bool ticking_ = false;
  int64_t idle_since_ = 0;  // clock.h ticks: when the waiter last ran out of connects (0: busy)
  UINT last_message_ = 0;

  std::atomic<int64_t> waiting_count_{0};
  // A wake could not be posted (the queue's 10,000-message quota): the thread
  // drains the inbox after the next message it gets, which a full queue brings.
  std::atomic<bool> inbox_stranded_{false};
  std::atomic<bool> drop_next_wake_{false};
  std::atomic<bool> drop_next_connect_event_{false};
};

}  // namespace wsc
