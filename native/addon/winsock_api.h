// The Winsock entry points this addon uses that are not always there: looked up at
// run time so a missing one becomes a typed error instead of a dead process
// (Wine's ws2_32 has no WSAConnectByList: a direct import kills node.exe on first call).
#pragma once

#include <winsock2.h>
#include <ws2tcpip.h>
#include <mswsock.h>
#include <windows.h>

namespace wsc {

using WSAConnectByListFn = BOOL(PASCAL*)(SOCKET, PSOCKET_ADDRESS_LIST, LPDWORD, LPSOCKADDR, LPDWORD,
                                         LPSOCKADDR, const timeval*, LPWSAOVERLAPPED);

struct WinsockApi {
  int startupError = 0;                        // WSAStartup's result; 0 when Winsock is usable
  WSAConnectByListFn connectByList = nullptr;  // null when the running ws2_32 lacks it
  const char* wineVersion = nullptr;           // set when running under Wine, else null
  // SIO_TCP_INITIAL_RTO takes TCP_INITIAL_RTO_NO_SYN_RETRANSMISSIONS from Windows 10
  // 1709 (build 16299), as libuv's uv__is_fast_loopback_fail_supported checks.
  bool fastLoopbackFail = false;
};

// Initialized once per process (WSAStartup is reference counted; we never undo it
// because worker threads of ours may still be inside Winsock when an env goes away).
const WinsockApi& Winsock();

}  // namespace wsc
