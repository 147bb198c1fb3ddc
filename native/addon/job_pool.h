// Threads of our own for connect jobs. Blocking Winsock calls must not sit on
// libuv's 4-thread pool (it serves fs and dns), so jobs run here instead.
//
// Bounded: at most kMaxThreads jobs run at once; more wait in FIFO order. An
// abandoned call that the OS won't cut short keeps its thread until the OS
// returns, so abandoned calls can hold at most kMaxThreads threads, never more.
// Idle threads exit after kIdleExitMs. The pool is process-wide and never
// destroyed: its threads may still be inside Winsock when an env or the process
// goes away, and must not find freed memory.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>

namespace wsc {

class ConnectJob;

struct PoolStats {
  int64_t threads;
  int64_t idle;
  int64_t queued;
};

class JobPool {
 public:
  static constexpr int kMaxThreads = 128;
  static constexpr int kIdleExitMs = 10000;

  static JobPool& Instance();
  void Submit(std::shared_ptr<ConnectJob> job);
  PoolStats Stats();

 private:
  JobPool() = default;
  void WorkerLoop();
  bool StartThreadLocked();

  std::mutex mutex_;
  std::condition_variable work_ready_;
  std::deque<std::shared_ptr<ConnectJob>> queue_;
  int threads_ = 0;
  int idle_ = 0;
};

}  // namespace wsc
