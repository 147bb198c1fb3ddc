// What the JS layer and the tests need to see inside the addon: which Winsock
// this is, resource counters for the leak tests, and a listener that never
// accepts (the loopback way to make a connect hang, for timeout/abort tests).
#include <napi.h>

#include "args.h"
#include "blocking_pool.h"
#include "connect_waiter.h"
#include "job.h"
#include "owned_socket.h"
#include "socket_handle.h"
#include "winsock_api.h"

// After the Windows headers the includes above bring (it has no includes of its own).
#include <tlhelp32.h>

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

// The OS threads of this process (Toolhelp's snapshot; -1 if it can't be taken).
double ProcessThreadCount() {
  HANDLE snapshot = CreateToolhelp32Snapshot(TH32CS_SNAPTHREAD, 0);
  if (snapshot == INVALID_HANDLE_VALUE) return -1;
  DWORD self = GetCurrentProcessId();
  double count = 0;
  THREADENTRY32 entry{};
  entry.dwSize = sizeof entry;
  for (BOOL more = Thread32First(snapshot, &entry); more; more = Thread32Next(snapshot, &entry)) {
    if (entry.th32OwnerProcessID == self) ++count;
  }
  CloseHandle(snapshot);
  return count;
}

Napi::Value Stats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  BlockingPoolStats pool = BlockingPool::Instance().Stats();
  const ConnectWaiter& waiter = ConnectWaiter::Instance();
  Napi::Object result = Napi::Object::New(env);
  result.Set("openSockets", static_cast<double>(OwnedSocket::OpenCount()));
  result.Set("abandonedRunning", static_cast<double>(Job::AbandonedStillRunning()));
  result.Set("jobsAlive", static_cast<double>(Job::Alive()));
  result.Set("poolThreads", static_cast<double>(pool.threads));
  result.Set("poolIdle", static_cast<double>(pool.idle));
  result.Set("poolQueued", static_cast<double>(pool.waiting));
  result.Set("poolMaxThreads", BlockingPool::kMaxThreads);
  result.Set("multiplexedWaiting", static_cast<double>(waiter.Waiting()));
  result.Set("processThreads", info[0].ToBoolean() ? ProcessThreadCount() : -1.0);
  DWORD handles = 0;
  result.Set("processHandles", GetProcessHandleCount(GetCurrentProcess(), &handles) ? static_cast<double>(handles) : -1.0);
  return result;
}

// stalledListener(address, port = 0) -> {port, socket: SocketHandle}. Listens with the
// smallest backlog and never accepts. SO_CONDITIONAL_ACCEPT makes Windows hold
// the handshake until an accept decides (instead of refusing when the queue is
// full); Wine ignores it and the Linux full-queue behaviour applies: once the
// caller fills the queue with a connect or two, further connects hang.
Napi::Value StalledListener(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  SocketAddress address = EndpointArg(info[0], info.Length() > 1 ? info[1] : Napi::Number::New(env, 0), "address");
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

// socketOptions(socket) -> {noDelay, keepAlive}: TCP_NODELAY and SO_KEEPALIVE as the
// SOCKET holds them (what a socket Node adopted really got), read with getsockopt.
Napi::Value SocketOptions(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  SOCKET socket = static_cast<SOCKET>(info[0].As<Napi::Number>().Int64Value());
  auto flag = [&](int level, int name) -> bool {
    DWORD value = 0;
    int length = sizeof value;
    if (getsockopt(socket, level, name, reinterpret_cast<char*>(&value), &length) != 0) {
      throw Napi::Error::New(env, "getsockopt failed: " + std::to_string(WSAGetLastError()));
    }
    return value != 0;
  };
  Napi::Object result = Napi::Object::New(env);
  result.Set("noDelay", flag(IPPROTO_TCP, TCP_NODELAY));
  result.Set("keepAlive", flag(SOL_SOCKET, SO_KEEPALIVE));
  return result;
}

// dropNextConnectEvent(): the next FD_CONNECT of a waiting connect is ignored, as
// when a notification is lost; the waiter's recheck must still find the connect.
Napi::Value DropNextConnectEvent(const Napi::CallbackInfo& info) {
  ConnectWaiter::Instance().DropNextConnectEventForTesting();
  return info.Env().Undefined();
}

// holdNextStart(ms): the connect waiter's starter sleeps `ms` after starting the
// next connect that waits, so its FD_CONNECT comes while the starter still holds
// it; keptConnectEvents(): how many such events the starter has applied.
Napi::Value HoldNextStart(const Napi::CallbackInfo& info) {
  ConnectWaiter::Instance().HoldNextStartForTesting(static_cast<int>(Uint32Arg(info[0], "ms")));
  return info.Env().Undefined();
}

Napi::Value KeptConnectEvents(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(ConnectWaiter::Instance().KeptEventsApplied()));
}

// recheckSets() -> {largest, limit, full}: the most sockets one of the waiter's
// recheck select() calls has been given, the most it may be given (FD_SETSIZE), and
// how many were given that many.
Napi::Value RecheckSets(const Napi::CallbackInfo& info) {
  Napi::Object result = Napi::Object::New(info.Env());
  result.Set("largest", static_cast<double>(ConnectWaiter::Instance().LargestRecheckSet()));
  result.Set("limit", static_cast<double>(FD_SETSIZE));
  result.Set("full", static_cast<double>(ConnectWaiter::Instance().FullRecheckSets()));
  return result;
}

// initialRto() -> {fastLoopbackFail, asks, v4Unsupported, v6Unsupported}: whether
// the build number says SIO_TCP_INITIAL_RTO takes TCP_INITIAL_RTO_NO_SYN_RETRANSMISSIONS
// (16299+; Wine reports such a build too), how many times it was asked for, and per
// family whether the provider answered WSAEOPNOTSUPP (then it is asked no more).
Napi::Value InitialRto(const Napi::CallbackInfo& info) {
  Napi::Object result = Napi::Object::New(info.Env());
  result.Set("fastLoopbackFail", Winsock().fastLoopbackFail);
  result.Set("asks", static_cast<double>(InitialRtoAsks()));
  result.Set("v4Unsupported", InitialRtoUnsupported(AF_INET));
  result.Set("v6Unsupported", InitialRtoUnsupported(AF_INET6));
  return result;
}

// setTiming(enabled): results carry per-stage `timing` (bench/ profiles the hand-off with it).
Napi::Value SetTiming(const Napi::CallbackInfo& info) {
  Job::SetTimingEnabled(info[0].ToBoolean());
  return info.Env().Undefined();
}

}  // namespace

void RegisterDiagnostics(Napi::Env env, Napi::Object exports) {
  exports.Set("platform", Napi::Function::New(env, Platform, "platform"));
  exports.Set("stats", Napi::Function::New(env, Stats, "stats"));
  // Test and bench hooks, apart from the library's API (lib/testing.ts, test/support/).
  Napi::Object testing = TestingExports(env, exports);
  testing.Set("setTiming", Napi::Function::New(env, SetTiming, "setTiming"));
  testing.Set("stalledListener", Napi::Function::New(env, StalledListener, "stalledListener"));
  testing.Set("socketOptions", Napi::Function::New(env, SocketOptions, "socketOptions"));
  testing.Set("dropNextConnectEvent", Napi::Function::New(env, DropNextConnectEvent, "dropNextConnectEvent"));
  testing.Set("holdNextStart", Napi::Function::New(env, HoldNextStart, "holdNextStart"));
  testing.Set("keptConnectEvents", Napi::Function::New(env, KeptConnectEvents, "keptConnectEvents"));
  testing.Set("recheckSets", Napi::Function::New(env, RecheckSets, "recheckSets"));
  testing.Set("initialRto", Napi::Function::New(env, InitialRto, "initialRto"));
}

}  // namespace wsc
