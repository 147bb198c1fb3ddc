// ConnectEx: one overlapped connect attempt. The 'race' strategy of
// connectByList (lib/happyEyeballs.ts) starts several of these with a stagger;
// the winner is kept, the others are abandoned, which cancels them with CancelIoEx.
//
// The attempt waits on the connect waiter (connect_waiter.h) with every other
// pending connect: FD_CONNECT wakes it, and the OVERLAPPED, which this job owns
// until the kernel is done with it, says how the connect ended. The OVERLAPPED
// has no event and the socket is bound to no completion port, so libuv can
// still bind it to its own when it adopts the socket.
#include <napi.h>

#include "args.h"
#include "connect_waiter.h"
#include "env_state.h"

namespace wsc {

namespace {

class ConnectExJob : public MultiplexedConnect {
 public:
  explicit ConnectExJob(SocketAddress remote) : remote_(remote) {}

  Progress Begin() override {
    int family = remote_.family();
    if (int err = result_.socket.Create(family, SOCK_STREAM, IPPROTO_TCP)) return Failed("socket", err);
    SOCKET s = socket();
    if (int err = DualStackIfV4Mapped(s, remote_)) return Failed("setsockopt", err);
    SocketAddress any = SocketAddress::Wildcard(family);
    if (bind(s, any.sockaddr_ptr(), any.length()) != 0) return Failed("bind", WSAGetLastError());  // ConnectEx needs it
    int err = 0;
    LPFN_CONNECTEX connect_ex = ConnectExFor(s, family, &err);
    if (connect_ex == nullptr) return Failed("WSAIoctl", err);
    if (int notify_err = RequestConnectNotification()) return Failed("WSAAsyncSelect", notify_err);
    FailFastIfLoopback(s, remote_);
    if (connect_ex(s, remote_.sockaddr_ptr(), remote_.length(), nullptr, 0, nullptr, &overlapped_)) {
      return Ended(0);
    }
    err = WSAGetLastError();
    if (err == ERROR_IO_PENDING) {
      io_pending_ = true;
      return Progress::kWaiting;
    }
    return Ended(err);
  }

  // The OVERLAPPED is in memory, so no system call: no need to ask select() first.
  bool ChecksBySelect() const override { return false; }

  Progress Check() override {
    if (!HasOverlappedIoCompleted(&overlapped_)) return Progress::kWaiting;
    io_pending_ = false;
    DWORD bytes = 0, flags = 0;
    if (!WSAGetOverlappedResult(socket(), &overlapped_, &bytes, FALSE, &flags)) return Ended(WSAGetLastError());
    return Ended(0);
  }

  bool Stop() override {
    if (io_pending_) CancelIoEx(reinterpret_cast<HANDLE>(socket()), &overlapped_);
    return Drained();
  }

  bool Drained() const override { return !io_pending_ || HasOverlappedIoCompleted(&overlapped_); }

 private:
  Progress Failed(const char* call, int err) {
    result_.Fail(call, err);
    return Progress::kDone;
  }

  Progress Ended(int err) {
    if (err != 0) return Failed("ConnectEx", err);
    if (int update_err = UpdateConnectContext(socket())) return Failed("setsockopt", update_err);
    result_.syscall = "ConnectEx";
    // No addresses here: the adopted socket answers them when asked (lib/connection.ts).
    return Progress::kDone;
  }

  SocketAddress remote_;
  OVERLAPPED overlapped_{};
  bool io_pending_ = false;
};

// connectEx({address, port}) -> job id
Napi::Value StartConnectEx(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsObject()) throw Napi::TypeError::New(env, "endpoint must be an object");
  return StartJob(env, std::make_shared<ConnectExJob>(EndpointArg(info[0].As<Napi::Object>(), "address")));
}

}  // namespace

void RegisterConnectEx(Napi::Env env, Napi::Object exports) {
  exports.Set("connectEx", Napi::Function::New(env, StartConnectEx, "connectEx"));
}

}  // namespace wsc
