'use strict';
// Loopback targets that behave badly on purpose, shared by the tests, the demo and
// the bench: a listener whose accept queue is full (connects hang) and a port
// nobody listens on (connects are refused). Nothing here touches any other
// address. Not part of the package: it lives with the test support.
const net = require('node:net');
const { loadBinding } = require('../../dist/native.js');

/**
 * The addon's listener never accepts (backlog 0, and SO_CONDITIONAL_ACCEPT).
 * - Windows: with SO_CONDITIONAL_ACCEPT the handshake of every connect waits for
 *   an accept decision that never comes, so connects hang from the first. Filler
 *   connects would only fill the backlog, beyond which Windows may answer a SYN
 *   with a reset (a refusal, not a hang): none are made.
 * - Wine ignores SO_CONDITIONAL_ACCEPT and Linux's rule applies: once the accept
 *   queue is full, SYNs are dropped and connects hang. Two connects of our own
 *   fill it first.
 * `port`: 0 (the default) lets the system pick one. Resolves to { host, port,
 * close() }; close() may be called more than once.
 */
async function stalledServer(host = '127.0.0.1', { port = 0 } = {}) {
  const binding = loadBinding();
  const listener = binding.testing.stalledListener(host, port);
  const fillerCount = binding.platform().wine !== null ? 2 : 0;
  const fillers = Array.from({ length: fillerCount }, () => net.connect(listener.port, host).on('error', () => {}));
  if (fillerCount) await new Promise((resolve) => setTimeout(resolve, 150));
  let closed = false;
  return {
    host,
    port: listener.port,
    close: () => {
      if (closed) return;
      closed = true;
      for (const c of fillers) c.destroy();
      listener.socket.close();
    },
  };
}

/**
 * Lowest and highest port portOutsideEphemeral() picks: below Linux's ephemeral
 * range (32768–60999) and Windows' (49152–65535). A connect to a port nobody
 * listens on inside the ephemeral range can get that very port for its own end,
 * and then it meets itself (TCP simultaneous open) and succeeds instead of being
 * refused.
 */
const OUTSIDE_EPHEMERAL = { first: 20000, last: 32767 };

/**
 * A loopback port outside every ephemeral range that nothing listens on at any of
 * `hosts`: a fixture listening there on one family is refused on the other, never
 * met by a connect's own end.
 */
async function portOutsideEphemeral(hosts = ['127.0.0.1']) {
  const span = OUTSIDE_EPHEMERAL.last - OUTSIDE_EPHEMERAL.first + 1;
  const start = Math.floor(Math.random() * span);
  for (let i = 0; i < 64; i++) {
    const port = OUTSIDE_EPHEMERAL.first + ((start + i * 7919) % span);
    if (await everyFree(hosts, port)) return port;
  }
  throw new Error(`no free loopback port in ${OUTSIDE_EPHEMERAL.first}-${OUTSIDE_EPHEMERAL.last}`);
}

/** A loopback port nobody listens on, outside every ephemeral range: connects are refused. */
function refusedPort(host = '127.0.0.1') {
  return portOutsideEphemeral([host]);
}

async function everyFree(hosts, port) {
  for (const host of hosts) {
    if (!(await isFree(host, port))) return false;
  }
  return true;
}

/** Binds and releases host:port; true when nothing else had it. */
function isFree(host, port) {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

module.exports = { stalledServer, refusedPort, portOutsideEphemeral };
