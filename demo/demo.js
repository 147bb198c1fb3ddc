'use strict';
// winsock-connect showcase: every function and strategy against loopback servers
// this script starts itself (127.0.0.1 and ::1 only), printed as one table.
//
//   npm run demo            (Linux: the real Windows node.exe under Wine; Windows: this node)
//   node demo/demo.js       (on Windows, after `npm run build`)
//
// Exit code 0 when every row behaved as expected on this platform (an expected
// error counts as expected), 1 otherwise, 2 when the demo hung.
const dgram = require('node:dgram');
const net = require('node:net');
const os = require('node:os');
const { performance } = require('node:perf_hooks');

const {
  connectByList, connectByName, platformInfo, ServiceType, wsaConnect, WinsockError, WinsockPlatformError,
} = require('../dist/index.js');
const { loadBinding } = require('../dist/native.js');
const path = require('node:path');
const fs = require('node:fs');

const ROW_TIMEOUT_MS = 5_000;      // a row that takes longer is reported as hung
const DEMO_TIMEOUT_MS = 60_000;    // the whole demo, start to exit
const EXIT_GRACE_MS = 10_000;      // after the table: the process must exit by itself within this

const hung = setTimeout(() => {
  console.error(`\ndemo: still running after ${DEMO_TIMEOUT_MS / 1000} s: giving up`);
  process.exit(2);
}, DEMO_TIMEOUT_MS);
hung.unref();

// ---------------------------------------------------------------------------
// Loopback servers
// ---------------------------------------------------------------------------

async function tcpEchoServer(host) {
  const sockets = new Set();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    socket.pipe(socket);
  });
  await new Promise((resolve, reject) => { server.once('error', reject); server.listen(0, host, resolve); });
  return {
    host,
    port: server.address().port,
    close: () => new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

async function udpEchoServer(host) {
  const server = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  server.on('message', (message, rinfo) => server.send(message, rinfo.port, rinfo.address));
  await new Promise((resolve, reject) => { server.once('error', reject); server.bind(0, host, resolve); });
  return { host, port: server.address().port, close: () => new Promise((resolve) => server.close(resolve)) };
}

// A port nobody listens on (connects are refused) and a listener whose accept
// queue is full (connects hang): test/support/loopbackFixtures.js.
const { refusedPort, stalledServer } = require('../test/support/loopbackFixtures.js');

// ---------------------------------------------------------------------------
// Echo through what a row connected, and close it
// ---------------------------------------------------------------------------

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms); }),
  ]).finally(() => clearTimeout(timer));
}

function tcpEcho(socket, text) {
  return withTimeout(new Promise((resolve, reject) => {
    let got = '';
    const onData = (chunk) => {
      got += chunk;
      if (got.length >= text.length) {
        socket.off('data', onData);
        socket.off('error', reject);
        resolve(got);
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.write(text);
  }), 2_000, 'echo');
}

function closeTcp(socket) {
  return new Promise((resolve) => {
    if (socket.destroyed) return resolve();
    socket.once('close', () => resolve());
    socket.destroy();
  });
}

function udpEcho(connection, text) {
  return withTimeout(new Promise((resolve, reject) => {
    const onMessage = (data, from) => {
      connection.off('message', onMessage);
      resolve({ text: String(data), from });
    };
    connection.on('message', onMessage);
    connection.send(text).catch(reject);
  }), 2_000, 'udp echo');
}

// ---------------------------------------------------------------------------
// Rows
// ---------------------------------------------------------------------------

const info = platformInfo();
const underWine = info.wine !== null;
const rows = [];
const divergences = [];   // footnotes: Wine divergences that appeared in this run

/** Registers a footnote once; returns its marker, e.g. "[1]". */
function divergence(text) {
  let index = divergences.indexOf(text);
  if (index < 0) index = divergences.push(text) - 1;
  return `[${index + 1}]`;
}

function endpoint(a) {
  if (!a) return '-';
  return a.family === 'IPv6' || a.address.includes(':') ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
}

function describeError(error) {
  if (error instanceof WinsockError) return `${error.code} (${error.errno})`;
  if (error instanceof WinsockPlatformError) return error.code;
  if (error && error.name === 'WskError') return `${error.code} (0x${error.ntstatus.toString(16).toUpperCase()})`;
  if (error && error.name === 'AbortError') return `AbortError (${error.code})`;
  return `${error && error.name}: ${error && error.message}`;
}

/**
 * Runs one row. `run()` resolves with { local, remote, elapsedMs, result, ok, note? }
 * for an outcome it understands; anything else thrown is an unexpected failure.
 */
async function row(fn, options, run) {
  const started = performance.now();
  let outcome;
  try {
    outcome = await withTimeout(run(), ROW_TIMEOUT_MS, 'row');
  } catch (error) {
    outcome = { ok: false, result: describeError(error), elapsedMs: performance.now() - started };
  }
  const entry = {
    function: fn,
    options,
    local: endpoint(outcome.local),
    remote: endpoint(outcome.remote),
    elapsedMs: outcome.elapsedMs ?? performance.now() - started,
    result: outcome.result + (outcome.note ? ` ${outcome.note}` : ''),
    ok: outcome.ok,
  };
  if (!entry.ok) entry.result += '  <-- UNEXPECTED';
  rows.push(entry);
}

/** A TCP connect expected to succeed: echo a few bytes, check the peer, close. */
async function expectConnected(connect, { remote, note, extra } = {}) {
  const c = await connect();
  try {
    const text = `hello ${c.syscall}`;
    const echoed = await tcpEcho(c.socket, text);
    const problems = [];
    if (echoed !== text) problems.push(`echo got ${JSON.stringify(echoed)}`);
    if (remote && (c.remoteAddress.address !== remote.address || c.remoteAddress.port !== remote.port)) {
      problems.push(`peer ${endpoint(c.remoteAddress)}, wanted ${endpoint(remote)}`);
    }
    if (!(c.localAddress.port > 0)) problems.push('local port 0');
    const more = extra ? extra(c) : {};
    if (more.problem) problems.push(more.problem);
    return {
      local: c.localAddress,
      remote: c.remoteAddress,
      elapsedMs: c.elapsedMs,
      result: problems.length ? `connected, ${problems.join(', ')}` : `connected, echo ok${more.text ? `; ${more.text}` : ''}`,
      ok: problems.length === 0,
      note,
    };
  } finally {
    await closeTcp(c.socket);
  }
}

/**
 * A connect expected to fail: `accept(error, elapsedMs)` returns { ok, note?, suffix? }.
 * An unexpected success is closed and reported.
 */
async function expectError(connect, accept) {
  const started = performance.now();
  let c;
  try {
    c = await connect();
  } catch (error) {
    const elapsedMs = performance.now() - started;
    const verdict = accept(error, elapsedMs);
    return {
      elapsedMs,
      result: `${describeError(error)}${verdict.suffix ? ` ${verdict.suffix}` : ''}`,
      ok: verdict.ok,
      note: verdict.note,
    };
  }
  await closeTcp(c.socket);
  return { local: c.localAddress, remote: c.remoteAddress, elapsedMs: c.elapsedMs, result: 'connected (an error was expected)', ok: false };
}

const isWsa = (error, code) => error instanceof WinsockError && error.code === code;

function attemptsSummary(attempts) {
  if (!attempts || attempts.length === 0) return 'no attempt records';
  const outcome = (a) => (a.outcome === 'failed' ? a.code : a.outcome);
  return `${attempts.length} attempt${attempts.length === 1 ? '' : 's'}: ${attempts.map(outcome).join(', ')}`;
}

// ---------------------------------------------------------------------------
// Kernel rows: the WSK driver (native/driver) through WskDriver
// ---------------------------------------------------------------------------

async function driverRows(port, refusedPortNumber) {
  const { WskDriver, WskError } = require('../dist/index.js');
  const sys = process.env.WSKCONNECT_SYS || path.join(__dirname, '..', 'prebuilds', 'driver-x64', 'wskconnect.sys');
  if (!underWine && !process.env.WSKCONNECT_SYS) {
    await row('WskDriver', 'kernel WskConnect', async () => ({
      result: 'skipped: loading the driver needs a test-signed build and elevation (set WSKCONNECT_SYS)', ok: true,
    }));
    return;
  }
  if (!fs.existsSync(sys)) {
    await row('WskDriver', 'kernel WskConnect', async () => ({ result: `driver not built: ${sys}`, ok: false }));
    return;
  }
  const name = 'WskConnectDemo';
  const leftover = new WskDriver(name);
  await leftover.stop().catch(() => {});
  await leftover.uninstall().catch(() => {});
  let driver;
  await row('WskDriver', 'install + start (SCM, SERVICE_KERNEL_DRIVER)', async () => {
    const started = performance.now();
    driver = await WskDriver.install({ sysPath: sys, name });
    await driver.start();
    await driver.open();
    return { elapsedMs: performance.now() - started, result: 'loaded, \\\\.\\WskConnect answers', ok: true };
  });
  if (!driver) return;
  try {
    await row('WskDriver', `WskSocket -> WskBind -> WskConnect, 127.0.0.1:${port}`, async () => {
      const r = await driver.connect({ address: '127.0.0.1', port });
      return {
        remote: { address: '127.0.0.1', family: 'IPv4', port },
        elapsedMs: r.roundTripMs,
        result: `connected (STATUS_SUCCESS) in ${r.elapsedMs.toFixed(1)} ms inside the driver`, ok: true,
      };
    });
    await row('WskDriver', `refused, 127.0.0.1:${refusedPortNumber}`, () =>
      expectError(() => driver.connect({ address: '127.0.0.1', port: refusedPortNumber }),
        (e) => ({ ok: e instanceof WskError && e.code === 'STATUS_CONNECTION_REFUSED', suffix: e.wsaCode ? `-> ${e.wsaCode}` : '' })));
    await row('WskDriver', 'mode socketConnect (WskSocketConnect)', async () => {
      const started = performance.now();
      const outcome = await driver.connect({ address: '127.0.0.1', port, mode: 'socketConnect', timeout: 1000 }).catch((e) => e);
      const elapsedMs = performance.now() - started;
      if (underWine) {
        const ok = outcome instanceof WskError && outcome.code === 'STATUS_NOT_IMPLEMENTED';
        return { elapsedMs, result: ok ? 'STATUS_NOT_IMPLEMENTED, bounded wait' : String(outcome), ok,
          note: divergence(`Wine ${info.wine}: netio.sys WskSocketConnect is a stub that never completes its IRP; the driver bounds the wait and reports STATUS_NOT_IMPLEMENTED.`) };
      }
      const ok = !(outcome instanceof Error);
      return { elapsedMs, result: ok ? 'connected (STATUS_SUCCESS)' : String(outcome), ok };
    });
  } finally {
    await driver.stop().catch(() => {});
    await driver.uninstall().catch(() => {});
  }
}

// ---------------------------------------------------------------------------
// Table
// ---------------------------------------------------------------------------

function printTable() {
  const headers = ['function', 'strategy/options', 'local', 'remote', 'elapsed (ms)', 'result'];
  const cells = rows.map((r) => [r.function, r.options, r.local, r.remote, r.elapsedMs.toFixed(1), r.result]);
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (values) => values.map((v, i) => (i === 4 ? v.padStart(widths[i]) : v.padEnd(widths[i]))).join('  ').trimEnd();
  console.log(line(headers));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const c of cells) console.log(line(c));
}

// ---------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------

async function main() {
  const wineText = underWine ? `under Wine ${info.wine}` : 'not under Wine';
  console.log(`winsock-connect demo: node ${process.version} ${process.platform}/${process.arch} (${os.release()}), ${wineText}`);
  if (!info.supported) {
    console.log('The addon is not usable here (winsock-connect needs Windows). Nothing to show.');
    process.exitCode = 1;
    return;
  }
  console.log(`ws2_32 exports WSAConnectByList: ${info.connectByList ? 'yes' : 'no'}; loopback only (127.0.0.1, ::1)\n`);

  const v4 = await tcpEchoServer('127.0.0.1');
  const v6 = await tcpEchoServer('::1');
  const refused4 = await refusedPort('127.0.0.1');
  const refused6 = await refusedPort('::1');
  const stalled = await stalledServer('127.0.0.1');
  const udp1 = await udpEchoServer('127.0.0.1');
  const udp2 = await udpEchoServer('127.0.0.1');
  const good4 = { address: '127.0.0.1', port: v4.port };
  const good6 = { address: '::1', port: v6.port };

  try {
    // -- connectByName: WSAConnectByNameW ---------------------------------------------
    await row('connectByName', `ipv4, 127.0.0.1:${v4.port}`, () =>
      expectConnected(() => connectByName({ host: '127.0.0.1', port: v4.port, family: 'ipv4' }), { remote: good4 }));

    await row('connectByName', `ipv6, [::1]:${v6.port}`, () =>
      expectConnected(() => connectByName({ host: '::1', port: v6.port, family: 'ipv6' }), { remote: good6 }));

    await row('connectByName', `dual (default), 127.0.0.1:${v4.port}`, async () => {
      try {
        return await expectConnected(() => connectByName({ host: '127.0.0.1', port: v4.port }), { remote: good4 });
      } catch (error) {
        // Wine 8: WSAConnectByNameW on a dual-stack AF_INET6 socket fails for IPv4 targets.
        const wineFailure = underWine && error instanceof WinsockError && [-9, 11001].includes(error.errno);
        return {
          result: describeError(error),
          ok: wineFailure,
          note: wineFailure ? divergence(
            `Wine ${info.wine}: WSAConnectByNameW on a dual-stack AF_INET6 socket fails for IPv4 targets ` +
            '(a raw glibc EAI code such as -9 leaks out, or 11001); real Windows connects.') : undefined,
        };
      }
    });

    await row('connectByName', "service 'http' (-> port 80), ipv4", async () => {
      // Nobody listens on loopback port 80 here: the refusal shows the name resolved to a port.
      try {
        return await expectConnected(() => connectByName({ host: '127.0.0.1', port: 'http', family: 'ipv4' }), {
          note: '(something listens on :80)',
        });
      } catch (error) {
        return {
          result: `${describeError(error)}, name resolved, nobody on :80`,
          ok: isWsa(error, 'WSAECONNREFUSED'),
        };
      }
    });

    await row('connectByName', `refused, 127.0.0.1:${refused4}`, () =>
      expectError(() => connectByName({ host: '127.0.0.1', port: refused4, family: 'ipv4' }),
        (error) => ({ ok: isWsa(error, 'WSAECONNREFUSED') })));

    await row('connectByName', 'unknown host no-such-host.invalid', () =>
      expectError(() => connectByName({ host: 'no-such-host.invalid', port: 80, family: 'ipv4' }),
        (error) => ({ ok: isWsa(error, 'WSAHOST_NOT_FOUND') })));

    await row('connectByName', `timeout 300 ms, stalled :${stalled.port}`, () =>
      expectError(() => connectByName({ host: '127.0.0.1', port: stalled.port, family: 'ipv4', timeout: 300 }),
        (error, elapsedMs) => {
          const inTime = elapsedMs >= 290 && elapsedMs < 2_000;
          return {
            ok: isWsa(error, 'WSAETIMEDOUT') && inTime,
            suffix: inTime ? 'by deadline' : `after ${elapsedMs.toFixed(0)} ms (deadline 300 ms)`,
            note: underWine ? divergence(
              `Wine ${info.wine}: WSAConnectByNameW ignores its timeout (a stub); the library's own deadline ` +
              'settled the call, and the abandoned OS call is closed when it returns.') : undefined,
          };
        }));

    await row('connectByName', `abort after 100 ms, stalled :${stalled.port}`, () => {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), 100);
      return expectError(
        () => connectByName({ host: '127.0.0.1', port: stalled.port, family: 'ipv4', signal: controller.signal })
          .finally(() => clearTimeout(timer)),
        (error, elapsedMs) => ({
          ok: error && error.name === 'AbortError' && elapsedMs >= 90 && elapsedMs < 1_000,
          suffix: 'at once',
        }));
    });

    // -- connectByList: WSAConnectByList or the WSAConnect race -------------------------
    await row('connectByList', 'race: refused ::1, refused 127.0.0.1, good 127.0.0.1', () =>
      expectConnected(() => connectByList({
        strategy: 'race',
        addresses: [{ address: '::1', port: refused6 }, { address: '127.0.0.1', port: refused4 }, good4],
      }), {
        remote: good4,
        extra: (c) => {
          const outcomes = (c.attempts || []).map((a) => a.outcome).join(',');
          return {
            text: attemptsSummary(c.attempts),
            problem: c.strategy !== 'race' || outcomes !== 'failed,failed,connected' ? `strategy ${c.strategy}, outcomes ${outcomes}` : undefined,
          };
        },
      }));

    const autoStrategy = info.connectByList ? 'system' : 'race';
    await row('connectByList', `auto (${autoStrategy}): [::1]:${v6.port}, 127.0.0.1:${v4.port}`, () =>
      expectConnected(() => connectByList({ addresses: [good6, good4] }), {
        extra: (c) => ({
          text: `${c.strategy}; ${attemptsSummary(c.attempts)}`,
          problem: c.strategy !== autoStrategy ? `strategy ${c.strategy}` : undefined,
        }),
      }));

    await row('connectByList', `strategy 'system', 127.0.0.1:${v4.port}`, async () => {
      if (info.connectByList) {
        return expectConnected(() => connectByList({ strategy: 'system', addresses: [good4] }), { remote: good4 });
      }
      return expectError(() => connectByList({ strategy: 'system', addresses: [good4] }), (error) => ({
        ok: error instanceof WinsockPlatformError && error.code === 'ERR_WINSOCK_FUNCTION_UNAVAILABLE',
        note: underWine ? divergence(
          `Wine ${info.wine}: ws2_32 has no WSAConnectByList (GetProcAddress returns NULL); ` +
          "strategy 'auto' uses the race of WSAConnect attempts instead.") : undefined,
      }));
    });

    // -- wsaConnect: WSAConnect ---------------------------------------------------------
    await row('wsaConnect', `tcp, 127.0.0.1:${v4.port}`, () =>
      expectConnected(() => wsaConnect({ address: '127.0.0.1', port: v4.port }), { remote: good4 }));

    await row('wsaConnect', 'tcp, bound 127.0.0.1, caller data + QoS', async () => {
      const callerData = Buffer.from('caller-data');
      const qos = {
        sending: { serviceType: ServiceType.BestEffort, tokenRate: 64_000, peakBandwidth: 128_000 },
        receiving: { serviceType: ServiceType.BestEffort },
      };
      try {
        return await expectConnected(() => wsaConnect({
          address: '127.0.0.1', port: v4.port, local: { address: '127.0.0.1' }, callerData, qos,
        }), {
          remote: good4,
          note: underWine ? divergence(
            `Wine ${info.wine}: WSAConnect ignores FLOWSPEC QoS and caller data and leaves the callee ` +
            'buffer untouched (Windows: TCP/IP carries no connect data; GQoS is deprecated).') : undefined,
          extra: (c) => ({
            text: c.calleeData ? `callee data ${c.calleeData.length} bytes` : 'no callee data',
            problem: c.localAddress.address !== '127.0.0.1' ? `bound to ${c.localAddress.address}` : undefined,
          }),
        });
      } catch (error) {
        // Real Windows may refuse a FLOWSPEC it cannot satisfy (documented WSAEOPNOTSUPP).
        return { result: describeError(error), ok: !underWine && isWsa(error, 'WSAEOPNOTSUPP') };
      }
    });

    let datagram;
    await row('wsaConnect', `udp, 127.0.0.1:${udp1.port} (send + echo)`, async () => {
      const started = performance.now();
      datagram = await wsaConnect({ address: '127.0.0.1', port: udp1.port, protocol: 'udp' });
      const elapsedMs = performance.now() - started;
      const echo = await udpEcho(datagram, 'ping one');
      const ok = echo.text === 'ping one' && echo.from.port === udp1.port;
      return {
        local: datagram.localAddress, remote: datagram.remoteAddress, elapsedMs,
        result: ok ? 'connected, echo ok' : `echo ${JSON.stringify(echo.text)} from :${echo.from.port}`, ok,
      };
    });

    await row('wsaConnect', `udp re-connect -> 127.0.0.1:${udp2.port}`, async () => {
      if (!datagram) return { result: 'skipped: the udp row failed', ok: false };
      const started = performance.now();
      await datagram.connect('127.0.0.1', udp2.port);
      const elapsedMs = performance.now() - started;
      const echo = await udpEcho(datagram, 'ping two');
      const ok = echo.text === 'ping two' && echo.from.port === udp2.port && datagram.remoteAddress.port === udp2.port;
      return {
        local: datagram.localAddress, remote: datagram.remoteAddress, elapsedMs,
        result: ok ? 're-connected, echo ok from the new peer' : `echo ${JSON.stringify(echo.text)} from :${echo.from.port}`, ok,
      };
    });
    if (datagram) await datagram.close();

    await driverRows(v4.port, refused4);
  } finally {
    stalled.close();
    await Promise.all([v4.close(), v6.close(), udp1.close(), udp2.close()]);
  }

  printTable();

  const failed = rows.filter((r) => !r.ok);
  if (divergences.length) {
    console.log('\nWine divergences behind the marked rows (each row behaved as expected for Wine; real Windows differs):');
    divergences.forEach((text, i) => console.log(`  [${i + 1}] ${text}`));
  }
  const stats = loadBinding().stats();
  console.log(`\naddon after the run: ${stats.openSockets} SOCKET(s) still owned, ${stats.abandonedRunning} abandoned OS call(s) still running` +
    (stats.abandonedRunning ? ' (from the deadline/abort rows: each closes its socket when the OS returns)' : ''));
  console.log(failed.length === 0
    ? `\n${rows.length} rows, all as expected.`
    : `\n${failed.length} of ${rows.length} rows did NOT behave as expected: ${failed.map((r) => `${r.function} ${r.options}`).join('; ')}`);
  process.exitCode = failed.length === 0 ? 0 : 1;

  // Nothing should keep the process alive now; if something does, say what and fail.
  const lingering = setTimeout(() => {
    const handles = process._getActiveHandles().map((h) => (h && h.constructor ? h.constructor.name : typeof h));
    console.error(`demo: did not exit by itself ${EXIT_GRACE_MS / 1000} s after finishing; live handles: ${handles.join(', ')}`);
    process.exit(2);
  }, EXIT_GRACE_MS);
  lingering.unref();
}

main().catch((error) => {
  console.error('demo failed:', error);
  process.exitCode = 1;
});
