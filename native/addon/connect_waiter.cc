#include "connect_waiter.h"

#include <cstddef>
#include <unordered_set>

#include "clock.h"

namespace wsc {

namespace {

constexpr UINT kSocketMessage = WM_APP + 1;  // WSAAsyncSelect: wParam is the socket
constexpr UINT kWakeMessage = WM_APP + 2;    // commands wait in the inbox
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
  wake_posted_ = PostMessageW(window_, kWakeMessage, 0, 0) != FALSE;
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
  for (;;) {
    MsgWaitForMultipleObjectsEx(0, nullptr, MsUntilTick(), QS_ALLINPUT, MWMO_INPUTAVAILABLE);
    MSG message;
    while (PeekMessageW(&message, nullptr, 0, 0, PM_REMOVE)) {
      if (message.message == kSocketMessage) OnSocketMessage(static_cast<SOCKET>(message.wParam));
      else if (message.message == kWakeMessage) DrainInbox();
      else DispatchMessageW(&message);
    }
    if (next_tick_ != 0 && ClockNow() >= next_tick_) Recheck();
  }
}

DWORD ConnectWaiter::MsUntilTick() const {
  if (next_tick_ == 0) return INFINITE;
  int64_t left = ClockToMs(next_tick_ - ClockNow());
  return left <= 0 ? 0 : static_cast<DWORD>(left);
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
  if (next_tick_ == 0 && (!pending_.empty() || !draining_.empty())) next_tick_ = ClockNow() + ClockFromMs(kTickMs);
}

void ConnectWaiter::StartConnect(const std::shared_ptr<MultiplexedConnect>& job) {
  job->MarkStarted();
  if (job->was_abandoned()) return Release(job);  // its cancel is further down the inbox
  job->SetNotificationTarget(window_, kSocketMessage);
  if (job->Begin() == MultiplexedConnect::Progress::kDone) return Release(job);
  pending_[job->socket()] = Pending{job, ClockNow() + ClockFromMs(kFirstRecheckMs), kFirstRecheckMs};
  waiting_count_.store(static_cast<int64_t>(pending_.size()));
}

void ConnectWaiter::CancelConnect(const std::shared_ptr<MultiplexedConnect>& job) {
  auto it = pending_.find(job->socket());
  if (it == pending_.end() || it->second.job != job) return;  // finished or never waited
  pending_.erase(it);
  waiting_count_.store(static_cast<int64_t>(pending_.size()));
  StopAndRelease(job);
}

void ConnectWaiter::StopAndRelease(const std::shared_ptr<MultiplexedConnect>& job) {
  if (job->Stop()) return Release(job);
  draining_.push_back(DrainingConnect{job, ClockNow() + ClockFromMs(kDrainGraceMs), false});
  draining_count_.store(static_cast<int64_t>(draining_.size()));
}

void ConnectWaiter::OnSocketMessage(SOCKET s) {
  auto it = pending_.find(s);
  if (it == pending_.end()) return;  // stale: that connect has finished (or the handle is another's now)
  std::shared_ptr<MultiplexedConnect> job = it->second.job;
  if (job->Check() == MultiplexedConnect::Progress::kWaiting) return;
  pending_.erase(it);
  waiting_count_.store(static_cast<int64_t>(pending_.size()));
  Release(job);
}

void ConnectWaiter::Recheck() {
  int64_t now = ClockNow();
  std::vector<SOCKET> due;
  std::vector<SOCKET> ask_select;
  for (auto& entry : pending_) {
    if (entry.second.next_check > now) continue;
    due.push_back(entry.first);
    if (entry.second.job->ChecksBySelect()) ask_select.push_back(entry.first);
  }
  std::unordered_set<SOCKET> with_news = SocketsWithNews(ask_select);
  for (SOCKET s : due) {
    Pending& entry = pending_[s];
    bool has_news = !entry.job->ChecksBySelect() || with_news.count(s) != 0;
    if (has_news && entry.job->Check() == MultiplexedConnect::Progress::kDone) {
      std::shared_ptr<MultiplexedConnect> job = std::move(entry.job);
      pending_.erase(s);
      Release(job);
      continue;
    }
    entry.interval_ms = entry.interval_ms * 2 > kLastRecheckMs ? kLastRecheckMs : entry.interval_ms * 2;
    entry.next_check = now + ClockFromMs(entry.interval_ms);
  }
  waiting_count_.store(static_cast<int64_t>(pending_.size()));
  RecheckDrains(now);
  next_tick_ = pending_.empty() && draining_.empty() ? 0 : now + ClockFromMs(kTickMs);
}

void ConnectWaiter::RecheckDrains(int64_t now) {
  std::vector<DrainingConnect> still;
  for (DrainingConnect& entry : draining_) {
    if (entry.job->Drained()) {
      Release(entry.job);
      continue;
    }
    if (!entry.forced && now >= entry.force_at) {
      entry.job->ForceDrain();
      entry.forced = true;
    }
    still.push_back(std::move(entry));
  }
  draining_.swap(still);
  draining_count_.store(static_cast<int64_t>(draining_.size()));
}

}  // namespace wsc
