#include "job_pool.h"

#include <chrono>
#include <system_error>
#include <thread>

#include "connect_job.h"

namespace wsc {

JobPool& JobPool::Instance() {
  static JobPool* pool = new JobPool();  // deliberately never deleted (see header)
  return *pool;
}

void JobPool::Submit(std::shared_ptr<ConnectJob> job) {
  std::unique_lock<std::mutex> lock(mutex_);
  queue_.push_back(job);
  if (idle_ > static_cast<int>(queue_.size()) - 1) {
    work_ready_.notify_one();
    return;
  }
  if (threads_ < kMaxThreads && StartThreadLocked()) return;
  if (threads_ > 0) return;  // a running thread will take it when it frees up
  // No thread at all and none can be started: fail the job rather than strand it.
  queue_.pop_back();
  lock.unlock();
  job->FailWithoutRunning(job, ERROR_NOT_ENOUGH_MEMORY);
}

bool JobPool::StartThreadLocked() {
  try {
    std::thread([this] { WorkerLoop(); }).detach();
  } catch (const std::system_error&) {
    return false;
  }
  ++threads_;
  return true;
}

void JobPool::WorkerLoop() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    if (queue_.empty()) {
      ++idle_;
      bool woke = work_ready_.wait_for(lock, std::chrono::milliseconds(kIdleExitMs),
                                       [this] { return !queue_.empty(); });
      --idle_;
      if (!woke) break;
    }
    std::shared_ptr<ConnectJob> job = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    job->RunOnPoolThread(job);
    job.reset();  // drop our reference outside the lock
    lock.lock();
  }
  --threads_;
}

PoolStats JobPool::Stats() {
  std::lock_guard<std::mutex> lock(mutex_);
  return PoolStats{threads_, idle_, static_cast<int64_t>(queue_.size())};
}

}  // namespace wsc
