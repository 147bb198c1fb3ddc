'use strict';
// Head-of-line: does a live connect wait behind connects that hang?
//   1. For each function: the median of live connects to the sink, idle and while
//      `hanging` connects of the same function hang on a listener whose accept
//      queue is full (net.connect beside them, for scale).
//   2. A flood of multiplexed connects (wsaConnect + race, half each) hanging with
//      a deadline: how late past its deadline each settles, the event loop's
//      longest delay while they wait (before the first deadline), and how many OS
//      threads the process had at the peak against idle.
//   3. How long an abandoned WSAConnectByName keeps its thread after the abort
//      (CancelIoEx, repeated until the blocking call returns).
const path = require('node:path');
const { monitorEventLoopDelay, performance } = require('node:perf_hooks');
const { diagnostics } = require('../../dist/index.js');
const { loadBinding } = require('../../dist/native.js');
const { stalledServer } = require('../../test/support/loopbackFixtures.js');
const { linuxThreadCounter } = require('../../test/support/wine.js');
const { sleep, summarize } = require('../lib/stats');

const LIVE_SAMPLES = 30;
const HANG_TIMEOUT_MS = 120_000;
const LOOP_DELAY_RESOLUTION_MS = 1;
// The flood's loop-delay window ends this long before the first deadline, so the
// settling at the deadline is not counted as waiting.
const BEFORE_DEADLINE_MS = 100;

/** Under Wine, the Linux threads of the process running this script (null on Windows). */
const linuxTasksOfThisProcess = linuxThreadCounter('node.exe', path.basename(process.argv[1] ?? ''));

/**
 * OS threads of this process: Windows' own count (a Toolhelp snapshot), and under
 * Wine the node.exe process's tasks as Linux sees them (Wine's own threads included).
 */
function threadCounts() {
  const windows = loadBinding().stats(true).processThreads;
  return { windows, linuxTasks: linuxTasksOfThisProcess() };
}

async function until(condition, ms) {
  const deadline = Date.now() + ms;
  while (!condition() && Date.now() < deadline) await sleep(20);
  return condition();
}

async function quiet(ms = 30_000) {
  return until(() => {
    const d = diagnostics();
    return d.abandonedStillRunning === 0 && d.blockingCalls.running === 0 && d.multiplexedConnects.waiting === 0;
  }, ms);
}

async function liveMedian(method, target) {
  const samples = [];
  for (let i = 0; i < LIVE_SAMPLES; i++) {
    const t0 = performance.now();
    const socket = await method.connect(target.host, target.port, { timeout: 10_000 });
    samples.push(performance.now() - t0);
    socket.destroy();
  }
  return summarize(samples);
}

/** `count` connects of `method` hanging on `stalled` until the returned stop() aborts them. */
async function hang(method, stalled, count) {
  const controller = new AbortController();
  const settled = Array.from({ length: count }, () =>
    method.connect(stalled.host, stalled.port, { signal: controller.signal, timeout: method.ours ? HANG_TIMEOUT_MS : undefined })
      .then((s) => { s.destroy(); return 'connected'; }, (e) => e.code || e.name));
  const ready = method.ours
    ? await until(() => {
      const d = diagnostics();
      return d.multiplexedConnects.waiting + d.blockingCalls.running >= count;
    }, 60_000)
    : await sleep(500).then(() => true);
  return { ready, stop: async () => { controller.abort(); return Promise.all(settled); } };
}

async function liveWhileHanging({ methods, target, hanging, log }) {
  const stalled = await stalledServer(target.host);
  const rows = [];
  try {
    for (const method of methods) {
      const idle = await liveMedian(method, target);
      const load = await hang(method, stalled, hanging);
      const busy = load.ready ? await liveMedian(method, target) : null;
      const threads = threadCounts();
      const outcomes = await load.stop();
      await quiet();
      const row = { key: method.key, name: method.name, ours: !!method.ours, baseline: !!method.baseline, hanging, ready: load.ready, idle, busy, threads,
        abortedAll: outcomes.every((o) => o === 'ABORT_ERR' || o === 'AbortError') };
      rows.push(row);
      log(`  ${method.name.padEnd(24)} live median idle ${idle.medianMs.toFixed(2)} ms, with ${hanging} hanging ${busy ? busy.medianMs.toFixed(2) : 'n/a'} ms`
        + `; threads ${threads.windows}${threads.linuxTasks !== null ? ` (Linux tasks ${threads.linuxTasks})` : ''}`);
    }
  } finally {
    stalled.close();
  }
  return rows;
}

/** The event loop's longest delay (ms) over the next `ms` milliseconds. */
function loopDelayMaxFor(ms) {
  const histogram = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
  histogram.enable();
  return sleep(Math.max(0, ms)).then(() => {
    histogram.disable();
    return histogram.max / 1e6;
  });
}

/** `count` multiplexed connects hanging with a deadline: lateness past it, and the thread peak. */
async function flood({ methods, target, count, deadlineMs, log }) {
  const wsa = methods.find((m) => m.key === 'wsa');
  const race = methods.find((m) => m.key === 'race');
  await quiet();
  await sleep(200);
  const idleThreads = threadCounts();
  const stalled = await stalledServer(target.host);
  try {
    const started = performance.now();
    const lateness = [];
    const codes = {};
    const calls = Array.from({ length: count }, (_, i) => {
      const method = i % 2 ? race : wsa;
      const callStarted = performance.now();
      return method.connect(stalled.host, stalled.port, { timeout: deadlineMs }).then(
        (s) => { s.destroy(); codes.connected = (codes.connected || 0) + 1; },
        (e) => { lateness.push(performance.now() - callStarted - deadlineMs); codes[e.code] = (codes[e.code] || 0) + 1; });
    });
    const startedAllMs = performance.now() - started;
    const waitingLoopDelayMs = loopDelayMaxFor(deadlineMs - startedAllMs - BEFORE_DEADLINE_MS);
    let peak = idleThreads;
    const sampler = setInterval(() => {
      const now = threadCounts();
      if (now.windows > peak.windows || (now.linuxTasks ?? 0) > (peak.linuxTasks ?? 0)) peak = now;
    }, 250);
    await Promise.all(calls);
    clearInterval(sampler);
    const loopDelayMaxMs = await waitingLoopDelayMs;
    await quiet();
    const late = summarize(lateness);
    log(`  ${count} hanging (wsaConnect + race), deadline ${deadlineMs} ms: started in ${startedAllMs.toFixed(0)} ms; `
      + `settled past the deadline by median ${late.medianMs.toFixed(1)} ms, max ${late.maxMs.toFixed(1)} ms; ${JSON.stringify(codes)}; `
      + `event-loop delay max while waiting ${loopDelayMaxMs.toFixed(1)} ms; `
      + `threads idle ${idleThreads.windows} → peak ${peak.windows}${idleThreads.linuxTasks !== null ? ` (Linux tasks ${idleThreads.linuxTasks} → ${peak.linuxTasks})` : ''}`);
    return { count, deadlineMs, startedAllMs, late, loopDelayMaxMs, beforeDeadlineMs: BEFORE_DEADLINE_MS, codes, idleThreads, peakThreads: peak };
  } finally {
    stalled.close();
  }
}

/** How long abandoned WSAConnectByName calls keep their threads after the abort. */
async function cancelRelease({ methods, target, count, log }) {
  const byName = methods.find((m) => m.key === 'byName');
  const stalled = await stalledServer(target.host);
  try {
    const load = await hang(byName, stalled, count);
    const t0 = performance.now();
    const outcomes = load.stop();
    const released = await until(() => diagnostics().blockingCalls.running === 0 && diagnostics().abandonedStillRunning === 0, 30_000);
    const releaseMs = performance.now() - t0;
    await outcomes;
    log(`  ${count} hanging connectByName aborted: every thread back ${released ? `after ${releaseMs.toFixed(0)} ms` : 'NOT within 30 s'}`);
    return { count, releaseMs: released ? releaseMs : null };
  } finally {
    stalled.close();
  }
}

async function measureHeadOfLine({ methods, target, hanging, floodCount, floodDeadlineMs, log }) {
  // The flood first: its idle thread count must not include blocking-pool threads
  // that the connectByName rows leave idle for a while.
  const floodResult = await flood({ methods, target, count: floodCount, deadlineMs: floodDeadlineMs, log });
  const live = await liveWhileHanging({ methods, target, hanging, log });
  const cancel = await cancelRelease({ methods, target, count: Math.min(hanging, 200), log });
  return { live, flood: floodResult, cancel };
}

module.exports = { measureHeadOfLine };
