'use strict';
// Naming Wine's divergences. A test that can't run under Wine says why, in the
// output, and runs for real on Windows (the windows-2022 CI job).
const { platformInfo } = require('../../dist/index.js');

const info = platformInfo();
const underWine = info.wine !== null;

const DIVERGENCES = {
  connectByList: `Wine ${info.wine}: ws2_32 has no WSAConnectByList (GetProcAddress returns NULL)`,
  byNameTimeout: `Wine ${info.wine}: WSAConnectByNameW ignores its timeout (our deadline still applies)`,
  byNameDualStack: `Wine ${info.wine}: WSAConnectByNameW on a dual-stack AF_INET6 socket fails for IPv4 targets (raw -9 / 11001)`,
  qos: `Wine ${info.wine}: WSAConnect ignores FLOWSPEC QoS and caller data and leaves the callee buffer untouched`,
  handleCount: `Wine ${info.wine}: GetProcessHandleCount reports 0`,
  broadcast: 'only Linux (under Wine) treats 127.255.255.255 as the loopback broadcast address',
};

/** Skips `ctx` under Wine, printing the named divergence. */
function skipUnderWine(ctx, divergence) {
  if (!underWine) return;
  const reason = DIVERGENCES[divergence] ?? divergence;
  console.log(`      (skipped under Wine: ${reason})`);
  ctx.skip();
}

/** Skips `ctx` on real Windows, printing why (the Wine-only counterpart of a test). */
function skipOnWindows(ctx, reason) {
  if (underWine) return;
  console.log(`      (skipped on Windows: ${reason})`);
  ctx.skip();
}

module.exports = { underWine, wineVersion: info.wine, DIVERGENCES, skipUnderWine, skipOnWindows };
