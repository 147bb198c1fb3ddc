// Reading arguments at the native boundary. lib/ validates everything first with
// Node-style errors; these checks only guarantee that a wrong value can never
// crash the process (they throw a TypeError instead).
#pragma once

#include <napi.h>

#include <cstdint>
#include <string>

#include "sockaddr.h"

namespace wsc {

inline std::string StringArg(const Napi::Value& value, const char* name) {
  if (!value.IsString()) throw Napi::TypeError::New(value.Env(), std::string(name) + " must be a string");
  return value.As<Napi::String>().Utf8Value();
}

inline std::wstring WideStringArg(const Napi::Value& value, const char* name) {
  if (!value.IsString()) throw Napi::TypeError::New(value.Env(), std::string(name) + " must be a string");
  std::u16string text = value.As<Napi::String>().Utf16Value();
  return std::wstring(text.begin(), text.end());
}

inline uint32_t Uint32Arg(const Napi::Value& value, const char* name, uint32_t max = UINT32_MAX) {
  if (!value.IsNumber()) throw Napi::TypeError::New(value.Env(), std::string(name) + " must be a number");
  double number = value.As<Napi::Number>().DoubleValue();
  if (!(number >= 0 && number <= max) || number != static_cast<double>(static_cast<uint64_t>(number))) {
    throw Napi::RangeError::New(value.Env(), std::string(name) + " is out of range");
  }
  return static_cast<uint32_t>(number);
}

inline SocketAddress EndpointArg(const Napi::Value& address, const Napi::Value& port, const char* name) {
  SocketAddress result;
  if (!SocketAddress::Parse(StringArg(address, name), static_cast<uint16_t>(Uint32Arg(port, "port", 65535)),
                            &result)) {
    throw Napi::TypeError::New(address.Env(), std::string(name) + " is not an IP address");
  }
  return result;
}

inline SocketAddress EndpointArg(const Napi::Object& object, const char* name) {
  return EndpointArg(object.Get("address"), object.Get("port"), name);
}

// The addon's `testing` object (created on first use): hooks for the test suite and
// the bench, kept apart from the functions lib/ calls. lib/testing.ts types it.
inline Napi::Object TestingExports(Napi::Env env, Napi::Object exports) {
  if (!exports.Has("testing")) exports.Set("testing", Napi::Object::New(env));
  return exports.Get("testing").As<Napi::Object>();
}

}  // namespace wsc
