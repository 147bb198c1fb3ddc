{
  "variables": {
    "addon_sources": [
      "native/addon/WSAConnect.cc",
      "native/addon/WSAConnectByList.cc",
      "native/addon/WSAConnectByName.cc",
      "native/addon/WskDriver.cc",
      "native/addon/addon.cc",
      "native/addon/blocking_job.cc",
      "native/addon/blocking_pool.cc",
      "native/addon/connect_waiter.cc",
      "native/addon/diagnostics.cc",
      "native/addon/env_state.cc",
      "native/addon/job.cc",
      "native/addon/mailbox.cc",
      "native/addon/owned_socket.cc",
      "native/addon/sockaddr.cc",
      "native/addon/socket_handle.cc",
      "native/addon/socket_ops.cc",
      "native/addon/winsock_api.cc"
    ],
    "addon_defines": [
      "NAPI_VERSION=8",
      "NAPI_CPP_EXCEPTIONS",
      "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS",
      "WIN32_LEAN_AND_MEAN",
      "NOMINMAX",
      "UNICODE",
      "_UNICODE",
      "_WIN32_WINNT=0x0A00",
      "_WINSOCK_DEPRECATED_NO_WARNINGS"
    ]
  }
}
