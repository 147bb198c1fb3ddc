'use strict';
// Loopback servers the tests start, and the checks that follow every test: no
// leaked SOCKET, no abandoned call still running. Only 127.0.0.1 and ::1.
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const tls = require('node:tls');
const { loadBinding } = require('../../dist/native.js');

const FIXTURES = path.join(__dirname, '..', 'fixtures');

/** An echo server that records every accepted connection. */
async function echoServer(host = '127.0.0.1', port = 0) {
  const accepted = [];
  const sockets = new Set();
  const server = net.createServer((socket) => {
    accepted.push({ remoteAddress: socket.remoteAddress, remotePort: socket.remotePort });
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    socket.pipe(socket);
  });
  await new Promise((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
  return {
    port: server.address().port,
    host,
    accepted,
    close: () => new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

/** A TLS echo server with the committed self-signed localhost certificate. */
async function tlsEchoServer() {
  const server = tls.createServer({
    key: fs.readFileSync(path.join(FIXTURES, 'localhost-key.pem')),
    cert: fs.readFileSync(path.join(FIXTURES, 'localhost-cert.pem')),
  }, (socket) => {
    socket.on('error', () => {});
    socket.pipe(socket);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: server.address().port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

function tlsCa() {
  return fs.readFileSync(path.join(FIXTURES, 'localhost-cert.pem'));
}

// A port nobody listens on (connects are refused) and a listener whose accept
// queue is full (connects hang): test/support/loopbackFixtures.js.
const { refusedPort, stalledServer, portOutsideEphemeral } = require('./loopbackFixtures.js');

/** Writes `text`, reads the echo. */
function echoRoundTrip(socket, text) {
  return new Promise((resolve, reject) => {
    let got = '';
    const onData = (chunk) => {
      got += chunk;
      if (got.length >= text.length) {
        socket.off('data', onData);
        resolve(got);
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.write(text);
  });
}

function closeSocket(socket) {
  return new Promise((resolve) => {
    if (socket.destroyed) return resolve();
    socket.once('close', () => resolve());
    socket.destroy();
  });
}

/** The addon's counters; `countThreads` adds the process's OS thread count (a snapshot: slower). */
function stats(countThreads = false) {
  return loadBinding().stats(countThreads);
}

/**
 * Waits until every socket the addon owns is closed and no abandoned call is still
 * running (a late OS return closes its socket), then asserts the counts. With
 * `jobs`, also that no more native job objects are alive than that baseline (a job
 * is freed once its result was taken, or once the OS let go of an abandoned one):
 * a job kept alive by a reference cycle fails here.
 */
async function expectNoLeaks(baselineOpen = 0, waitMs = 10_000, { jobs = Infinity } = {}) {
  const leaking = (s) => s.openSockets > baselineOpen || s.abandonedRunning > 0 || s.jobsAlive > jobs;
  const deadline = Date.now() + waitMs;
  let s = stats();
  while (leaking(s) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    s = stats();
  }
  if (leaking(s)) {
    throw new Error(`leak: ${s.openSockets} sockets open (baseline ${baselineOpen}), ${s.abandonedRunning} abandoned calls running` +
      (s.jobsAlive > jobs ? `, ${s.jobsAlive} native jobs alive (baseline ${jobs})` : ''));
  }
  return s;
}

/** Measures the largest gap between ticks of a 10 ms interval (event loop never blocked). */
function tickMonitor() {
  let last = Date.now();
  let maxGap = 0;
  let ticks = 0;
  const timer = setInterval(() => {
    const now = Date.now();
    maxGap = Math.max(maxGap, now - last);
    last = now;
    ticks++;
  }, 10);
  return { stop: () => { clearInterval(timer); return { maxGap, ticks }; } };
}

/** How late past its deadline a rejection may come: timer lateness on a busy machine under Wine. */
const DEADLINE_SLACK_MS = 300;

/**
 * Asserts `start()` rejects by its deadline (`ms`) with an error `matches` accepts,
 * while a 10 ms timer keeps ticking (the event loop is never blocked).
 */
async function expectRejectsByDeadline(start, ms, matches) {
  const assert = require('node:assert/strict');
  const ticks = tickMonitor();
  const started = Date.now();
  await assert.rejects(start(), matches);
  const took = Date.now() - started;
  const { maxGap, ticks: count } = ticks.stop();
  assert.ok(took >= ms - 10, `settled after ${took} ms, before the ${ms} ms deadline`);
  // The deadline is a JS timer that rejects at once: a loaded machine may run it late, never seconds late.
  assert.ok(took < ms + DEADLINE_SLACK_MS, `settled after ${took} ms, more than ${DEADLINE_SLACK_MS} ms past the ${ms} ms deadline`);
  assert.ok(count >= Math.floor(ms / 30), `the 10 ms timer ticked only ${count} times`);
  assert.ok(maxGap < 250, `event loop stalled for ${maxGap} ms`);
}

/**
 * Mocha hooks: an echo server and a listener whose accept queue is full, for the
 * enclosing describe. Read `.echo` and `.stalled` inside tests.
 */
function withEchoAndStalledServers() {
  const servers = { echo: undefined, stalled: undefined };
  before(async () => {
    servers.echo = await echoServer();
    servers.stalled = await stalledServer();
  });
  after(async () => {
    servers.stalled?.close();
    await servers.echo?.close();
  });
  return servers;
}

/** Mocha hooks: after every test, no socket of the addon's beyond those open before it. */
function checkNoLeaksAfterEach() {
  let baseline = 0;
  beforeEach(() => { baseline = stats().openSockets; });
  afterEach(async () => { await expectNoLeaks(baseline); });
  return { baseline: () => baseline };
}

module.exports = {
  expectRejectsByDeadline, checkNoLeaksAfterEach, withEchoAndStalledServers,
  echoServer, tlsEchoServer, tlsCa, refusedPort, portOutsideEphemeral, stalledServer, echoRoundTrip, closeSocket, stats, expectNoLeaks,
  tickMonitor,
};
