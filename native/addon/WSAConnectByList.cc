// WSAConnectByList: connect to one of several endpoints in one blocking call.
// Looked up at run time (winsock_api.h): Wine's ws2_32 does not have it.
#include <napi.h>

#include <cstddef>
#include <vector>

#include "args.h"
#include "blocking_job.h"
#include "env_state.h"
#include "winsock_api.h"

namespace wsc {

namespace {

// Always a dual-stack AF_INET6 socket with IPv4 passed v4-mapped, as the
// documentation requires for a list that may mix families.
class ConnectByListJob : public BlockingJob {
 public:
  ConnectByListJob(std::vector<SocketAddress> targets, uint32_t timeout_ms)
      : targets_(std::move(targets)), timeout_ms_(timeout_ms) {}

 protected:
  void Execute() override {
    WSAConnectByListFn connect_by_list = Winsock().connectByList;
    if (connect_by_list == nullptr) return result_.Fail("WSAConnectByList", ERROR_PROC_NOT_FOUND);
    if (int err = result_.socket.Create(AF_INET6, SOCK_STREAM, IPPROTO_TCP)) return result_.Fail("socket", err);
    SOCKET s = result_.socket.get();
    if (int err = SetV6Only(s, false)) return result_.Fail("setsockopt", err);
    if (AllLoopback()) FailFastIfLoopback(s, SocketAddress::Loopback(AF_INET6));  // the socket's family
    if (!Connect(connect_by_list, s)) return;
    if (int err = UpdateConnectContext(s)) return result_.Fail("setsockopt", err);
    result_.syscall = "WSAConnectByList";
    result_.RecordConnectedAddresses();
  }

 private:
  bool AllLoopback() const {
    for (const SocketAddress& target : targets_) {
      if (!target.IsLoopback()) return false;
    }
    return true;
  }

  // SOCKET_ADDRESS_LIST is a count followed by a variable-length array.
  std::vector<unsigned char> BuildList(std::vector<SocketAddress>* mapped) {
    for (const SocketAddress& target : targets_) mapped->push_back(target.ToV4Mapped());
    size_t size = offsetof(SOCKET_ADDRESS_LIST, Address) + mapped->size() * sizeof(SOCKET_ADDRESS);
    std::vector<unsigned char> buffer(size);
    auto* list = reinterpret_cast<SOCKET_ADDRESS_LIST*>(buffer.data());
    list->iAddressCount = static_cast<INT>(mapped->size());
    for (size_t i = 0; i < mapped->size(); ++i) {
      list->Address[i].lpSockaddr = (*mapped)[i].mutable_sockaddr();
      list->Address[i].iSockaddrLength = (*mapped)[i].length();
    }
    return buffer;
  }

  bool Connect(WSAConnectByListFn connect_by_list, SOCKET s) {
    std::vector<SocketAddress> mapped;
    std::vector<unsigned char> list = BuildList(&mapped);
    timeval timeout = TimevalFromMs(timeout_ms_);
    // No address buffers: getsockname/getpeername (RecordConnectedAddresses) give them.
    return RunCancellable(s, "WSAConnectByList", [&] {
      return connect_by_list(s, reinterpret_cast<SOCKET_ADDRESS_LIST*>(list.data()), nullptr, nullptr, nullptr,
                             nullptr, timeout_ms_ ? &timeout : nullptr, nullptr);
    });
  }

  std::vector<SocketAddress> targets_;
  uint32_t timeout_ms_;
};

// connectByList([{address, port}, ...], timeoutMs) -> job id
Napi::Value ConnectByList(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsArray()) throw Napi::TypeError::New(env, "addresses must be an array");
  Napi::Array array = info[0].As<Napi::Array>();
  std::vector<SocketAddress> targets;
  for (uint32_t i = 0; i < array.Length(); ++i) {
    Napi::Value entry = array.Get(i);
    if (!entry.IsObject()) throw Napi::TypeError::New(env, "address entries must be objects");
    targets.push_back(EndpointArg(entry.As<Napi::Object>(), "address"));
  }
  if (targets.empty()) throw Napi::RangeError::New(env, "addresses must not be empty");
  auto job = std::make_shared<ConnectByListJob>(std::move(targets), Uint32Arg(info[1], "timeout"));
  return StartJob(env, std::move(job));
}

Napi::Value HasConnectByList(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), Winsock().connectByList != nullptr);
}

}  // namespace

void RegisterWSAConnectByList(Napi::Env env, Napi::Object exports) {
  exports.Set("connectByList", Napi::Function::New(env, ConnectByList, "connectByList"));
  exports.Set("hasConnectByList", Napi::Function::New(env, HasConnectByList, "hasConnectByList"));
}

}  // namespace wsc
