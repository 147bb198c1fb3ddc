// What the JS layer and the tests need to see inside the addon: which Winsock
// this is, resource counters for the leak tests, and a listener that never
// accepts (the loopback way to make a connect hang, for timeout/abort tests).
#include <napi.h>

#include "args.h"
#include "connect_job.h"
#include "job_pool.h"
#include "owned_socket.h"
#include "socket_handle.h"
#include "winsock_api.h"

namespace wsc {

namespace {

Napi::Value Platform(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const WinsockApi& api = Winsock();
  Napi::Object result = Napi::Object::New(env);
  result.Set("wine", api.wineVersion ? Napi::Value(Napi::String::New(env, api.wineVersion)) : env.Null());
  result.Set("startupError", api.startupError);
  result.Set("connectByList", api.connectByList != nullptr);
  return result;
}

Napi::Value Stats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  PoolStats pool = JobPool::Instance().Stats();
  Napi::Object result = Napi::Object::New(env);
  result.Set("openSockets", static_cast<double>(OwnedSocket::OpenCount()));
  result.Set("abandonedRunning", static_cast<double>(ConnectJob::AbandonedStillRunning()));
  result.Set("poolThreads", static_cast<double>(pool.threads));
  result.Set("poolIdle", static_cast<double>(pool.idle));
  result.Set("poolQueued", static_cast<double>(pool.queued));
  result.Set("poolMaxThreads", JobPool::kMaxThreads);
  DWORD handles = 0;
  result.Set("processHandles", GetProcessHandleCount(GetCurrentProcess(), &handles) ? static_cast<double>(handles) : -1.0);
  return result;
}

// stalledListener(address) -> {port, socket: SocketHandle}. Listens with the
// smallest backlog and never accepts. SO_CONDITIONAL_ACCEPT makes Windows hold
// the handshake until an accept decides (instead of refusing when the queue is
// full); Wine ignores it and the Linux full-queue behaviour applies: once the
// caller fills the queue with a connect or two, further connects hang.
Napi::Value StalledListener(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  SocketAddress address = EndpointArg(info[0], Napi::Number::New(env, 0), "address");
  OwnedSocket listener;
  if (int err = listener.Create(address.family(), SOCK_STREAM, IPPROTO_TCP)) {
    throw Napi::Error::New(env, "socket failed: " + std::to_string(err));
  }
  BOOL conditional = TRUE;
  setsockopt(listener.get(), SOL_SOCKET, SO_CONDITIONAL_ACCEPT, reinterpret_cast<const char*>(&conditional),
             sizeof conditional);
  if (bind(listener.get(), address.sockaddr_ptr(), address.length()) != 0 || listen(listener.get(), 0) != 0) {
    throw Napi::Error::New(env, "bind/listen failed: " + std::to_string(WSAGetLastError()));
  }
  SocketAddress bound;
  if (!LocalAddressOf(listener.get(), &bound)) throw Napi::Error::New(env, "getsockname failed");
  Napi::Object result = Napi::Object::New(env);
  result.Set("port", bound.port());
  result.Set("socket", SocketHandle::Wrap(env, std::move(listener)));
  return result;
}

// setTiming(enabled): results carry per-stage `timing` (bench/ profiles the hand-off with it).
Napi::Value SetTiming(const Napi::CallbackInfo& info) {
  ConnectJob::SetTimingEnabled(info[0].ToBoolean());
  return info.Env().Undefined();
}

}  // namespace

void RegisterDiagnostics(Napi::Env env, Napi::Object exports) {
  exports.Set("platform", Napi::Function::New(env, Platform, "platform"));
  exports.Set("stats", Napi::Function::New(env, Stats, "stats"));
  exports.Set("setTiming", Napi::Function::New(env, SetTiming, "setTiming"));
  exports.Set("stalledListener", Napi::Function::New(env, StalledListener, "stalledListener"));
}

}  // namespace wsc
