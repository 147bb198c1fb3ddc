#include "job_pool.h"

#include <algorithm>
#include <system_error>
#include <thread>

#include "connect_job.h"

namespace wsc {

namespace {

// Holds an SRWLOCK exclusively for a scope.
class ExclusiveLock {
 public:
  explicit ExclusiveLock(SRWLOCK* lock) : lock_(lock) { AcquireSRWLockExclusive(lock_); }
  ~ExclusiveLock() {
    if (held_) ReleaseSRWLockExclusive(lock_);
  }
  void Unlock() {
    ReleaseSRWLockExclusive(lock_);
    held_ = false;
  }
  void Lock() {
    AcquireSRWLockExclusive(lock_);
    held_ = true;
  }
  ExclusiveLock(const ExclusiveLock&) = delete;
  ExclusiveLock& operator=(const ExclusiveLock&) = delete;

 private:
  SRWLOCK* lock_;
  bool held_ = true;
};

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

JobPool& JobPool::Instance() {
  static JobPool* pool = new JobPool();  // deliberately never deleted (see header)
  return *pool;
}

void JobPool::Submit(std::shared_ptr<ConnectJob> job) {
  ExclusiveLock lock(&lock_);
  queue_.push_back(job);
  if (!idle_.empty()) {
    IdleSlot* slot = idle_.back();
    idle_.pop_back();
    slot->chosen = true;
    ++woken_;
    // Under the lock: the slot lives on that thread's stack, which can't move on before we release it.
    WakeConditionVariable(&slot->wake);
    return;
  }
  if (starting_) return;  // that thread takes it, and starts the next if more wait
  bool reserved = ReserveThreadLocked();
  lock.Unlock();
  if (reserved && StartReservedThread()) return;
  lock.Lock();
  if (threads_ > 0) return;  // a running thread will take it when it frees up
  // No thread at all and none can be started: fail the job rather than strand it.
  auto it = std::find(queue_.begin(), queue_.end(), job);
  if (it == queue_.end()) return;  // taken after all
  queue_.erase(it);
  lock.Unlock();
  job->FailWithoutRunning(job, ERROR_NOT_ENOUGH_MEMORY);
}

bool JobPool::ReserveThreadLocked() {
  if (starting_ || threads_ >= kMaxThreads || !idle_.empty()) return false;
  if (static_cast<int>(queue_.size()) <= woken_) return false;  // every queued job has a thread coming
  ++threads_;
  starting_ = true;
  return true;
}

bool JobPool::StartReservedThread() {
  try {
    std::thread([this] { WorkerLoop(); }).detach();
    return true;
  } catch (const std::system_error&) {
    ExclusiveLock lock(&lock_);
    --threads_;
    starting_ = false;
    return false;
  }
}

bool JobPool::WaitForWork(IdleSlot* slot) {
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

void JobPool::WorkerLoop() {
  OwnedWorkerEvents events;
  IdleSlot slot;
  ExclusiveLock lock(&lock_);
  starting_ = false;  // this thread is up: the next may be started when work waits
  for (;;) {
    // Jobs beyond those already handed to woken threads are ours to take.
    if (static_cast<int>(queue_.size()) <= woken_ && !WaitForWork(&slot)) break;
    if (queue_.empty()) continue;  // a running thread took it first
    std::shared_ptr<ConnectJob> job = std::move(queue_.front());
    queue_.pop_front();
    bool reserved = ReserveThreadLocked();  // more work waiting and nobody free: start the next thread
    lock.Unlock();
    if (reserved) StartReservedThread();
    job->RunOnPoolThread(job, events.get());
    job.reset();  // drop our reference outside the lock
    lock.Lock();
  }
  --threads_;
}

PoolStats JobPool::Stats() {
  ExclusiveLock lock(&lock_);
  return PoolStats{threads_, static_cast<int64_t>(idle_.size()), static_cast<int64_t>(queue_.size())};
}

}  // namespace wsc
