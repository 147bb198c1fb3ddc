// WSAConnectByNameW: resolve a host and service and connect, in one blocking call.
// Runs on the blocking pool (blocking_pool.h); an abort cuts it short with CancelIoEx (connect_job.h).
#include <napi.h>

#include "args.h"
#include "blocking_job.h"
#include "env_state.h"
#include "winsock_api.h"

namespace wsc {

namespace {

// family: 0 = dual stack (AF_INET6 with IPV6_V6ONLY off, as Microsoft's example),
// AF_INET or AF_INET6 (v6 only).
class ConnectByNameJob : public BlockingJob {
 public:
  ConnectByNameJob(std::wstring host, std::wstring service, int family, uint32_t timeout_ms)
      : host_(std::move(host)), service_(std::move(service)), family_(family), timeout_ms_(timeout_ms) {}

 protected:
  void Execute() override {
    int socket_family = family_ == AF_INET ? AF_INET : AF_INET6;
    if (int err = result_.socket.Create(socket_family, SOCK_STREAM, IPPROTO_TCP)) return result_.Fail("socket", err);
    SOCKET s = result_.socket.get();
    if (socket_family == AF_INET6) {
      if (int err = SetV6Only(s, family_ == AF_INET6)) return result_.Fail("setsockopt", err);
    }
    if (NamesLoopback()) FailFastIfLoopback(s, SocketAddress::Loopback(socket_family));
    if (!Connect(s)) return;
    if (int err = UpdateConnectContext(s)) return result_.Fail("setsockopt", err);
    result_.syscall = "WSAConnectByName";
    // No addresses here: the adopted socket answers them when asked (lib/connection.ts).
  }

 private:
  // Known to be loopback before the name is resolved: "localhost" or a loopback literal.
  bool NamesLoopback() const {
    if (_wcsicmp(host_.c_str(), L"localhost") == 0) return true;
    SocketAddress literal;
    std::string narrow(host_.begin(), host_.end());
    return SocketAddress::Parse(narrow, 0, &literal) && literal.IsLoopback();
  }

  // No address buffers: the local address WSAConnectByNameW returns carries port 0,
  // on Windows as under Wine (Wine's conformance test asserts it without todo_wine);
  // getsockname on the adopted socket is the source of truth, when asked.
  bool Connect(SOCKET s) {
    timeval timeout = TimevalFromMs(timeout_ms_);
    return RunCancellable(s, "WSAConnectByName", [&] {
      return WSAConnectByNameW(s, const_cast<LPWSTR>(host_.c_str()), const_cast<LPWSTR>(service_.c_str()),
                               nullptr, nullptr, nullptr, nullptr, timeout_ms_ ? &timeout : nullptr, nullptr);
    });
  }

  std::wstring host_;
  std::wstring service_;
  int family_;
  uint32_t timeout_ms_;
};

// connectByName(host, service, family, timeoutMs) -> job id
Napi::Value ConnectByName(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint32_t family = Uint32Arg(info[2], "family");
  if (family != 0 && family != AF_INET && family != AF_INET6) throw Napi::RangeError::New(env, "bad family");
  auto job = std::make_shared<ConnectByNameJob>(WideStringArg(info[0], "host"), WideStringArg(info[1], "service"),
                                                static_cast<int>(family), Uint32Arg(info[3], "timeout"));
  return StartJob(env, std::move(job));
}

}  // namespace

void RegisterWSAConnectByName(Napi::Env env, Napi::Object exports) {
  exports.Set("connectByName", Napi::Function::New(env, ConnectByName, "connectByName"));
}

}  // namespace wsc
