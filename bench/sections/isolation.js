'use strict';
// Threadpool isolation: fs.stat and fs.readFile (libuv's 4-thread pool) while 64
// connects hang on a listener whose accept queue is full, against the same calls
// idle. Our blocking Winsock calls run on the addon's own threads, so the fs
// latency should not move.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { loadBinding } = require('../../dist/native.js');
const { stalledServer } = require('../../test/support/loopbackFixtures.js');
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

async function waitForQuietAddon(openSockets = 0) {
  const binding = loadBinding();
  const deadline = Date.now() + SETTLE_MS;
  while (Date.now() < deadline) {
    const s = binding.stats();
    if (s.abandonedRunning === 0 && s.openSockets <= openSockets) return true;
    await sleep(20);
  }
  return false;
}

/** 64 connects of `methods` hanging on the stalled listener, fs latency measured meanwhile, then aborted. */
async function busyPhase(ours, stalled, file, n) {
  const controller = new AbortController();
  const hanging = Array.from({ length: HANGING }, (_, i) =>
    ours[i % ours.length].connect(stalled.host, stalled.port, { signal: controller.signal }).then(
      (socket) => { socket.destroy(); return 'connected'; },
      (error) => (error.name === 'AbortError' ? 'aborted' : `${error.code || error.name}`),
    ));
  const busyThreads = ours.some((m) => m.ours) ? await waitForBusyPool(HANGING) : await sleep(200).then(() => 0);
  const latency = await fsLatency(file, n);
  controller.abort();
  const outcomes = await Promise.all(hanging);
  const quiet = await waitForQuietAddon(1); // the stalled listener stays open
  return { latency, busyThreads, outcomes, quiet };
}

/**
 * Idle and busy phases alternate (idle, ours, idle, control, idle, ours, idle)
 * so that the machine's drift lands on both sides of the comparison. The control
 * phase hangs 64 net.connect calls instead (no threads at all): what 64 pending
 * connects cost the system by themselves (under Wine, every pending connect is
 * an async object in wineserver, which also serves the fs calls).
 */
async function measureIsolation({ methods, samples, log }) {
  const ours = methods.filter((m) => m.ours);
  const file = path.join(os.tmpdir(), `winsock-connect-bench-${process.pid}.dat`);
  fs.writeFileSync(file, Buffer.alloc(4096, 0x61));
  const idle = { stat: [], read: [] };
  const busy = { stat: [], read: [] };
  const control = { stat: [], read: [] };
  const baseline = methods.filter((m) => m.baseline);
  const outcomes = {};
  const busyThreads = [];
  let quiet = true;
  const stalled = await stalledServer('127.0.0.1');
  try {
    await fsLatency(file, 20); // warm-up
    const idleBlock = Math.max(1, Math.floor(samples / 4));
    const busyBlock = Math.max(1, Math.floor(samples / 2));
    for (let phase = 0; phase < 7; phase++) {
      if (phase % 2 === 0) {
        const l = await fsLatency(file, idleBlock);
        idle.stat.push(...l.stat);
        idle.read.push(...l.read);
        continue;
      }
      if (phase === 3) {
        const c = await busyPhase(baseline, stalled, file, busyBlock);
        control.stat.push(...c.latency.stat);
        control.read.push(...c.latency.read);
        continue;
      }
      const b = await busyPhase(ours, stalled, file, busyBlock);
      busy.stat.push(...b.latency.stat);
      busy.read.push(...b.latency.read);
      busyThreads.push(b.busyThreads);
      for (const o of b.outcomes) outcomes[o] = (outcomes[o] ?? 0) + 1;
      quiet &&= b.quiet;
    }
  } finally {
    stalled.close();
    fs.rmSync(file, { force: true });
  }
  log(`  pool threads busy with hanging connects: ${busyThreads.join(', ')}; outcomes after abort: ${JSON.stringify(outcomes)}`);
  return {
    hanging: HANGING,
    methods: ours.map((m) => m.name),
    poolThreadsBusyDuringMeasurement: Math.min(...busyThreads),
    outcomes,
    addonQuietAfterAbort: quiet,
    stat: { idle: summarize(idle.stat), busy: summarize(busy.stat), control: summarize(control.stat) },
    readFile: { idle: summarize(idle.read), busy: summarize(busy.read), control: summarize(control.read) },
  };
}

module.exports = { measureIsolation };
