{
  # MSVC build of the addon on Windows. Off Windows there is nothing to build:
  # the target is type "none" so `npm install` succeeds and the JS layer reports
  # ERR_WINSOCK_UNSUPPORTED_PLATFORM. The Linux cross-build (mingw-w64) lives in
  # scripts/build.mjs; the cmake-js build in CMakeLists.txt.
  "targets": [
    {
      "target_name": "winsock_connect",
      "conditions": [
        ["OS=='win'", {
          "type": "loadable_module",
          "sources": [
            "native/addon/ConnectEx.cc",
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
          "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "native/include"],
          # _HAS_EXCEPTIONS=1 with ExceptionHandling (/EHsc) below: Node's common.gypi
          # sets _HAS_EXCEPTIONS=0, and node-addon-api's C++ exceptions need both.
          "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS", "WIN32_LEAN_AND_MEAN", "NOMINMAX", "UNICODE", "_UNICODE", "_WIN32_WINNT=0x0A00", "_HAS_EXCEPTIONS=1"],
          "libraries": ["ws2_32.lib", "advapi32.lib", "user32.lib"],
          "msvs_settings": {
            "VCCLCompilerTool": {
              "ExceptionHandling": 1,
              # No C++ standard flag of our own: Node 22+'s common.gypi passes one (C++20), and a second conflicts.
              "AdditionalOptions": ["/guard:cf", "/sdl", "/W4"]
            },
            "VCLinkerTool": {
              "AdditionalOptions": ["/guard:cf"]
            }
          }
        }, {
          "type": "none"
        }]
      ]
    }
  ]
}
