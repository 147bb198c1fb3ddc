// Small socket helpers the connect jobs share. Each returns 0 or the Winsock error.
#pragma once

#include "owned_socket.h"
#include "sockaddr.h"
#include "winsock_api.h"

namespace wsc {

// WSAGetLastError(), or fallback when it holds no error.
int LastSocketErrorOr(int fallback);

// After WSAConnectByName/List the socket is in the default connected
// state until SO_UPDATE_CONNECT_CONTEXT (shutdown, getpeername etc. depend on it).
int UpdateConnectContext(SOCKET s);

// IPV6_V6ONLY on an AF_INET6 socket: off makes it dual stack (IPv4 as v4-mapped).
int SetV6Only(SOCKET s, bool v6_only);

// A v4-mapped destination (::ffff:a.b.c.d) is reachable only from a dual-stack
// socket, and Windows creates AF_INET6 sockets v6-only: IPV6_V6ONLY off for it, as
// libuv does before its connects (so net.connect reaches it) and as
// WSAConnectByList's own dual-stack socket does. Before bind and connect.
int DualStackIfV4Mapped(SOCKET s, const SocketAddress& remote);

// How a non-blocking connect stands, asked of the socket itself with a zero-timeout
// select() (Microsoft's documented way): writable = connected (returns 0), in the
// exception set = failed (returns SO_ERROR's code), neither = kStillConnecting.
constexpr int kStillConnecting = -1;
int PollConnect(SOCKET s);

// A connect to a closed loopback port fails at once instead of after ~2 s of SYN
// retransmissions (Windows re-sends the SYN after the RST): SIO_TCP_INITIAL_RTO
// with no SYN retransmissions, as libuv does for every loopback connect
// (src/win/tcp.c). Windows 10 1709 and later; elsewhere, and under Wine, the
// ioctl fails and nothing changes, which is fine. Only for loopback targets: a
// remote peer deserves its retransmissions. A provider that answers
// WSAEOPNOTSUPP (Wine's does, every time) is not asked again in this process:
// the answer is the provider's, not the socket's, and each ask is a system call.
void FailFastIfLoopback(SOCKET s, const SocketAddress& remote);
// True once the provider of `family` answered SIO_TCP_INITIAL_RTO with WSAEOPNOTSUPP.
bool InitialRtoUnsupported(int family);
// How many times SIO_TCP_INITIAL_RTO was asked for in this process (tests read it).
int64_t InitialRtoAsks();

// The timeval the Winsock connect-by functions take.
inline timeval TimevalFromMs(uint32_t ms) {
  return timeval{static_cast<long>(ms / 1000), static_cast<long>((ms % 1000) * 1000)};
}

}  // namespace wsc
