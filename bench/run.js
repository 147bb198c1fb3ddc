'use strict';
// winsock-connect benchmark (not a test). One run on one node.exe measures, side
// by side with Node's own net.connect and a plain-C Winsock loop:
//   latency      sequential connect + adopt + close, median and p99 (CPUs idle,
//                one CPU busy, and the server in-process)
//   memory       RSS and handles across many connect/close cycles
//   concurrency  N concurrent connects: time to settle all, event-loop delay
//   isolation    fs latency (libuv's threadpool) while 64 connects hang
//   throughput   bulk bytes through an adopted socket vs a net.Socket
//   handoff      where one connect's time goes (the profile), plus costs.exe
//   headOfLine   a live connect while connects of the same function hang; a flood
//                of hanging multiplexed connects (lateness, OS threads); abort release
// and writes bench/results/latest.json (+ a dated copy), table.md and chart.svg.
// Loopback only (127.0.0.1).
//
//   node --expose-gc bench/run.js [--quick] [--only latency,memory,...]
//        [--iterations N] [--warmup N] [--concurrent N] [--floor floor.exe] [--costs costs.exe] [--out-dir bench/results]
//
// `npm run bench [-- --quick]` runs it on the real Windows node.exe (under Wine on Linux).
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { platformInfo } = require('../dist/index.js');
const { connectors } = require('./lib/connectors');
const { runCosts } = require('./lib/nativeTools');
const { toMarkdown, toSvg } = require('./lib/report');
const { keepOneCpuBusy } = require('./lib/busyCpu');
const { startInProcessSink, startSink } = require('./lib/sink');
const { round } = require('./lib/stats');
const { TARGETS, figure } = require('./lib/targets');
const { measureConcurrency } = require('./sections/concurrency');
const { profileHandOff } = require('./sections/handoff');
const { measureHeadOfLine } = require('./sections/headOfLine');
const { measureIsolation } = require('./sections/isolation');
const { measureLatency } = require('./sections/latency');
const { measureMemory } = require('./sections/memory');
const { measureThroughput } = require('./sections/throughput');

const SECTIONS = ['latency', 'memory', 'concurrency', 'isolation', 'throughput', 'handoff', 'headOfLine'];
const RUN_TIMEOUT_MS = 20 * 60_000;
const MIB = 1024 * 1024;

/** Sizes of a full run and of a --quick smoke run. */
const SIZES = {
  full: {
    iterations: 300, warmup: 30, concurrent: 1000, concurrencyRounds: 3, isolationSamples: 200,
    throughputBytes: 256 * MIB, throughputRounds: 9, memoryCycles: 20_000, memoryWarmup: 10_000,
    handoffIterations: 200, costsIterations: 300, headOfLineHanging: 1000, floodCount: 10_000, floodDeadlineMs: 5000,
  },
  quick: {
    iterations: 40, warmup: 5, concurrent: 200, concurrencyRounds: 1, isolationSamples: 40,
    throughputBytes: 16 * MIB, throughputRounds: 1, memoryCycles: 1000, memoryWarmup: 100,
    handoffIterations: 30, costsIterations: 50, headOfLineHanging: 200, floodCount: 1000, floodDeadlineMs: 2000,
  },
};

function parseArgs(argv) {
  const options = { quick: false, only: SECTIONS, floor: null, costs: null, outDir: path.join(__dirname, 'results') };
  const overrides = {};
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = () => (inline !== undefined ? inline : argv[++i]);
    if (flag === '--quick') options.quick = true;
    else if (flag === '--only') options.only = value().split(',').map((s) => s.trim());
    else if (flag === '--iterations' || flag === '--warmup') overrides[flag.slice(2)] = Number(value());
    else if (flag === '--concurrent') overrides.concurrent = Number(value());
    else if (flag === '--floor') options.floor = value();
    else if (flag === '--costs') options.costs = value();
    else if (flag === '--out-dir') options.outDir = value();
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  for (const name of options.only) if (!SECTIONS.includes(name)) throw new Error(`unknown section ${name} (${SECTIONS.join(', ')})`);
  for (const [key, v] of Object.entries(overrides)) {
    if (!Number.isInteger(v) || v < (key === 'iterations' ? 1 : 0) || v > 100_000) throw new Error(`--${key} must be an integer from ${key === 'iterations' ? 1 : 0} to 100000`);
  }
  options.sizes = { ...SIZES[options.quick ? 'quick' : 'full'], ...overrides };
  return options;
}

const log = (text) => console.log(text);

/** Loads the WSK driver for the kernel row: under Wine, or on Windows when WSKCONNECT_SYS names a signed build. */
async function startDriver(info) {
  const { WskDriver } = require('../dist/index.js');
  const sys = process.env.WSKCONNECT_SYS || path.join(__dirname, '..', 'prebuilds', 'driver-x64', 'wskconnect.sys');
  if ((!info.wine && !process.env.WSKCONNECT_SYS) || !fs.existsSync(sys)) {
    log('kernel row: not measured (needs the driver: under Wine it is built by npm run build; on Windows set WSKCONNECT_SYS)');
    return null;
  }
  const name = 'WskConnectBench';
  const leftover = new WskDriver(name);
  await leftover.stop().catch(() => {});
  await leftover.uninstall().catch(() => {});
  const driver = await WskDriver.install({ sysPath: sys, name });
  await driver.start();
  return {
    connect: (options) => driver.connect(options),
    stop: async () => {
      await driver.stop().catch(() => {});
      await driver.uninstall().catch(() => {});
    },
  };
}

function existing(file) {
  return file && fs.existsSync(path.resolve(file)) ? path.resolve(file) : null;
}

// ---------------------------------------------------------------------------
// Figures: every measured number with its ratio and target
// ---------------------------------------------------------------------------

const ms = (v) => `${Number.isFinite(v) ? v.toFixed(3) : 'n/a'} ms`;

function latencyFigures(latency, where) {
  const out = [];
  const net = latency.rows.find((r) => r.baseline);
  const floor = latency.floor && latency.floor.n > 0 ? latency.floor : null;
  for (const r of latency.rows.filter((x) => x.ours)) {
    for (const stat of ['median', 'p99']) {
      const key = `${stat}Ms`;
      out.push(figure({
        section: 'latency', name: `${r.name} ${stat} vs net.connect${where}`, value: r[key] / net[key],
        target: TARGETS.latencyVsNet, detail: `${ms(r[key])} vs ${ms(net[key])}`,
      }));
      if (floor) {
        out.push(figure({
          section: 'latency', name: `${r.name} ${stat} vs C loop${where}`, value: r[key] / floor[key],
          target: TARGETS.latencyVsFloor, detail: `${ms(r[key])} vs ${ms(floor[key])}`,
        }));
      }
    }
  }
  return out;
}

function kernelFigures(latency) {
  const kernel = latency.rows.find((r) => r.kernel);
  if (!kernel) return [];
  const wsa = latency.rows.find((r) => r.key === 'wsa');
  const net = latency.rows.find((r) => r.baseline);
  return [
    figure({ section: 'driver', name: 'WskDriver IOCTL median vs wsaConnect (user mode)', value: kernel.medianMs / wsa.medianMs, detail: `${ms(kernel.medianMs)} vs ${ms(wsa.medianMs)}; inside the driver ${ms(kernel.insideDriver.medianMs)}` }),
    figure({ section: 'driver', name: 'WskDriver IOCTL median vs net.connect', value: kernel.medianMs / net.medianMs, detail: `${ms(kernel.medianMs)} vs ${ms(net.medianMs)}` }),
  ];
}

function concurrencyFigures(rows) {
  const net = rows.find((r) => r.baseline);
  const out = [];
  for (const r of rows) {
    if (r.ours) {
      out.push(figure({ section: 'concurrency', name: `${r.name}: ${r.count} concurrent, settle vs net.connect`, value: r.settleMs / net.settleMs, detail: `${r.settleMs.toFixed(0)} ms vs ${net.settleMs.toFixed(0)} ms; ${r.failed} failed` }));
    }
    out.push(figure({
      section: 'concurrency', name: `${r.name}: ${r.count} concurrent, event-loop delay p99`, value: r.loopDelayP99Ms,
      target: r.ours ? TARGETS.loopDelayP99Ms : undefined, unit: 'ms',
      detail: `max ${r.loopDelayMaxMs.toFixed(1)} ms, ${r.loopDelaySamples} samples${r.ours ? '' : ' (baseline, for scale)'}`,
    }));
  }
  return out;
}

function isolationFigures(iso) {
  return [['fs.stat', iso.stat], ['fs.readFile', iso.readFile]].flatMap(([name, s]) => [
    figure({ section: 'isolation', name: `${name} median, ${iso.hanging} connects hanging vs idle`, value: s.busy.medianMs / s.idle.medianMs, target: TARGETS.threadpoolVsIdle, detail: `${ms(s.busy.medianMs)} vs ${ms(s.idle.medianMs)}` }),
    figure({ section: 'isolation', name: `${name} p99, ${iso.hanging} connects hanging vs idle`, value: s.busy.p99Ms / s.idle.p99Ms, detail: `${ms(s.busy.p99Ms)} vs ${ms(s.idle.p99Ms)}` }),
    figure({ section: 'isolation', name: `control: ${name} median, ${iso.hanging} net.connect hanging vs idle`, value: s.control.medianMs / s.idle.medianMs, detail: `${ms(s.control.medianMs)} vs ${ms(s.idle.medianMs)}; no threads involved (for scale)` }),
  ]);
}

function throughputFigures(t) {
  return [figure({
    section: 'throughput', name: `throughput ${(t.bytes / MIB).toFixed(0)} MiB, adopted socket vs net.Socket`,
    value: t.medianPairRatio, target: TARGETS.throughputVsNet,
    detail: `median of ${t.rounds} back-to-back pairs; medians ${t.adopted.mibPerSecond.toFixed(0)} vs ${t.net.mibPerSecond.toFixed(0)} MiB/s`,
  })];
}

function memoryFigures(m) {
  return [
    figure({ section: 'memory', name: `RSS growth over ${m.cycles} connect/close cycles`, value: m.rssGrowthMb, target: TARGETS.rssGrowthMb, detail: `${(m.before.rssBytes / MIB).toFixed(1)} → ${(m.after.rssBytes / MIB).toFixed(1)} MB` }),
    figure({ section: 'memory', name: `RSS growth over the ${m.warmup} warm-up cycles before`, value: m.warmupRssGrowthMb, unit: 'MB', detail: 'allocator warm-up under Wine; reported, not judged' }),
    figure({ section: 'memory', name: `control: RSS growth over ${m.cycles} net.connect cycles`, value: m.control.rssGrowthMb, unit: 'MB', detail: 'no addon in the path (for scale)' }),
    figure({
      section: 'memory', name: `the addon's native jobs and SOCKETs left after ${m.cycles} cycles`,
      value: (m.after.addonJobsAlive - m.before.addonJobsAlive) + (m.after.addonOpenSockets - m.before.addonOpenSockets),
      target: TARGETS.addonObjectsLeft,
      detail: `jobs ${m.before.addonJobsAlive} → ${m.after.addonJobsAlive}, SOCKETs ${m.before.addonOpenSockets} → ${m.after.addonOpenSockets}; JS heap ${m.heapGrowthMb >= 0 ? '+' : ''}${m.heapGrowthMb.toFixed(2)} MB`,
    }),
    figure({ section: 'memory', name: `handle growth over ${m.cycles} connect/close cycles`, value: m.handleGrowth, target: TARGETS.handleGrowth, detail: m.handleGrowth === null ? '' : `${m.before.processHandles} → ${m.after.processHandles}`, note: m.handlesNote }),
  ];
}

function headOfLineFigures(h) {
  const out = h.live.map((r) => figure({
    section: 'headOfLine', name: `${r.name}: live median with ${r.hanging} hanging vs idle`,
    value: r.busy ? r.busy.medianMs / r.idle.medianMs : NaN, target: r.ours ? TARGETS.liveWhileHangingVsIdle : undefined,
    detail: `${r.busy ? ms(r.busy.medianMs) : 'n/a'} vs ${ms(r.idle.medianMs)}${r.ours ? '' : ' (baseline, for scale)'}`,
    note: r.ready ? '' : 'the hanging connects never all started',
  }));
  const f = h.flood;
  out.push(figure({
    section: 'headOfLine', name: `${f.count} hanging wsaConnect + race: max settle past the deadline`, value: f.late.maxMs,
    target: TARGETS.floodLatenessMs, detail: `deadline ${f.deadlineMs} ms; median ${f.late.medianMs.toFixed(1)} ms; ${JSON.stringify(f.codes)}`,
  }));
  out.push(figure({
    section: 'headOfLine', name: `${f.count} hanging wsaConnect + race: event-loop delay max while they wait`, value: f.loopDelayMaxMs,
    target: TARGETS.floodLoopDelayMaxMs, unit: 'ms', detail: `from all started (${f.startedAllMs.toFixed(0)} ms in) to ${f.beforeDeadlineMs} ms before the first deadline`,
  }));
  out.push(figure({
    section: 'headOfLine', name: `${f.count} hanging wsaConnect + race: OS threads above idle`, value: f.peakThreads.windows - f.idleThreads.windows,
    target: TARGETS.floodExtraThreads, detail: `${f.idleThreads.windows} → ${f.peakThreads.windows}` + (f.idleThreads.linuxTasks !== null
      ? `; node.exe's Linux tasks ${f.idleThreads.linuxTasks} → ${f.peakThreads.linuxTasks}` : ''),
  }));
  out.push(figure({
    section: 'headOfLine', name: `${h.cancel.count} aborted hanging connectByName: threads back after`, value: h.cancel.releaseMs ?? NaN, unit: 'ms',
    detail: 'CancelIoEx, repeated every 20 ms until each blocking call returns', note: h.cancel.releaseMs === null ? 'not within 30 s' : '',
  }));
  return out;
}

function collectFigures(result) {
  const figures = [];
  if (result.latency) {
    figures.push(...latencyFigures(result.latency.separate, ''));
    if (result.latency.busyCpu) figures.push(...latencyFigures({ ...result.latency.busyCpu, floor: null }, ' (one CPU busy)'));
    if (result.latency.inProcess) figures.push(...latencyFigures({ ...result.latency.inProcess, floor: null }, ' (server in-process)'));
    figures.push(...kernelFigures(result.latency.separate));
  }
  if (result.concurrency) figures.push(...concurrencyFigures(result.concurrency));
  if (result.isolation) figures.push(...isolationFigures(result.isolation));
  if (result.throughput) figures.push(...throughputFigures(result.throughput));
  if (result.memory) figures.push(...memoryFigures(result.memory));
  if (result.headOfLine) figures.push(...headOfLineFigures(result.headOfLine));
  return figures;
}

/**
 * `measure()` while a spinning process keeps one CPU busy; undefined (logged) when
 * there is a single CPU or the spinner could not start, and when it had stopped by
 * itself before the end (the figures would then be idle ones under a busy label).
 */
async function measureWithOneCpuBusy(measure) {
  // availableParallelism: os.cpus() is empty on node.exe 26 under Wine 10.
  if (os.availableParallelism() < 2) {
    log('latency: the one-CPU-busy setup is skipped (a single CPU: the spinner would starve the benchmark)');
    return undefined;
  }
  log('latency: the same with one CPU kept busy by a spinning process');
  let busy;
  try {
    busy = await keepOneCpuBusy();
  } catch (error) {
    log(`latency: the one-CPU-busy setup is skipped (the spinner did not start: ${error.message})`);
    return undefined;
  }
  let result;
  try {
    result = await measure();
  } finally {
    const wasSpinning = await busy.stop();
    if (!wasSpinning) {
      log('latency: the one-CPU-busy figures are dropped (the spinner had stopped before the end)');
      result = undefined;
    }
  }
  return result;
}

// ---------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------

/** JSON without the raw sample arrays' full precision (they stay, rounded). */
function forJson(value) {
  return JSON.parse(JSON.stringify(value, (key, v) => (typeof v === 'number' ? round(v, 4) : v)));
}

function writeAtomically(file, text) {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

function writeResults(outDir, result) {
  fs.mkdirSync(outDir, { recursive: true });
  const json = `${JSON.stringify(forJson(result), null, 2)}\n`;
  const stamp = result.date.replace(/[:.]/g, '-');
  writeAtomically(path.join(outDir, 'latest.json'), json);
  writeAtomically(path.join(outDir, `run-${stamp}${result.quick ? '-quick' : ''}.json`), json);
  writeAtomically(path.join(outDir, 'table.md'), toMarkdown(result));
  writeAtomically(path.join(outDir, 'chart.svg'), toSvg(result));
}

function printFigures(figures) {
  log('');
  for (const f of figures) {
    const value = f.value === null ? 'n/a' : f.unit === '×' ? `${f.value.toFixed(2)}x` : `${f.value.toFixed(2)} ${f.unit}`;
    const verdict = !f.target ? 'reported' : f.met === null ? 'not measurable' : f.met ? 'met' : 'MISSED';
    log(`${verdict.padEnd(14)} ${f.name}: ${value}${f.target ? ` (target ${f.target.text})` : ''}${f.detail ? `  [${f.detail}]` : ''}${f.note ? `  ${f.note}` : ''}`);
  }
}

// ---------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const sizes = options.sizes;
  const info = platformInfo();
  if (!info.supported) throw new Error('the addon is not usable here: the benchmark needs Windows (or Wine)');
  const floorExe = existing(options.floor);
  const costsExe = existing(options.costs);
  const methods = connectors({ hasSystem: info.connectByList });
  const wants = (name) => options.only.includes(name);

  log(`winsock-connect bench: node ${process.version} ${process.platform}/${process.arch}, ${info.wine ? `Wine ${info.wine}` : 'no Wine'}, ` +
    `${os.availableParallelism()} CPU(s)${options.quick ? ', QUICK mode' : ''}; sections: ${options.only.join(', ')}`);
  if (!info.connectByList) log("connectByList (system): not measured (this ws2_32 has no WSAConnectByList; Wine 8 doesn't export it)");
  if (!floorExe) log(`C loop: not measured (${options.floor ? `${options.floor} is missing` : 'no --floor given'})`);

  const started = Date.now();
  const result = {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform}/${process.arch}`,
    osRelease: os.release(),
    wine: info.wine,
    cpus: os.availableParallelism(), // os.cpus() is empty on node.exe 26 under Wine 10
    quick: options.quick,
    config: sizes,
    targets: TARGETS,
  };

  const sink = await startSink();
  const driver = wants('latency') ? await startDriver(info) : null;
  try {
    if (wants('latency')) {
      log(`\nlatency: ${sizes.iterations} sequential connect + adopt + close per method, server in its own process`);
      const separate = await measureLatency({ target: sink, methods, driver, floorExe, iterations: sizes.iterations, warmup: sizes.warmup, log });
      const busyCpu = await measureWithOneCpuBusy(() => measureLatency({ target: sink, methods, driver: null, floorExe: null, iterations: sizes.iterations, warmup: sizes.warmup, log }));
      log('latency: the same with the server inside this process');
      const local = await startInProcessSink();
      const inProcess = await measureLatency({ target: local, methods, driver: null, floorExe: null, iterations: sizes.iterations, warmup: sizes.warmup, log });
      await local.stop();
      result.latency = { separate, busyCpu, inProcess };
    }
    if (wants('memory')) {
      log(`\nmemory: ${sizes.memoryCycles} connect/close cycles (after ${sizes.memoryWarmup} warm-up cycles)`);
      result.memory = await measureMemory({ target: sink, methods, count: sizes.memoryCycles, warmup: sizes.memoryWarmup, log });
    }
    if (wants('concurrency')) {
      log(`\nconcurrency: ${sizes.concurrent} concurrent connects per method, ${sizes.concurrencyRounds} round(s)`);
      result.concurrency = await measureConcurrency({ target: sink, methods, count: sizes.concurrent, rounds: sizes.concurrencyRounds, log });
    }
    if (wants('isolation')) {
      log(`\nthreadpool isolation: fs.stat/readFile, idle and with 64 connects hanging (${sizes.isolationSamples} samples)`);
      result.isolation = await measureIsolation({ methods, samples: sizes.isolationSamples, log });
    }
    if (wants('throughput')) {
      log(`\nthroughput: ${(sizes.throughputBytes / MIB).toFixed(0)} MiB per transfer, ${sizes.throughputRounds} round(s)`);
      result.throughput = await measureThroughput({
        target: sink, adopted: methods.find((m) => m.key === 'wsa'), baseline: methods.find((m) => m.baseline),
        bytes: sizes.throughputBytes, rounds: sizes.throughputRounds, log,
      });
    }
    if (wants('handoff')) {
      log(`\nwhere the time goes: ${sizes.handoffIterations} raw jobs per kind, with the addon's stage timing`);
      const separate = await profileHandOff({ target: sink, iterations: sizes.handoffIterations, warmup: Math.min(20, sizes.warmup) });
      const local = await startInProcessSink();
      const inProcess = await profileHandOff({ target: local, iterations: sizes.handoffIterations, warmup: Math.min(20, sizes.warmup) });
      await local.stop();
      const costs = costsExe ? await runCosts(costsExe, sink.port, sizes.costsIterations) : { error: 'costs.exe not built' };
      result.handoff = { separate, inProcess, costs };
    }
    if (wants('headOfLine')) {
      log(`\nhead-of-line: live connects while ${sizes.headOfLineHanging} of the same function hang; ${sizes.floodCount} hanging multiplexed connects`);
      result.headOfLine = await measureHeadOfLine({
        methods, target: sink, hanging: sizes.headOfLineHanging, floodCount: sizes.floodCount, floodDeadlineMs: sizes.floodDeadlineMs, log,
      });
    }
  } finally {
    if (driver) await driver.stop();
    await sink.stop();
  }

  result.runSeconds = (Date.now() - started) / 1000;
  result.figures = collectFigures(result);
  printFigures(result.figures);
  log('');
  log(toMarkdown(result));
  writeResults(path.resolve(options.outDir), result);
  log(`results: ${path.relative(process.cwd(), path.resolve(options.outDir))}${path.sep}{latest.json, table.md, chart.svg}; measured in ${result.runSeconds.toFixed(1)} s`);
}

const watchdog = setTimeout(() => {
  console.error(`bench: still running after ${RUN_TIMEOUT_MS / 60_000} min: giving up`);
  process.exit(2);
}, RUN_TIMEOUT_MS);
watchdog.unref();

main().then(() => {
  // The sink and the driver are gone; nothing else should keep the loop alive.
  clearTimeout(watchdog);
}, (error) => {
  console.error(`bench failed: ${error.stack || error.message}`);
  process.exitCode = 1;
});
