// Delay-load hook for the mingw-w64 build (MSVC builds get node-gyp's/cmake-js's own).
//
// The import library made from node-api-headers' .def names "node.exe" as the DLL
// that exports napi_*. Bound normally, the addon fails to load in a host with another
// name (Electron, a renamed node.exe). Bound as delay imports, the first napi call
// goes through __delayLoadHelper2, which asks this hook first: we answer with the
// host process itself, which is where the Node-API symbols really live.
#include <windows.h>
#include <delayimp.h>
#include <string.h>

namespace {

FARPROC WINAPI LoadNodeApiFromHost(unsigned event, PDelayLoadInfo info) {
  if (event != dliNotePreLoadLibrary) return nullptr;
  if (_stricmp(info->szDll, "node.exe") != 0) return nullptr;
  return reinterpret_cast<FARPROC>(GetModuleHandleW(nullptr));
}

// mingw's delayimp defines the hook pointer as a plain variable (MSVC lets it be a
// const definition), so it is set by a static initializer, which runs in DllMain
// before Node calls the module's first export.
struct InstallHook {
  InstallHook() { __pfnDliNotifyHook2 = LoadNodeApiFromHost; }
} install_hook;

}  // namespace
