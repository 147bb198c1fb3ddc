// IPv4/IPv6 socket addresses between JavaScript ({address, family, port}) and
// SOCKADDR_INET. The JS layer validates literals before any native call; parsing
// here still fails cleanly (returns false) rather than trusting its input.
#pragma once

#include <winsock2.h>
#include <ws2tcpip.h>
#include <ws2ipdef.h>

#include <napi.h>

#include <string>

namespace wsc {

class SocketAddress {
 public:
  SocketAddress();

  // "127.0.0.1" or "::1" / "fe80::1%3" (numeric scope id) plus a port.
  static bool Parse(const std::string& ip, uint16_t port, SocketAddress* out);
  static SocketAddress Loopback(int family, uint16_t port = 0);
  static bool FromSockaddr(const sockaddr* sa, int length, SocketAddress* out);

  int family() const { return storage_.si_family; }
  uint16_t port() const;
  const sockaddr* sockaddr_ptr() const { return reinterpret_cast<const sockaddr*>(&storage_); }
  sockaddr* mutable_sockaddr() { return reinterpret_cast<sockaddr*>(&storage_); }
  int length() const;

  // 127.0.0.0/8, ::1, or ::ffff:127.x.x.x.
  bool IsLoopback() const;

  // ::ffff:a.b.c.d: an IPv4 destination spelled as IPv6 (reachable only from a
  // dual-stack socket).
  bool IsV4Mapped() const;

  // For dual-stack sockets: IPv4 as ::ffff:a.b.c.d, and back again for reporting.
  SocketAddress ToV4Mapped() const;
  SocketAddress Unmapped() const;

  std::string IpString() const;
  // {address, family: 'IPv4'|'IPv6', port}; a v4-mapped address is reported as IPv4.
  Napi::Object ToJs(Napi::Env env) const;

 private:
  SOCKADDR_INET storage_;
};

// getsockname/getpeername into a SocketAddress; false when the call fails.
bool LocalAddressOf(SOCKET s, SocketAddress* out);
bool PeerAddressOf(SOCKET s, SocketAddress* out);

}  // namespace wsc
