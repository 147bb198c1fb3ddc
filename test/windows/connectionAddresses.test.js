'use strict';
// A TCP Connection's localAddress/remoteAddress are read from its socket when first
// asked (getsockname/getpeername then, not during every connect: docs/performance.md,
// calls per connect), and net.Socket keeps them once read.
const assert = require('node:assert/strict');
const { connectByList, connectByName, wsaConnect } = require('../../dist/index.js');
const lo = require('../support/loopback');

describe('Connection addresses, read from the socket when asked', function () {
  let server;
  before(async () => { server = await lo.echoServer(); });
  after(async () => { await server.close(); });
  lo.checkNoLeaksAfterEach();

  const functions = {
    wsaConnect: (port) => wsaConnect({ address: '127.0.0.1', port }),
    connectByName: (port) => connectByName({ host: '127.0.0.1', port, family: 'ipv4' }),
    'connectByList race': (port) => connectByList({ strategy: 'race', addresses: [{ address: '127.0.0.1', port }] }),
  };

  for (const [name, connect] of Object.entries(functions)) {
    it(`${name}: asked while open, they are the connection's ends, and stay after the socket is destroyed`, async () => {
      const c = await connect(server.port);
      const local = c.localAddress;
      assert.deepEqual(c.remoteAddress, { address: '127.0.0.1', family: 'IPv4', port: server.port });
      assert.equal(local.address, '127.0.0.1');
      assert.equal(local.port, c.socket.localPort);
      assert.equal(await lo.echoRoundTrip(c.socket, 'ends'), 'ends');
      assert.ok(server.accepted.some((a) => a.remotePort === local.port), 'the server saw this local port');
      await lo.closeSocket(c.socket);
      assert.deepEqual(c.localAddress, local);
      assert.equal(c.remoteAddress.port, server.port);
    });

    it(`${name}: never asked before the socket is destroyed, they are undefined, as net.Socket's own`, async () => {
      const c = await connect(server.port);
      await lo.closeSocket(c.socket);
      assert.equal(c.localAddress, undefined);
      assert.equal(c.remoteAddress, undefined);
      assert.equal(c.socket.remoteAddress, undefined);
    });
  }
});
