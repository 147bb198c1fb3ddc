'use strict';
// No connect waits behind another: while hundreds of connects hang on a listener
// whose accept queue is full, a connect to a live server still completes, for
// each function. wsaConnect and the race hold no thread while they wait (one
// thread multiplexes them all); connectByName runs on the blocking pool, which
// grows past the hanging calls. Behaviour tests with generous bounds: the
// figures (live vs idle latency) are the bench's job (bench/sections/headOfLine.js).
const assert = require('node:assert/strict');
const dns = require('node:dns');
const fs = require('node:fs');
const api = require('../../dist/index.js');
const lo = require('../support/loopback');

const HANGING = 300;
// Far above any live loopback connect: a live connect stuck behind the hanging
// ones would take until their 30 s deadline.
const LIVE_BOUND_MS = 10_000;
const HANG_DEADLINE_MS = 30_000;

const FUNCTIONS = {
  wsaConnect: (port, options) => api.wsaConnect({ address: '127.0.0.1', port, ...options }),
  'connectByList race': (port, options) => api.connectByList({ strategy: 'race', addresses: [{ address: '127.0.0.1', port }], ...options }),
  connectByName: (port, options) => api.connectByName({ host: '127.0.0.1', port, family: 'ipv4', ...options }),
};
const MULTIPLEXED = new Set(['wsaConnect', 'connectByList race']);

async function waitFor(condition, what, ms = 20_000) {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(api.diagnostics())}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('head-of-line: no connect waits behind another', function () {
  this.timeout(120_000);
  const servers = lo.withEchoAndStalledServers();
  const leaks = lo.checkNoLeaksAfterEach();

  for (const [name, connect] of Object.entries(FUNCTIONS)) {
    it(`${name}: a live connect completes while ${HANGING} hang; each hanging one settles once, by its abort`, async () => {
      const threadsBefore = lo.stats(true).processThreads;
      const controller = new AbortController();
      const settledTimes = new Array(HANGING).fill(0);
      const hanging = Array.from({ length: HANGING }, (_, i) =>
        connect(servers.stalled.port, { timeout: HANG_DEADLINE_MS, signal: controller.signal }).then(
          (c) => { settledTimes[i]++; c.socket.destroy(); return 'connected'; },
          (e) => { settledTimes[i]++; return e.code; }));
      if (MULTIPLEXED.has(name)) {
        await waitFor(() => api.diagnostics().multiplexedConnects.waiting >= HANGING, `${HANGING} multiplexed connects waiting`);
      } else {
        await waitFor(() => api.diagnostics().blockingCalls.running >= HANGING, `${HANGING} blocking calls running`);
      }
      const during = lo.stats(true);
      const started = Date.now();
      const live = await connect(servers.echo.port, { timeout: LIVE_BOUND_MS });
      const took = Date.now() - started;
      assert.equal(await lo.echoRoundTrip(live.socket, 'live'), 'live');
      await lo.closeSocket(live.socket);
      if (MULTIPLEXED.has(name) && during.processThreads >= 0) {
        // The waiter's two threads for all of them, not one each (the old pool held 128).
        assert.ok(during.processThreads - threadsBefore <= 8,
          `${HANGING} hanging ${name} added ${during.processThreads - threadsBefore} OS threads`);
      }
      controller.abort();
      const outcomes = await Promise.all(hanging);
      assert.deepEqual([...new Set(outcomes)], ['ABORT_ERR'], 'every hanging connect ended by the abort');
      assert.ok(settledTimes.every((n) => n === 1), 'each hanging connect settled exactly once');
      await lo.expectNoLeaks(leaks.baseline());
      await waitFor(() => api.diagnostics().blockingCalls.running === 0 && api.diagnostics().multiplexedConnects.waiting === 0,
        'no call still holding a thread or a wait');
      console.log(`      (live ${name} in ${took} ms with ${HANGING} hanging; process threads ${threadsBefore} before, ${during.processThreads} during)`);
    });
  }

  it("fs and dns (libuv's 4-thread pool) are not delayed: they complete while 16 blocking calls of ours hang", async () => {
    // 16 hanging calls would fill libuv's pool four times over if they ran there; on
    // our own pool fs.readFile and dns.lookup still complete while every one hangs.
    const controller = new AbortController();
    let settled = 0;
    const hanging = Array.from({ length: 16 }, () => FUNCTIONS.connectByName(servers.stalled.port, { timeout: HANG_DEADLINE_MS, signal: controller.signal })
      .then((c) => c.socket.destroy(), () => {}).finally(() => { settled += 1; }));
    await waitFor(() => api.diagnostics().blockingCalls.running >= 16, '16 blocking calls running');
    try {
      const [text, found] = await Promise.all([fs.promises.readFile(__filename, 'utf8'), dns.promises.lookup('localhost', { family: 4 })]);
      assert.match(text, /fs and dns/);
      assert.equal(found.address, '127.0.0.1');
      assert.equal(settled, 0, 'fs and dns completed while every blocking call still hung');
      assert.ok(api.diagnostics().blockingCalls.running >= 16);
    } finally {
      controller.abort();
      await Promise.all(hanging);
    }
  });

  it('a blocking call beyond the pool cap waits for a thread with its deadline running, then the pool serves again', async () => {
    const max = lo.stats().poolMaxThreads;
    const extra = 24;
    // Long enough for the pool to reach its cap: under Wine it starts a thread every ~5 ms at that size.
    const deadlineMs = 15_000;
    const started = Date.now();
    const calls = Array.from({ length: max + extra }, () =>
      FUNCTIONS.connectByName(servers.stalled.port, { timeout: deadlineMs }).then(() => 'connected', (e) => ({ code: e.code, at: Date.now() - started })));
    let sawCapAndQueue = false;
    await waitFor(() => {
      const d = api.diagnostics();
      if (d.blockingCalls.threads === max && d.blockingCalls.waiting > 0) sawCapAndQueue = true;
      return sawCapAndQueue || Date.now() - started > deadlineMs - 500;
    }, 'the cap reached', deadlineMs);
    assert.ok(sawCapAndQueue, `never saw ${max} threads with calls waiting: ${JSON.stringify(api.diagnostics())}`);
    assert.ok(api.diagnostics().blockingCalls.threads <= max);
    const outcomes = await Promise.all(calls);
    assert.ok(outcomes.every((o) => o.code === 'WSAETIMEDOUT'), `every call timed out: ${JSON.stringify(outcomes.find((o) => o.code !== 'WSAETIMEDOUT'))}`);
    // Queued calls too: their deadline ran while they waited for a thread.
    const latest = Math.max(...outcomes.map((o) => o.at));
    assert.ok(latest < deadlineMs + 2_000, `the last call settled ${latest} ms after the start (deadline ${deadlineMs} ms)`);
    await lo.expectNoLeaks(leaks.baseline(), 30_000);
    const live = await FUNCTIONS.connectByName(servers.echo.port, { timeout: LIVE_BOUND_MS });
    await lo.closeSocket(live.socket);
  });
});
