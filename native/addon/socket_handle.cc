#include "socket_handle.h"

#include "env_state.h"

namespace wsc {

Napi::Function SocketHandle::DefineClass(Napi::Env env) {
  return ObjectWrap<SocketHandle>::DefineClass(
      env, "SocketHandle",
      {InstanceMethod<&SocketHandle::HandOver>("handOver"), InstanceMethod<&SocketHandle::Close>("close"),
       InstanceAccessor<&SocketHandle::IsOpen>("open")});
}

SocketHandle::SocketHandle(const Napi::CallbackInfo& info) : Napi::ObjectWrap<SocketHandle>(info) {}

Napi::Object SocketHandle::Wrap(Napi::Env env, OwnedSocket socket) {
  Napi::Object object = EnvState::Get(env)->socket_handle_class.New({});
  Unwrap(object)->socket_ = std::move(socket);
  return object;
}

// handOver(open: (socket: number) => number) -> open's result. Calls `open` (TCP or
// UDP wrap's open(), which attaches the SOCKET to libuv) and gives up ownership
// only if it returned 0; otherwise the addon still owns, and later closes, the socket.
Napi::Value SocketHandle::HandOver(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsFunction()) throw Napi::TypeError::New(env, "handOver needs an open function");
  if (!socket_.valid()) throw Napi::Error::New(env, "socket already closed or handed over");
  Napi::Value status =
      info[0].As<Napi::Function>().Call({Napi::Number::New(env, static_cast<double>(socket_.get()))});
  if (status.IsNumber() && status.As<Napi::Number>().Int32Value() == 0) socket_.HandOverToHost();
  return status;
}

Napi::Value SocketHandle::Close(const Napi::CallbackInfo& info) {
  socket_.Close();
  return info.Env().Undefined();
}

Napi::Value SocketHandle::IsOpen(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), socket_.valid());
}

}  // namespace wsc
