// WSAConnect: TCP (with caller data, callee data and FLOWSPEC QoS) and UDP
// (sets the default destination). Binds first when a local address is given,
// which puts the socket in the states of Microsoft's RSVP join tables.
//
// TCP runs non-blocking with WSAEventSelect(FD_CONNECT), the documented
// asynchronous form: the job thread waits on the connect event and its cancel
// event together, so an abort or deadline ends the wait at once and the socket
// is closed on the same thread that used it.
#include <napi.h>


#include <algorithm>
#include <vector>

#include "args.h"
#include "connect_job.h"
#include "mailbox.h"
#include "socket_handle.h"

namespace wsc {

namespace {

constexpr uint32_t kCalleeCapacity = 1024;
constexpr uint8_t kCalleeCanary = 0xA5;
// How long a connect waits on its event before asking the socket directly;
// doubles up to the last value, so a hanging connect costs a wakeup a second.
constexpr DWORD kFirstRecheckMs = 50;
constexpr DWORD kLastRecheckMs = 1000;
constexpr int kStillConnecting = -1;

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
};

class WsaConnectJob : public ConnectJob {
 public:
  explicit WsaConnectJob(WsaConnectRequest request) : request_(std::move(request)) {
    callee_.assign(kCalleeCapacity, kCalleeCanary);
  }

 protected:
  void Execute() override {
    int type = request_.udp ? SOCK_DGRAM : SOCK_STREAM;
    int protocol = request_.udp ? IPPROTO_UDP : IPPROTO_TCP;
    if (int err = result_.socket.Create(request_.remote.family(), type, protocol)) return result_.Fail("socket", err);
    if (!Prepare()) return;
    if (request_.udp ? ConnectDatagram() : ConnectStream()) {
      result_.syscall = "WSAConnect";
      RecordConnectedAddresses(&result_);
    }
  }

 private:
  bool Prepare() {
    SOCKET s = result_.socket.get();
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

  // Returns WSAConnect's error, 0 when it succeeded at once.
  int CallWsaConnect(bool with_callee) {
    WSABUF caller{static_cast<ULONG>(request_.caller_data.size()),
                  reinterpret_cast<char*>(request_.caller_data.data())};
    WSABUF callee{static_cast<ULONG>(callee_.size()), reinterpret_cast<char*>(callee_.data())};
    int rc = WSAConnect(result_.socket.get(), request_.remote.sockaddr_ptr(), request_.remote.length(),
                        request_.has_caller_data ? &caller : nullptr, with_callee ? &callee : nullptr,
                        request_.has_qos ? &request_.qos : nullptr, nullptr);
    callee_length_ = callee.len;
    return rc == 0 ? 0 : WSAGetLastError();
  }

  bool ConnectDatagram() {
    // Connectionless: no handshake, returns at once. Caller data is ignored by Winsock here.
    if (int err = CallWsaConnect(false)) {
      result_.Fail("WSAConnect", err);
      return false;
    }
    return true;
  }

  // How a stream connect ended: `error` 0 when connected, else the call that
  // failed and its error. Reported only once the socket is done with (below).
  struct StreamOutcome {
    const char* call;
    int error;
  };
  static StreamOutcome Connected() { return {"WSAConnect", 0}; }

  bool ConnectStream() {
    SOCKET s = result_.socket.get();
    // The pool thread's own event (lent for this job); a stale signal from an
    // earlier job only costs AwaitConnect one extra look at the socket.
    StreamOutcome outcome = ConnectStreamWith(s, io_event());
    // Detach the event while the socket is still ours: once closed, its handle value
    // can be another thread's new socket, which WSAEventSelect would turn
    // non-blocking (measured under Wine: a WSAConnectByName on it then failed with
    // WSAEWOULDBLOCK, about 1 in 125). So only after this may a failure close it.
    // libuv takes over a non-blocking socket.
    WSAEventSelect(s, nullptr, 0);
    if (outcome.error != 0) {
      result_.Fail(outcome.call, outcome.error);
      return false;
    }
    RecordCalleeData();
    return true;
  }

  StreamOutcome ConnectStreamWith(SOCKET s, WSAEVENT connected) {
    if (WSAEventSelect(s, connected, FD_CONNECT) != 0) return {"WSAEventSelect", WSAGetLastError()};
    int err = CallWsaConnect(true);
    if (err == 0) return Connected();
    if (err != WSAEWOULDBLOCK) return {"WSAConnect", err};
    return AwaitConnect(s, connected);
  }

  // Waits for FD_CONNECT or the cancel event. The event is the answer on Windows;
  // the socket itself is asked too, after each quiet interval and whenever the
  // event fires without FD_CONNECT recorded, because Wine 8 sometimes loses the
  // notification for a refused loopback connect (measured: about 1 in 8,000 under
  // 200 concurrent refused connects — the connect then never settled).
  StreamOutcome AwaitConnect(SOCKET s, WSAEVENT connected) {
    HANDLE waits[2] = {connected, cancel_event()};
    DWORD recheck_ms = kFirstRecheckMs;
    for (;;) {
      DWORD woke = WaitForMultipleObjects(2, waits, FALSE, recheck_ms);
      if (woke == WAIT_OBJECT_0 + 1) return {"WSAConnect", WSA_OPERATION_ABORTED};  // abandoned: nobody reads this
      if (woke == WAIT_FAILED) return {"WaitForMultipleObjects", static_cast<int>(GetLastError())};
      WSANETWORKEVENTS events{};
      if (WSAEnumNetworkEvents(s, connected, &events) != 0) return {"WSAEnumNetworkEvents", WSAGetLastError()};
      int outcome = (events.lNetworkEvents & FD_CONNECT) ? events.iErrorCode[FD_CONNECT_BIT] : PollConnect(s);
      if (outcome == 0) return Connected();
      if (outcome != kStillConnecting) return {"WSAConnect", outcome};
      recheck_ms = std::min<DWORD>(recheck_ms * 2, kLastRecheckMs);
    }
  }

  // select() with a zero timeout, the other documented way to learn how a
  // non-blocking connect ended: writable = connected, exception = failed with
  // SO_ERROR's code. Returns 0, that error, or kStillConnecting.
  static int PollConnect(SOCKET s) {
    fd_set writable;
    fd_set failed;
    FD_ZERO(&writable);
    FD_ZERO(&failed);
    FD_SET(s, &writable);
    FD_SET(s, &failed);
    timeval now{0, 0};
    if (select(0, nullptr, &writable, &failed, &now) == SOCKET_ERROR) return WSAGetLastError();
    if (FD_ISSET(s, &failed)) {
      int error = 0;
      int length = sizeof error;
      if (getsockopt(s, SOL_SOCKET, SO_ERROR, reinterpret_cast<char*>(&error), &length) != 0) {
        return WSAGetLastError();
      }
      return error != 0 ? error : WSAECONNREFUSED;
    }
    return FD_ISSET(s, &writable) ? 0 : kStillConnecting;
  }

  // Windows sets the callee length to 0 when no data came back. A provider that
  // leaves the buffer untouched (Wine does) would otherwise look like a full
  // buffer of data: the canary tells the two apart.
  void RecordCalleeData() {
    if (callee_length_ == 0 || callee_length_ > callee_.size()) return;
    bool untouched = callee_length_ == callee_.size() &&
                     std::all_of(callee_.begin(), callee_.end(), [](uint8_t b) { return b == kCalleeCanary; });
    if (untouched) return;
    result_.has_callee_data = true;
    result_.callee_data.assign(callee_.begin(), callee_.begin() + callee_length_);
  }

  WsaConnectRequest request_;
  std::vector<uint8_t> callee_;
  ULONG callee_length_ = 0;
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
  auto job = std::make_shared<WsaConnectJob>(ReadRequest(info[0].As<Napi::Object>()));
  return Napi::Number::New(env, AddonData::Get(env)->Start(env, std::move(job)));
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

}  // namespace

void RegisterWSAConnect(Napi::Env env, Napi::Object exports) {
  exports.Set("wsaConnect", Napi::Function::New(env, StartWsaConnect, "wsaConnect"));
  exports.Set("udpSetPeer", Napi::Function::New(env, UdpSetPeer, "udpSetPeer"));
}

}  // namespace wsc
