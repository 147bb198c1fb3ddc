#include "connect_waiter.h"

#include <cstddef>
#include <unordered_set>

#include "clock.h"

namespace wsc {

namespace {

constexpr UINT kWakeMessage = WM_APP;  // commands wait in the inbox
// WSAAsyncSelect messages, one number per connect in turn: wParam is the socket.
constexpr UINT kFirstConnectMessage = WM_APP + 1;
constexpr UINT kLastConnectMessage = 0xBFFF;  // the top of the WM_APP range
constexpr UINT_PTR kTickTimer = 1;
constexpr wchar_t kWindowClass[] = L"winsock-connect.ConnectWaiter";

// A select() set of any size. Winsock's fd_set is a count followed by that many
// SOCKETs (FD_SETSIZE only sizes the header's default array), so a buffer of
// SOCKET-sized slots whose first slot holds the count is one.
class SocketSet {
 public:
  explicit SocketSet(const std::vector<SOCKET>& sockets) : slots_(sockets.size() + 1) {
    static_assert(offsetof(fd_set, fd_array) == sizeof(SOCKET), "fd_set layout");
    *reinterpret_cast<u_int*>(slots_.data()) = static_cast<u_int>(sockets.size());
    std::copy(sockets.begin(), sockets.end(), slots_.begin() + 1);
  }
  fd_set* get() { return reinterpret_cast<fd_set*>(slots_.data()); }
  // After select(): the sockets it left in the set.
  void AddTo(std::unordered_set<SOCKET>* out) const {
    u_int count = *reinterpret_cast<const u_int*>(slots_.data());
    for (u_int i = 0; i < count; ++i) out->insert(slots_[i + 1]);
  }

 private:
  std::vector<SOCKET> slots_;
};

// The sockets among `sockets` whose connect has ended (writable or failed), in one
// select() call; all of them if select itself fails (each then asks for itself).
std::unordered_set<SOCKET> SocketsWithNews(const std::vector<SOCKET>& sockets) {
  std::unordered_set<SOCKET> ready;
  if (sockets.empty()) return ready;
  SocketSet writable(sockets);
  SocketSet failed(sockets);
  timeval now{0, 0};
  if (select(0, nullptr, writable.get(), failed.get(), &now) == SOCKET_ERROR) {
    ready.insert(sockets.begin(), sockets.end());
    return ready;
  }
  writable.AddTo(&ready);
  failed.AddTo(&ready);
  return ready;
}

}  // namespace

void MultiplexedConnect::Launch() {
  ConnectWaiter::Instance().Submit(std::static_pointer_cast<MultiplexedConnect>(shared_from_this()));
}

void MultiplexedConnect::OnAbandoned() {
  ConnectWaiter::Instance().Cancel(std::static_pointer_cast<MultiplexedConnect>(shared_from_this()));
}

ConnectWaiter& ConnectWaiter::Instance() {
  // Never deleted, like the blocking pool: its thread may still be closing sockets
  // when an environment or the process goes away.
  static ConnectWaiter* waiter = new ConnectWaiter();
  return *waiter;
}

void ConnectWaiter::Submit(std::shared_ptr<MultiplexedConnect> job) { Enqueue({CommandKind::kStart, std::move(job)}); }

void ConnectWaiter::Cancel(std::shared_ptr<MultiplexedConnect> job) { Enqueue({CommandKind::kCancel, std::move(job)}); }

void ConnectWaiter::Enqueue(Command command) {
  ExclusiveLock lock(&lock_);
  if (!EnsureThreadLocked()) {
    const char* call = start_call_;
    int error = start_error_;
    lock.Unlock();
    // Nothing was started for it: fail it here (a cancel of such a job has nothing to do).
    if (command.kind == CommandKind::kStart) command.job->FailUnstarted(call, error);
    return;
  }
  inbox_.push_back(std::move(command));
  if (window_ == nullptr || wake_posted_) return;  // the thread drains the inbox when its window is up / soon
  wake_posted_ = !drop_next_wake_.exchange(false) && PostMessageW(window_, kWakeMessage, 0, 0) != FALSE;
  if (!wake_posted_) inbox_stranded_.store(true);
}

bool ConnectWaiter::EnsureThreadLocked() {
  if (start_error_ != 0) return false;
  if (thread_started_) return true;
  HANDLE thread = CreateThread(nullptr, 0, ThreadMain, this, 0, nullptr);
  if (thread == nullptr) {
    start_error_ = static_cast<int>(GetLastError());
    start_call_ = "CreateThread";
    return false;
  }
  CloseHandle(thread);
  thread_started_ = true;
  return true;
}

DWORD WINAPI ConnectWaiter::ThreadMain(LPVOID waiter) {
  static_cast<ConnectWaiter*>(waiter)->Run();
  return 0;
}

bool ConnectWaiter::CreateWindowOnThisThread() {
  HINSTANCE module = nullptr;
  GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                     reinterpret_cast<LPCWSTR>(&kWindowClass), &module);
  WNDCLASSW window_class{};
  window_class.lpfnWndProc = DefWindowProcW;
  window_class.hInstance = module;
  window_class.lpszClassName = kWindowClass;
  // A second copy of the addon in the process (another path) registers the same name: that's fine.
  if (!RegisterClassW(&window_class) && GetLastError() != ERROR_CLASS_ALREADY_EXISTS) return false;
  // HWND_MESSAGE: a message-only window, never shown, no desktop needed.
  HWND window = CreateWindowExW(0, kWindowClass, L"", 0, 0, 0, 0, 0, HWND_MESSAGE, nullptr, module, nullptr);
  if (window == nullptr) return false;
  ExclusiveLock lock(&lock_);
  window_ = window;
  return true;
}

void ConnectWaiter::Run() {
  if (!CreateWindowOnThisThread()) {
    // Without a window (a process denied win32k, say) no connect can wait: fail them all.
    int error = static_cast<int>(GetLastError());
    std::deque<Command> stranded;
    {
      ExclusiveLock lock(&lock_);
      start_error_ = error != 0 ? error : ERROR_INVALID_WINDOW_HANDLE;
      start_call_ = "CreateWindowEx";
      stranded.swap(inbox_);
    }
    for (Command& command : stranded) {
      if (command.kind == CommandKind::kStart) command.job->FailUnstarted(start_call_, start_error_);
    }
    return;
  }
  DrainInbox();  // whatever came while the window was being made
  // GetMessage: one wineserver round trip per message under Wine (a wait plus a
  // peek cost three), and the recheck is a WM_TIMER while connects wait.
  MSG message;
  while (GetMessageW(&message, nullptr, 0, 0) > 0) {
    if (message.message >= kFirstConnectMessage && message.message <= kLastConnectMessage) {
      OnSocketMessage(static_cast<SOCKET>(message.wParam), message.message, WSAGETSELECTERROR(message.lParam));
    } else if (message.message == kWakeMessage) {
      DrainInbox();
    } else if (message.message == WM_TIMER && message.wParam == kTickTimer) {
      Recheck();
    } else {
      DispatchMessageW(&message);
    }
    if (inbox_stranded_.exchange(false)) DrainInbox();
  }
}

void ConnectWaiter::CountWaiting() { waiting_count_.store(static_cast<int64_t>(pending_.size())); }

void ConnectWaiter::StartTicking() {
  if (pending_.empty()) return;
  idle_since_ = 0;
  if (ticking_) return;
  ticking_ = SetTimer(window_, kTickTimer, kTickMs, nullptr) != 0;
}

// The tick is stopped only once the waiter has been idle for kIdleTickMs: in a
// sequence of connects, one SetTimer/KillTimer pair serves them all instead of a
// pair each (two system calls per connect; docs/performance.md, calls per connect).
void ConnectWaiter::StopTickingWhenIdle() {
  if (!ticking_) return;
  if (!pending_.empty()) {
    idle_since_ = 0;
    return;
  }
  int64_t now = ClockNow();
  if (idle_since_ == 0) idle_since_ = now;
  if (now - idle_since_ < ClockFromMs(kIdleTickMs)) return;
  KillTimer(window_, kTickTimer);
  ticking_ = false;
  idle_since_ = 0;
}

UINT ConnectWaiter::NextConnectMessage() {
  last_message_ = last_message_ < kFirstConnectMessage || last_message_ >= kLastConnectMessage ? kFirstConnectMessage
                                                                                                 : last_message_ + 1;
  return last_message_;
}

void ConnectWaiter::DrainInbox() {
  std::deque<Command> commands;
  {
    ExclusiveLock lock(&lock_);
    wake_posted_ = false;
    commands.swap(inbox_);
  }
  for (Command& command : commands) {
    if (command.kind == CommandKind::kStart) StartConnect(command.job);
    else CancelConnect(command.job);
  }
  StartTicking();
}

void ConnectWaiter::StartConnect(const std::shared_ptr<MultiplexedConnect>& job) {
  job->MarkStarted();
  if (job->was_abandoned()) return Release(job);  // its cancel is further down the inbox
  job->SetNotificationTarget(window_, NextConnectMessage());
  if (job->Begin() == MultiplexedConnect::Progress::kDone) return Release(job);
  pending_[job->socket()] = Pending{job, ClockNow() + ClockFromMs(kFirstRecheckMs), kFirstRecheckMs};
  CountWaiting();
}

void ConnectWaiter::CancelConnect(const std::shared_ptr<MultiplexedConnect>& job) {
  auto it = pending_.find(job->socket());
  if (it == pending_.end() || it->second.job != job) return;  // finished or never waited
  pending_.erase(it);
  CountWaiting();
  Release(job);  // closes the socket, which ends the pending connect
  StopTickingWhenIdle();
}

void ConnectWaiter::OnSocketMessage(SOCKET s, UINT message, int error) {
  auto it = pending_.find(s);
  // Stale: that connect has finished, or the handle value is another connect's now.
  if (it == pending_.end() || it->second.job->message() != message) return;
  if (drop_next_connect_event_.exchange(false)) return;  // testing: as if it never came
  std::shared_ptr<MultiplexedConnect> job = it->second.job;
  job->OnConnectEvent(error);
  pending_.erase(it);
  CountWaiting();
  Release(job);
  StopTickingWhenIdle();
}

void ConnectWaiter::Recheck() {
  int64_t now = ClockNow();
  std::vector<SOCKET> due;
  for (auto& entry : pending_) {
    if (entry.second.next_check <= now) due.push_back(entry.first);
  }
  std::unordered_set<SOCKET> with_news = SocketsWithNews(due);
  for (SOCKET s : due) {
    Pending& entry = pending_[s];
    if (with_news.count(s) != 0 && entry.job->Check() == MultiplexedConnect::Progress::kDone) {
      std::shared_ptr<MultiplexedConnect> job = std::move(entry.job);
      pending_.erase(s);
      Release(job);
      continue;
    }
    entry.interval_ms = entry.interval_ms * 2 > kLastRecheckMs ? kLastRecheckMs : entry.interval_ms * 2;
    entry.next_check = now + ClockFromMs(entry.interval_ms);
  }
  CountWaiting();
  StopTickingWhenIdle();
}

}  // namespace wsc
