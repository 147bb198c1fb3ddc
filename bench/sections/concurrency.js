'use strict';
// N concurrent connects per method, all started in one tick: the time until
// every one has settled, and the event loop's delay meanwhile
// (perf_hooks.monitorEventLoopDelay). Methods alternate from round to round.
const { monitorEventLoopDelay, performance } = require('node:perf_hooks');
const { closeSocket } = require('../lib/connectors');
const { median, sleep } = require('../lib/stats');

const LOOP_DELAY_RESOLUTION_MS = 1;
const BURST_TIMEOUT_MS = 60_000;
const PAUSE_BETWEEN_BURSTS_MS = 300;
const PRIME_MS = 20;

async function burst(method, target, count) {
  const histogram = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
  histogram.enable();
  // The histogram records a delay only between two of its own ticks: let it tick
  // before the burst, or a loop blocked from the first moment goes unrecorded.
  await sleep(PRIME_MS);
  const started = performance.now();
  const controller = new AbortController();
  const guard = setTimeout(() => controller.abort(), BURST_TIMEOUT_MS);
  const outcomes = await Promise.allSettled(
    Array.from({ length: count }, () => method.connect(target.host, target.port, { signal: controller.signal })),
  );
  const settleMs = performance.now() - started;
  clearTimeout(guard);
  histogram.disable();
  const sockets = outcomes.filter((o) => o.status === 'fulfilled').map((o) => o.value);
  const failures = outcomes.filter((o) => o.status === 'rejected').map((o) => o.reason);
  await Promise.all(sockets.map(closeSocket));
  return {
    settleMs,
    connected: sockets.length,
    failed: failures.length,
    firstError: failures[0] ? `${failures[0].code || failures[0].name}: ${failures[0].message}` : undefined,
    loopDelayP99Ms: histogram.percentile(99) / 1e6,
    loopDelayMaxMs: histogram.max / 1e6,
    loopDelayMeanMs: histogram.mean / 1e6,
    loopDelaySamples: histogram.count,
  };
}

async function measureConcurrency({ target, methods, count, rounds, log }) {
  const runs = new Map(methods.map((m) => [m.key, []]));
  for (let round = 0; round < rounds; round++) {
    const shift = round % methods.length;
    for (const method of [...methods.slice(shift), ...methods.slice(0, shift)]) {
      const result = await burst(method, target, count);
      runs.get(method.key).push(result);
      log(`  ${method.name.padEnd(28)} ${count} concurrent: ${result.settleMs.toFixed(0)} ms, ` +
        `loop delay p99 ${result.loopDelayP99Ms.toFixed(1)} ms (${result.loopDelaySamples} samples), ${result.failed} failed`);
      await sleep(PAUSE_BETWEEN_BURSTS_MS);
    }
  }
  return methods.map((m) => {
    const list = runs.get(m.key);
    const worst = list.reduce((a, b) => (b.loopDelayP99Ms > a.loopDelayP99Ms ? b : a));
    return {
      key: m.key,
      name: m.name,
      ours: m.ours,
      baseline: Boolean(m.baseline),
      count,
      rounds: list.length,
      settleMs: median(list.map((r) => r.settleMs)),
      loopDelayP99Ms: worst.loopDelayP99Ms,
      loopDelayMaxMs: Math.max(...list.map((r) => r.loopDelayMaxMs)),
      loopDelaySamples: worst.loopDelaySamples,
      failed: list.reduce((s, r) => s + r.failed, 0),
      firstError: list.find((r) => r.firstError)?.firstError,
      runs: list,
    };
  });
}

module.exports = { measureConcurrency };
