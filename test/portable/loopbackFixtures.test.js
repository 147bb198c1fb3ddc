'use strict';
// The fixtures' own promise, checked where the suite runs its plain-Node tests: a
// port the fuzz and the tests name is outside every ephemeral range, so a connect
// of the other family to it is refused and can never meet its own end.
const assert = require('node:assert/strict');
const net = require('node:net');
const { portOutsideEphemeral, refusedPort } = require('../support/loopbackFixtures.js');

const LINUX_EPHEMERAL_FIRST = 32768;   // /proc/sys/net/ipv4/ip_local_port_range's default
const WINDOWS_EPHEMERAL_FIRST = 49152; // netsh int ipv4 show dynamicport tcp's default

function listenOn(host, port) {
  return new Promise((resolve, reject) => {
    const server = net.createServer().once('error', reject);
    server.listen({ host, port, exclusive: true }, () => resolve(server));
  });
}

describe('loopback fixtures', () => {
  it('portOutsideEphemeral picks a port below every ephemeral range, free on each loopback family', async function () {
    let hosts = ['127.0.0.1', '::1'];
    const v6 = await listenOn('::1', 0).then((s) => { s.close(); return true; }, () => false);
    if (!v6) {
      console.log('      (no ::1 on this machine: IPv4 only)');
      hosts = ['127.0.0.1'];
    }
    for (let i = 0; i < 5; i++) {
      const port = await portOutsideEphemeral(hosts);
      assert.ok(port > 0 && port < Math.min(LINUX_EPHEMERAL_FIRST, WINDOWS_EPHEMERAL_FIRST), `port ${port} is inside an ephemeral range`);
      const servers = [];
      for (const host of hosts) servers.push(await listenOn(host, port));
      servers.forEach((s) => s.close());
    }
  });

  it('refusedPort is such a port: a connect to it is refused', async () => {
    const port = await refusedPort('127.0.0.1');
    assert.ok(port < LINUX_EPHEMERAL_FIRST);
    const error = await new Promise((resolve) => net.connect(port, '127.0.0.1').once('connect', function () { this.destroy(); resolve(null); }).once('error', resolve));
    assert.equal(error?.code, 'ECONNREFUSED');
  });
});
