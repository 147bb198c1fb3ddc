'use strict';
// Robustness at scale (issue #5 §2): thousands of failing and abandoned connects,
// abort storms, data integrity through adopted sockets, worker threads. CI runs
// small sizes; `npm run fuzz` (WINSOCK_CONNECT_FULL=1) runs the full sizes.
// Only loopback servers this file starts.
const assert = require('node:assert/strict');
const dgram = require('node:dgram');
const api = require('../../dist/index.js');
const lo = require('../support/loopback');
const robust = require('../support/robust');

describe(`robustness (${robust.FULL ? 'full' : 'CI'} sizes)`, function () {
  const leaks = lo.checkNoLeaksAfterEach();
  robust.printRuntimes();

  describe('regressions found by fuzzing', () => {
    let server;
    let stalled;
    before(async () => {
      server = await lo.echoServer();
      stalled = await lo.stalledServer();
    });
    after(async () => {
      stalled.close();
      await server.close();
    });

    // Signal-like objects are accepted as Node's own APIs accept them ('aborted' in
    // it, an addEventListener method), so their methods are caller code that may throw.
    const throwingAdd = () => ({ aborted: false, addEventListener() { throw new Error('add failed'); }, removeEventListener() {} });
    const throwingRemove = () => ({ aborted: false, addEventListener() {}, removeEventListener() { throw new Error('remove failed'); } });
    const everyFunction = (port, signal, timeout) => [
      api.connectByName({ host: '127.0.0.1', port, family: 'ipv4', signal, timeout }),
      api.connectByList({ addresses: [{ address: '127.0.0.1', port }], strategy: 'race', signal, timeout }),
      api.wsaConnect({ address: '127.0.0.1', port, signal, timeout }),
    ];

    it("a signal whose addEventListener throws rejects with that error and starts nothing (the connect's socket leaked)", async () => {
      const accepted = server.accepted.length;
      for (const call of everyFunction(server.port, throwingAdd())) {
        await assert.rejects(call, { message: 'add failed' });
      }
      await lo.expectNoLeaks(leaks.baseline());
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(server.accepted.length, accepted, 'no connect was started');
    });

    it('a signal whose removeEventListener throws: connects resolve, deadlines reject with WSAETIMEDOUT (its throw inside the completion lost the result: the promise never settled)', async () => {
      for (const call of everyFunction(server.port, throwingRemove())) {
        const c = await call;
        await lo.closeSocket(c.socket);
      }
      for (const call of everyFunction(stalled.port, throwingRemove(), 150)) {
        await assert.rejects(call, { code: 'WSAETIMEDOUT' });
      }
    });

    it("wsaConnect never touches a SOCKET after closing it: 6,000 refused wsaConnect and connectByName interleaved are all WSAECONNREFUSED (a late WSAEventSelect on a reused handle made another job's socket non-blocking: WSAEWOULDBLOCK)", async function () {
      this.timeout(120_000);
      const port = await lo.refusedPort();
      const settled = await robust.runBounded(6000, 64, (i) => (i % 2
        ? api.wsaConnect({ address: '127.0.0.1', port, timeout: 30_000 })
        : api.connectByName({ host: '127.0.0.1', port, family: 'ipv4', timeout: 30_000 })));
      assert.deepEqual(robust.tally(settled), { WSAECONNREFUSED: 6000 });
    });

    it('DatagramConnection.send() with a value that is not a string or Uint8Array rejects with ERR_INVALID_ARG_TYPE (it crashed the process in node::Buffer::Length)', async () => {
      const peer = dgram.createSocket('udp4');
      await new Promise((resolve) => peer.bind(0, '127.0.0.1', resolve));
      const udp = await api.wsaConnect({ address: '127.0.0.1', port: peer.address().port, protocol: 'udp' });
      try {
        for (const bad of [123, undefined, null, {}, [Buffer.from('x')], Object.create(Uint8Array.prototype)]) {
          await assert.rejects(udp.send(bad), (err) => err instanceof TypeError && err.code === 'ERR_INVALID_ARG_TYPE');
        }
        await udp.send(new Uint8Array([1, 2, 3])); // still usable
      } finally {
        await udp.close();
        peer.close();
      }
    });

    it('DatagramConnection.send() rejects, never throws, for a value whose inspection throws (a Proxy threw synchronously)', async () => {
      const peer = dgram.createSocket('udp4');
      await new Promise((resolve) => peer.bind(0, '127.0.0.1', resolve));
      const udp = await api.wsaConnect({ address: '127.0.0.1', port: peer.address().port, protocol: 'udp' });
      try {
        const hostile = new Proxy({}, { get() { throw new Error('trap'); } });
        let sent;
        assert.doesNotThrow(() => { sent = udp.send(hostile); });
        await assert.rejects(sent, { message: 'trap' });
      } finally {
        await udp.close();
        peer.close();
      }
    });
  });
});
