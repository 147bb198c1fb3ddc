'use strict';
// Microsoft's own headers, which MSVC and the WDK compile against, are the judge
// of what builds on Windows. With WINSOCK_CONNECT_WINSDK naming a Windows SDK/WDK
// include folder (Include/<version>, e.g. 10.0.16299.0 from the public
// tpn/winsdk-10 repository), every driver source is compiled against the WDK by
// Debian's clang in MSVC mode (scripts/lib/winsdk.mjs); without it that check is a
// named skip. The addon's C++ needs MSVC's own library, which is not public: what
// the SDK headers decide for it (deprecations that /sdl makes errors) is checked here.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..', '..');
const DRIVER = path.join(ROOT, 'native', 'driver');
const ADDON = path.join(ROOT, 'native', 'addon');

// The functions um/WinSock2.h of the 10.0.16299 SDK declares with
// _WINSOCK_DEPRECATED_BY (read off the header; the test below reads it again when
// the SDK is at hand and fails if the header names one not listed here).
const DEPRECATED_WINSOCK = [
  'WSAAddressToStringA', 'WSAAsyncGetHostByAddr', 'WSAAsyncGetHostByName', 'WSAAsyncGetProtoByName',
  'WSAAsyncGetProtoByNumber', 'WSAAsyncGetServByName', 'WSAAsyncGetServByPort', 'WSAAsyncSelect',
  'WSACancelBlockingCall', 'WSAConnectByNameA', 'WSADuplicateSocketA', 'WSAEnumNameSpaceProvidersA',
  'WSAEnumNameSpaceProvidersExA', 'WSAEnumProtocolsA', 'WSAGetServiceClassInfoA', 'WSAInstallServiceClassA',
  'WSAIsBlocking', 'WSALookupServiceBeginA', 'WSALookupServiceNextA', 'WSARecvDisconnect', 'WSASendDisconnect',
  'WSASetBlockingHook', 'WSASetServiceA', 'WSASocketA', 'WSAStringToAddressA', 'WSAUnhookBlockingHook',
  'gethostbyaddr', 'gethostbyname', 'inet_addr', 'inet_ntoa',
];

/** The Winsock functions a WinSock2.h text declares deprecated (the name before each declaration's parameter list). */
function deprecatedIn(header) {
  const names = new Set();
  for (const match of header.matchAll(/_WINSOCK_DEPRECATED_BY\("[^"]*"\)/g)) {
    const rest = header.slice(match.index + match[0].length, match.index + match[0].length + 400);
    const ids = rest.slice(0, rest.indexOf('(')).match(/\b[A-Za-z_]\w*\b/g) ?? [];
    const name = ids[ids.length - 1];
    if (name && /^(WSA|gethost|inet_)/.test(name)) names.add(name);
  }
  return [...names].sort();
}

/** The deprecated functions the addon's sources call. */
function deprecatedCalls(deprecated) {
  const calls = new Set();
  for (const file of fs.readdirSync(ADDON).filter((f) => /\.(cc|h)$/.test(f))) {
    const code = fs.readFileSync(path.join(ADDON, file), 'utf8').replace(/\/\/.*$/gm, '');
    for (const name of deprecated) if (new RegExp(`\\b${name}\\s*\\(`).test(code)) calls.add(name);
  }
  return [...calls];
}

describe("Microsoft's own headers (Windows SDK/WDK)", function () {
  this.timeout(120_000);
  let winsdk;
  before(async () => {
    winsdk = await import('../../scripts/lib/winsdk.mjs');
  });

  it('every driver source compiles against the WDK (km/, shared/) with no error', function () {
    const { dir, reason } = winsdk.winsdkFolder();
    if (!dir) {
      console.log(`      (skipped: ${reason})`);
      this.skip();
    }
    const sources = fs.readdirSync(DRIVER).filter((f) => f.endsWith('.c')).map((f) => path.join(DRIVER, f));
    const failed = winsdk.compileAgainstWinsdk(dir, sources, { mode: 'kernel', includes: [path.join(ROOT, 'native', 'include')] }).filter((r) => !r.ok);
    assert.deepEqual(failed.map((r) => `${path.basename(r.file)}:\n${r.output}`), [], `against ${dir}`);
  });

  it('the SDK deprecates no Winsock function this list misses (read off um/WinSock2.h)', function () {
    const { dir, reason } = winsdk.winsdkFolder();
    if (!dir) {
      console.log(`      (skipped: ${reason})`);
      this.skip();
    }
    const header = fs.readFileSync(path.join(dir, 'um', 'WinSock2.h'), 'latin1');
    assert.deepEqual(deprecatedIn(header).filter((name) => !DEPRECATED_WINSOCK.includes(name)), []);
  });

  it('the addon calls a deprecated Winsock function only with _WINSOCK_DEPRECATED_NO_WARNINGS in the one build list (/sdl makes C4996 an error)', async () => {
    const { addonBuild } = await import('../../scripts/build.mjs');
    const calls = deprecatedCalls(DEPRECATED_WINSOCK);
    if (calls.length > 0) {
      assert.ok(addonBuild().defines.includes('_WINSOCK_DEPRECATED_NO_WARNINGS'),
        `the addon calls ${calls.join(', ')}, which the SDK deprecates: MSVC's /sdl fails the build without _WINSOCK_DEPRECATED_NO_WARNINGS`);
    }
    assert.ok(calls.includes('WSAAsyncSelect'), 'the connect waiter uses WSAAsyncSelect (the check sees it)');
  });
});
