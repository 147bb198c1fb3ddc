#include "socket_ops.h"

#include <mstcpip.h>

#include <atomic>

namespace wsc {

namespace {
// Per family: set once the provider said SIO_TCP_INITIAL_RTO is not supported.
std::atomic<bool> initial_rto_unsupported_v4{false};
std::atomic<bool> initial_rto_unsupported_v6{false};
std::atomic<int64_t> initial_rto_asks{0};

std::atomic<bool>& InitialRtoUnsupportedFlag(int family) {
  return family == AF_INET6 ? initial_rto_unsupported_v6 : initial_rto_unsupported_v4;
}
}  // namespace

int LastSocketErrorOr(int fallback) {
  int err = WSAGetLastError();
  return err != 0 ? err : fallback;
}

int UpdateConnectContext(SOCKET s) {
  if (setsockopt(s, SOL_SOCKET, SO_UPDATE_CONNECT_CONTEXT, nullptr, 0) == SOCKET_ERROR) return WSAGetLastError();
  return 0;
}

int SetV6Only(SOCKET s, bool v6_only) {
  DWORD value = v6_only ? 1 : 0;
  if (setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, reinterpret_cast<const char*>(&value), sizeof value) != 0) {
    return WSAGetLastError();
  }
  return 0;
}

int DualStackIfV4Mapped(SOCKET s, const SocketAddress& remote) {
  return remote.IsV4Mapped() ? SetV6Only(s, false) : 0;
}

int PollConnect(SOCKET s) {
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

bool InitialRtoUnsupported(int family) { return InitialRtoUnsupportedFlag(family).load(); }

int64_t InitialRtoAsks() { return initial_rto_asks.load(); }

void FailFastIfLoopback(SOCKET s, const SocketAddress& remote) {
  if (!remote.IsLoopback() || !Winsock().fastLoopbackFail) return;
  std::atomic<bool>& unsupported = InitialRtoUnsupportedFlag(remote.family());
  if (unsupported.load(std::memory_order_relaxed)) return;
  TCP_INITIAL_RTO_PARAMETERS no_retransmissions{};
  no_retransmissions.Rtt = TCP_INITIAL_RTO_NO_SYN_RETRANSMISSIONS;
  no_retransmissions.MaxSynRetransmissions = TCP_INITIAL_RTO_NO_SYN_RETRANSMISSIONS;
  DWORD bytes = 0;
  initial_rto_asks.fetch_add(1, std::memory_order_relaxed);
  if (WSAIoctl(s, SIO_TCP_INITIAL_RTO, &no_retransmissions, sizeof no_retransmissions, nullptr, 0, &bytes, nullptr,
               nullptr) == SOCKET_ERROR &&
      WSAGetLastError() == WSAEOPNOTSUPP) {
    unsupported.store(true, std::memory_order_relaxed);
  }
}

}  // namespace wsc
