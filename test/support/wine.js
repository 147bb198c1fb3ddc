'use strict';
// Naming Wine's divergences. A test that can't run under Wine says why, in the
// output, and runs for real on Windows (the Windows CI jobs). Each divergence
// names the Wine versions it was measured on (npm test runs Debian 12's Wine 8
// and Debian 13's Wine 10); met on a Wine not in that list, the output says so,
// so a behaviour that changes between Wine versions is seen, not hidden.
const fs = require('node:fs');
const { platformInfo } = require('../../dist/index.js');

const info = platformInfo();
const underWine = info.wine !== null;

/** What Wine does differently from Windows, and the Wine versions where that was measured. */
const DIVERGENCE_TABLE = {
  connectByList: { text: 'ws2_32 has no WSAConnectByList (GetProcAddress returns NULL)', measured: ['8.0', '10.0'] },
  byNameTimeout: { text: 'WSAConnectByNameW ignores its timeout (our deadline still applies)', measured: ['8.0'] },
  byNameDualStack: { text: 'WSAConnectByNameW on a dual-stack AF_INET6 socket fails for IPv4 targets (raw -9 / 11001)', measured: ['8.0', '10.0'] },
  qos: { text: 'WSAConnect ignores FLOWSPEC QoS and caller data and leaves the callee buffer untouched', measured: ['8.0', '10.0'] },
  handleCount: { text: 'GetProcessHandleCount reports 0', measured: ['8.0', '10.0'] },
  wskBindIpv6: { text: 'netio.sys WskBind passes 16 bytes for any address, so IPv6 binds fail (STATUS_NO_MEMORY)', measured: ['8.0', '10.0'] },
  udpReconnectKeepsQueued: { text: 'a UDP re-connect to another peer keeps the datagrams already queued from the old one (Windows drops them)', measured: ['8.0', '10.0'] },
  wskAddressStubs: { text: 'WskGetLocalAddress and WskGetRemoteAddress are stubs that never complete: a result has no addresses', measured: ['8.0', '10.0'] },
  largeWriteEmsgsize: { text: "a 10 MB TCP write fails with EMSGSIZE, with Node's own net as well (Node's pummel/test-net-write-callbacks; 38 s a run)", measured: ['8.0', '10.0'] },
  initialRto: { text: 'SIO_TCP_INITIAL_RTO fails with WSAEOPNOTSUPP on every socket (a refused loopback connect fails at once all the same)', measured: ['8.0', '10.0'] },
  wskSocketConnectStub: { text: 'WskSocketConnect is a stub that returns STATUS_NOT_IMPLEMENTED and never completes its IRP; the driver bounds the wait', measured: ['8.0', '10.0'] },
};

function describe(key) {
  const { text, measured } = DIVERGENCE_TABLE[key];
  const where = measured.includes(info.wine) ? '' : ` [measured on Wine ${measured.join(' and ')}; not yet on ${info.wine}]`;
  return `Wine ${info.wine}: ${text}${where}`;
}

/**
 * Behaviours that differ between the Wine versions npm test runs, per version as
 * measured. A test reads the row for the running Wine, and skips, saying so, on a
 * Wine that no row covers yet.
 */
const WINE_BEHAVIOURS = {
  // A UDP WSAConnect to a broadcast address without SO_BROADCAST: Wine 8 refuses
  // it with WSAEACCES (Linux's rule); Wine 10 connects, as Windows does (Wine's own
  // conformance test test_broadcast, without todo_wine).
  broadcastConnectNeedsSoBroadcast: { '8.0': true, '10.0': false },
  // A UDP re-connect to another peer: Windows drops datagrams still queued from the
  // old one (Microsoft's WSAConnect page); Wine (Linux) delivers them (measured).
  udpReconnectKeepsQueued: { '8.0': true, '10.0': true },
};

/** The running Wine's row of a WINE_BEHAVIOURS entry; undefined when not measured on it. */
function wineBehaviour(name) {
  return WINE_BEHAVIOURS[name][info.wine];
}

const DIVERGENCES = Object.fromEntries(Object.keys(DIVERGENCE_TABLE).map((key) => [key, describe(key)]));
// Not Wine's: Linux's routing, seen through Wine.
DIVERGENCES.broadcast = 'only Linux (under Wine) treats 127.255.255.255 as the loopback broadcast address';

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

/**
 * Under Wine, a counter of the Linux threads of the processes whose command line
 * holds every string of `parts` (node.exe and a script name; winedevice.exe). Wine
 * opens files in wineserver, so Z:\proc\self is the server's: the processes are
 * found by their command lines, once, on the counter's first call. The counter
 * returns null outside Wine or without /proc.
 */
function linuxThreadCounter(...parts) {
  let pids;
  const threadsOf = (pid) => {
    try {
      return Number(/^Threads:\s+(\d+)/m.exec(fs.readFileSync(`Z:\\proc\\${pid}\\status`, 'latin1'))[1]);
    } catch {
      return 0; // a process that ended meanwhile
    }
  };
  return () => {
    if (!underWine) return null;
    if (!pids) {
      try {
        pids = fs.readdirSync('Z:\\proc').filter((entry) => /^\d+$/.test(entry) && (() => {
          try {
            const cmdline = fs.readFileSync(`Z:\\proc\\${entry}\\cmdline`, 'latin1');
            return parts.every((part) => cmdline.includes(part));
          } catch {
            return false;
          }
        })());
      } catch {
        return null; // no /proc
      }
    }
    return pids.length ? pids.reduce((sum, pid) => sum + threadsOf(pid), 0) : null;
  };
}

module.exports = {
  underWine, wineVersion: info.wine, DIVERGENCE_TABLE, DIVERGENCES, WINE_BEHAVIOURS, wineBehaviour, skipUnderWine, skipOnWindows,
  linuxThreadCounter,
};
