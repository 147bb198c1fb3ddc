// Finished jobs on their way back to one JavaScript environment.
//
// Batching: finished jobs wait in the mailbox's own queue. Only the post that
// finds no notification pending calls `notify` (the environment's
// ThreadSafeFunction, env_state.h), and that call just tells JS "results are
// waiting"; JS then takes them a few per event-loop turn (takeResults;
// lib/jobs.ts), so a burst of finished jobs never holds the loop
// (docs/performance.md).
//
// Teardown: the environment's cleanup hook closes the mailbox under the lock
// before its TSFN is released, so no thread can call into a TSFN that is being
// torn down; results that arrive later are refused and their job closes the socket.
#pragma once

#include "job.h"
#include "lock.h"

#include <deque>
#include <functional>
#include <memory>
#include <vector>

namespace wsc {

class Mailbox : public JobSink {
 public:
  // `notify` runs under the mailbox's lock; false when it could not reach JS.
  explicit Mailbox(std::function<bool()> notify) : notify_(std::move(notify)) {}
  // Any thread. False when the environment is gone (the caller cleans up).
  bool Post(std::shared_ptr<Job> job) override;
  // JS thread: up to `max` jobs, oldest first; *remaining is how many are still
  // queued. When that is 0, the next post notifies again.
  std::vector<std::shared_ptr<Job>> Take(size_t max, size_t* remaining);
  // JS thread, at environment teardown: no more posts; what is queued is dropped
  // (dropping a job closes its socket).
  void Close();

 private:
  SRWLOCK lock_ = SRWLOCK_INIT;
  bool open_ = true;
  bool notified_ = false;  // JS was told (or is being told) that results are waiting
  std::deque<std::shared_ptr<Job>> queued_;
  std::function<bool()> notify_;
};

}  // namespace wsc
