// Threads of our own for calls that block inside the OS: WSAConnectByName,
// WSAConnectByList, and the driver's service control and IOCTL jobs. They must not
// sit on libuv's 4-thread pool (it serves fs and dns), and they never share a
// thread with the multiplexed connects (connect_waiter.h), so a blocking call can
// never delay a wsaConnect or a race attempt.
//
// Bounded: at most kMaxThreads calls run at once (enough for 1,000 concurrent
// blocking connects); more wait in FIFO order, their JS deadline running. An
// abandoned call that the OS won't cut short keeps its thread until the OS
// returns. Threads reserve kStackReserve of address space, not the 1 MiB default:
// 1,000 threads then reserve 64 MiB. Idle threads exit after kIdleExitMs. The
// pool is process-wide and never destroyed: its threads may still be inside
// Winsock when an env or the process goes away, and must not find freed memory.
//
// Idle threads wait last-in, first-out, so a steady load keeps a few threads
// busy and the rest exit. Growth: up to kEagerThreads start as soon as work
// waits; beyond that the injector thread adds one whenever work waits and no
// call has started for kStallMs (every thread is inside a slow call). Threads
// are started off the JavaScript thread where possible (docs/performance.md has
// the measurements behind these choices).
#pragma once

#include <windows.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

namespace wsc {

// Manual-reset events a pool thread owns and lends to one task at a time:
// `cancel` is signalled when the task is abandoned, `io` is for its own waits
// (OVERLAPPED). Null when the thread could not create them.
struct WorkerEvents {
  HANDLE cancel = nullptr;
  HANDLE io = nullptr;
  DWORD create_error = 0;
};

// What the pool runs (BlockingJob, blocking_job.h).
class PoolTask {
 public:
  virtual ~PoolTask() = default;
  virtual void RunOnPoolThread(const WorkerEvents& events) = 0;
  // No thread could be started for it at all.
  virtual void FailWithoutRunning(int error) = 0;
};

struct BlockingPoolStats {
  int64_t threads;  // running or starting
  int64_t idle;
  int64_t waiting;  // queued for a thread
};

class BlockingPool {
 public:
  static constexpr int kMaxThreads = 1024;
  static constexpr int kEagerThreads = 4;
  static constexpr int kStallMs = 3;
  static constexpr int kIdleExitMs = 10000;
  static constexpr SIZE_T kStackReserve = 64 * 1024;

  static BlockingPool& Instance();
  void Submit(std::shared_ptr<PoolTask> task);
  BlockingPoolStats Stats();

 private:
  struct IdleSlot {
    CONDITION_VARIABLE wake = CONDITION_VARIABLE_INIT;
    bool chosen = false;  // a task was handed to this thread (guarded by lock_)
  };
  enum class Growth { kNone, kThread, kInjector };

  BlockingPool() = default;
  static DWORD WINAPI WorkerMain(LPVOID pool);
  static DWORD WINAPI InjectorMain(LPVOID pool);
  static bool StartThread(LPTHREAD_START_ROUTINE main, LPVOID pool);
  void WorkerLoop();
  void InjectorLoop();
  // With lock_ held: waits as the most recently idle thread until a task is handed
  // over (true) or kIdleExitMs pass without one (false: the thread exits).
  bool WaitForWork(IdleSlot* slot);
  // With lock_ held, after work was queued or taken: how the pool should grow
  // (reserves the thread or marks the injector running); Grow acts on it unlocked.
  Growth PlanGrowthLocked();
  bool Grow(Growth growth);
  bool StartInjector();
  bool BacklogLocked() const { return static_cast<int>(queue_.size()) > woken_; }
  bool ReserveThreadLocked(int limit);
  bool StartReservedThread();

  SRWLOCK lock_ = SRWLOCK_INIT;
  std::deque<std::shared_ptr<PoolTask>> queue_;
  std::vector<IdleSlot*> idle_;  // waiting for work; the back went idle last
  int woken_ = 0;                // handed a task, not awake yet
  int threads_ = 0;              // running or starting
  bool starting_ = false;        // a thread was started and has not taken its first task yet
  CONDITION_VARIABLE backlog_ = CONDITION_VARIABLE_INIT;  // wakes the injector
  bool injector_running_ = false;
  int64_t last_start_ = 0;  // clock (clock.h) when a task last started or a thread was added
};

}  // namespace wsc
