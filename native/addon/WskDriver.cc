// The addon's side of the WskConnect kernel driver (native/driver): installing it
// with the Service Control Manager, and sending IOCTL_WSKCONNECT_CONNECT. The
// request and result layouts come from the one shared header.
//
// Every call is a job on the blocking pool (blocking_pool.h): StartService waits for DriverEntry and
// ControlService(STOP) for DriverUnload, and an IOCTL waits for a connect, so
// none of them may run on the JavaScript thread.
#include <napi.h>

#include <cstring>

#include "args.h"
#include "blocking_job.h"
#include "env_state.h"
#include "wskconnect_ioctl.h"

namespace wsc {

namespace {

constexpr DWORD kStopWaitMs = 15000;

// Closes a service or SCM handle on every path.
struct ScHandle {
  SC_HANDLE handle;
  explicit ScHandle(SC_HANDLE h) : handle(h) {}
  ~ScHandle() {
    if (handle) CloseServiceHandle(handle);
  }
  ScHandle(const ScHandle&) = delete;
  ScHandle& operator=(const ScHandle&) = delete;
};

enum class ServiceAction { kInstall, kStart, kStop, kUninstall };

class ServiceJob : public BlockingJob {
 public:
  ServiceJob(ServiceAction action, std::wstring name, std::wstring binary_path)
      : action_(action), name_(std::move(name)), binary_path_(std::move(binary_path)) {}

 protected:
  void Execute() override {
    DWORD scm_access = action_ == ServiceAction::kInstall ? SC_MANAGER_CREATE_SERVICE : SC_MANAGER_CONNECT;
    ScHandle scm(OpenSCManagerW(nullptr, nullptr, scm_access));
    if (!scm.handle) return Fail("OpenSCManager");
    switch (action_) {
      case ServiceAction::kInstall: return Install(scm.handle);
      case ServiceAction::kStart: return Start(scm.handle);
      case ServiceAction::kStop: return Stop(scm.handle);
      case ServiceAction::kUninstall: return Uninstall(scm.handle);
    }
  }

  void AddResultFields(Napi::Env env, Napi::Object result) override {
    result.Set("serviceState", static_cast<double>(final_state_));
  }

 private:
  void Fail(const char* call) { result_.Fail(call, static_cast<int>(GetLastError())); }

  void Install(SC_HANDLE scm) {
    ScHandle service(CreateServiceW(scm, name_.c_str(), name_.c_str(), SERVICE_ALL_ACCESS, SERVICE_KERNEL_DRIVER,
                                    SERVICE_DEMAND_START, SERVICE_ERROR_NORMAL, binary_path_.c_str(), nullptr,
                                    nullptr, nullptr, nullptr, nullptr));
    if (!service.handle) return Fail("CreateService");
    result_.syscall = "CreateService";
  }

  void Start(SC_HANDLE scm) {
    ScHandle service(OpenServiceW(scm, name_.c_str(), SERVICE_START | SERVICE_QUERY_STATUS));
    if (!service.handle) return Fail("OpenService");
    if (!StartServiceW(service.handle, 0, nullptr)) return Fail("StartService");  // 1275, 577, 1056, …
    final_state_ = QueryState(service.handle);
    result_.syscall = "StartService";
  }

  void Stop(SC_HANDLE scm) {
    ScHandle service(OpenServiceW(scm, name_.c_str(), SERVICE_STOP | SERVICE_QUERY_STATUS));
    if (!service.handle) return Fail("OpenService");
    SERVICE_STATUS status{};
    if (!ControlService(service.handle, SERVICE_CONTROL_STOP, &status)) return Fail("ControlService");
    // A driver stops when DriverUnload returns; wait for it, but not forever:
    // a driver stuck in STOP_PENDING is reported, not waited on.
    DWORD waited = 0;
    while ((final_state_ = QueryState(service.handle)) == SERVICE_STOP_PENDING && waited < kStopWaitMs) {
      if (WaitForSingleObject(cancel_event(), 50) == WAIT_OBJECT_0) break;
      waited += 50;
    }
    if (final_state_ != SERVICE_STOPPED) return result_.Fail("ControlService", ERROR_SERVICE_REQUEST_TIMEOUT);
    result_.syscall = "ControlService";
  }

  void Uninstall(SC_HANDLE scm) {
    ScHandle service(OpenServiceW(scm, name_.c_str(), DELETE));
    if (!service.handle) return Fail("OpenService");
    if (!DeleteService(service.handle)) return Fail("DeleteService");
    result_.syscall = "DeleteService";
  }

  static DWORD QueryState(SC_HANDLE service) {
    SERVICE_STATUS status{};
    return QueryServiceStatus(service, &status) ? status.dwCurrentState : 0;
  }

  ServiceAction action_;
  std::wstring name_;
  std::wstring binary_path_;
  DWORD final_state_ = 0;
};

Napi::Object SockaddrToJs(Napi::Env env, const WSKCONNECT_SOCKADDR& sa) {
  SocketAddress address;
  if (sa.Family == AF_INET) {
    sockaddr_in v4{};
    v4.sin_family = AF_INET;
    v4.sin_port = htons(sa.Port);
    std::memcpy(&v4.sin_addr, sa.Address, 4);
    SocketAddress::FromSockaddr(reinterpret_cast<sockaddr*>(&v4), sizeof v4, &address);
  } else {
    sockaddr_in6 v6{};
    v6.sin6_family = AF_INET6;
    v6.sin6_port = htons(sa.Port);
    v6.sin6_scope_id = sa.ScopeId;
    std::memcpy(&v6.sin6_addr, sa.Address, 16);
    SocketAddress::FromSockaddr(reinterpret_cast<sockaddr*>(&v6), sizeof v6, &address);
  }
  return address.ToJs(env);
}

// One IOCTL on a fresh overlapped handle to \\.\WskConnect. Cancelling the job
// cancels the IOCTL (CancelIoEx), which the driver completes with STATUS_CANCELLED.
class DeviceIoJob : public BlockingJob {
 public:
  DeviceIoJob(DWORD code, std::vector<uint8_t> input, DWORD output_length)
      : code_(code), input_(std::move(input)), output_(output_length) {}

 protected:
  void Execute() override {
    HANDLE device = CreateFileW(WSKCONNECT_USER_PATH_W, GENERIC_READ | GENERIC_WRITE, 0, nullptr, OPEN_EXISTING,
                                FILE_FLAG_OVERLAPPED, nullptr);
    if (device == INVALID_HANDLE_VALUE) return result_.Fail("CreateFile", static_cast<int>(GetLastError()));
    int err = Call(device);
    CloseHandle(device);
    if (err != 0) return result_.Fail("DeviceIoControl", err);
    result_.syscall = "DeviceIoControl";
  }

  void AddResultFields(Napi::Env env, Napi::Object result) override {
    result.Set("bytesReturned", static_cast<double>(bytes_returned_));
    result.Set("output", Napi::Buffer<uint8_t>::Copy(env, output_.data(), bytes_returned_));
    if (bytes_returned_ != sizeof(WSKCONNECT_RESULT) || code_ != IOCTL_WSKCONNECT_CONNECT) return;
    WSKCONNECT_RESULT r;
    std::memcpy(&r, output_.data(), sizeof r);
    Napi::Object steps = Napi::Object::New(env);
    steps.Set("socket", static_cast<double>(static_cast<uint32_t>(r.SocketStatus)));
    steps.Set("bind", static_cast<double>(static_cast<uint32_t>(r.BindStatus)));
    steps.Set("connect", static_cast<double>(static_cast<uint32_t>(r.ConnectStatus)));
    steps.Set("close", static_cast<double>(static_cast<uint32_t>(r.CloseStatus)));
    steps.Set("localAddress", static_cast<double>(static_cast<uint32_t>(r.LocalAddressStatus)));
    steps.Set("remoteAddress", static_cast<double>(static_cast<uint32_t>(r.RemoteAddressStatus)));
    Napi::Object driver = Napi::Object::New(env);
    driver.Set("version", r.Version);
    driver.Set("finalStatus", static_cast<double>(static_cast<uint32_t>(r.FinalStatus)));
    driver.Set("steps", steps);
    driver.Set("flags", r.Flags);
    driver.Set("mode", r.Mode);
    driver.Set("elapsedMicroseconds", static_cast<double>(r.ElapsedMicroseconds));
    driver.Set("totalMicroseconds", static_cast<double>(r.TotalMicroseconds));
    if (r.LocalAddress.Family != 0) driver.Set("localAddress", SockaddrToJs(env, r.LocalAddress));
    if (r.RemoteAddress.Family != 0) driver.Set("remoteAddress", SockaddrToJs(env, r.RemoteAddress));
    result.Set("driver", driver);
  }

 private:
  int Call(HANDLE device) {
    OVERLAPPED overlapped{};
    overlapped.hEvent = io_event();
    int err = 0;
    if (!DeviceIoControl(device, code_, input_.empty() ? nullptr : input_.data(), static_cast<DWORD>(input_.size()),
                         output_.empty() ? nullptr : output_.data(), static_cast<DWORD>(output_.size()),
                         &bytes_returned_, &overlapped)) {
      err = static_cast<int>(GetLastError());
      if (err == ERROR_IO_PENDING) err = Await(device, &overlapped);
    }
    return err;
  }

  // The OVERLAPPED and buffers live until the driver completes the IRP, even after a cancel.
  int Await(HANDLE device, OVERLAPPED* overlapped) {
    HANDLE waits[2] = {overlapped->hEvent, cancel_event()};
    if (WaitForMultipleObjects(2, waits, FALSE, INFINITE) != WAIT_OBJECT_0) CancelIoEx(device, overlapped);
    if (!GetOverlappedResult(device, overlapped, &bytes_returned_, TRUE)) return static_cast<int>(GetLastError());
    return 0;
  }

  DWORD code_;
  std::vector<uint8_t> input_;
  std::vector<uint8_t> output_;
  DWORD bytes_returned_ = 0;
};

// wskService(action, name, binaryPath) -> job id
Napi::Value WskService(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string action = StringArg(info[0], "action");
  ServiceAction kind;
  if (action == "install") kind = ServiceAction::kInstall;
  else if (action == "start") kind = ServiceAction::kStart;
  else if (action == "stop") kind = ServiceAction::kStop;
  else if (action == "uninstall") kind = ServiceAction::kUninstall;
  else throw Napi::RangeError::New(env, "unknown service action");
  auto job = std::make_shared<ServiceJob>(kind, WideStringArg(info[1], "name"),
                                          info[2].IsString() ? WideStringArg(info[2], "binaryPath") : L"");
  return StartJob(env, std::move(job));
}

// wskConnect({address, port, timeoutMs, mode}) -> job id
Napi::Value WskConnect(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsObject()) throw Napi::TypeError::New(env, "request must be an object");
  Napi::Object options = info[0].As<Napi::Object>();
  SocketAddress target = EndpointArg(options, "address");
  WSKCONNECT_REQUEST request{};
  request.Version = WSKCONNECT_VERSION;
  request.Size = sizeof request;
  request.Mode = Uint32Arg(options.Get("mode"), "mode", WSKCONNECT_MODE_SOCKET_CONNECT);
  request.TimeoutMs = Uint32Arg(options.Get("timeoutMs"), "timeoutMs", WSKCONNECT_TIMEOUT_MAX_MS);
  request.Port = target.port();
  if (target.family() == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(target.sockaddr_ptr());
    request.Family = WSKCONNECT_AF_INET6;
    request.ScopeId = v6->sin6_scope_id;
    std::memcpy(request.Address, &v6->sin6_addr, 16);
  } else {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(target.sockaddr_ptr());
    request.Family = WSKCONNECT_AF_INET;
    std::memcpy(request.Address, &v4->sin_addr, 4);
  }
  std::vector<uint8_t> input(sizeof request);
  std::memcpy(input.data(), &request, sizeof request);
  auto job = std::make_shared<DeviceIoJob>(IOCTL_WSKCONNECT_CONNECT, std::move(input),
                                           static_cast<DWORD>(sizeof(WSKCONNECT_RESULT)));
  return StartJob(env, std::move(job));
}

// wskRawIoctl(code, input: Uint8Array, outputLength) -> job id. Sends any bytes
// to the driver: the malformed-request tests and the IOCTL fuzzer use it.
Napi::Value WskRawIoctl(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  DWORD code = Uint32Arg(info[0], "code");
  if (!info[1].IsTypedArray()) throw Napi::TypeError::New(env, "input must be a Uint8Array");
  Napi::Uint8Array bytes = info[1].As<Napi::Uint8Array>();
  std::vector<uint8_t> input(bytes.Data(), bytes.Data() + bytes.ByteLength());
  DWORD output_length = Uint32Arg(info[2], "outputLength", 1 << 20);
  auto job = std::make_shared<DeviceIoJob>(code, std::move(input), output_length);
  return StartJob(env, std::move(job));
}

}  // namespace

void RegisterWskDriver(Napi::Env env, Napi::Object exports) {
  exports.Set("wskService", Napi::Function::New(env, WskService, "wskService"));
  exports.Set("wskConnect", Napi::Function::New(env, WskConnect, "wskConnect"));
  exports.Set("wskRawIoctl", Napi::Function::New(env, WskRawIoctl, "wskRawIoctl"));
  exports.Set("wskIoctlConnectCode", Napi::Number::New(env, static_cast<double>(IOCTL_WSKCONNECT_CONNECT)));
}

}  // namespace wsc
