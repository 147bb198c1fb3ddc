'use strict';
// createConnection / WinsockSocket: net.connect, connected by Winsock. Node's own
// net client tests judge the whole face (nodeNetTests.test.js); these tests pin
// what those don't: which Winsock function ran, the WinsockError behind a Node
// error, the options read back from the SOCKET, and the Winsock-only forms.
const assert = require('node:assert/strict');
const net = require('node:net');
const util = require('node:util');
const { once } = require('node:events');
const api = require('../../dist/index.js');
const testing = require('../../dist/testing.js');
const lo = require('../support/loopback');

/** Resolves with the first of 'connect' / 'error' / 'close' and what came with it. */
function firstOutcome(socket) {
  return new Promise((resolve) => {
    socket.once('connect', () => resolve({ event: 'connect' }));
    socket.once('error', (error) => resolve({ event: 'error', error }));
    socket.once('close', () => resolve({ event: 'close' }));
  });
}

async function expectError(socket) {
  const outcome = await firstOutcome(socket);
  assert.equal(outcome.event, 'error', `expected an error, got ${outcome.event}`);
  if (!socket.closed) await once(socket, 'close');
  return outcome.error;
}

/** The libuv errno Node itself uses for `code` on this platform. */
function libuvErrno(code) {
  for (const [errno, [name]] of util.getSystemErrorMap()) if (name === code) return errno;
  throw new Error(`no libuv errno for ${code}`);
}

describe('createConnection (net.connect, connected by Winsock)', function () {
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
    assert.equal(socket.readyState, 'open');
    assert.equal(socket.remoteAddress, '127.0.0.1');
    assert.equal(socket.remotePort, servers.echo.port);
    assert.equal(socket.address().port, socket.localPort);
    // The client's 'ready' can come before the in-process server's 'connection': wait for it.
    const deadline = Date.now() + 2000;
    while (!servers.echo.accepted.some((a) => a.remotePort === socket.localPort) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.ok(servers.echo.accepted.some((a) => a.remotePort === socket.localPort), 'the server saw this socket');
    assert.equal(socket.winsockConnection.syscall, 'WSAConnect', 'one looked-up address: WSAConnect');
    // Read from the socket when asked (the addon no longer queries them for this path).
    assert.deepEqual(socket.winsockConnection.remoteAddress, { address: '127.0.0.1', family: 'IPv4', port: servers.echo.port });
    assert.deepEqual(socket.winsockConnection.localAddress, { address: '127.0.0.1', family: 'IPv4', port: socket.localPort });
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

  it('takes every net.connect call form', async () => {
    const { port } = servers.echo;
    const forms = [
      () => api.createConnection(port),
      () => api.createConnection(port, '127.0.0.1'),
      () => api.connect(String(port), '127.0.0.1'),
      () => api.createConnection({ port, host: '127.0.0.1' }),
      () => new api.WinsockSocket().connect(port, '127.0.0.1'),
      () => new api.WinsockSocket().connect({ address: '127.0.0.1', family: 'IPv4', port }), // socket.connect(server.address())
      () => api.WinsockSocket().connect(net._normalizeArgs([{ port, host: '127.0.0.1' }])),
    ];
    for (const [i, form] of forms.entries()) {
      const socket = form();
      assert.ok(socket instanceof api.WinsockSocket, `form ${i}`);
      const outcome = await firstOutcome(socket);
      assert.equal(outcome.event, 'connect', `form ${i}: ${outcome.error}`);
      assert.equal(socket.remotePort, port);
      await lo.closeSocket(socket);
    }
    const listened = await new Promise((resolve) => { const s = api.createConnection(port, '127.0.0.1', () => resolve(s)); });
    assert.equal(listened.remotePort, port, 'the listener of (port, host, listener) runs on connect');
    await lo.closeSocket(listened);
  });

  it('checks arguments as Node does, synchronously, before any native call', () => {
    for (const port of [true, false, null, [], {}, -1, 65536, 1.5, 'http', '']) {
      assert.throws(() => api.createConnection({ host: '127.0.0.1', port }), (e) => ['ERR_SOCKET_BAD_PORT', 'ERR_INVALID_ARG_TYPE', 'ERR_MISSING_ARGS'].includes(e.code), `port ${util.inspect(port)}`);
    }
    assert.throws(() => api.createConnection({ host: '127.0.0.1', port: 70000 }), { code: 'ERR_SOCKET_BAD_PORT', name: 'RangeError' });
    assert.throws(() => api.createConnection(), { code: 'ERR_MISSING_ARGS' });
    assert.throws(() => api.createConnection({}), { code: 'ERR_MISSING_ARGS' });
    assert.throws(() => api.createConnection({ host: '127.0.0.1', port: 1, localAddress: 'not-an-ip' }), { code: 'ERR_INVALID_IP_ADDRESS' });
    assert.throws(() => api.createConnection({ host: '127.0.0.1', port: 1, localPort: 'x' }), { code: 'ERR_INVALID_ARG_TYPE' });
    assert.throws(() => api.createConnection({ host: 'a.test', port: 1, lookup: 1 }), { code: 'ERR_INVALID_ARG_TYPE' });
    assert.throws(() => api.createConnection({ host: '127.0.0.1', port: 1, blockList: {} }), { code: 'ERR_INVALID_ARG_TYPE' });
    assert.throws(() => api.createConnection({ host: '127.0.0.1', port: 1, winsock: { function: 'nope' } }), { code: 'ERR_INVALID_ARG_VALUE' });
    assert.throws(() => api.createConnection({ host: '127.0.0.1', port: 1, winsock: { timeout: -1 } }), { code: 'ERR_OUT_OF_RANGE' });
    assert.throws(() => api.createConnection({ winsock: { addresses: [{ address: 'x', port: 1 }] } }), /options\.winsock\.addresses\[0\]/);
  });

  it('a hex port string is a port, as in Node; a service name is one only for connectByName', async () => {
    const hex = `0x${servers.echo.port.toString(16)}`;
    const socket = api.createConnection({ host: '127.0.0.1', port: hex });
    assert.equal((await firstOutcome(socket)).event, 'connect');
    assert.equal(socket.remotePort, servers.echo.port);
    await lo.closeSocket(socket);
    assert.throws(() => api.createConnection({ host: '127.0.0.1', port: 'echo' }), { code: 'ERR_SOCKET_BAD_PORT' });
    // WSAConnectByNameW resolves the service: 'echo' is port 7 (refused here), an unknown one is WSATYPE_NOT_FOUND.
    const echo = await expectError(api.createConnection({ host: '127.0.0.1', port: 'echo', winsock: { function: 'connectByName' } }));
    assert.equal(echo.cause.syscall, 'WSAConnectByName');
    assert.notEqual(echo.cause.code, 'WSATYPE_NOT_FOUND', `the service was resolved: ${echo.cause.message}`);
    const unknown = await expectError(api.createConnection({ host: '127.0.0.1', port: 'no-such-service-x', winsock: { function: 'connectByName' } }));
    assert.equal(unknown.cause.code, 'WSATYPE_NOT_FOUND');
  });

  it('picks the function: wsaConnect by default, connectByName on request, the race for winsock.addresses', async () => {
    const port = servers.echo.port;
    const plain = api.createConnection({ host: 'localhost', port, family: 4 });
    const byName = api.createConnection({ host: 'localhost', port, family: 4, winsock: { function: 'connectByName' } });
    const local = api.createConnection({ host: '127.0.0.1', port, localAddress: '127.0.0.1' });
    const list = api.createConnection({ winsock: { addresses: [{ address: '127.0.0.1', port }], strategy: 'race' } });
    await Promise.all([plain, byName, local, list].map((s) => once(s, 'connect')));
    assert.equal(plain.winsockConnection.syscall, 'WSAConnect');
    assert.equal(byName.winsockConnection.syscall, 'WSAConnectByName');
    assert.equal(local.winsockConnection.syscall, 'WSAConnect');
    assert.equal(local.localAddress, '127.0.0.1');
    assert.equal(list.winsockConnection.syscall, 'WSAConnect');
    for (const s of [plain, byName, local, list]) assert.equal(await lo.echoRoundTrip(s, 'x'), 'x');
    await Promise.all([plain, byName, local, list].map(lo.closeSocket));
  });

  it("the 'lookup' event carries the address used; a name that does not resolve is getaddrinfo ENOTFOUND", async () => {
    const socket = api.createConnection({ host: 'localhost', port: servers.echo.port, family: 4 });
    const [error, address, family, host] = await once(socket, 'lookup');
    assert.deepEqual([error, address, family, host], [null, '127.0.0.1', 4, 'localhost']);
    await once(socket, 'connect');
    assert.equal(socket.remoteAddress, address);
    await lo.closeSocket(socket);
    const unknown = api.createConnection({ host: 'no-such-host.invalid', port: 80 });
    const lookups = [];
    unknown.on('lookup', (e, a) => lookups.push([e?.code, a]));
    const failed = await expectError(unknown);
    assert.equal(failed.code, 'ENOTFOUND');
    assert.equal(failed.syscall, 'getaddrinfo');
    assert.equal(failed.message, 'getaddrinfo ENOTFOUND no-such-host.invalid');
    assert.deepEqual(lookups, [['ENOTFOUND', undefined]]);
  });

  it('a custom lookup decides the address (and is called with the name)', async () => {
    const asked = [];
    const lookup = (hostname, options, callback) => {
      asked.push(hostname);
      callback(null, '127.0.0.1', 4);
    };
    const socket = api.createConnection({ host: 'db.example.test', port: servers.echo.port, lookup, autoSelectFamily: false });
    await once(socket, 'connect');
    assert.deepEqual(asked, ['db.example.test']);
    assert.equal(socket.remoteAddress, '127.0.0.1');
    assert.equal(await lo.echoRoundTrip(socket, 'lookup'), 'lookup');
    await lo.closeSocket(socket);
  });

  it('autoSelectFamily races the looked-up addresses with WSAConnect attempts (Happy Eyeballs)', async () => {
    // 127.0.0.2 has no listener (refused); 127.0.0.1 is the echo server.
    const lookup = (hostname, options, callback) => setImmediate(callback, null, [{ address: '127.0.0.2', family: 4 }, { address: '127.0.0.1', family: 4 }]);
    const socket = api.createConnection({ host: 'race.test', port: servers.echo.port, lookup, autoSelectFamily: true });
    const lookups = [];
    socket.on('lookup', (e, address) => lookups.push(address));
    await once(socket, 'connect');
    assert.deepEqual(lookups, ['127.0.0.2', '127.0.0.1'], "'lookup' once per address, as Node emits it");
    assert.equal(socket.winsockConnection.syscall, 'WSAConnect');
    assert.deepEqual(socket.winsockConnection.attempts.map((a) => [a.address, a.outcome]), [['127.0.0.2', 'failed'], ['127.0.0.1', 'connected']]);
    assert.deepEqual(socket.autoSelectFamilyAttemptedAddresses, [`127.0.0.2:${servers.echo.port}`, `127.0.0.1:${servers.echo.port}`]);
    assert.equal(socket.remoteAddress, '127.0.0.1');
    await lo.closeSocket(socket);

    const refused = await lo.refusedPort();
    const both = (hostname, options, callback) => callback(null, [{ address: '127.0.0.2', family: 4 }, { address: '127.0.0.1', family: 4 }]);
    const error = await expectError(api.createConnection({ host: 'race.test', port: refused, lookup: both, autoSelectFamily: true }));
    assert.ok(error instanceof AggregateError, String(error));
    assert.equal(error.code, 'ECONNREFUSED');
    assert.deepEqual(error.errors.map((e) => e.message), [`connect ECONNREFUSED 127.0.0.2:${refused}`, `connect ECONNREFUSED 127.0.0.1:${refused}`]);
    assert.equal(error.cause.syscall, 'WSAConnect');
  });

  it('blockList: a blocked address fails with ERR_IP_BLOCKED and nothing reaches the server', async () => {
    const blockList = new net.BlockList();
    blockList.addAddress('127.0.0.1');
    const before = servers.echo.accepted.length;
    const lookup = (hostname, options, callback) => (options.all
      ? callback(null, [{ address: '127.0.0.1', family: 4 }])
      : callback(null, '127.0.0.1', 4));
    const cases = [
      { host: '127.0.0.1' },
      { host: 'blocked.test', lookup, autoSelectFamily: false },
      { host: 'blocked.test', lookup, autoSelectFamily: true },
      { winsock: { addresses: [{ address: '127.0.0.2', port: servers.echo.port }, { address: '127.0.0.1', port: servers.echo.port }] } },
    ];
    for (const options of cases) {
      const error = await expectError(api.createConnection({ port: servers.echo.port, blockList, ...options }));
      assert.equal(error.code, 'ERR_IP_BLOCKED', util.inspect(options));
      assert.match(error.message, /IP\(127\.0\.0\.1\) is blocked by net\.BlockList/);
    }
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(servers.echo.accepted.length, before, 'no connection reached the server');
  });

  it("a refused connect is Node's error (code, errno, syscall, address, port, message), the WinsockError its cause", async () => {
    const port = await lo.refusedPort();
    const cases = [
      [{}, 'WSAConnect'],
      [{ function: 'connectByName' }, 'WSAConnectByName'],
      [{ function: 'connectByList', strategy: 'race' }, 'WSAConnect'],
    ];
    for (const [winsock, syscall] of cases) {
      const error = await expectError(api.createConnection({ host: '127.0.0.1', port, winsock }));
      assert.equal(error.code, 'ECONNREFUSED', syscall);
      assert.equal(error.errno, libuvErrno('ECONNREFUSED'));
      assert.equal(error.syscall, 'connect');
      assert.equal(error.address, '127.0.0.1');
      assert.equal(error.port, port);
      assert.equal(error.message, `connect ECONNREFUSED 127.0.0.1:${port}`);
      assert.ok(error.cause instanceof api.WinsockError, String(error.cause));
      assert.equal(error.cause.code, 'WSAECONNREFUSED');
      assert.equal(error.cause.syscall, syscall);
    }
  });

  it('a bound connect that fails names the local endpoint, as Node does; a bind that fails is syscall bind', async () => {
    const port = await lo.refusedPort();
    const localPort = await lo.refusedPort();
    const refused = await expectError(api.createConnection({ host: '127.0.0.1', port, localAddress: '127.0.0.1', localPort }));
    assert.equal(refused.message, `connect ECONNREFUSED 127.0.0.1:${port} - Local (127.0.0.1:${localPort})`);
    assert.equal(refused.localAddress, '127.0.0.1');
    assert.equal(refused.localPort, localPort);
    // The echo server's listening address is taken: the bind inside WSAConnect fails.
    const taken = await expectError(api.createConnection({ host: '127.0.0.1', port, localAddress: '127.0.0.1', localPort: servers.echo.port }));
    assert.equal(taken.code, 'EADDRINUSE');
    assert.equal(taken.syscall, 'bind');
    assert.equal(taken.message, `bind EADDRINUSE 127.0.0.1:${servers.echo.port}`);
    assert.equal(taken.cause.code, 'WSAEADDRINUSE');
  });

  it('an unspecified destination (0.0.0.0, ::) is dialled as loopback, as libuv does for net.connect on Windows', async () => {
    const socket = api.createConnection({ host: '0.0.0.0', port: servers.echo.port });
    assert.equal((await firstOutcome(socket)).event, 'connect');
    assert.equal(socket.remoteAddress, '127.0.0.1');
    await lo.closeSocket(socket);
    const port = await lo.refusedPort();
    const error = await expectError(api.createConnection({ host: '0.0.0.0', port }));
    assert.equal(error.message, `connect ECONNREFUSED 0.0.0.0:${port}`, 'the error names the address as given');
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

  it('winsock.timeout is the connect deadline (ETIMEDOUT, cause WSAETIMEDOUT); timeout is net\'s idle timeout', async () => {
    const late = await expectError(api.createConnection({ host: '127.0.0.1', port: servers.stalled.port, winsock: { timeout: 300 } }));
    assert.equal(late.code, 'ETIMEDOUT');
    assert.equal(late.message, `connect ETIMEDOUT 127.0.0.1:${servers.stalled.port}`);
    assert.equal(late.cause.code, 'WSAETIMEDOUT');
    const idle = api.createConnection({ host: '127.0.0.1', port: servers.echo.port, timeout: 200 });
    await once(idle, 'connect');
    await once(idle, 'timeout');
    assert.equal(idle.destroyed, false, 'an idle timeout closes nothing');
    await lo.closeSocket(idle);
  });

  it('signal aborts like net.connect; an already-aborted signal gives the AbortError net.connect gives', async () => {
    const controller = new AbortController();
    const socket = api.createConnection({ host: '127.0.0.1', port: servers.stalled.port, signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    assert.equal((await expectError(socket)).name, 'AbortError');
    // net.Socket's constructor destroys a socket whose signal is already aborted,
    // before WinsockSocket's own fields exist (it used to throw a TypeError there).
    const aborted = api.createConnection({ host: '127.0.0.1', port: servers.echo.port, signal: AbortSignal.abort() });
    const [error] = await once(aborted, 'error');
    assert.equal(error.name, 'AbortError');
    aborted.destroy();
    await lo.expectNoLeaks(leaks.baseline());
  });

  it('noDelay and keepAlive, as options or set before the connect, reach the SOCKET', async () => {
    const byOptions = api.createConnection({ host: '127.0.0.1', port: servers.echo.port, noDelay: true, keepAlive: true, keepAliveInitialDelay: 1000 });
    const bySetters = api.createConnection({ host: '127.0.0.1', port: servers.echo.port });
    bySetters.setNoDelay(true);
    bySetters.setKeepAlive(true, 500);
    const plain = api.createConnection({ host: '127.0.0.1', port: servers.echo.port, noDelay: false });
    await Promise.all([byOptions, bySetters, plain].map((s) => once(s, 'connect')));
    assert.deepEqual(testing.socketOptions(byOptions), { noDelay: true, keepAlive: true });
    assert.deepEqual(testing.socketOptions(bySetters), { noDelay: true, keepAlive: true });
    assert.deepEqual(testing.socketOptions(plain), { noDelay: false, keepAlive: false });
    bySetters.setNoDelay(false);
    bySetters.setKeepAlive(false);
    assert.deepEqual(testing.socketOptions(bySetters), { noDelay: false, keepAlive: false }, 'after the connect they apply at once');
    await Promise.all([byOptions, bySetters, plain].map(lo.closeSocket));
  });

  it('new WinsockSocket() then connect(port, host): what pg does; winsock defaults from the constructor', async () => {
    const bare = new api.WinsockSocket({ winsock: { function: 'connectByName' } });
    assert.ok(bare instanceof net.Socket);
    bare.connect(servers.echo.port, '127.0.0.1');
    await once(bare, 'connect');
    assert.equal(bare.winsockConnection.syscall, 'WSAConnectByName');
    assert.equal(await lo.echoRoundTrip(bare, 'pg'), 'pg');
    await lo.closeSocket(bare);
  });
});
