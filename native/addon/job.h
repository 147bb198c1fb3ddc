// A Job is one piece of work that runs off the JavaScript thread and delivers one
// result back to it: a connect, a driver IOCTL, a service control. How it runs is
// its subclass's business: a BlockingJob takes a thread of the blocking pool
// (blocking_job.h); a MultiplexedConnect waits, with thousands of others, on the
// connect waiter's two threads (connect_waiter.h).
//
// Ownership rule that makes "closed exactly once" hold on every path: the state
// moves Pending -> Completed (the result, socket included, goes to the sink and
// on to JS) or Pending -> Abandoned (JS has settled already: abort, deadline, env
// teardown). Whoever loses that race never touches the result; an abandoned job
// closes its own socket when the OS is finally done with it (Finish).
//
// Layering, one way only: job.h <- {blocking_job.h, connect_waiter.h, mailbox.h}
// <- env_state.h <- the files named after the Winsock functions.
#pragma once

#include "socket_ops.h"

#include <napi.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace wsc {

struct JobResult {
  int error = 0;             // Winsock / Win32 error code; 0 on success
  const char* syscall = "";  // the call that produced `error` (or that connected)
  OwnedSocket socket;        // set on success
  bool has_local = false;
  bool has_remote = false;
  SocketAddress local;
  SocketAddress remote;
  bool has_callee_data = false;
  std::vector<uint8_t> callee_data;

  void Fail(const char* call, int code) {
    syscall = call;
    error = code;
    socket.Close();
  }
  // After a connect the provider reported as successful: both addresses from the
  // socket itself (getpeername/getsockname are the source of truth), or Fail when
  // it has no peer after all.
  bool RecordConnectedAddresses();
};

class Job;

// Where finished jobs go (the environment's mailbox). Any thread. False when
// nobody will take the result any more: the job then cleans up itself.
class JobSink {
 public:
  virtual ~JobSink() = default;
  virtual bool Post(std::shared_ptr<Job> job) = 0;
};

class Job : public std::enable_shared_from_this<Job> {
 public:
  Job();
  virtual ~Job();
  Job(const Job&) = delete;
  Job& operator=(const Job&) = delete;

  uint32_t id() const { return id_; }

  // JS thread: gives the job its id and destination, then hands it to whatever
  // runs it. The one way a job starts (env_state.h's StartJob calls it).
  void Start(uint32_t id, std::shared_ptr<JobSink> sink);

  // JS thread (or env teardown): true when this call abandoned a pending job;
  // false when the result is already on its way to JS.
  bool Abandon();

  // JS thread: asks the job to end its OS call early and still deliver its result
  // (WskDriver.stop(): an interrupted IOCTL comes back as the driver completes it).
  // Jobs that can't be interrupted ignore it.
  virtual void Interrupt() {}

  // JS thread: {errno, syscall, socket?, localAddress?, remoteAddress?, calleeData?, timing?}.
  Napi::Object TakeResultAsJs(Napi::Env env);
  // JS thread, when the mailbox hands the job over (the last timing stamp).
  void StampDelivered() { Stamp(kDelivered); }

  // Abandoned jobs whose OS call has not returned yet (the leak tests wait for 0).
  static int64_t AbandonedStillRunning();
  // Job objects not yet destroyed, whatever their state: after every connect has
  // settled and its result was taken, 0. The bench's leak figure reads it, since
  // RSS under Wine moves by tens of MB either way on its own.
  static int64_t Alive();
  // Diagnostics for bench/ (off by default): results then carry `timing`.
  static void SetTimingEnabled(bool enabled);

 protected:
  // Queues the job on whatever runs it. Called once, from Start.
  virtual void Launch() = 0;
  // Runs after the state became Abandoned (JS thread): wake whatever waits.
  virtual void OnAbandoned() {}
  // JS thread: fields particular to a job kind (the driver's per-step statuses).
  virtual void AddResultFields(Napi::Env env, Napi::Object result) {}

  bool abandoned() const { return state_.load() == State::kAbandoned; }
  // The runner's thread, once the OS is done with the job: hands the result to
  // the sink (Completed) or drops it, closing the socket (Abandoned).
  void Finish();
  void StampStarted() { Stamp(kStarted); }
  void StampExecuted() { Stamp(kExecuted); }

  JobResult result_;

 private:
  enum class State { kPending, kCompleted, kAbandoned };
  enum StampIndex { kCreated, kStarted, kExecuted, kDelivered, kStampCount };

  void Stamp(StampIndex index);
  Napi::Object TimingAsJs(Napi::Env env) const;

  uint32_t id_ = 0;
  std::shared_ptr<JobSink> sink_;
  std::atomic<State> state_{State::kPending};
  int64_t stamps_[kStampCount] = {};
};

}  // namespace wsc
