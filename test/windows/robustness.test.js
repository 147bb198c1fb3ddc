'use strict';
// Robustness at scale (issue #5 §2): thousands of failing and abandoned connects,
// abort storms, data integrity through adopted sockets, worker threads. CI runs
// small sizes; `npm run fuzz` (WINSOCK_CONNECT_FULL=1) runs the full sizes.
// Only loopback servers this file starts.
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const dgram = require('node:dgram');
const path = require('node:path');
const tls = require('node:tls');
const { Worker } = require('node:worker_threads');
const api = require('../../dist/index.js');
const lo = require('../support/loopback');
const robust = require('../support/robust');
const { DIVERGENCES } = require('../support/wine');

const SIZES = {
  refused: robust.size(500, 10_000),
  abandoned: robust.size(500, 10_000),
  storm: robust.size(300, 1000),
  integrityBytes: 64 * 1024 * 1024, // 64 MiB in CI too: under Wine it takes about 1 s per path
  workerRounds: robust.size(25, 250),
};
const DIST = path.join(__dirname, '..', '..', 'dist', 'index.js');
const WORKER = path.join(__dirname, '..', 'support', 'robust-worker.js');

/**
 * Every TCP connect function, as (address, port, extra options) => Promise<Connection>.
 * WSAConnectByList itself only where ws2_32 has it (not under Wine).
 */
function tcpConnectors() {
  const connectors = {
    connectByName: (address, port, extra) => api.connectByName({ host: address, port, family: 'ipv4', ...extra }),
    'connectByList race': (address, port, extra) => api.connectByList({ addresses: [{ address, port }], strategy: 'race', ...extra }),
    wsaConnect: (address, port, extra) => api.wsaConnect({ address, port, ...extra }),
  };
  if (api.platformInfo().connectByList) {
    connectors['connectByList system'] = (address, port, extra) => api.connectByList({ addresses: [{ address, port }], strategy: 'system', ...extra });
  } else {
    console.log(`      (connectByList 'system' not exercised: ${DIVERGENCES.connectByList})`);
  }
  return connectors;
}

/** Writes `data` in 1 MiB chunks (honouring backpressure) and hashes what comes back. */
function echoDigest(socket, data) {
  return new Promise((resolve, reject) => {
    const hash = crypto.createHash('sha256');
    let received = 0;
    socket.on('data', (chunk) => {
      hash.update(chunk);
      received += chunk.length;
      if (received >= data.length) resolve({ digest: hash.digest('hex'), received });
    });
    socket.once('error', reject);
    const CHUNK = 1 << 20;
    let offset = 0;
    const writeMore = () => {
      while (offset < data.length) {
        const chunk = data.subarray(offset, offset + CHUNK);
        offset += chunk.length;
        if (!socket.write(chunk)) return socket.once('drain', writeMore);
      }
      return undefined;
    };
    writeMore();
  });
}

function mib(bytes) {
  return `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
}

describe(`robustness (${robust.FULL ? 'full' : 'CI'} sizes)`, function () {
  const leaks = lo.checkNoLeaksAfterEach();
  robust.printRuntimes();

  describe('regressions found by fuzzing', () => {
    const servers = lo.withEchoAndStalledServers();

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
      const accepted = servers.echo.accepted.length;
      for (const call of everyFunction(servers.echo.port, throwingAdd())) {
        await assert.rejects(call, { message: 'add failed' });
      }
      await lo.expectNoLeaks(leaks.baseline());
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(servers.echo.accepted.length, accepted, 'no connect was started');
    });

    it('a signal whose removeEventListener throws: connects resolve, deadlines reject with WSAETIMEDOUT (its throw inside the completion lost the result: the promise never settled)', async () => {
      for (const call of everyFunction(servers.echo.port, throwingRemove())) {
        const c = await call;
        await lo.closeSocket(c.socket);
      }
      for (const call of everyFunction(servers.stalled.port, throwingRemove(), 150)) {
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

    it('12 workers terminated while their connects complete (4 at a time): the process lives on, nothing leaks (a Node-API failure in the terminating worker was rethrown out of the completion callback: std::terminate)', async function () {
      this.timeout(120_000);
      const baseline = lo.stats().openSockets;
      const terminateMidway = async (id) => {
        const victim = new Worker(WORKER, { workerData: { dist: DIST, id, role: 'victim', echoPort: servers.echo.port, stalledPort: servers.stalled.port } });
        await new Promise((resolve, reject) => {
          victim.on('message', (m) => (m.midway ? resolve() : m.error && reject(new Error(m.error))));
          victim.once('error', reject);
        });
        await victim.terminate();
      };
      for (let batch = 0; batch < 3; batch++) await Promise.all([0, 1, 2, 3].map((i) => terminateMidway(batch * 4 + i)));
      const c = await api.wsaConnect({ address: '127.0.0.1', port: servers.echo.port });
      await lo.closeSocket(c.socket);
      await lo.expectNoLeaks(baseline);
    });

    it('connects abandoned before their blocking call has any I/O pending still end (CancelIoEx found nothing to cancel yet; the connect then hung on, holding a pool thread)', async function () {
      this.timeout(120_000);
      const baseline = lo.stats().openSockets; // the stalled listener included
      // A 1 ms deadline or an abort on the next tick: they land while WSAConnectByName
      // (or WSAConnectByList) is still resolving or setting up, before its connect is pending.
      // One at a time, so that each starts at once on an idle pool thread.
      const byName = (extra) => api.connectByName({ host: 'localhost', port: String(servers.stalled.port), family: 'ipv4', ...extra });
      const settled = [];
      for (let i = 0; i < 400; i++) {
        const controller = new AbortController();
        if (i % 2) setImmediate(() => controller.abort());
        settled.push(...await Promise.allSettled([byName(i % 2 ? { signal: controller.signal } : { timeout: 1 })]));
      }
      assert.deepEqual(robust.tally(settled), { WSAETIMEDOUT: 200, ABORT_ERR: 200 });
      await lo.expectNoLeaks(baseline); // abandonedRunning back to 0 within 10 s
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
  describe('failing and abandoned connects at volume', function () {
    this.timeout(robust.size(120_000, 900_000));
    const handles = robust.handleCountCheck();

    it(`${SIZES.refused} refused connects across every function: all WSAECONNREFUSED, no SOCKET or native job left`, async () => {
      const port = await lo.refusedPort();
      const connectors = Object.values(tcpConnectors());
      const jobsBefore = lo.stats().jobsAlive;
      handles.start();
      const startedAt = Date.now();
      // A deadline far above a refusal's few ms: a lost completion fails by name instead of hanging.
      const settled = await robust.runBounded(SIZES.refused, 64, (i) => connectors[i % connectors.length]('127.0.0.1', port, { timeout: 30_000 }));
      const seconds = (Date.now() - startedAt) / 1000;
      assert.deepEqual(robust.tally(settled), { WSAECONNREFUSED: SIZES.refused });
      const after = await lo.expectNoLeaks(leaks.baseline(), undefined, { jobs: jobsBefore });
      console.log(`      (${SIZES.refused} refused in ${seconds.toFixed(1)} s, ${Math.round(SIZES.refused / seconds)}/s; open SOCKETs ${after.openSockets}, abandoned ${after.abandonedRunning}, pool threads ${after.poolThreads})`);
      handles.check(64, `${SIZES.refused} refused connects`);
    });

    it(`${SIZES.abandoned} connects to a full accept queue, each timed out or aborted: no SOCKET or native job left, no abandoned call still running`, async () => {
      const stalled = await lo.stalledServer();
      const random = robust.seededRandom('timeouts and aborts');
      try {
        const connectors = Object.values(tcpConnectors());
        const baseline = lo.stats().openSockets; // the stalled listener included
        const jobsBefore = lo.stats().jobsAlive;
        handles.start();
        const startedAt = Date.now();
        const settled = await robust.runBounded(SIZES.abandoned, 100, (i) => {
          const connect = connectors[i % connectors.length];
          if (i % 2 === 0) return connect('127.0.0.1', stalled.port, { timeout: random.int(1, 60) });
          const controller = new AbortController();
          setTimeout(() => controller.abort(), random.int(0, 60));
          return connect('127.0.0.1', stalled.port, { signal: controller.signal });
        });
        const seconds = (Date.now() - startedAt) / 1000;
        const counts = robust.tally(settled);
        assert.deepEqual(Object.keys(counts).sort(), ['ABORT_ERR', 'WSAETIMEDOUT'], JSON.stringify(counts));
        assert.equal(counts.ABORT_ERR, SIZES.abandoned / 2);
        assert.equal(counts.WSAETIMEDOUT, SIZES.abandoned / 2);
        const before = lo.stats();
        // jobs: a job a cancel or a late OS return left behind
        const after = await lo.expectNoLeaks(baseline, undefined, { jobs: jobsBefore });
        console.log(`      (${SIZES.abandoned} abandoned in ${seconds.toFixed(1)} s; right after: ${before.openSockets - baseline} SOCKETs open, ${before.abandonedRunning} abandoned calls running; then ${after.openSockets - baseline} and ${after.abandonedRunning})`);
        handles.check(64, `${SIZES.abandoned} abandoned connects`);
      } finally {
        stalled.close();
      }
    });
  });

  describe('abort storm', function () {
    this.timeout(robust.size(120_000, 600_000));
    let echo;
    let stalled;
    let udp;
    before(async () => {
      echo = await lo.echoServer();
      stalled = await lo.stalledServer();
      udp = dgram.createSocket('udp4');
      await new Promise((resolve) => udp.bind(0, '127.0.0.1', resolve));
    });
    after(async () => {
      stalled.close();
      udp.close();
      await echo.close();
    });

    it(`${SIZES.storm} concurrent connects, echo and stalled listeners, every function, random aborts and deadlines: each settles once, successes work and are closed, the loop keeps ticking`, async () => {
      const random = robust.seededRandom('abort storm');
      const tcp = Object.entries(tcpConnectors());
      const baseline = lo.stats().openSockets;
      const handles = robust.handleCountCheck();
      handles.start();
      const settlements = new Array(SIZES.storm).fill(0);
      const outcomes = {};
      const record = (i, key) => {
        settlements[i]++;
        outcomes[key] = (outcomes[key] || 0) + 1;
      };
      const ticks = lo.tickMonitor();
      const startedAt = Date.now();
      const calls = Array.from({ length: SIZES.storm }, (_, i) => {
        const useUdp = random.next() < 0.15;
        const toStalled = !useUdp && random.next() < 0.4;
        // A connect to the stalled listener needs an end: an abort, a deadline or an aborted signal.
        const limit = random.pick(toStalled ? ['abortLater', 'timeout', 'preAborted'] : ['none', 'abortLater', 'timeout', 'preAborted']);
        const extra = {};
        if (limit === 'timeout') extra.timeout = random.int(1, 400);
        if (limit === 'preAborted') extra.signal = AbortSignal.abort();
        if (limit === 'abortLater') {
          const controller = new AbortController();
          setTimeout(() => controller.abort(), random.int(0, 400));
          extra.signal = controller.signal;
        }
        const [name, connect] = useUdp ? ['wsaConnect udp', null] : random.pick(tcp);
        const started = useUdp
          ? api.wsaConnect({ address: '127.0.0.1', port: udp.address().port, protocol: 'udp', ...extra })
          : connect('127.0.0.1', toStalled ? stalled.port : echo.port, extra);
        return started.then(
          async (value) => {
            record(i, 'fulfilled');
            assert.ok(!toStalled, `${name} to the stalled listener resolved`);
            if (value instanceof api.DatagramConnection) return value.close();
            const echoed = await lo.echoRoundTrip(value.socket, `storm ${i}`);
            assert.equal(echoed, `storm ${i}`);
            return lo.closeSocket(value.socket);
          },
          (error) => {
            record(i, error.code);
            assert.ok(['ABORT_ERR', 'WSAETIMEDOUT'].includes(error.code), `${name}: unexpected ${error.stack}`);
          },
        );
      });
      await Promise.all(calls);
      const seconds = (Date.now() - startedAt) / 1000;
      await robust.delay(200); // a second settlement would show up here
      const { maxGap, ticks: count } = ticks.stop();
      assert.ok(settlements.every((n) => n === 1), `settlement counts: ${JSON.stringify(settlements.filter((n) => n !== 1))}`);
      const after = await lo.expectNoLeaks(baseline);
      console.log(`      (${SIZES.storm} in ${seconds.toFixed(1)} s: ${JSON.stringify(outcomes)}; event loop max gap ${maxGap} ms over ${count} ticks; pool threads ${after.poolThreads})`);
      assert.ok(outcomes.fulfilled > 0 && outcomes.ABORT_ERR > 0, 'the storm had successes and aborts');
      // Only a bound that catches a blocked loop; speed goals belong in bench/.
      assert.ok(maxGap < 2000, `event loop blocked for ${maxGap} ms`);
      handles.check(64, `a storm of ${SIZES.storm}`);
    });
  });

  describe(`data integrity: ${mib(SIZES.integrityBytes)} of random bytes echoed through adopted sockets`, function () {
    this.timeout(robust.size(120_000, 600_000));
    let data;
    let expected;
    let echo;
    let tlsEcho;
    before(async () => {
      data = crypto.randomBytes(SIZES.integrityBytes);
      expected = crypto.createHash('sha256').update(data).digest('hex');
      echo = await lo.echoServer();
      tlsEcho = await lo.tlsEchoServer();
    });
    after(async () => {
      await echo.close();
      await tlsEcho.close();
    });

    const plain = {
      connectByName: (port) => api.connectByName({ host: '127.0.0.1', port, family: 'ipv4' }),
      wsaConnect: (port) => api.wsaConnect({ address: '127.0.0.1', port }),
      'connectByList race': (port) => api.connectByList({ addresses: [{ address: '127.0.0.1', port }], strategy: 'race' }),
    };
    for (const [name, connect] of Object.entries(plain)) {
      it(`${name}: SHA-256 of the echo equals the SHA-256 sent`, async () => {
        const c = await connect(echo.port);
        const startedAt = Date.now();
        const { digest, received } = await echoDigest(c.socket, data);
        const seconds = (Date.now() - startedAt) / 1000;
        await lo.closeSocket(c.socket);
        assert.equal(received, data.length);
        assert.equal(digest, expected);
        console.log(`      (${mib(received)} echoed in ${seconds.toFixed(1)} s, ${(received / 1024 / 1024 / seconds).toFixed(0)} MiB/s)`);
      });
    }

    it('tls.connect over an adopted socket (wsaConnect): SHA-256 of the echo equals the SHA-256 sent', async () => {
      const c = await api.wsaConnect({ address: '127.0.0.1', port: tlsEcho.port });
      const secure = tls.connect({ socket: c.socket, servername: 'localhost', ca: lo.tlsCa() });
      await new Promise((resolve, reject) => { secure.once('secureConnect', resolve); secure.once('error', reject); });
      assert.equal(secure.authorized, true);
      const startedAt = Date.now();
      const { digest, received } = await echoDigest(secure, data);
      const seconds = (Date.now() - startedAt) / 1000;
      await lo.closeSocket(secure);
      await lo.closeSocket(c.socket);
      assert.equal(received, data.length);
      assert.equal(digest, expected);
      console.log(`      (${mib(received)} through TLS in ${seconds.toFixed(1)} s, ${(received / 1024 / 1024 / seconds).toFixed(0)} MiB/s)`);
    });
  });

  describe('worker threads', function () {
    this.timeout(robust.size(120_000, 600_000));

    it(`4 workers connect at once (3 make ${SIZES.workerRounds} echo connects each; the 4th is terminated mid-connect with connects pending on a stalled listener): no crash, the others finish, the main thread still connects, nothing leaks`, async () => {
      const echo = await lo.echoServer();
      const stalled = await lo.stalledServer();
      const baseline = lo.stats().openSockets; // the stalled listener included
      const handles = robust.handleCountCheck();
      handles.start();
      const start = (id, role) => new Worker(WORKER, { workerData: { dist: DIST, id, role, echoPort: echo.port, stalledPort: stalled.port, rounds: SIZES.workerRounds } });
      const messageFrom = (worker, key) => new Promise((resolve, reject) => {
        worker.on('message', (m) => {
          if (m.error) reject(new Error(`worker: ${m.error}`));
          else if (m[key]) resolve(m);
        });
        worker.once('error', reject);
        worker.once('exit', (code) => reject(new Error(`worker exited (${code}) before '${key}'`)));
      });
      try {
        const steady = [1, 2, 3].map((id) => start(id, 'steady'));
        const victim = start(0, 'victim');
        const finished = steady.map((w) => messageFrom(w, 'done'));
        await messageFrom(victim, 'midway');
        const exitCode = await victim.terminate();
        const results = await Promise.all(finished);
        assert.deepEqual(results.map((r) => r.rounds), [SIZES.workerRounds, SIZES.workerRounds, SIZES.workerRounds]);
        await Promise.all(steady.map((w) => w.terminate()));
        const c = await api.wsaConnect({ address: '127.0.0.1', port: echo.port });
        assert.equal(await lo.echoRoundTrip(c.socket, 'main thread'), 'main thread');
        await lo.closeSocket(c.socket);
        // The victim's abandoned connects end (CancelIoEx, cancel events) and close their SOCKETs.
        const after = await lo.expectNoLeaks(baseline);
        console.log(`      (victim exit code ${exitCode}; ${3 * SIZES.workerRounds} + at least 5 echo connects from workers; then ${after.openSockets - baseline} SOCKETs open, ${after.abandonedRunning} abandoned calls running)`);
        handles.check(64, 'four workers');
      } finally {
        stalled.close();
        await echo.close();
      }
    });
  });
});
