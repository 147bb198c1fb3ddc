'use strict';
// Where one connect's time goes (the profile behind the latency figures): each
// raw addon job with the addon's own per-stage timing (binding.testing.setTiming) —
// queued (JS call -> a pool thread starts it), execute (the Winsock calls),
// hand back (-> the JS thread holds the result) — then the adoption into libuv
// (tcp_wrap open, new net.Socket) and the close; net.connect beside it.
const net = require('node:net');
const { performance } = require('node:perf_hooks');
const { loadBinding } = require('../../dist/native.js');
const { runJob } = require('../../dist/jobs.js');
const { closeSocket } = require('../lib/connectors');
const { median } = require('../lib/stats');

const AF_INET = 2;

function rawJobs(binding, target) {
  const { host, port } = target;
  const jobs = [
    { key: 'wsa', name: 'wsaConnect job', start: () => binding.wsaConnect({ address: host, port, protocol: 'tcp', broadcast: false }) },
    { key: 'byName', name: 'connectByName job', start: () => binding.connectByName(host, String(port), AF_INET, 0) },
  ];
  if (binding.hasConnectByList()) {
    jobs.push({ key: 'system', name: 'WSAConnectByList job', start: () => binding.connectByList([{ address: host, port }], 0) });
  }
  return jobs;
}

/** Adopts like lib/adopt.ts, timing libuv's open and the net.Socket separately. */
function adoptTimed(nativeSocket, tcpWrap) {
  let t0 = performance.now();
  const handle = new tcpWrap.TCP(tcpWrap.constants.SOCKET);
  const status = nativeSocket.handOver((raw) => handle.open(raw));
  const openMs = performance.now() - t0;
  if (status !== 0) throw new Error(`uv_tcp_open failed: ${status}`);
  t0 = performance.now();
  const socket = new net.Socket({ handle, readable: true, writable: true });
  return { socket, openMs, netSocketMs: performance.now() - t0 };
}

async function profileOnce(binding, job, tcpWrap, add) {
  const t0 = performance.now();
  const result = await runJob(binding, job.start, { timeoutMs: 0 });
  const roundTripMs = performance.now() - t0;
  if (result.errno !== 0) throw new Error(`${job.name}: ${result.syscall} failed with ${result.errno}`);
  const { timing } = result;
  const adopted = adoptTimed(result.socket, tcpWrap);
  const t1 = performance.now();
  await closeSocket(adopted.socket);
  add(job.key, 'roundTripUs', roundTripMs * 1000);
  add(job.key, 'queuedUs', timing.queuedUs);
  add(job.key, 'executeUs', timing.executeUs);
  add(job.key, 'handBackUs', timing.handBackUs);
  add(job.key, 'jsUs', roundTripMs * 1000 - timing.queuedUs - timing.executeUs - timing.handBackUs);
  add(job.key, 'uvOpenUs', adopted.openMs * 1000);
  add(job.key, 'netSocketUs', adopted.netSocketMs * 1000);
  add(job.key, 'closeUs', (performance.now() - t1) * 1000);
}

async function netOnce(target, add) {
  const t0 = performance.now();
  const socket = net.connect(target.port, target.host);
  await new Promise((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject); });
  const t1 = performance.now();
  await closeSocket(socket);
  add('net', 'roundTripUs', (t1 - t0) * 1000);
  add('net', 'closeUs', (performance.now() - t1) * 1000);
}

async function profileHandOff({ target, iterations, warmup }) {
  const binding = loadBinding();
  // eslint-disable-next-line n/no-deprecated-api -- the same internal binding lib/adopt.ts uses
  const tcpWrap = process.binding('tcp_wrap');
  const jobs = rawJobs(binding, target);
  const samples = {};
  const add = (key, field, value) => { ((samples[key] ??= {})[field] ??= []).push(value); };
  const ignore = () => {};
  binding.testing.setTiming(true);
  try {
    for (let i = 0; i < warmup; i++) {
      for (const job of jobs) await profileOnce(binding, job, tcpWrap, ignore);
      await netOnce(target, ignore);
    }
    for (let i = 0; i < iterations; i++) {
      for (const job of jobs) await profileOnce(binding, job, tcpWrap, add);
      await netOnce(target, add);
    }
  } finally {
    binding.testing.setTiming(false);
  }
  const rows = [...jobs.map((j) => ({ key: j.key, name: j.name })), { key: 'net', name: 'net.connect (connect event)' }];
  return rows.map((row) => ({
    ...row,
    n: samples[row.key].roundTripUs.length,
    medianUs: Object.fromEntries(Object.entries(samples[row.key]).map(([field, values]) => [field, median(values)])),
  }));
}

module.exports = { profileHandOff };
