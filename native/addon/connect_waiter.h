// Two threads serve every pending non-blocking connect of the process
// (wsaConnect, and each attempt of connectByList's race), however many there
// are, so a connect that hangs holds no thread and can never delay another. Why
// this design, against the others Windows offers (docs/performance.md has the
// measurements):
// - WSAAsyncSelect(FD_CONNECT) to a message-only window: one thread for any
//   number of sockets, O(1) per completion (the message names its socket). Chosen.
// - WSAEventSelect / OVERLAPPED events with WaitForMultipleObjects (at most 64
//   handles a call), or the system thread pool's waits (63 per thread under Wine):
//   10,000 pending connects would cost ~160 threads.
// - select() or WSAPoll over every socket: O(n) per wake-up; WSAPoll reports no
//   failed connect before Windows 10 2004.
// - An I/O completion port of ours: a socket can be bound to one port for life,
//   and libuv then runs the adopted socket in its slower emulated mode.
//
// The two threads:
// - The starter takes commands (start, cancel) through an SRWLOCK and a condition
//   variable, which wake it without a system call under Wine (a PostMessage to
//   the window's thread is a wineserver round trip there). It creates each
//   socket, asks for FD_CONNECT, starts the connect, closes abandoned ones, and
//   rechecks.
// - The pump owns the window and only takes its messages: an FD_CONNECT finishes
//   its connect.
// A connect is in `pending_` from the moment it asks for FD_CONNECT until one
// thread takes it out, under pending_lock_; that thread alone then finishes it, so
// its socket is closed exactly once. While the starter works on one (starting
// it, checking it), an FD_CONNECT for it is kept and the starter applies it.
//
// Each connect gets its own message number (rotating through the WM_APP range),
// so a message still queued for a closed socket whose handle value a new socket
// reuses does not match the new one, and a matching message's error is the
// answer without asking the socket again. A recheck of every pending socket on a
// doubling interval, in select() sets of at most FD_SETSIZE with commands taken
// between sets, catches a notification that never came (Wine 8 loses ~1 in 8,000
// FD_CONNECT events under load; Windows caps a thread's posted messages at
// 10,000). None of these calls blocks.
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

  // Starter thread: creates the socket, asks for FD_CONNECT news
  // (RequestConnectNotification) and starts the connect. kDone once result_ is
  // final (connected at once, or failed); kWaiting only after
  // RequestConnectNotification succeeded.
  virtual Progress Begin() = 0;
  // Starter thread, at a recheck, once select() has news of the socket: kDone once
  // result_ is final. An FD_CONNECT that still comes for a finished connect finds it
  // gone from pending_ and is dropped.
  virtual Progress Check() = 0;
  // The thread that took the connect out of pending_: FD_CONNECT arrived with
  // `error` (0: connected). The message is this socket's own (its number is unique
  // to this connect), so its error is the answer: the connect has ended.
  virtual void OnConnectEvent(int error) = 0;

  // Only for the thread that holds the connect (Fail closes and clears it).
  SOCKET socket() const { return result_.socket.get(); }
  // The socket's handle value as pending_ knows it: set once, on the starter,
  // before any FD_CONNECT can come; INVALID_SOCKET if it never asked for one.
  SOCKET watched_socket() const { return watched_socket_; }
  bool was_abandoned() const { return abandoned(); }
  // The pump's window and the message number for this connect, before Begin().
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
  // It could not be run at all (no thread or window for it).
  void FailUnstarted(const char* call, int error) {
    MarkStarted();
    result_.Fail(call, error);
    Complete();
  }

 protected:
  void Launch() final;
  void OnAbandoned() final;

  // Puts the connect in pending_, then WSAAsyncSelect(FD_CONNECT) to the pump; it
  // makes the socket non-blocking. Asked for before the connect starts, so its
  // completion can't slip past unseen. It is never taken back (a third system call
  // per connect): Microsoft's WSAAsyncSelect page lists no re-enabling call for
  // FD_CONNECT, so after its one message none comes, and what libuv does with an
  // adopted socket is allowed on one left in this mode (FIONBIO to non-blocking,
  // overlapped I/O; only a switch back to blocking needs the select taken back).
  // closesocket ends it.
  int RequestConnectNotification();

 private:
  HWND window_ = nullptr;
  UINT message_ = 0;
  SOCKET watched_socket_ = INVALID_SOCKET;
};

class ConnectWaiter {
 public:
  static constexpr int kTickMs = 50;            // how often due rechecks run while connects wait
  static constexpr int kFirstRecheckMs = 50;    // a pending socket's first recheck, then doubling…
  static constexpr int kLastRecheckMs = 1000;   // …up to this

  static ConnectWaiter& Instance();
  // Any thread.
  void Submit(std::shared_ptr<MultiplexedConnect> job);
  void Cancel(std::shared_ptr<MultiplexedConnect> job);
  // Connects waiting for their handshake.
  int64_t Waiting() const { return waiting_count_.load(); }
  // Starter thread, from RequestConnectNotification: the connect enters pending_,
  // held by the starter until its Begin() has returned.
  void Watch(const std::shared_ptr<MultiplexedConnect>& job);
  // Test hook: the next FD_CONNECT of a waiting connect is ignored, as if lost.
  void DropNextConnectEventForTesting() { drop_next_connect_event_.store(true); }
  // Test hooks: the starter sleeps `ms` after the next Begin() that waits, so its
  // FD_CONNECT comes while the starter holds it; how many kept events were applied.
  void HoldNextStartForTesting(int ms) { hold_next_start_ms_.store(ms); }
  int64_t KeptEventsApplied() const { return kept_events_applied_.load(); }
  // The most sockets one recheck's select() has been given; how many select()
  // calls were given a full set (FD_SETSIZE).
  int64_t LargestRecheckSet() const { return largest_recheck_set_.load(); }
  int64_t FullRecheckSets() const { return full_recheck_sets_.load(); }

 private:
  enum class CommandKind { kStart, kCancel };
  struct Command {
    CommandKind kind;
    std::shared_ptr<MultiplexedConnect> job;
  };
  struct Pending {
    std::shared_ptr<MultiplexedConnect> job;
    int64_t next_check = 0;  // clock.h ticks
    int interval_ms = kFirstRecheckMs;
    bool held_by_starter = true;  // Begin() or Check() running: an FD_CONNECT is kept
    bool event_kept = false;
    int kept_error = 0;
  };

  ConnectWaiter() = default;
  // With state_lock_ held: starts the starter on first use; false (with start_error_) if it can't.
  bool EnsureStarterLocked();
  void Enqueue(Command command);
  static DWORD WINAPI StarterMain(LPVOID waiter);
  static DWORD WINAPI PumpMain(LPVOID waiter);
  // Starter thread.
  void RunStarter();
  bool StartPump();
  void FailStranded();
  void StartConnect(const std::shared_ptr<MultiplexedConnect>& job);
  void CancelConnect(const std::shared_ptr<MultiplexedConnect>& job);
  // With pending_lock_ held: in pending_, not held by the starter, its recheck due.
  bool IsDueLocked(SOCKET s, int64_t now) const;
  std::vector<SOCKET> NextDueSet(int64_t now);
  std::vector<SOCKET> StillDue(const std::vector<SOCKET>& sockets, int64_t now);
  // Rechecks the next select() set of the round (starting a round if none is under
  // way); true while the round has sockets left.
  bool RecheckSome();
  void CheckSet(std::vector<SOCKET> due, int64_t now);
  // After Begin() or Check(): a finished connect (or one whose FD_CONNECT was kept
  // meanwhile) is released, else it waits again, its next recheck in `interval_ms`.
  void Settle(const std::shared_ptr<MultiplexedConnect>& job, MultiplexedConnect::Progress progress, int interval_ms);
  UINT NextConnectMessage();
  // Pump thread.
  void RunPump();
  HWND CreateWindowOnThisThread();
  void OnSocketMessage(SOCKET s, UINT message, int error);
  // Any thread holding the connect.
  void Release(const std::shared_ptr<MultiplexedConnect>& job) { job->Complete(); }
  void CountWaitingLocked() { waiting_count_.store(static_cast<int64_t>(pending_.size())); }

  // Two locks, never held together. state_lock_ is what JS threads take (to queue a
  // command), held only briefly by the starter, so a busy starter never makes a
  // JS thread wait: it guards the inbox and the threads' start-up (window_ is
  // written once, before window_done_; the starter reads it without the lock
  // after seeing window_done_ under it). pending_lock_ is the starter's and the
  // pump's, for pending_.
  SRWLOCK state_lock_ = SRWLOCK_INIT;
  CONDITION_VARIABLE work_ = CONDITION_VARIABLE_INIT;          // the starter's wake
  CONDITION_VARIABLE window_ready_ = CONDITION_VARIABLE_INIT;  // the pump's window made (or not)
  std::deque<Command> inbox_;
  bool starter_started_ = false;
  bool starter_asleep_ = false;  // in its wait: a new command must wake it
  bool window_done_ = false;
  HWND window_ = nullptr;
  int start_error_ = 0;  // a thread or the window could not be made: every job fails with it
  const char* start_call_ = "";

  SRWLOCK pending_lock_ = SRWLOCK_INIT;
  std::unordered_map<SOCKET, Pending> pending_;

  // The starter thread's own.
  UINT last_message_ = 0;
  int64_t next_recheck_ = 0;  // clock.h ticks
  std::vector<SOCKET> recheck_round_;  // due when the round began, not yet rechecked

  std::atomic<int64_t> waiting_count_{0};
  std::atomic<bool> drop_next_connect_event_{false};
  std::atomic<int> hold_next_start_ms_{0};
  std::atomic<int64_t> kept_events_applied_{0};
  std::atomic<int64_t> largest_recheck_set_{0};
  std::atomic<int64_t> full_recheck_sets_{0};
};

}  // namespace wsc
