// Module entry: per-environment state (env_state.h), then one Register* per file.
// Context-aware: each worker_thread gets its own EnvState through Node-API's
// instance data, so the addon loads in workers too.
#include <napi.h>

#include "args.h"
#include "env_state.h"
#include "socket_handle.h"
#include "winsock_api.h"

namespace wsc {

void RegisterWSAConnectByName(Napi::Env env, Napi::Object exports);
void RegisterWSAConnectByList(Napi::Env env, Napi::Object exports);
void RegisterWSAConnect(Napi::Env env, Napi::Object exports);
void RegisterDiagnostics(Napi::Env env, Napi::Object exports);
void RegisterWskDriver(Napi::Env env, Napi::Object exports);

// cancel(id) -> true if the job was still pending (JS settles the promise itself)
static Napi::Value Cancel(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsNumber()) throw Napi::TypeError::New(env, "id must be a number");
  return Napi::Boolean::New(env, EnvState::Get(env)->Cancel(env, info[0].As<Napi::Number>().Uint32Value()));
}

// interrupt(id) -> true if the job was pending: it ends early and still delivers.
static Napi::Value Interrupt(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsNumber()) throw Napi::TypeError::New(env, "id must be a number");
  return Napi::Boolean::New(env, EnvState::Get(env)->Interrupt(info[0].As<Napi::Number>().Uint32Value()));
}

// setResultsReadyHandler(() => void): called when finished jobs are waiting for takeResults.
static Napi::Value SetResultsReadyHandler(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsFunction()) throw Napi::TypeError::New(env, "handler must be a function");
  EnvState::Get(env)->on_ready = Napi::Persistent(info[0].As<Napi::Function>());
  return env.Undefined();
}

// takeResults(max, (id, result) => void) -> how many finished jobs are still waiting.
static Napi::Value TakeResults(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint32_t max = Uint32Arg(info[0], "max");
  if (!info[1].IsFunction()) throw Napi::TypeError::New(env, "deliver must be a function");
  size_t remaining = EnvState::Get(env)->DeliverQueued(env, max, info[1].As<Napi::Function>());
  return Napi::Number::New(env, static_cast<double>(remaining));
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  Winsock();  // WSAStartup and the run-time lookups, once per process
  EnvState::Install(env);
  EnvState::Get(env)->socket_handle_class = Napi::Persistent(SocketHandle::DefineClass(env));
  exports.Set("cancel", Napi::Function::New(env, Cancel, "cancel"));
  exports.Set("interrupt", Napi::Function::New(env, Interrupt, "interrupt"));
  exports.Set("setResultsReadyHandler", Napi::Function::New(env, SetResultsReadyHandler, "setResultsReadyHandler"));
  exports.Set("takeResults", Napi::Function::New(env, TakeResults, "takeResults"));
  RegisterWSAConnectByName(env, exports);
  RegisterWSAConnectByList(env, exports);
  RegisterWSAConnect(env, exports);
  RegisterDiagnostics(env, exports);
  RegisterWskDriver(env, exports);
  return exports;
}

}  // namespace wsc

static Napi::Object InitWinsockConnect(Napi::Env env, Napi::Object exports) { return wsc::Init(env, exports); }

NODE_API_MODULE(winsock_connect, InitWinsockConnect)
