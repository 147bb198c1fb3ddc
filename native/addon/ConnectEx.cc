// ConnectEx: one overlapped connect attempt. The 'race' strategy of
// connectByList (lib/happyEyeballs.ts) starts several of these with a stagger;
// the winner is kept, the others are abandoned, which cancels them with CancelIoEx.
#include <napi.h>

#include "args.h"
#include "connect_job.h"
#include "mailbox.h"
#include "winsock_api.h"

namespace wsc {

namespace {

constexpr DWORD kCancelGraceMs = 5000;

class ConnectExJob : public ConnectJob {
 public:
  explicit ConnectExJob(SocketAddress remote) : remote_(remote) {}

 protected:
  void Execute() override {
    int family = remote_.family();
    if (int err = result_.socket.Create(family, SOCK_STREAM, IPPROTO_TCP)) return result_.Fail("socket", err);
    SOCKET s = result_.socket.get();
    SocketAddress any = SocketAddress::Wildcard(family);
    if (bind(s, any.sockaddr_ptr(), any.length()) != 0) return result_.Fail("bind", WSAGetLastError());  // ConnectEx needs it
    int err = 0;
    LPFN_CONNECTEX connect_ex = ConnectExFor(s, family, &err);
    if (connect_ex == nullptr) return result_.Fail("WSAIoctl", err);
    if (!Connect(connect_ex, s)) return;
    if (int update_err = UpdateConnectContext(s)) return result_.Fail("setsockopt", update_err);
    result_.syscall = "ConnectEx";
    RecordConnectedAddresses(&result_);
  }

 private:
  bool Connect(LPFN_CONNECTEX connect_ex, SOCKET s) {
    OVERLAPPED overlapped{};
    overlapped.hEvent = io_event();
    int err = Start(connect_ex, s, &overlapped);
    if (err == ERROR_IO_PENDING) err = AwaitCompletion(s, &overlapped);
    if (err != 0) {
      result_.Fail("ConnectEx", err);
      return false;
    }
    return true;
  }

  int Start(LPFN_CONNECTEX connect_ex, SOCKET s, OVERLAPPED* overlapped) {
    if (connect_ex(s, remote_.sockaddr_ptr(), remote_.length(), nullptr, 0, nullptr, overlapped)) return 0;
    return WSAGetLastError();
  }

  // The OVERLAPPED lives on this stack frame, so we never return before the
  // kernel is done with it, even after a cancel.
  int AwaitCompletion(SOCKET s, OVERLAPPED* overlapped) {
    HANDLE waits[2] = {overlapped->hEvent, cancel_event()};
    if (WaitForMultipleObjects(2, waits, FALSE, INFINITE) != WAIT_OBJECT_0) {
      CancelIoEx(reinterpret_cast<HANDLE>(s), overlapped);
      if (WaitForSingleObject(overlapped->hEvent, kCancelGraceMs) != WAIT_OBJECT_0) {
        result_.socket.Close();  // closing aborts whatever is still pending
        WaitForSingleObject(overlapped->hEvent, INFINITE);
      }
      return WSA_OPERATION_ABORTED;
    }
    DWORD bytes = 0, flags = 0;
    if (!WSAGetOverlappedResult(s, overlapped, &bytes, FALSE, &flags)) return WSAGetLastError();
    return 0;
  }

  SocketAddress remote_;
};

// connectEx({address, port}) -> job id
Napi::Value StartConnectEx(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsObject()) throw Napi::TypeError::New(env, "endpoint must be an object");
  auto job = std::make_shared<ConnectExJob>(EndpointArg(info[0].As<Napi::Object>(), "address"));
  return Napi::Number::New(env, AddonData::Get(env)->Start(env, std::move(job)));
}

}  // namespace

void RegisterConnectEx(Napi::Env env, Napi::Object exports) {
  exports.Set("connectEx", Napi::Function::New(env, StartConnectEx, "connectEx"));
}

}  // namespace wsc
