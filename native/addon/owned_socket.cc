#include "owned_socket.h"

#include <atomic>

namespace wsc {

namespace {
std::atomic<int64_t> open_sockets{0};
}

OwnedSocket& OwnedSocket::operator=(OwnedSocket&& other) noexcept {
  if (this != &other) {
    Close();
    socket_ = other.socket_;
    other.socket_ = INVALID_SOCKET;
  }
  return *this;
}

int OwnedSocket::Create(int family, int type, int protocol) {
  Close();
  socket_ = WSASocketW(family, type, protocol, nullptr, 0, WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
  if (socket_ == INVALID_SOCKET) return WSAGetLastError();
  open_sockets.fetch_add(1);
  return 0;
}

void OwnedSocket::Close() {
  if (socket_ == INVALID_SOCKET) return;
  closesocket(socket_);
  socket_ = INVALID_SOCKET;
  open_sockets.fetch_sub(1);
}

SOCKET OwnedSocket::HandOverToHost() {
  SOCKET s = socket_;
  if (s != INVALID_SOCKET) open_sockets.fetch_sub(1);
  socket_ = INVALID_SOCKET;
  return s;
}

int64_t OwnedSocket::OpenCount() { return open_sockets.load(); }

}  // namespace wsc
