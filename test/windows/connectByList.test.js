'use strict';
const assert = require('node:assert/strict');
const api = require('../../dist/index.js');
const tls = require('node:tls');
const { connectByList, platformInfo, WinsockError, WinsockPlatformError } = require('../../dist/index.js');
const lo = require('../support/loopback');
const { skipUnderWine, skipOnWindows } = require('../support/wine');

describe('connectByList', function () {
  let v4;
  let v6;
  before(async () => {
    v4 = await lo.echoServer('127.0.0.1');
    v6 = await lo.echoServer('::1');
  });
  after(async () => { await v4.close(); await v6.close(); });
  lo.checkNoLeaksAfterEach();

  describe("strategy 'race' (non-blocking WSAConnect attempts)", () => {
    it('an IPv4-mapped address in the list connects (a dual-stack attempt) and is reported as IPv4', async () => {
      const c = await connectByList({ addresses: [{ address: '::ffff:127.0.0.1', port: v4.port }], strategy: 'race' });
      assert.deepEqual(c.remoteAddress, { address: '127.0.0.1', family: 'IPv4', port: v4.port });
      assert.equal(c.attempts[0].outcome, 'connected');
      assert.equal(await lo.echoRoundTrip(c.socket, 'mapped'), 'mapped');
      await lo.closeSocket(c.socket);
    });

    it('connects, carries data both ways and reports the attempt', async () => {
      const c = await connectByList({ addresses: [{ address: '127.0.0.1', port: v4.port }], strategy: 'race' });
      assert.equal(c.strategy, 'race');
      assert.equal(c.syscall, 'WSAConnect');
      assert.deepEqual(c.remoteAddress, { address: '127.0.0.1', family: 'IPv4', port: v4.port });
      assert.ok(c.localAddress.port > 0);
      assert.equal(c.attempts.length, 1);
      assert.equal(c.attempts[0].outcome, 'connected');
      assert.equal(await lo.echoRoundTrip(c.socket, 'race data'), 'race data');
      assert.ok(v4.accepted.some((a) => a.remotePort === c.localAddress.port));
      await lo.closeSocket(c.socket);
    });

    it('races past refused addresses, reporting each with its error and time', async () => {
      const refused4 = await lo.refusedPort('127.0.0.1');
      const refused6 = await lo.refusedPort('::1');
      const c = await connectByList({
        strategy: 'race',
        addresses: [{ address: '::1', port: refused6 }, { address: '127.0.0.1', port: refused4 }, { address: '127.0.0.1', port: v4.port }],
      });
      assert.deepEqual(c.attempts.map((a) => a.outcome), ['failed', 'failed', 'connected']);
      for (const failed of c.attempts.slice(0, 2)) {
        assert.equal(failed.code, 'WSAECONNREFUSED');
        assert.equal(failed.errno, 10061);
        assert.ok(failed.elapsedMs >= 0 && failed.startedAtMs >= 0);
      }
      assert.equal(c.attempts[0].family, 'IPv6');
      // A failure starts the next attempt at once, without waiting out the stagger.
      assert.ok(c.attempts[2].startedAtMs < 250, `third attempt started at ${c.attempts[2].startedAtMs} ms`);
      assert.equal(c.remoteAddress.port, v4.port);
      await lo.closeSocket(c.socket);
    });

    it('mixed ::1 / 127.0.0.1: the first reachable in order wins', async () => {
      const c = await connectByList({ strategy: 'race', addresses: [{ address: '::1', port: v6.port }, { address: '127.0.0.1', port: v4.port }] });
      assert.deepEqual(c.remoteAddress, { address: '::1', family: 'IPv6', port: v6.port });
      assert.equal(await lo.echoRoundTrip(c.socket, 'v6 first'), 'v6 first');
      await lo.closeSocket(c.socket);
    });

    it('a hanging first address is overtaken after the stagger and then cancelled', async () => {
      const stalled = await lo.stalledServer();
      try {
        const c = await connectByList({
          strategy: 'race', attemptDelay: 50,
          addresses: [{ address: '127.0.0.1', port: stalled.port }, { address: '::1', port: v6.port }],
        });
        assert.deepEqual(c.attempts.map((a) => a.outcome), ['cancelled', 'connected']);
        assert.ok(c.attempts[1].startedAtMs >= 45, `second attempt started at ${c.attempts[1].startedAtMs} ms`);
        assert.equal(c.remoteAddress.address, '::1');
        await lo.closeSocket(c.socket);
      } finally {
        stalled.close();
      }
    });

    it('all refused → WSAECONNREFUSED (the last error) with every attempt attached', async () => {
      const a = await lo.refusedPort('127.0.0.1');
      const b = await lo.refusedPort('::1');
      await assert.rejects(connectByList({ strategy: 'race', addresses: [{ address: '127.0.0.1', port: a }, { address: '::1', port: b }] }), (err) => {
        assert.ok(err instanceof WinsockError);
        assert.equal(err.code, 'WSAECONNREFUSED');
        assert.equal(err.syscall, 'WSAConnect');
        assert.deepEqual(err.attempts.map((x) => x.outcome), ['failed', 'failed']);
        return true;
      });
    });

    it('deadline: WSAETIMEDOUT by the deadline, attempts cancelled, loop ticking', async () => {
      const stalled = await lo.stalledServer();
      try {
        await lo.expectRejectsByDeadline(() => connectByList({ strategy: 'race', timeout: 300, addresses: [{ address: '127.0.0.1', port: stalled.port }] }), 300,
          (err) => err instanceof WinsockError && err.code === 'WSAETIMEDOUT' && err.attempts[0].outcome === 'cancelled');
      } finally {
        stalled.close();
      }
    });

    it('abort: AbortError at once, every attempt cancelled and closed', async () => {
      const stalled = await lo.stalledServer();
      try {
        const controller = new AbortController();
        const pending = connectByList({ strategy: 'race', signal: controller.signal, attemptDelay: 20, addresses: [
          { address: '127.0.0.1', port: stalled.port }, { address: '127.0.0.1', port: stalled.port },
        ] });
        setTimeout(() => controller.abort(), 100);
        const started = Date.now();
        await assert.rejects(pending, (err) => err.name === 'AbortError' && err.code === 'ABORT_ERR');
        assert.ok(Date.now() - started < 300);
      } finally {
        stalled.close();
      }
    });

    it('carries TLS over the winning socket', async () => {
      const tlsServer = await lo.tlsEchoServer();
      try {
        const c = await connectByList({ strategy: 'race', addresses: [{ address: '127.0.0.1', port: tlsServer.port }] });
        const secure = tls.connect({ socket: c.socket, servername: 'localhost', ca: lo.tlsCa() });
        await new Promise((resolve, reject) => { secure.once('secureConnect', resolve); secure.once('error', reject); });
        assert.equal(await lo.echoRoundTrip(secure, 'tls via race'), 'tls via race');
        await lo.closeSocket(secure);
      } finally {
        await tlsServer.close();
      }
    });
  });

  describe("strategy 'system' (WSAConnectByList)", () => {
    it("'auto' picks what this ws2_32 has", async () => {
      const c = await connectByList({ addresses: [{ address: '127.0.0.1', port: v4.port }] });
      assert.equal(c.strategy, platformInfo().connectByList ? 'system' : 'race');
      await lo.closeSocket(c.socket);
    });

    it('under Wine: rejects with ERR_WINSOCK_FUNCTION_UNAVAILABLE naming the function, no crash', async function () {
      skipOnWindows(this, 'Windows has WSAConnectByList; the tests below run it');
      await assert.rejects(connectByList({ strategy: 'system', addresses: [{ address: '127.0.0.1', port: v4.port }] }), (err) => {
        assert.ok(err instanceof WinsockPlatformError);
        assert.equal(err.code, 'ERR_WINSOCK_FUNCTION_UNAVAILABLE');
        assert.match(err.message, /WSAConnectByList/);
        assert.match(err.message, /Wine/);
        return true;
      });
    });

    it('connects over a mixed ::1 / v4-mapped list and carries data', async function () {
      skipUnderWine(this, 'connectByList');
      const refused = await lo.refusedPort('::1');
      const c = await connectByList({ strategy: 'system', addresses: [{ address: '::1', port: refused }, { address: '127.0.0.1', port: v4.port }] });
      assert.equal(c.strategy, 'system');
      assert.equal(c.syscall, 'WSAConnectByList');
      assert.deepEqual(c.remoteAddress, { address: '127.0.0.1', family: 'IPv4', port: v4.port });
      assert.equal(await lo.echoRoundTrip(c.socket, 'system'), 'system');
      await lo.closeSocket(c.socket);
    });

    it('refused → WSAECONNREFUSED from WSAConnectByList', async function () {
      skipUnderWine(this, 'connectByList');
      const port = await lo.refusedPort('127.0.0.1');
      await assert.rejects(connectByList({ strategy: 'system', addresses: [{ address: '127.0.0.1', port }] }),
        (err) => err instanceof WinsockError && err.syscall === 'WSAConnectByList' && err.code === 'WSAECONNREFUSED');
    });

    it('deadline: settles by our deadline even though WSAConnectByList may overrun it', async function () {
      skipUnderWine(this, 'connectByList');
      const stalled = await lo.stalledServer();
      try {
        const started = Date.now();
        await assert.rejects(connectByList({ strategy: 'system', timeout: 300, addresses: [{ address: '127.0.0.1', port: stalled.port }] }),
          (err) => err.code === 'WSAETIMEDOUT');
        assert.ok(Date.now() - started < 2000);
      } finally {
        stalled.close();
      }
    });
  });
});

describe('connectByList race: attempts that never start, and no stagger', function () {
  this.timeout(30_000);
  const servers = lo.withEchoAndStalledServers();
  lo.checkNoLeaksAfterEach();

  it('race: the winner is known from FD_CONNECT, not the 50 ms recheck (median loopback winner under 20 ms)', async () => {
    // Each attempt is a non-blocking WSAConnect, whose end Microsoft documents as
    // FD_CONNECT: the waiter must take the winner from that message.
    const live = { address: '127.0.0.1', port: servers.echo.port };
    const times = [];
    for (let i = 0; i < 11; i++) {
      const c = await api.connectByList({ strategy: 'race', addresses: [live] });
      times.push(c.attempts[0].elapsedMs);
      await lo.closeSocket(c.socket);
    }
    const median = times.sort((a, b) => a - b)[5];
    console.log(`      (median winner ${median.toFixed(1)} ms over 11 loopback races)`);
    assert.ok(median < 20, `median ${median} ms: the winner waited for a recheck`);
  });

  it("race: a winner before the next attempt is due leaves the rest 'not-started'", async () => {
    const live = { address: '127.0.0.1', port: servers.echo.port };
    const c = await api.connectByList({ strategy: 'race', attemptDelay: 2000, addresses: [live, live, live] });
    assert.deepEqual(c.attempts.map((a) => a.outcome), ['connected', 'not-started', 'not-started']);
    assert.equal(c.attempts[1].startedAtMs, undefined, 'a not-started attempt has no start time');
    await lo.closeSocket(c.socket);
  });

  it('race with attemptDelay 0: every attempt starts at once; a hanging first one is cancelled when the second wins', async () => {
    const c = await api.connectByList({
      strategy: 'race', attemptDelay: 0,
      addresses: [{ address: '127.0.0.1', port: servers.stalled.port }, { address: '127.0.0.1', port: servers.echo.port }],
    });
    assert.deepEqual(c.attempts.map((a) => a.outcome), ['cancelled', 'connected']);
    assert.ok(c.attempts[1].startedAtMs < 50, `the second attempt started at ${c.attempts[1].startedAtMs} ms, not after a stagger`);
    assert.equal(c.remoteAddress.port, servers.echo.port);
    await lo.closeSocket(c.socket);
  });
});
