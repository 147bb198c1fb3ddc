'use strict';
// winsock-connect benchmark (not a test): sequential loopback connect + adopt + close
// latency of connectByName (ipv4), connectByList (race), wsaConnect (tcp) and Node's
// own net.connect, in one run on one node.exe, round-robin with a rotating order so
// drift and position effects hit every method alike; and the Winsock floor, floor.exe
// (plain C: WSASocketW -> blocking WSAConnect -> closesocket), run in chunks spread
// over the run for the same reason.
//
//   node bench/run.js [--iterations 300] [--warmup 30] [--floor .cache/bench/floor.exe]
//                     [--out bench/results/latest.json]
//
// `npm run bench` runs it on the real Windows node.exe (under Wine on Linux).
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { performance } = require('node:perf_hooks');

const { connectByList, connectByName, platformInfo, wsaConnect } = require('../dist/index.js');

const TARGET_VS_NET = 1.05;
const TARGET_VS_FLOOR = 1.15;
const FLOOR_CHUNKS = 3;            // floor.exe runs at the start, the middle and the end
const OP_TIMEOUT_MS = 5_000;       // one connect that takes longer is an error
const MAX_ERRORS = 20;             // stop early rather than loop on a broken setup
const RUN_TIMEOUT_MS = 150_000;    // the whole benchmark

function parseArgs(argv) {
  const options = { iterations: 300, warmup: 30, floor: null, out: path.join(__dirname, 'results', 'latest.json') };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = () => (inline !== undefined ? inline : argv[++i]);
    if (flag === '--iterations') options.iterations = Number(value());
    else if (flag === '--warmup') options.warmup = Number(value());
    else if (flag === '--floor') options.floor = value();
    else if (flag === '--out') options.out = value();
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  for (const key of ['iterations', 'warmup']) {
    if (!Number.isInteger(options[key]) || options[key] < (key === 'iterations' ? 1 : 0) || options[key] > 100_000) {
      throw new Error(`--${key} must be an integer from ${key === 'iterations' ? 1 : 0} to 100000`);
    }
  }
  return options;
}

// ---------------------------------------------------------------------------
// What is measured: connect, adopt (ours), then close until the handle is gone
// ---------------------------------------------------------------------------

function closeSocket(socket) {
  return new Promise((resolve) => {
    if (socket.destroyed && socket._handle == null) return resolve();
    socket.once('close', () => resolve());
    socket.destroy();
  });
}

function withTimeout(promise, ms) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`no result in ${ms} ms`)), ms); }),
  ]).finally(() => clearTimeout(timer));
}

function methods(port, driver) {
  const host = '127.0.0.1';
  const kernel = driver ? [{
    // Connect + close inside the driver (WskSocket -> WskBind -> WskConnect -> WskCloseSocket),
    // one IOCTL round trip: reported beside the user-mode connects, no target.
    name: 'WskDriver IOCTL (kernel connect)',
    kernel: true,
    run: () => driver.connect({ address: host, port }),
  }] : [];
  return [...kernel,
    {
      name: 'connectByName (ipv4)',
      run: async () => closeSocket((await connectByName({ host, port, family: 'ipv4' })).socket),
    },
    {
      name: 'connectByList (race)',
      run: async () => closeSocket((await connectByList({ addresses: [{ address: host, port }], strategy: 'race' })).socket),
    },
    {
      name: 'wsaConnect (tcp)',
      run: async () => closeSocket((await wsaConnect({ address: host, port })).socket),
    },
    {
      name: 'net.connect',
      baseline: true,
      run: () => new Promise((resolve, reject) => {
        const socket = net.connect({ host, port });
        socket.once('error', reject);
        socket.once('connect', () => resolve(closeSocket(socket)));
      }),
    },
  ];
}

// ---------------------------------------------------------------------------
// Statistics
// ---------------------------------------------------------------------------

/** Loads the WSK driver for the kernel row: under Wine, or on Windows when WSKCONNECT_SYS names a signed build. */
async function startDriver(info) {
  const { WskDriver } = require('../dist/index.js');
  const sys = process.env.WSKCONNECT_SYS || path.join(__dirname, '..', 'prebuilds', 'driver-x64', 'wskconnect.sys');
  if ((!info.wine && !process.env.WSKCONNECT_SYS) || !fs.existsSync(sys)) {
    console.log('kernel row: not measured (needs the driver: under Wine it is built by npm run build; on Windows set WSKCONNECT_SYS)');
    return null;
  }
  const name = 'WskConnectBench';
  const leftover = new WskDriver(name);
  await leftover.stop().catch(() => {});
  await leftover.uninstall().catch(() => {});
  const driver = await WskDriver.install({ sysPath: sys, name });
  await driver.start();
  process.on('beforeExit', () => { driverCleanup ??= driver.stop().catch(() => {}).then(() => driver.uninstall().catch(() => {})); });
  return driver;
}
let driverCleanup;

function summarize(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return { n: 0, medianMs: NaN, p99Ms: NaN, meanMs: NaN, minMs: NaN };
  const median = n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  const p99 = sorted[Math.max(0, Math.ceil(0.99 * n) - 1)]; // nearest rank
  const mean = sorted.reduce((s, v) => s + v, 0) / n;
  return { n, medianMs: median, p99Ms: p99, meanMs: mean, minMs: sorted[0] };
}

const round = (v, digits = 4) => (Number.isFinite(v) ? Number(v.toFixed(digits)) : null);

// ---------------------------------------------------------------------------
// floor.exe
// ---------------------------------------------------------------------------

function runFloor(exe, port, iterations, warmup, outFile) {
  return new Promise((resolve) => {
    fs.rmSync(outFile, { force: true });
    // stdio 'ignore': floor.exe writes its JSON to outFile (pipes between Wine processes
    // and the Linux side are what PLATFORM.md warns about; a file always works).
    const child = spawn(exe, [String(port), String(iterations), String(warmup), outFile], { stdio: 'ignore', windowsHide: true });
    const timer = setTimeout(() => child.kill(), 60_000);
    child.on('error', (error) => { clearTimeout(timer); resolve({ error: `spawn failed: ${error.message}` }); });
    child.on('exit', (code) => {
      clearTimeout(timer);
      try {
        const result = JSON.parse(fs.readFileSync(outFile, 'utf8'));
        fs.rmSync(outFile, { force: true });
        if (result.errors > 0) result.error = `${result.errors} connect(s) failed, first with Winsock error ${result.firstError}`;
        resolve(result);
      } catch (error) {
        resolve({ error: `floor.exe exited with ${code} and left no result (${error.message})` });
      }
    });
  });
}

// ---------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const info = platformInfo();
  if (!info.supported) throw new Error('the addon is not usable here: the benchmark needs Windows (or Wine)');
  const floorExe = options.floor ? path.resolve(options.floor) : null;
  const floorAvailable = floorExe !== null && fs.existsSync(floorExe);

  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    socket.pipe(socket);
  });
  await new Promise((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog: 511 }, resolve));
  const { port } = server.address();
  const driver = await startDriver(info);
  const list = methods(port, driver);

  const wine = info.wine ? `Wine ${info.wine}` : 'no Wine';
  console.log(`winsock-connect bench: node ${process.version} ${process.platform}/${process.arch}, ${wine}, ${os.cpus().length} CPU(s)`);
  console.log(`sequential loopback connect + adopt + close to 127.0.0.1:${port}; ${options.iterations} iterations per method ` +
    `(round-robin, rotating order), warm-up ${options.warmup} each; floor.exe in ${FLOOR_CHUNKS} chunks spread over the run`);

  const started = Date.now();
  const samples = new Map(list.map((m) => [m.name, []]));
  const errors = new Map(list.map((m) => [m.name, []]));
  let errorCount = 0;

  const once = async (method) => {
    const t0 = performance.now();
    try {
      await withTimeout(method.run(), OP_TIMEOUT_MS);
      return performance.now() - t0;
    } catch (error) {
      errorCount++;
      const list = errors.get(method.name);
      if (list.length < 5) list.push(`${error.code || error.name}: ${error.message}`);
      return null;
    }
  };

  // Warm-up: JIT, the addon's thread pool, libuv's IOCP, Wine's wineserver paths.
  for (let i = 0; i < options.warmup; i++) {
    for (const method of list) await once(method);
  }
  if (errorCount > 0) {
    throw new Error(`warm-up failed: ${[...errors].filter(([, e]) => e.length).map(([n, e]) => `${n}: ${e[0]}`).join('; ')}`);
  }

  // floor.exe chunks at the start, in the middle and at the end of the JS rounds.
  const floorRuns = [];
  const floorChunk = Math.ceil(options.iterations / FLOOR_CHUNKS);
  const floorAt = Array.from({ length: FLOOR_CHUNKS }, (_, k) => Math.round((k * options.iterations) / (FLOOR_CHUNKS - 1)));
  const floorSlice = async () => {
    const k = floorRuns.length;
    const count = Math.min(floorChunk, options.iterations - k * floorChunk);
    if (!floorAvailable || count <= 0) return;
    const outFile = path.join(os.tmpdir(), `winsock-connect-floor-${process.pid}-${k}.json`);
    floorRuns.push(await runFloor(floorExe, port, count, k === 0 ? options.warmup : Math.min(10, options.warmup), outFile));
    // Starting and reaping a process costs Wine a lot (tens of ms on the next call):
    // one unrecorded round so that cost lands on no method's samples.
    for (const method of list) await once(method);
  };

  for (let i = 0; i < options.iterations && errorCount < MAX_ERRORS; i++) {
    while (floorAvailable && floorRuns.length < FLOOR_CHUNKS && floorAt[floorRuns.length] <= i) await floorSlice();
    const shift = i % list.length;
    const order = [...list.slice(shift), ...list.slice(0, shift)];
    for (const method of order) {
      const ms = await once(method);
      if (ms !== null) samples.get(method.name).push(ms);
    }
  }
  while (floorAvailable && floorRuns.length < FLOOR_CHUNKS) await floorSlice();
  const runSeconds = (Date.now() - started) / 1000;
  await new Promise((resolve) => server.close(resolve));

  // Results
  const floorSamples = floorRuns.flatMap((r) => r.samplesMs || []);
  const floorErrors = floorRuns.filter((r) => r.error).map((r) => r.error);
  const floorStats = floorSamples.length ? summarize(floorSamples) : null;
  const baseline = summarize(samples.get('net.connect'));
  const rows = list.map((m) => {
    const s = summarize(samples.get(m.name));
    return {
      name: m.name,
      ...s,
      vsNet: s.medianMs / baseline.medianMs,
      vsFloor: floorStats ? s.medianMs / floorStats.medianMs : NaN,
      baseline: Boolean(m.baseline),
      kernel: Boolean(m.kernel),
      errors: errors.get(m.name),
    };
  });
  if (floorStats) rows.push({ name: 'floor.exe (C, WSAConnect)', ...floorStats, vsNet: floorStats.medianMs / baseline.medianMs, vsFloor: 1, floor: true, errors: floorErrors });

  const fmt = (v, d = 3) => (Number.isFinite(v) ? v.toFixed(d) : 'n/a');
  const ratio = (v) => (Number.isFinite(v) ? `${v.toFixed(2)}x` : 'n/a');
  const verdict = (v, target) => (Number.isFinite(v) ? (v <= target ? 'met' : '**missed**') : 'n/a');
  const lines = [
    `| method | n | median (ms) | p99 (ms) | vs net.connect median | target <= ${TARGET_VS_NET}x | vs floor median | target <= ${TARGET_VS_FLOOR}x |`,
    '|---|---:|---:|---:|---:|---|---:|---|',
  ];
  for (const r of rows) {
    const ours = !r.baseline && !r.floor && !r.kernel;
    lines.push(`| ${r.name} | ${r.n} | ${fmt(r.medianMs)} | ${fmt(r.p99Ms)} | ${ratio(r.vsNet)} | ${ours ? verdict(r.vsNet, TARGET_VS_NET) : '-'} ` +
      `| ${r.floor ? '1.00x' : ratio(r.vsFloor)} | ${ours ? verdict(r.vsFloor, TARGET_VS_FLOOR) : '-'} |`);
  }
  console.log('');
  console.log(lines.join('\n'));
  console.log('');
  if (!floorAvailable) console.log(`floor: not measured (${floorExe ? `${floorExe} is missing` : 'no --floor given'})`);
  for (const e of floorErrors) console.log(`floor: ${e}`);
  for (const r of rows) if (!r.floor && r.errors.length) console.log(`${r.name}: ${r.errors.length} error(s), e.g. ${r.errors[0]}`);
  console.log(`measured in ${runSeconds.toFixed(1)} s (warm-up included)`);

  const result = {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform}/${process.arch}`,
    osRelease: os.release(),
    wine: info.wine,
    cpus: os.cpus().length,
    iterations: options.iterations,
    warmup: options.warmup,
    targets: { vsNetConnect: TARGET_VS_NET, vsFloor: TARGET_VS_FLOOR },
    runSeconds: round(runSeconds, 1),
    floor: floorStats
      ? { ...Object.fromEntries(Object.entries(floorStats).map(([k, v]) => [k, round(v)])), chunks: floorRuns.length, errors: floorErrors }
      : { unavailable: floorAvailable ? floorErrors.join('; ') || 'no samples' : 'floor.exe not built' },
    methods: rows.filter((r) => !r.floor).map((r) => ({
      name: r.name,
      n: r.n,
      medianMs: round(r.medianMs),
      p99Ms: round(r.p99Ms),
      meanMs: round(r.meanMs),
      minMs: round(r.minMs),
      vsNetConnect: round(r.vsNet, 3),
      vsFloor: round(r.vsFloor, 3),
      metVsNetConnect: r.baseline || r.kernel ? null : r.vsNet <= TARGET_VS_NET,
      metVsFloor: r.baseline || r.kernel ? null : Number.isFinite(r.vsFloor) ? r.vsFloor <= TARGET_VS_FLOOR : null,
      errors: r.errors,
      samplesMs: samples.get(r.name).map((v) => round(v, 3)),
    })),
    floorSamplesMs: floorSamples.map((v) => round(v, 3)),
    markdown: lines.join('\n'),
  };
  fs.mkdirSync(path.dirname(options.out), { recursive: true });
  const tmp = `${options.out}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(result, null, 2) + '\n');
  fs.renameSync(tmp, options.out);
  console.log(`results: ${path.relative(process.cwd(), options.out)}`);
  if (errorCount >= MAX_ERRORS) process.exitCode = 1;
}

const watchdog = setTimeout(() => {
  console.error(`bench: still running after ${RUN_TIMEOUT_MS / 1000} s: giving up`);
  process.exit(2);
}, RUN_TIMEOUT_MS);
watchdog.unref();

main().catch((error) => {
  console.error(`bench failed: ${error.message}`);
  process.exitCode = 1;
});
