'use strict';
// Sequential connect + adopt + close latency: every method and net.connect
// round-robin on one event loop, with a rotating order so drift and position
// effects hit every method alike; the C floor (floor.exe) in chunks spread over
// the run for the same reason; the kernel driver's IOCTL round trip beside them.
const { performance } = require('node:perf_hooks');
const { closeSocket, withTimeout } = require('../lib/connectors');
const { runFloor } = require('../lib/nativeTools');
const { summarize } = require('../lib/stats');

const OP_TIMEOUT_MS = 5_000;   // one connect that takes longer is an error
const MAX_ERRORS = 20;         // stop early rather than loop on a broken setup
const FLOOR_CHUNKS = 3;        // floor.exe runs at the start, the middle and the end

/** The rows measured: each package method, net.connect, and the driver when loaded. */
function timedMethods(methods, driver, target) {
  const rows = methods.map((m) => ({
    key: m.key,
    name: m.name,
    ours: m.ours,
    baseline: Boolean(m.baseline),
    run: async () => closeSocket(await m.connect(target.host, target.port)),
  }));
  if (driver) {
    rows.unshift({
      key: 'kernel',
      name: 'WskDriver IOCTL (kernel connect + close)',
      ours: false,
      kernel: true,
      insideMs: [],
      // WskSocket -> WskBind -> WskConnect -> WskCloseSocket in the driver, one IOCTL round trip.
      run: async function run() {
        const result = await driver.connect({ address: target.host, port: target.port });
        this.lastInsideMs = result.elapsedMs;
      },
    });
  }
  return rows;
}

async function measureLatency({ target, methods, driver, floorExe, iterations, warmup, log }) {
  const rows = timedMethods(methods, driver, target);
  const samples = new Map(rows.map((r) => [r.key, []]));
  const errors = new Map(rows.map((r) => [r.key, []]));
  let errorCount = 0;

  const once = async (row) => {
    const t0 = performance.now();
    try {
      await withTimeout(row.run(), OP_TIMEOUT_MS, row.name);
      return performance.now() - t0;
    } catch (error) {
      errorCount++;
      const list = errors.get(row.key);
      if (list.length < 5) list.push(`${error.code || error.name}: ${error.message}`);
      return null;
    }
  };

  // Warm-up: JIT, the addon's pool threads, libuv's IOCP, Wine's wineserver paths.
  for (let i = 0; i < warmup; i++) for (const row of rows) await once(row);
  if (errorCount > 0) {
    throw new Error(`latency warm-up failed: ${[...errors].filter(([, e]) => e.length).map(([k, e]) => `${k}: ${e[0]}`).join('; ')}`);
  }

  const floorRuns = [];
  const floorChunk = Math.ceil(iterations / FLOOR_CHUNKS);
  const floorAt = Array.from({ length: FLOOR_CHUNKS }, (_, k) => Math.round((k * iterations) / (FLOOR_CHUNKS - 1)));
  const floorSlice = async () => {
    const k = floorRuns.length;
    const count = Math.min(floorChunk, iterations - k * floorChunk);
    if (count <= 0) {
      floorRuns.push({ samplesMs: [] });
      return;
    }
    floorRuns.push(await runFloor(floorExe, target.port, count, k === 0 ? warmup : Math.min(10, warmup)));
    // Starting and reaping a process costs Wine a lot (tens of ms on the next call):
    // one unrecorded round so that cost lands on no method's samples.
    for (const row of rows) await once(row);
  };

  for (let i = 0; i < iterations && errorCount < MAX_ERRORS; i++) {
    while (floorExe && floorRuns.length < FLOOR_CHUNKS && floorAt[floorRuns.length] <= i) await floorSlice();
    const shift = i % rows.length;
    for (const row of [...rows.slice(shift), ...rows.slice(0, shift)]) {
      const ms = await once(row);
      if (ms === null) continue;
      samples.get(row.key).push(ms);
      if (row.kernel) row.insideMs.push(row.lastInsideMs);
    }
  }
  while (floorExe && floorRuns.length < FLOOR_CHUNKS) await floorSlice();
  if (errorCount >= MAX_ERRORS) log(`latency: stopped early after ${errorCount} errors`);

  const floorSamples = floorRuns.flatMap((r) => r.samplesMs || []);
  const floorErrors = floorRuns.filter((r) => r.error).map((r) => r.error);
  return {
    rows: rows.map((r) => ({
      key: r.key,
      name: r.name,
      ours: r.ours,
      baseline: r.baseline,
      kernel: Boolean(r.kernel),
      ...summarize(samples.get(r.key)),
      insideDriver: r.kernel ? summarize(r.insideMs) : undefined,
      errors: errors.get(r.key),
      samplesMs: samples.get(r.key),
    })),
    floor: floorExe
      ? { ...summarize(floorSamples), errors: floorErrors, samplesMs: floorSamples }
      : null,
    stoppedEarly: errorCount >= MAX_ERRORS,
  };
}

module.exports = { measureLatency };
