// Threads of our own for connect jobs. Blocking Winsock calls must not sit on
// libuv's 4-thread pool (it serves fs and dns), so jobs run here instead.
//
// Bounded: at most kMaxThreads jobs run at once; more wait in FIFO order. An
// abandoned call that the OS won't cut short keeps its thread until the OS
// returns, so abandoned calls can hold at most kMaxThreads threads, never more.
// Idle threads exit after kIdleExitMs. The pool is process-wide and never
// destroyed: its threads may still be inside Winsock when an env or the process
// goes away, and must not find freed memory.
//
// Cheap hand-offs: the queue is guarded by an SRWLOCK and a CONDITION_VARIABLE
// (user-mode futexes under Wine), not std::mutex/std::condition_variable, which
// mingw's winpthreads builds on semaphores: a wineserver round trip per wait and
// per wake (measured by bench/costs.cc: ~78 us there and back, against ~5 us).
// Each thread owns the events its jobs wait on (WorkerEvents) and lends them to
// one job at a time, so a job creates and closes no kernel objects.
//
// Idle threads wait last-in, first-out: a new job wakes the thread that went idle
// most recently, so under a steady load a few threads stay busy and the others
// reach kIdleExitMs and exit (a shared condition variable wakes the longest
// waiter first, which kept every thread of a burst alive for ever).
//
// Growth: up to kEagerThreads threads start as soon as work waits; beyond that a
// thread is added only when the pool is stalled, i.e. work waits and no job has
// started for kStallMs (every thread is inside a slow or hanging call). A burst
// of quick connects so runs on a few threads instead of one per connect: under
// Wine every thread's Winsock call is a wineserver round trip, and 100 threads
// connecting at once starved the event loop's own calls (1,000 concurrent
// connects: loop blocked 114 ms after the calls were made; with 8 threads, 31 ms,
// and the burst settled as fast). Hanging connects still get a thread each,
// kStallMs apart, up to kMaxThreads. The injector thread makes those decisions.
//
// Threads are started off the JavaScript thread where possible: starting one
// costs the caller ~0.7 ms under Wine (bench/costs.cc). The JS thread starts
// only the first worker and the injector; a new worker, once it has taken a job,
// starts the next eager one if work is still waiting.
#pragma once

#include <windows.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

namespace wsc {

class ConnectJob;

struct PoolStats {
  int64_t threads;
  int64_t idle;
  int64_t queued;
};

// Manual-reset events a pool thread owns: `cancel` is signalled when its current
// job is abandoned, `io` is for the job's own waits (connect events, OVERLAPPED).
// Null when the thread could not create them (then its jobs fail with CreateEvent).
struct WorkerEvents {
  HANDLE cancel = nullptr;
  HANDLE io = nullptr;
  DWORD create_error = 0;
};

// An idle thread's place in the idle stack (it lives on that thread's stack).
struct IdleSlot {
  CONDITION_VARIABLE wake = CONDITION_VARIABLE_INIT;
  bool chosen = false;  // a job was handed to this thread (guarded by the pool's lock)
};

class JobPool {
 public:
  static constexpr int kMaxThreads = 128;
  static constexpr int kEagerThreads = 4;
  static constexpr int kStallMs = 3;
  static constexpr int kIdleExitMs = 10000;

  static JobPool& Instance();
  void Submit(std::shared_ptr<ConnectJob> job);
  PoolStats Stats();

 private:
  JobPool() = default;
  void WorkerLoop();
  // With lock_ held: waits as the most recently idle thread until a job is handed
  // over (true) or kIdleExitMs pass without one (false: the thread exits).
  bool WaitForWork(IdleSlot* slot);
  enum class Growth { kNone, kThread, kInjector };
  // With lock_ held, after work was queued or taken: how the pool should grow
  // (reserves the thread or marks the injector running). Grow() acts on it
  // without the lock; false when a thread could not be started.
  Growth PlanGrowthLocked();
  bool Grow(Growth growth);
  void InjectorLoop();
  bool StartInjector();
  // With lock_ held: queued jobs no woken thread is coming for.
  bool BacklogLocked() const { return static_cast<int>(queue_.size()) > woken_; }
  // With lock_ held: true when a thread should be started for waiting work; if
  // so, reserves it (threads_, starting_). The caller starts it after unlocking.
  // `limit`: kEagerThreads for eager starts, kMaxThreads for the injector.
  bool ReserveThreadLocked(int limit);
  // Without lock_: starts a reserved thread; false (reservation undone) on failure.
  bool StartReservedThread();

  SRWLOCK lock_ = SRWLOCK_INIT;
  std::deque<std::shared_ptr<ConnectJob>> queue_;
  std::vector<IdleSlot*> idle_;  // waiting for work; the back went idle last
  int woken_ = 0;                // handed a job, not awake yet: that many queued jobs are spoken for
  int threads_ = 0;              // running or starting
  bool starting_ = false;        // a thread was started and has not taken its first job yet
  CONDITION_VARIABLE backlog_ = CONDITION_VARIABLE_INIT;  // wakes the injector
  bool injector_running_ = false;
  int64_t last_start_ = 0;       // performance counter when a job last started (or a thread was added)
};

}  // namespace wsc
