'use strict';
// Where the time of one connect goes (a diagnostic companion to bench/run.js, not
// part of `npm run bench`): the raw addon job (pool thread + hand-off back to JS),
// adoption into libuv, and close, against net.connect's connect and close.
//   node scripts/wine-node.mjs bench/breakdown.js [iterations]
const net = require('node:net');
const { performance } = require('node:perf_hooks');
const { loadBinding } = require('../dist/native.js');
const { adoptTcpSocket } = require('../dist/adopt.js');

const N = Math.min(Number(process.argv[2]) || 200, 2000);
const binding = loadBinding();
const waiting = new Map();
binding.setCompletionHandler((id, result) => { const w = waiting.get(id); waiting.delete(id); if (w) w(result); else result.socket?.close(); });
const job = (start) => new Promise((resolve) => waiting.set(start(), resolve));
const closed = (socket) => new Promise((resolve) => { socket.once('close', resolve); socket.destroy(); });
const median = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };

async function main() {
  const server = net.createServer((s) => { s.on('error', () => {}); s.pipe(s); });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  const t = { handoff: [], wsaJob: [], adopt: [], adoptedClose: [], netConnect: [], netClose: [], immediate: [] };
  for (let i = 0; i < N + 20; i++) {
    const keep = i >= 20;
    // 1. hand-off only: a job that fails at once without touching the network (unknown host, no DNS under Wine)
    let t0 = performance.now();
    await job(() => binding.connectByName('no-such-host.invalid', '80', 2, 0));
    if (keep) t.handoff.push(performance.now() - t0);
    // 2. wsaConnect job, adopt, close
    t0 = performance.now();
    const r = await job(() => binding.wsaConnect({ address: '127.0.0.1', port, protocol: 'tcp', broadcast: false }));
    const t1 = performance.now();
    const socket = adoptTcpSocket(r.socket);
    const t2 = performance.now();
    await closed(socket);
    const t3 = performance.now();
    if (keep) { t.wsaJob.push(t1 - t0); t.adopt.push(t2 - t1); t.adoptedClose.push(t3 - t2); }
    // 3. net.connect, close
    t0 = performance.now();
    const s = net.connect(port, '127.0.0.1');
    await new Promise((resolve) => s.once('connect', resolve));
    const t4 = performance.now();
    await closed(s);
    if (keep) { t.netConnect.push(t4 - t0); t.netClose.push(performance.now() - t4); }
    // 4. one event-loop turn (setImmediate) for scale
    t0 = performance.now();
    await new Promise((resolve) => setImmediate(resolve));
    if (keep) t.immediate.push(performance.now() - t0);
  }
  server.close();
  console.log(`medians over ${N} (ms), node ${process.version}`);
  for (const [k, v] of Object.entries(t)) console.log(`  ${k.padEnd(14)} ${median(v).toFixed(3)}`);
}
main();
