#include "connect_waiter.h"

#include <algorithm>
#include <unordered_set>
#include <vector>

#include "clock.h"

namespace wsc {

namespace {

// WSAAsyncSelect messages, one number per connect in turn: wParam is the socket.
constexpr UINT kFirstConnectMessage = WM_APP;
constexpr UINT kLastConnectMessage = 0xBFFF;  // the top of the WM_APP range
constexpr wchar_t kWindowClass[] = L"winsock-connect.ConnectWaiter";

// Adds to `ready` the sockets among `sockets` (at most FD_SETSIZE: FD_SET drops any
// beyond) whose connect has ended (writable or failed), in one select() call. False
// when select itself fails.
bool SocketsWithNews(const std::vector<SOCKET>& sockets, std::unordered_set<SOCKET>* ready) {
  fd_set writable;
  FD_ZERO(&writable);
  for (SOCKET s : sockets) FD_SET(s, &writable);
  fd_set failed = writable;
  timeval now{0, 0};
  if (select(0, nullptr, &writable, &failed, &now) == SOCKET_ERROR) return false;
  ready->insert(writable.fd_array, writable.fd_array + writable.fd_count);
  ready->insert(failed.fd_array, failed.fd_array + failed.fd_count);
  return true;
}

}  // namespace

void MultiplexedConnect::Launch() {
  ConnectWaiter::Instance().Submit(std::static_pointer_cast<MultiplexedConnect>(shared_from_this()));
}

void MultiplexedConnect::OnAbandoned() {
  ConnectWaiter::Instance().Cancel(std::static_pointer_cast<MultiplexedConnect>(shared_from_this()));
}

int MultiplexedConnect::RequestConnectNotification() {
  watched_socket_ = socket();
  ConnectWaiter::Instance().Watch(std::static_pointer_cast<MultiplexedConnect>(shared_from_this()));
  return WSAAsyncSelect(socket(), window_, message_, FD_CONNECT) == 0 ? 0 : WSAGetLastError();
}

ConnectWaiter& ConnectWaiter::Instance() {
  // Never deleted, like the blocking pool: its threads may still be closing sockets
  // when an environment or the process goes away.
  static ConnectWaiter* waiter = new ConnectWaiter();
  return *waiter;
}

void ConnectWaiter::Submit(std::shared_ptr<MultiplexedConnect> job) { Enqueue({CommandKind::kStart, std::move(job)}); }

void ConnectWaiter::Cancel(std::shared_ptr<MultiplexedConnect> job) { Enqueue({CommandKind::kCancel, std::move(job)}); }

void ConnectWaiter::Enqueue(Command command) {
  ExclusiveLock lock(&state_lock_);
  if (!EnsureStarterLocked()) {
    const char* call = start_call_;
    int error = start_error_;
    lock.Unlock();
    // Nothing was started for it: fail it here (a cancel of such a job has nothing to do).
    if (command.kind == CommandKind::kStart) command.job->FailUnstarted(call, error);
    return;
  }
  inbox_.push_back(std::move(command));
  bool wake = starter_asleep_;  // awake, it takes the inbox before it sleeps again
  lock.Unlock();
  if (wake) WakeConditionVariable(&work_);
}

bool ConnectWaiter::EnsureStarterLocked() {
  if (start_error_ != 0) return false;
  if (starter_started_) return true;
  HANDLE thread = CreateThread(nullptr, 0, StarterMain, this, 0, nullptr);
  if (thread == nullptr) {
    start_error_ = static_cast<int>(GetLastError());
    start_call_ = "CreateThread";
    return false;
  }
  CloseHandle(thread);
  starter_started_ = true;
  return true;
}

DWORD WINAPI ConnectWaiter::StarterMain(LPVOID waiter) {
  static_cast<ConnectWaiter*>(waiter)->RunStarter();
  return 0;
}

DWORD WINAPI ConnectWaiter::PumpMain(LPVOID waiter) {
  static_cast<ConnectWaiter*>(waiter)->RunPump();
  return 0;
}

void ConnectWaiter::RunStarter() {
  if (!StartPump()) return FailStranded();
  ExclusiveLock lock(&state_lock_);
  for (;;) {
    // Asleep until a command comes; while connects wait, no later than the next recheck.
    if (inbox_.empty()) {
      // Only this thread adds to pending_: if it is empty now, it stays so until a command comes.
      bool idle = waiting_count_.load() == 0;
      int64_t left = next_recheck_ - ClockNow();
      if (idle || left > 0) {
        starter_asleep_ = true;
        SleepConditionVariableSRW(&work_, &state_lock_, idle ? INFINITE : static_cast<DWORD>(ClockToMs(left) + 1), 0);
        starter_asleep_ = false;
      }
    }
    std::deque<Command> commands;
    commands.swap(inbox_);
    lock.Unlock();
    for (Command& command : commands) {
      if (command.kind == CommandKind::kStart) StartConnect(command.job);
      else CancelConnect(command.job);
    }
    if (ClockNow() >= next_recheck_) {
      // A round longer than one select() set goes on right after the commands
      // that came meanwhile, so a start or cancel never waits behind all of it.
      bool round_left = RecheckSome();
      next_recheck_ = round_left ? ClockNow() : ClockNow() + ClockFromMs(kTickMs);
    }
    lock.Lock();
  }
}

// Starts the pump and waits until its window exists (or could not be made).
bool ConnectWaiter::StartPump() {
  HANDLE thread = CreateThread(nullptr, 0, PumpMain, this, 0, nullptr);
  int error = thread == nullptr ? static_cast<int>(GetLastError()) : 0;
  ExclusiveLock lock(&state_lock_);
  if (thread == nullptr) {
    start_error_ = error;
    start_call_ = "CreateThread";
    return false;
  }
  CloseHandle(thread);
  while (!window_done_) SleepConditionVariableSRW(&window_ready_, &state_lock_, INFINITE, 0);
  return window_ != nullptr;
}

// Without the pump (a process denied win32k, say) no connect can wait: every job
// queued so far fails, and start_error_, already set, fails every later one.
void ConnectWaiter::FailStranded() {
  std::deque<Command> stranded;
  {
    ExclusiveLock lock(&state_lock_);
    stranded.swap(inbox_);
  }
  for (Command& command : stranded) {
    if (command.kind == CommandKind::kStart) command.job->FailUnstarted(start_call_, start_error_);
  }
}

HWND ConnectWaiter::CreateWindowOnThisThread() {
  HINSTANCE module = nullptr;
  GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                     reinterpret_cast<LPCWSTR>(&kWindowClass), &module);
  WNDCLASSW window_class{};
  window_class.lpfnWndProc = DefWindowProcW;
  window_class.hInstance = module;
  window_class.lpszClassName = kWindowClass;
  // A second copy of the addon in the process (another path) registers the same name: that's fine.
  if (!RegisterClassW(&window_class) && GetLastError() != ERROR_CLASS_ALREADY_EXISTS) return nullptr;
  // HWND_MESSAGE: a message-only window, never shown, no desktop needed.
  return CreateWindowExW(0, kWindowClass, L"", 0, 0, 0, 0, 0, HWND_MESSAGE, nullptr, module, nullptr);
}

void ConnectWaiter::RunPump() {
  HWND window = CreateWindowOnThisThread();
  int error = window == nullptr ? static_cast<int>(GetLastError()) : 0;
  {
    ExclusiveLock lock(&state_lock_);
    window_ = window;
    window_done_ = true;
    if (window == nullptr) {
      start_error_ = error != 0 ? error : ERROR_INVALID_WINDOW_HANDLE;
      start_call_ = "CreateWindowEx";
    }
  }
  WakeAllConditionVariable(&window_ready_);
  if (window == nullptr) return;
  // GetMessage: one wineserver round trip per message under Wine (a wait plus a
  // peek cost three).
  MSG message;
  while (GetMessageW(&message, nullptr, 0, 0) > 0) {
    if (message.message >= kFirstConnectMessage && message.message <= kLastConnectMessage) {
      OnSocketMessage(static_cast<SOCKET>(message.wParam), message.message, WSAGETSELECTERROR(message.lParam));
    } else {
      DispatchMessageW(&message);
    }
  }
}

UINT ConnectWaiter::NextConnectMessage() {
  last_message_ = last_message_ < kFirstConnectMessage || last_message_ >= kLastConnectMessage ? kFirstConnectMessage
                                                                                                 : last_message_ + 1;
  return last_message_;
}

void ConnectWaiter::StartConnect(const std::shared_ptr<MultiplexedConnect>& job) {
  job->MarkStarted();
  if (job->was_abandoned()) return Release(job);  // its cancel is further down the inbox
  job->SetNotificationTarget(window_, NextConnectMessage());
  MultiplexedConnect::Progress progress = job->Begin();
  if (progress == MultiplexedConnect::Progress::kWaiting) {
    if (hold_next_start_ms_.load(std::memory_order_relaxed) != 0) Sleep(static_cast<DWORD>(hold_next_start_ms_.exchange(0)));
  }
  Settle(job, progress, kFirstRecheckMs);
}

void ConnectWaiter::Watch(const std::shared_ptr<MultiplexedConnect>& job) {
  ExclusiveLock lock(&pending_lock_);
  pending_[job->watched_socket()] = Pending{job};
  CountWaitingLocked();
}

void ConnectWaiter::Settle(const std::shared_ptr<MultiplexedConnect>& job, MultiplexedConnect::Progress progress,
                           int interval_ms) {
  bool apply_kept_event = false;
  int kept_error = 0;
  {
    ExclusiveLock lock(&pending_lock_);
    auto it = pending_.find(job->watched_socket());
    bool watched = it != pending_.end() && it->second.job == job;
    if (watched && progress == MultiplexedConnect::Progress::kWaiting && !it->second.event_kept) {
      it->second.held_by_starter = false;
      it->second.interval_ms = interval_ms;
      it->second.next_check = ClockNow() + ClockFromMs(interval_ms);
      return;
    }
    if (watched) {
      apply_kept_event = progress == MultiplexedConnect::Progress::kWaiting;
      kept_error = it->second.kept_error;
      pending_.erase(it);
      CountWaitingLocked();
    }
  }
  if (apply_kept_event) {
    kept_events_applied_.fetch_add(1);
    job->OnConnectEvent(kept_error);
  }
  Release(job);
}

void ConnectWaiter::CancelConnect(const std::shared_ptr<MultiplexedConnect>& job) {
  {
    ExclusiveLock lock(&pending_lock_);
    auto it = pending_.find(job->watched_socket());
    if (it == pending_.end() || it->second.job != job) return;  // finished, or never waited
    pending_.erase(it);
    CountWaitingLocked();
  }
  Release(job);  // closes the socket, which ends the pending connect
}

void ConnectWaiter::OnSocketMessage(SOCKET s, UINT message, int error) {
  std::shared_ptr<MultiplexedConnect> job;
  {
    ExclusiveLock lock(&pending_lock_);
    auto it = pending_.find(s);
    // Stale: that connect has finished, or the handle value is another connect's now.
    if (it == pending_.end() || it->second.job->message() != message) return;
    if (drop_next_connect_event_.load(std::memory_order_relaxed) && drop_next_connect_event_.exchange(false)) {
      return;  // testing: as if it never came
    }
    if (it->second.held_by_starter) {  // the starter applies it once its Begin() or Check() returns
      it->second.event_kept = true;
      it->second.kept_error = error;
      return;
    }
    job = std::move(it->second.job);
    pending_.erase(it);
    CountWaitingLocked();
  }
  job->OnConnectEvent(error);
  Release(job);
}

bool ConnectWaiter::IsDueLocked(SOCKET s, int64_t now) const {
  auto it = pending_.find(s);
  return it != pending_.end() && !it->second.held_by_starter && it->second.next_check <= now;
}

// The next set (up to FD_SETSIZE) of this round's due sockets. A set at a time, not
// all at once: under Wine one select() over thousands of sockets stalled the
// process's other threads, the event loop among them, for longer than a connect's
// deadline can be late (docs/performance.md, "Rechecks and the 10,000-hanging
// figure"). A round is every socket due when it began, taken in turn, so none
// waits behind sockets that come due again meanwhile.
std::vector<SOCKET> ConnectWaiter::NextDueSet(int64_t now) {
  ExclusiveLock lock(&pending_lock_);
  if (recheck_round_.empty()) {
    for (auto& entry : pending_) {
      if (IsDueLocked(entry.first, now)) recheck_round_.push_back(entry.first);
    }
  }
  std::vector<SOCKET> set;
  while (!recheck_round_.empty() && set.size() < FD_SETSIZE) {
    SOCKET s = recheck_round_.back();
    recheck_round_.pop_back();
    // Still due: not finished since the round began, or (the value reused) a
    // newer connect due in its own right. Within one set the starter starts
    // nothing, so no value changes hands before CheckSet() has asked it.
    if (IsDueLocked(s, now)) set.push_back(s);
  }
  return set;
}

// Those of `sockets` still due (after a select() that met one closed meanwhile).
std::vector<SOCKET> ConnectWaiter::StillDue(const std::vector<SOCKET>& sockets, int64_t now) {
  std::vector<SOCKET> due;
  ExclusiveLock lock(&pending_lock_);
  for (SOCKET s : sockets) {
    if (IsDueLocked(s, now)) due.push_back(s);
  }
  return due;
}

bool ConnectWaiter::RecheckSome() {
  int64_t now = ClockNow();
  std::vector<SOCKET> due = NextDueSet(now);
  if (!due.empty()) CheckSet(due, now);
  return !recheck_round_.empty();
}

void ConnectWaiter::CheckSet(std::vector<SOCKET> due, int64_t now) {
  largest_recheck_set_.store(std::max<int64_t>(largest_recheck_set_.load(), static_cast<int64_t>(due.size())));
  if (due.size() == FD_SETSIZE) full_recheck_sets_.fetch_add(1);
  // select() runs outside the lock: the pump may finish and close some of these
  // meanwhile. A closed one makes select() fail; asked again with the sockets still
  // pending, it answers. A handle value reused meanwhile is another process
  // object's, never another pending connect's: only this thread adds to pending_.
  // Only a connect still in pending_ is checked below.
  std::unordered_set<SOCKET> with_news;
  if (!SocketsWithNews(due, &with_news)) {
    due = StillDue(due, now);
    if (due.empty()) return;
    if (!SocketsWithNews(due, &with_news)) with_news.insert(due.begin(), due.end());  // each asks for itself
  }
  for (SOCKET s : due) {
    std::shared_ptr<MultiplexedConnect> job;
    int interval_ms = 0;
    {
      ExclusiveLock lock(&pending_lock_);
      auto it = pending_.find(s);
      if (it == pending_.end()) continue;  // finished meanwhile
      Pending& entry = it->second;
      interval_ms = entry.interval_ms * 2 > kLastRecheckMs ? kLastRecheckMs : entry.interval_ms * 2;
      if (with_news.count(s) == 0) {
        entry.interval_ms = interval_ms;
        entry.next_check = now + ClockFromMs(interval_ms);
        continue;
      }
      entry.held_by_starter = true;
      job = entry.job;
    }
    Settle(job, job->Check(), interval_ms);
  }
}

}  // namespace wsc
