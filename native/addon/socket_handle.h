// The JavaScript face of a connected SOCKET that the addon still owns. JS either
// hands it to libuv (handOver: ownership leaves the addon) or closes it; if
// neither happens, garbage collection closes it. Exactly one of these runs.
#pragma once

#include <napi.h>

#include "owned_socket.h"

namespace wsc {

class SocketHandle : public Napi::ObjectWrap<SocketHandle> {
 public:
  static Napi::Function DefineClass(Napi::Env env);
  static Napi::Object Wrap(Napi::Env env, OwnedSocket socket);

  explicit SocketHandle(const Napi::CallbackInfo& info);

 private:
  Napi::Value HandOver(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value IsOpen(const Napi::CallbackInfo& info);

  OwnedSocket socket_;
};

}  // namespace wsc
