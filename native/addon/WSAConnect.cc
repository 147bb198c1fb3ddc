// WSAConnect: TCP (with caller data, callee data and FLOWSPEC QoS) and UDP
// (sets the default destination). Binds first when a local address is given,
// which puts the socket in the states of Microsoft's RSVP join tables.
//
// TCP runs non-blocking, the documented asynchronous form: WSAConnect returns
// WSAEWOULDBLOCK and the connect waiter (connect_waiter.h) learns of FD_CONNECT
// with thousands of others on one thread. An abort or deadline ends the wait at
// once, and the waiter thread that holds the connect closes the socket. Each
// attempt of connectByList's race (lib/race.ts) is this job, as a plain TCP connect.
#include <napi.h>

#include <algorithm>
#include <vector>

#include "args.h"
#include "connect_waiter.h"
#include "env_state.h"

namespace wsc {

namespace {

constexpr uint32_t kCalleeCapacity = 1024;
constexpr uint8_t kCalleeCanary = 0xA5;

struct WsaConnectRequest {
  SocketAddress remote;
  bool udp = false;
  bool has_local = false;
  SocketAddress local;
  bool broadcast = false;
  bool has_caller_data = false;
  std::vector<uint8_t> caller_data;
  bool has_qos = false;
  QOS qos{};

  // A callee-data buffer goes to WSAConnect only for a connect-data exchange the
  // caller started: Microsoft's WSAConnect page says TCP/IP carries no connect
  // data, so a plain connect passes NULL.
  bool WantsCalleeData() const { return !udp && has_caller_data; }
};

class WsaConnectJob : public MultiplexedConnect {
 public:
  explicit WsaConnectJob(WsaConnectRequest request) : request_(std::move(request)) {
    if (!request_.WantsCalleeData()) return;
    callee_.assign(kCalleeCapacity, kCalleeCanary);
    callee_buffer_ = WSABUF{static_cast<ULONG>(callee_.size()), reinterpret_cast<char*>(callee_.data())};
  }

  Progress Begin() override {
    int type = request_.udp ? SOCK_DGRAM : SOCK_STREAM;
    int protocol = request_.udp ? IPPROTO_UDP : IPPROTO_TCP;
    if (int err = result_.socket.Create(request_.remote.family(), type, protocol)) return Failed("socket", err);
    if (!Prepare()) return Progress::kDone;
    if (request_.udp) return ConnectDatagram();
    if (int err = RequestConnectNotification()) return Failed("WSAAsyncSelect", err);
    FailFastIfLoopback(socket(), request_.remote);
    int err = CallWsaConnect(request_.WantsCalleeData());
    if (err == WSAEWOULDBLOCK) return Progress::kWaiting;
    return Ended(err);
  }

  Progress Check() override {
    int outcome = PollConnect(socket());
    if (outcome == kStillConnecting) return Progress::kWaiting;
    return Ended(outcome);
  }

  void OnConnectEvent(int error) override { Ended(error); }

 private:
  Progress Failed(const char* call, int err) {
    result_.Fail(call, err);
    return Progress::kDone;
  }

  bool Prepare() {
    SOCKET s = socket();
    if (int err = DualStackIfV4Mapped(s, request_.remote)) {
      result_.Fail("setsockopt", err);
      return false;
    }
    if (request_.broadcast) {
      BOOL on = TRUE;
      if (setsockopt(s, SOL_SOCKET, SO_BROADCAST, reinterpret_cast<const char*>(&on), sizeof on) != 0) {
        result_.Fail("setsockopt", WSAGetLastError());
        return false;
      }
    }
    if (request_.has_local && bind(s, request_.local.sockaddr_ptr(), request_.local.length()) != 0) {
      result_.Fail("bind", WSAGetLastError());
      return false;
    }
    return true;
  }

  // Returns WSAConnect's error, 0 when it succeeded at once. The callee WSABUF is
  // the job's own: on a non-blocking socket its length is valid only after
  // FD_CONNECT (Microsoft's WSAConnect page), so it must outlive this call.
  int CallWsaConnect(bool with_callee) {
    WSABUF caller{static_cast<ULONG>(request_.caller_data.size()),
                  reinterpret_cast<char*>(request_.caller_data.data())};
    int rc = WSAConnect(socket(), request_.remote.sockaddr_ptr(), request_.remote.length(),
                        request_.has_caller_data ? &caller : nullptr, with_callee ? &callee_buffer_ : nullptr,
                        request_.has_qos ? &request_.qos : nullptr, nullptr);
    return rc == 0 ? 0 : WSAGetLastError();
  }

  Progress ConnectDatagram() {
    // Connectionless: no handshake, returns at once. Caller data is ignored by Winsock here.
    if (int err = CallWsaConnect(false)) return Failed("WSAConnect", err);
    result_.syscall = "WSAConnect";
    result_.RecordConnectedAddresses();
    return Progress::kDone;
  }

  // The stream connect has ended with `err` (0: connected).
  Progress Ended(int err) {
    if (err != 0) return Failed("WSAConnect", err);
    if (request_.WantsCalleeData()) RecordCalleeData();
    result_.syscall = "WSAConnect";
    // No addresses here: the adopted socket answers them when asked (lib/connection.ts).
    return Progress::kDone;
  }

  // Windows sets the callee length to 0 when no data came back. A provider that
  // leaves the buffer untouched (Wine does) would otherwise look like a full
  // buffer of data: the canary tells the two apart.
  void RecordCalleeData() {
    ULONG length = callee_buffer_.len;
    if (length == 0 || length > callee_.size()) return;
    bool untouched = length == callee_.size() &&
                     std::all_of(callee_.begin(), callee_.end(), [](uint8_t b) { return b == kCalleeCanary; });
    if (untouched) return;
    result_.has_callee_data = true;
    result_.callee_data.assign(callee_.begin(), callee_.begin() + length);
  }

  WsaConnectRequest request_;
  std::vector<uint8_t> callee_;  // only for a connect-data exchange (WantsCalleeData)
  WSABUF callee_buffer_{};
};

void ReadFlowspec(const Napi::Value& value, FLOWSPEC* spec) {
  FLOWSPEC unspecified{QOS_NOT_SPECIFIED, QOS_NOT_SPECIFIED, QOS_NOT_SPECIFIED, QOS_NOT_SPECIFIED,
                       QOS_NOT_SPECIFIED, SERVICETYPE_NOTRAFFIC, QOS_NOT_SPECIFIED, QOS_NOT_SPECIFIED};
  *spec = unspecified;
  if (!value.IsObject()) return;
  Napi::Object o = value.As<Napi::Object>();
  auto field = [&o](const char* name, ULONG* out) {
    if (o.Has(name) && !o.Get(name).IsUndefined()) *out = Uint32Arg(o.Get(name), name);
  };
  field("tokenRate", &spec->TokenRate);
  field("tokenBucketSize", &spec->TokenBucketSize);
  field("peakBandwidth", &spec->PeakBandwidth);
  field("latency", &spec->Latency);
  field("delayVariation", &spec->DelayVariation);
  field("serviceType", &spec->ServiceType);
  field("maxSduSize", &spec->MaxSduSize);
  field("minimumPolicedSize", &spec->MinimumPolicedSize);
}

WsaConnectRequest ReadRequest(const Napi::Object& options) {
  WsaConnectRequest request;
  request.remote = EndpointArg(options, "address");
  request.udp = StringArg(options.Get("protocol"), "protocol") == "udp";
  request.broadcast = options.Get("broadcast").ToBoolean();
  Napi::Value local = options.Get("local");
  if (local.IsObject()) {
    request.has_local = true;
    request.local = EndpointArg(local.As<Napi::Object>(), "local.address");
  }
  Napi::Value caller = options.Get("callerData");
  if (caller.IsTypedArray()) {
    Napi::Uint8Array bytes = caller.As<Napi::Uint8Array>();
    request.has_caller_data = true;
    request.caller_data.assign(bytes.Data(), bytes.Data() + bytes.ByteLength());
  }
  Napi::Value qos = options.Get("qos");
  if (qos.IsObject()) {
    request.has_qos = true;
    ReadFlowspec(qos.As<Napi::Object>().Get("sending"), &request.qos.SendingFlowspec);
    ReadFlowspec(qos.As<Napi::Object>().Get("receiving"), &request.qos.ReceivingFlowspec);
  }
  return request;
}

// wsaConnect({address, port, protocol, local?, broadcast?, callerData?, qos?}) -> job id
Napi::Value StartWsaConnect(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsObject()) throw Napi::TypeError::New(env, "options must be an object");
  return StartJob(env, std::make_shared<WsaConnectJob>(ReadRequest(info[0].As<Napi::Object>())));
}

// udpSetPeer(socketNumber, address, port) -> errno. WSAConnect on a connected UDP
// socket that libuv now owns: changes the default destination (a connectionless
// WSAConnect returns at once, so this runs inline).
Napi::Value UdpSetPeer(const Napi::CallbackInfo& info) {
  SOCKET s = static_cast<SOCKET>(Uint32Arg(info[0], "socket"));
  SocketAddress remote = EndpointArg(info[1], info[2], "address");
  int rc = WSAConnect(s, remote.sockaddr_ptr(), remote.length(), nullptr, nullptr, nullptr, nullptr);
  return Napi::Number::New(info.Env(), rc == 0 ? 0 : WSAGetLastError());
}

Napi::Object FlowspecAsJs(Napi::Env env, const FLOWSPEC& spec) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("tokenRate", static_cast<double>(spec.TokenRate));
  o.Set("tokenBucketSize", static_cast<double>(spec.TokenBucketSize));
  o.Set("peakBandwidth", static_cast<double>(spec.PeakBandwidth));
  o.Set("latency", static_cast<double>(spec.Latency));
  o.Set("delayVariation", static_cast<double>(spec.DelayVariation));
  o.Set("serviceType", static_cast<double>(spec.ServiceType));
  o.Set("maxSduSize", static_cast<double>(spec.MaxSduSize));
  o.Set("minimumPolicedSize", static_cast<double>(spec.MinimumPolicedSize));
  return o;
}

// testing.describeWsaConnectRequest(options) -> what WSAConnect would be given for
// `options`, read by the same ReadRequest as wsaConnect(): the FLOWSPECs with their
// defaults filled in, the caller data's length, whether a callee-data buffer is
// passed, the local endpoint. Nothing connects.
Napi::Value DescribeWsaConnectRequest(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsObject()) throw Napi::TypeError::New(env, "options must be an object");
  WsaConnectRequest request = ReadRequest(info[0].As<Napi::Object>());
  Napi::Object out = Napi::Object::New(env);
  out.Set("remote", request.remote.ToJs(env));
  out.Set("protocol", request.udp ? "udp" : "tcp");
  out.Set("broadcast", request.broadcast);
  out.Set("local", request.has_local ? Napi::Value(request.local.ToJs(env)) : env.Null());
  out.Set("callerDataLength", request.has_caller_data ? Napi::Value(Napi::Number::New(env, static_cast<double>(request.caller_data.size()))) : env.Null());
  out.Set("calleeBuffer", request.WantsCalleeData());
  if (request.has_qos) {
    Napi::Object qos = Napi::Object::New(env);
    qos.Set("sending", FlowspecAsJs(env, request.qos.SendingFlowspec));
    qos.Set("receiving", FlowspecAsJs(env, request.qos.ReceivingFlowspec));
    out.Set("qos", qos);
  } else {
    out.Set("qos", env.Null());
  }
  return out;
}

// udpDisconnect(socketNumber) -> errno. WSAConnect with a name that is all zeros
// (the whole structure, family included) dissolves a datagram socket's
// association (Microsoft's WSAConnect page): sends then fail with WSAENOTCONN.
Napi::Value UdpDisconnect(const Napi::CallbackInfo& info) {
  SOCKET s = static_cast<SOCKET>(Uint32Arg(info[0], "socket"));
  SocketAddress local;
  if (!LocalAddressOf(s, &local)) return Napi::Number::New(info.Env(), LastSocketErrorOr(WSAENOTSOCK));
  sockaddr_in6 zeros{};  // large enough for either family, every byte zero
  int length = local.family() == AF_INET6 ? static_cast<int>(sizeof(sockaddr_in6)) : static_cast<int>(sizeof(sockaddr_in));
  int rc = WSAConnect(s, reinterpret_cast<const sockaddr*>(&zeros), length, nullptr, nullptr, nullptr, nullptr);
  return Napi::Number::New(info.Env(), rc == 0 ? 0 : WSAGetLastError());
}

// udpPeer(socketNumber) -> {address, family, port} | null: getpeername, the one
// source of a datagram socket's remote address (null when not connected).
Napi::Value UdpPeer(const Napi::CallbackInfo& info) {
  SOCKET s = static_cast<SOCKET>(Uint32Arg(info[0], "socket"));
  SocketAddress peer;
  if (!PeerAddressOf(s, &peer)) return info.Env().Null();
  return peer.ToJs(info.Env());
}

}  // namespace

void RegisterWSAConnect(Napi::Env env, Napi::Object exports) {
  exports.Set("wsaConnect", Napi::Function::New(env, StartWsaConnect, "wsaConnect"));
  exports.Set("udpSetPeer", Napi::Function::New(env, UdpSetPeer, "udpSetPeer"));
  exports.Set("udpDisconnect", Napi::Function::New(env, UdpDisconnect, "udpDisconnect"));
  exports.Set("udpPeer", Napi::Function::New(env, UdpPeer, "udpPeer"));
  TestingExports(env, exports).Set("describeWsaConnectRequest", Napi::Function::New(env, DescribeWsaConnectRequest, "describeWsaConnectRequest"));
}

}  // namespace wsc
