// A SOCKET with exactly one owner. Closing happens in one place (Close or the
// destructor); handing the socket to libuv (HandOverToHost) ends our ownership
// without closing. OpenCount() is what the leak tests read.
#pragma once

#include <winsock2.h>

#include <cstdint>

namespace wsc {

class OwnedSocket {
 public:
  OwnedSocket() = default;
  ~OwnedSocket() { Close(); }
  OwnedSocket(OwnedSocket&& other) noexcept : socket_(other.socket_) { other.socket_ = INVALID_SOCKET; }
  OwnedSocket& operator=(OwnedSocket&& other) noexcept;
  OwnedSocket(const OwnedSocket&) = delete;
  OwnedSocket& operator=(const OwnedSocket&) = delete;

  // WSASocketW with WSA_FLAG_OVERLAPPED (libuv attaches it to its IOCP; a
  // non-overlapped socket hangs on first I/O) and WSA_FLAG_NO_HANDLE_INHERIT
  // (child processes must not keep our connections alive). Returns 0 or the error.
  int Create(int family, int type, int protocol);

  SOCKET get() const { return socket_; }
  bool valid() const { return socket_ != INVALID_SOCKET; }
  void Close();
  // Ownership leaves the addon (libuv now closes it). Returns the raw SOCKET.
  SOCKET HandOverToHost();

  static int64_t OpenCount();

 private:
  SOCKET socket_ = INVALID_SOCKET;
};

}  // namespace wsc
