#include "blocking_pool.h"

#include <algorithm>

#include "clock.h"
#include "lock.h"

namespace wsc {

namespace {

HANDLE NewManualResetEvent(DWORD* error) {
  HANDLE event = CreateEventW(nullptr, TRUE, FALSE, nullptr);
  if (event == nullptr && *error == 0) *error = GetLastError();
  return event;
}

// The thread's own events, closed when the thread exits.
class OwnedWorkerEvents {
 public:
  OwnedWorkerEvents() {
    events_.cancel = NewManualResetEvent(&events_.create_error);
    events_.io = NewManualResetEvent(&events_.create_error);
  }
  ~OwnedWorkerEvents() {
    if (events_.cancel) CloseHandle(events_.cancel);
    if (events_.io) CloseHandle(events_.io);
  }
  OwnedWorkerEvents(const OwnedWorkerEvents&) = delete;
  OwnedWorkerEvents& operator=(const OwnedWorkerEvents&) = delete;
  const WorkerEvents& get() const { return events_; }

 private:
  WorkerEvents events_;
};

}  // namespace

BlockingPool& BlockingPool::Instance() {
  static BlockingPool* pool = new BlockingPool();  // deliberately never deleted (see header)
  return *pool;
}

bool BlockingPool::StartThread(LPTHREAD_START_ROUTINE main, LPVOID pool) {
  HANDLE thread = CreateThread(nullptr, kStackReserve, main, pool, STACK_SIZE_PARAM_IS_A_RESERVATION, nullptr);
  if (thread == nullptr) return false;
  CloseHandle(thread);  // detached: the thread runs on without it
  return true;
}

DWORD WINAPI BlockingPool::WorkerMain(LPVOID pool) {
  static_cast<BlockingPool*>(pool)->WorkerLoop();
  return 0;
}

DWORD WINAPI BlockingPool::InjectorMain(LPVOID pool) {
  static_cast<BlockingPool*>(pool)->InjectorLoop();
  return 0;
}

void BlockingPool::Submit(std::shared_ptr<PoolTask> task) {
  ExclusiveLock lock(&lock_);
  queue_.push_back(task);
  if (!idle_.empty()) {
    IdleSlot* slot = idle_.back();
    idle_.pop_back();
    slot->chosen = true;
    ++woken_;
    // Under the lock: the slot lives on that thread's stack, which can't move on before we release it.
    WakeConditionVariable(&slot->wake);
    return;
  }
  Growth growth = PlanGrowthLocked();
  lock.Unlock();
  if (Grow(growth)) return;
  lock.Lock();
  if (threads_ > 0) return;  // a running thread will take it when it frees up
  // No thread at all and none can be started: fail the task rather than strand it.
  auto it = std::find(queue_.begin(), queue_.end(), task);
  if (it == queue_.end()) return;  // taken after all
  queue_.erase(it);
  lock.Unlock();
  task->FailWithoutRunning(ERROR_NOT_ENOUGH_MEMORY);
}

BlockingPool::Growth BlockingPool::PlanGrowthLocked() {
  if (!BacklogLocked() || !idle_.empty()) return Growth::kNone;
  if (threads_ < kEagerThreads) return ReserveThreadLocked(kEagerThreads) ? Growth::kThread : Growth::kNone;
  WakeConditionVariable(&backlog_);  // the injector adds a thread if the busy ones stay stuck
  if (injector_running_) return Growth::kNone;
  injector_running_ = true;
  return Growth::kInjector;
}

bool BlockingPool::Grow(Growth growth) {
  switch (growth) {
    case Growth::kThread: return StartReservedThread();
    case Growth::kInjector: return StartInjector();
    case Growth::kNone: return true;
  }
  return true;
}

bool BlockingPool::ReserveThreadLocked(int limit) {
  if (starting_ || threads_ >= limit || !idle_.empty() || !BacklogLocked()) return false;
  ++threads_;
  starting_ = true;
  return true;
}

bool BlockingPool::StartInjector() {
  if (StartThread(InjectorMain, this)) return true;
  // Without it the pool keeps its eager threads; queued tasks wait for one of them.
  ExclusiveLock lock(&lock_);
  injector_running_ = false;
  return threads_ > 0;
}

void BlockingPool::InjectorLoop() {
  ExclusiveLock lock(&lock_);
  for (;;) {
    if (!BacklogLocked()) {
      BOOL woke = SleepConditionVariableSRW(&backlog_, &lock_, kIdleExitMs, 0);
      if (!woke && GetLastError() == ERROR_TIMEOUT && !BacklogLocked()) break;
      continue;
    }
    int64_t stalled_ms = ClockToMs(ClockNow() - last_start_);
    if (stalled_ms >= kStallMs && ReserveThreadLocked(kMaxThreads)) {
      last_start_ = ClockNow();
      lock.Unlock();
      StartReservedThread();
      lock.Lock();
      continue;
    }
    DWORD wait_ms = stalled_ms >= kStallMs ? kStallMs : static_cast<DWORD>(kStallMs - stalled_ms);
    SleepConditionVariableSRW(&backlog_, &lock_, wait_ms, 0);
  }
  injector_running_ = false;
}

bool BlockingPool::StartReservedThread() {
  if (StartThread(WorkerMain, this)) return true;
  ExclusiveLock lock(&lock_);
  --threads_;
  starting_ = false;
  return false;
}

bool BlockingPool::WaitForWork(IdleSlot* slot) {
  slot->chosen = false;
  idle_.push_back(slot);
  ULONGLONG deadline = GetTickCount64() + kIdleExitMs;
  while (!slot->chosen) {
    ULONGLONG now = GetTickCount64();
    if (now >= deadline) break;
    SleepConditionVariableSRW(&slot->wake, &lock_, static_cast<DWORD>(deadline - now), 0);
  }
  if (slot->chosen) {
    --woken_;
    return true;
  }
  idle_.erase(std::find(idle_.begin(), idle_.end(), slot));
  return false;
}

void BlockingPool::WorkerLoop() {
  OwnedWorkerEvents events;
  IdleSlot slot;
  ExclusiveLock lock(&lock_);
  starting_ = false;  // this thread is up: the next may be started when work waits
  for (;;) {
    // Tasks beyond those already handed to woken threads are ours to take.
    if (static_cast<int>(queue_.size()) <= woken_ && !WaitForWork(&slot)) break;
    if (queue_.empty()) continue;  // a running thread took it first
    std::shared_ptr<PoolTask> task = std::move(queue_.front());
    queue_.pop_front();
    last_start_ = ClockNow();
    Growth growth = PlanGrowthLocked();  // more work waiting and nobody free
    lock.Unlock();
    Grow(growth);
    task->RunOnPoolThread(events.get());
    task.reset();  // drop our reference outside the lock
    lock.Lock();
  }
  --threads_;
}

BlockingPoolStats BlockingPool::Stats() {
  ExclusiveLock lock(&lock_);
  return BlockingPoolStats{threads_, static_cast<int64_t>(idle_.size()), static_cast<int64_t>(queue_.size())};
}

}  // namespace wsc
