'use strict';
// createConnection / WinsockSocket: a net.Socket returned at once, connected in
// the background by a Winsock function, behaving as one from net.connect.
const assert = require('node:assert/strict');
const net = require('node:net');
const { once } = require('node:events');
const api = require('../../dist/index.js');
const lo = require('../support/loopback');
const { underWine } = require('../support/wine');

/** Resolves with the first of 'connect' / 'error' / 'close' and what came with it. */
function firstOutcome(socket) {
  return new Promise((resolve) => {
    socket.once('connect', () => resolve({ event: 'connect' }));
    socket.once('error', (error) => resolve({ event: 'error', error }));
    socket.once('close', () => resolve({ event: 'close' }));
  });
}

describe('createConnection (a net.connect-shaped socket, connected by Winsock)', function () {
  this.timeout(30_000);
  const servers = lo.withEchoAndStalledServers();
  const leaks = lo.checkNoLeaksAfterEach();

  it('returns a net.Socket at once, connecting; then connect and ready, with the real addresses', async () => {
    const socket = api.createConnection({ host: '127.0.0.1', port: servers.echo.port });
    assert.ok(socket instanceof net.Socket);
    assert.equal(socket.connecting, true);
    assert.equal(socket.pending, true);
    assert.equal(socket.readyState, 'opening');
    const events = [];
    socket.once('connect', () => events.push('connect'));
    await once(socket, 'ready');
    events.push('ready');
    assert.deepEqual(events, ['connect', 'ready']);
    assert.equal(socket.connecting, false);
    assert.equal(socket.pending, false);
    assert.equal(socket.readyState, 'open');
    assert.equal(socket.remoteAddress, '127.0.0.1');
    assert.equal(socket.remotePort, servers.echo.port);
    assert.equal(socket.address().port, socket.localPort);
    const seen = servers.echo.accepted[servers.echo.accepted.length - 1];
    assert.equal(seen.remotePort, socket.localPort, 'the server saw this socket');
    assert.equal(socket.winsockConnection.syscall, 'WSAConnectByName');
    await lo.closeSocket(socket);
  });

  it('buffers writes made before the connect and sends them after it', async () => {
    const socket = api.createConnection({ host: '127.0.0.1', port: servers.echo.port });
    socket.write('written ');
    socket.write('early');
    let echoed = '';
    socket.on('data', (d) => { echoed += d; });
    await new Promise((resolve) => { const check = () => (echoed.length >= 13 ? resolve() : setTimeout(check, 10)); check(); });
    assert.equal(echoed, 'written early');
    await lo.closeSocket(socket);
  });

  it('picks the function from the options: connectByName, wsaConnect (local address), connectByList (addresses)', async () => {
    const port = servers.echo.port;
    const byName = api.createConnection({ host: 'localhost', port, family: 4 });
    const local = api.createConnection({ host: '127.0.0.1', port, localAddress: '127.0.0.1' });
    const list = api.createConnection({ winsock: { addresses: [{ address: '127.0.0.1', port }], strategy: 'race' } });
    await Promise.all([once(byName, 'connect'), once(local, 'connect'), once(list, 'connect')]);
    assert.equal(byName.winsockConnection.syscall, 'WSAConnectByName');
    assert.equal(local.winsockConnection.syscall, 'WSAConnect');
    assert.equal(list.winsockConnection.syscall, 'ConnectEx');
    assert.equal(list.winsockConnection.strategy, 'race');
    for (const s of [byName, local, list]) assert.equal(await lo.echoRoundTrip(s, 'x'), 'x');
    await Promise.all([byName, local, list].map(lo.closeSocket));
  });

  it("the default family connects a plain 'localhost' and '127.0.0.1' (dual on Windows, IPv4 under Wine)", async () => {
    for (const host of ['localhost', '127.0.0.1']) {
      const socket = api.createConnection({ host, port: servers.echo.port });
      const outcome = await firstOutcome(socket);
      assert.equal(outcome.event, 'connect', `${host}: ${outcome.error}`);
      assert.equal(await lo.echoRoundTrip(socket, host), host);
      await lo.closeSocket(socket);
    }
    if (underWine) console.log("      (under Wine a host name with family 0 uses an IPv4 socket: Wine's dual-stack WSAConnectByNameW cannot reach IPv4)");
  });

  it("a refused connect is an 'error' event carrying the WinsockError, then close", async () => {
    const port = await lo.refusedPort();
    const socket = api.createConnection({ host: '127.0.0.1', port, winsock: { function: 'wsaConnect' } });
    const outcome = await firstOutcome(socket);
    assert.equal(outcome.event, 'error');
    assert.ok(outcome.error instanceof api.WinsockError, String(outcome.error));
    assert.equal(outcome.error.code, 'WSAECONNREFUSED');
    if (!socket.closed) await once(socket, 'close');
    assert.equal(socket.destroyed, true);
  });

  it("destroy() before the connect aborts it: no 'error', its SOCKET closed", async () => {
    for (const fn of ['wsaConnect', 'connectByName', 'connectByList']) {
      const winsock = fn === 'connectByList'
        ? { addresses: [{ address: '127.0.0.1', port: servers.stalled.port }], strategy: 'race' }
        : { function: fn };
      const socket = api.createConnection({ host: '127.0.0.1', port: servers.stalled.port, family: 4, winsock });
      const errors = [];
      socket.on('error', (e) => errors.push(e));
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(socket.connecting, true, `${fn} is still connecting to the full accept queue`);
      socket.destroy();
      await once(socket, 'close');
      await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(errors, [], `${fn}: destroy() emits no error`);
    }
    await lo.expectNoLeaks(leaks.baseline());
  });

  it("winsock.timeout is the connect deadline (WSAETIMEDOUT); timeout is net's idle timeout", async () => {
    const late = api.createConnection({ host: '127.0.0.1', port: servers.stalled.port, winsock: { function: 'wsaConnect', timeout: 300 } });
    const outcome = await firstOutcome(late);
    assert.equal(outcome.event, 'error');
    assert.equal(outcome.error.code, 'WSAETIMEDOUT');
    const idle = api.createConnection({ host: '127.0.0.1', port: servers.echo.port, timeout: 200 });
    await once(idle, 'connect');
    await once(idle, 'timeout');
    assert.equal(idle.destroyed, false, 'an idle timeout closes nothing');
    await lo.closeSocket(idle);
  });

  it('signal aborts like net.connect: an AbortError, the connect abandoned', async () => {
    const controller = new AbortController();
    const socket = api.createConnection({ host: '127.0.0.1', port: servers.stalled.port, signal: controller.signal, winsock: { function: 'wsaConnect' } });
    setTimeout(() => controller.abort(), 50);
    const outcome = await firstOutcome(socket);
    assert.equal(outcome.event, 'error');
    assert.equal(outcome.error.name, 'AbortError');
    await lo.expectNoLeaks(leaks.baseline());
  });

  it('setNoDelay, setKeepAlive and setTimeout work on it, before and after the connect', async () => {
    const socket = api.createConnection({ host: '127.0.0.1', port: servers.echo.port, noDelay: true, keepAlive: true, keepAliveInitialDelay: 1000 });
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 500);
    await once(socket, 'connect');
    assert.equal(socket.setNoDelay(false), socket);
    assert.equal(socket.setKeepAlive(false), socket);
    socket.setTimeout(100);
    await once(socket, 'timeout');
    await lo.closeSocket(socket);
  });

  it('new WinsockSocket() then connect(port, host) and connect(options): what pg does', async () => {
    const bare = new api.WinsockSocket({ winsock: { function: 'wsaConnect' } });
    assert.ok(bare instanceof net.Socket);
    bare.connect(servers.echo.port, '127.0.0.1');
    await once(bare, 'connect');
    assert.equal(bare.winsockConnection.syscall, 'WSAConnect');
    assert.equal(await lo.echoRoundTrip(bare, 'pg'), 'pg');
    await lo.closeSocket(bare);
    const withListener = new api.WinsockSocket();
    await new Promise((resolve) => withListener.connect({ host: '127.0.0.1', port: servers.echo.port }, resolve));
    assert.equal(withListener.winsockConnection.syscall, 'WSAConnectByName');
    await lo.closeSocket(withListener);
  });

  it('bad options throw synchronously with Node codes, before any native call', () => {
    assert.throws(() => api.createConnection({ host: '127.0.0.1', port: 70000 }), { code: 'ERR_OUT_OF_RANGE' });
    assert.throws(() => api.createConnection({ host: '127.0.0.1', port: 1, family: 5 }), { code: 'ERR_INVALID_ARG_VALUE' });
    assert.throws(() => api.createConnection({ host: 'example.invalid', port: 1, localAddress: '127.0.0.1' }), { code: 'ERR_INVALID_ARG_VALUE' });
    assert.throws(() => api.createConnection(null), { code: 'ERR_INVALID_ARG_TYPE' });
  });
});
