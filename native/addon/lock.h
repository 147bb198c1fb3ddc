// The one lock guard of the addon: an SRWLOCK held exclusively for a scope.
// SRWLOCK rather than std::mutex: mingw's winpthreads builds std::mutex on
// semaphores, a wineserver round trip per wait and wake (docs/performance.md).
#pragma once

#include <windows.h>

namespace wsc {

class ExclusiveLock {
 public:
  explicit ExclusiveLock(SRWLOCK* lock) : lock_(lock) { AcquireSRWLockExclusive(lock_); }
  ~ExclusiveLock() {
    if (held_) ReleaseSRWLockExclusive(lock_);
  }
  // For a call that must run without the lock (starting a thread, say).
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

}  // namespace wsc
