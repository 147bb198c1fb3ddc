#include "winsock_api.h"

namespace wsc {

namespace {

constexpr DWORD kFastLoopbackFailBuild = 16299;  // Windows 10 1709

WinsockApi LoadWinsockApi() {
  WinsockApi api;
  WSADATA data;
  api.startupError = WSAStartup(MAKEWORD(2, 2), &data);
  if (HMODULE ws2 = GetModuleHandleW(L"ws2_32.dll")) {
    api.connectByList = reinterpret_cast<WSAConnectByListFn>(
        reinterpret_cast<void*>(GetProcAddress(ws2, "WSAConnectByList")));
  }
  // Wine's ntdll exports wine_get_version; Windows' does not. Used only to name
  // divergences in errors and test output, never to change behaviour.
  if (HMODULE ntdll = GetModuleHandleW(L"ntdll.dll")) {
    using GetVersionFn = const char*(CDECL*)();
    auto get = reinterpret_cast<GetVersionFn>(reinterpret_cast<void*>(GetProcAddress(ntdll, "wine_get_version")));
    if (get) api.wineVersion = get();
    // RtlGetVersion: the real build number (GetVersionEx answers per the manifest).
    using RtlGetVersionFn = LONG(WINAPI*)(OSVERSIONINFOW*);
    auto version = reinterpret_cast<RtlGetVersionFn>(reinterpret_cast<void*>(GetProcAddress(ntdll, "RtlGetVersion")));
    OSVERSIONINFOW info{};
    info.dwOSVersionInfoSize = sizeof info;
    if (version && version(&info) == 0) {
      api.fastLoopbackFail = info.dwMajorVersion > 10 || (info.dwMajorVersion == 10 && info.dwBuildNumber >= kFastLoopbackFailBuild);
    }
  }
  return api;
}

}  // namespace

const WinsockApi& Winsock() {
  static const WinsockApi api = LoadWinsockApi();  // thread-safe one-time init
  return api;
}

}  // namespace wsc
