'use strict';
// Robustness at scale (issue #5 §2): thousands of failing and abandoned connects,
// abort storms, data integrity through adopted sockets, worker threads. CI runs
// small sizes; `npm run fuzz` (WINSOCK_CONNECT_FULL=1) runs the full sizes.
// Only loopback servers this file starts.
const assert = require('node:assert/strict');
const dgram = require('node:dgram');
const api = require('../../dist/index.js');
const lo = require('../support/loopback');

describe('robustness', function () {
  const leaks = lo.checkNoLeaksAfterEach();

  describe('regressions found by fuzzing', () => {
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
  });
});
