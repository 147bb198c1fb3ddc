#include "mailbox.h"

namespace wsc {

bool Mailbox::Post(std::shared_ptr<Job> job) {
  ExclusiveLock lock(&lock_);
  if (!open_) return false;
  queued_.push_back(std::move(job));
  if (notified_) return true;  // the notification on its way covers this job too
  // Under the lock, so Close() can't let the TSFN go while a call is being made.
  // It fails only while the environment is torn down; Close() then drops the queue.
  notified_ = notify_();
  return true;
}

std::vector<std::shared_ptr<Job>> Mailbox::Take(size_t max, size_t* remaining) {
  std::vector<std::shared_ptr<Job>> jobs;
  ExclusiveLock lock(&lock_);
  while (jobs.size() < max && !queued_.empty()) {
    jobs.push_back(std::move(queued_.front()));
    queued_.pop_front();
  }
  *remaining = queued_.size();
  if (*remaining == 0) notified_ = false;
  return jobs;
}

void Mailbox::Close() {
  std::deque<std::shared_ptr<Job>> dropped;
  {
    ExclusiveLock lock(&lock_);
    open_ = false;
    dropped.swap(queued_);
  }
  // `dropped` goes out of scope here, outside the lock: each job closes its socket.
}

}  // namespace wsc
