'use strict';
// Threadpool isolation: fs.stat and fs.readFile (libuv's 4-thread pool) while 64
// connects hang on a listener whose accept queue is full, against the same calls
// idle. Our blocking Winsock calls run on the addon's own threads, so the fs
// latency should not move. Idle is measured before and after the busy phase.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { loadBinding } = require('../../dist/native.js');
const { stalledServer } = require('../../dist/loopbackFixtures.js');
const { sleep, summarize } = require('../lib/stats');

const HANGING = 64;
const SETTLE_MS = 10_000;

async function fsLatency(file, n) {
  const stat = [];
  const read = [];
  for (let i = 0; i < n; i++) {
    let t0 = performance.now();
    await fs.promises.stat(file);
    stat.push(performance.now() - t0);
    t0 = performance.now();
    await fs.promises.readFile(file);
    read.push(performance.now() - t0);
  }
  return { stat, read };
}

/** Waits until `count` of the addon's jobs are running (hanging) on its pool. */
async function waitForBusyPool(count, ms = 5_000) {
  const binding = loadBinding();
  const deadline = Date.now() + ms;
  let busy = 0;
  while (Date.now() < deadline) {
    const s = binding.stats();
    busy = s.poolThreads - s.poolIdle;
    if (busy >= count) break;
    await sleep(20);
  }
  return busy;
}

async function waitForQuietAddon() {
  const binding = loadBinding();
  const deadline = Date.now() + SETTLE_MS;
  while (Date.now() < deadline) {
    const s = binding.stats();
    if (s.abandonedRunning === 0 && s.openSockets === 0) return true;
    await sleep(20);
  }
  return false;
}

async function measureIsolation({ methods, samples, log }) {
  const ours = methods.filter((m) => m.ours);
  const file = path.join(os.tmpdir(), `winsock-connect-bench-${process.pid}.dat`);
  fs.writeFileSync(file, Buffer.alloc(4096, 0x61));
  const half = Math.max(1, Math.floor(samples / 2));
  try {
    await fsLatency(file, 20); // warm-up
    const idleBefore = await fsLatency(file, half);

    const stalled = await stalledServer('127.0.0.1');
    const controller = new AbortController();
    const hanging = Array.from({ length: HANGING }, (_, i) =>
      ours[i % ours.length].connect(stalled.host, stalled.port, { signal: controller.signal }).then(
        (socket) => { socket.destroy(); return 'connected'; },
        (error) => (error.name === 'AbortError' ? 'aborted' : `${error.code || error.name}`),
      ));
    const busyThreads = await waitForBusyPool(HANGING);
    const busy = await fsLatency(file, samples);
    const stillHanging = loadBinding().stats();
    controller.abort();
    const outcomes = await Promise.all(hanging);
    stalled.close();
    const quiet = await waitForQuietAddon();
    const idleAfter = await fsLatency(file, half);

    const idle = { stat: [...idleBefore.stat, ...idleAfter.stat], read: [...idleBefore.read, ...idleAfter.read] };
    const result = {
      hanging: HANGING,
      methods: ours.map((m) => m.name),
      poolThreadsBusyDuringMeasurement: busyThreads,
      poolAtEnd: { threads: stillHanging.poolThreads, idle: stillHanging.poolIdle },
      outcomes: outcomes.reduce((acc, o) => ({ ...acc, [o]: (acc[o] ?? 0) + 1 }), {}),
      addonQuietAfterAbort: quiet,
      stat: { idle: summarize(idle.stat), busy: summarize(busy.stat) },
      readFile: { idle: summarize(idle.read), busy: summarize(busy.read) },
    };
    log(`  ${busyThreads} pool threads busy with hanging connects; outcomes after abort: ${JSON.stringify(result.outcomes)}`);
    return result;
  } finally {
    fs.rmSync(file, { force: true });
  }
}

module.exports = { measureIsolation };
