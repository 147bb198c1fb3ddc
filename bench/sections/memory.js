'use strict';
// Memory and handles across many connect/close cycles of the package's methods
// (round-robin): RSS and the process handle count before and after, each taken
// after a warm-up, two full garbage collections and a short pause. The warm-up
// is long, and its growth is reported too, because RSS under Wine keeps growing
// for the first tens of thousands of cycles and then levels off (measured, MB
// per 15,000 cycles after 2,000: wsaConnect +2.4, -0.1, +0.2, 0, 0;
// connectByName +2.3, +1.0, -0.8, -0.2, 0; connectByList race +4.4, +3.6, 0,
// +1.1, -0.2): allocator warm-up, not a leak; a leak keeps growing.
// GetProcessHandleCount reports 0 under Wine: the handle figure is then "not
// measurable", never a number we made up. RSS under Wine also moves by tens of MB
// between snapshots on its own (the net.connect-only control too), so the addon's
// own objects left after the cycles (native jobs, SOCKETs) are counted as well:
// those say whether the addon leaked, whatever the allocator does.
const { loadBinding } = require('../../dist/native.js');
const { closeSocket } = require('../lib/connectors');
const { sleep } = require('../lib/stats');

const MB = 1024 * 1024;

async function snapshot() {
  if (typeof global.gc === 'function') {
    global.gc();
    await sleep(50);
    global.gc();
  }
  await sleep(200);
  const s = loadBinding().stats();
  return {
    rssBytes: process.memoryUsage.rss(),
    heapUsedBytes: process.memoryUsage().heapUsed,
    processHandles: s.processHandles > 0 ? s.processHandles : null,
    addonOpenSockets: s.openSockets,
    addonJobsAlive: s.jobsAlive,
    poolThreads: s.poolThreads,
  };
}

async function cycles(methods, target, count, onProgress) {
  let failures = 0;
  let firstError;
  for (let i = 0; i < count; i++) {
    const method = methods[i % methods.length];
    try {
      await closeSocket(await method.connect(target.host, target.port));
    } catch (error) {
      failures++;
      firstError ??= `${method.name}: ${error.code || error.name}: ${error.message}`;
      if (failures > 50) throw new Error(`memory cycles: too many failures, first: ${firstError}`);
    }
    if (onProgress && (i + 1) % 5000 === 0) onProgress(i + 1);
  }
  return { failures, firstError };
}

/** The same cycles with net.connect alone: how much RSS moves with no addon in the path. */
async function control(methods, target, count) {
  const baseline = methods.filter((m) => m.baseline);
  const before = await snapshot();
  await cycles(baseline, target, count);
  const after = await snapshot();
  return { name: baseline[0].name, rssGrowthMb: (after.rssBytes - before.rssBytes) / MB };
}

async function measureMemory({ target, methods, count, warmup, log }) {
  const ours = methods.filter((m) => m.ours);
  const start = await snapshot();
  await cycles(ours, target, warmup);
  await cycles(methods.filter((m) => m.baseline), target, Math.min(warmup, 2000));
  const before = await snapshot();
  const started = Date.now();
  const { failures, firstError } = await cycles(ours, target, count, (done) => log(`  ${done} cycles`));
  const seconds = (Date.now() - started) / 1000;
  const after = await snapshot();
  const handlesMeasurable = before.processHandles !== null && after.processHandles !== null;
  const netOnly = await control(methods, target, count);
  log(`  control: ${count} net.connect cycles moved RSS by ${netOnly.rssGrowthMb.toFixed(2)} MB`);
  return {
    control: netOnly,
    warmupRssGrowthMb: (before.rssBytes - start.rssBytes) / MB,
    cycles: count,
    warmup,
    methods: ours.map((m) => m.name),
    seconds,
    failures,
    firstError,
    gcExposed: typeof global.gc === 'function',
    before,
    after,
    rssGrowthMb: (after.rssBytes - before.rssBytes) / MB,
    heapGrowthMb: (after.heapUsedBytes - before.heapUsedBytes) / MB,
    handleGrowth: handlesMeasurable ? after.processHandles - before.processHandles : null,
    handlesNote: handlesMeasurable ? '' : 'GetProcessHandleCount reports 0 here (Wine): not measurable',
  };
}

module.exports = { measureMemory };
