'use strict';
// Resources and hosts: many concurrent connects, worker threads, a renamed
// node.exe, and the bound on threads that abandoned calls can hold.
const assert = require('node:assert/strict');
const os = require('node:os');
const fs = require('node:fs');
const path = require('node:path');
const { Worker } = require('node:worker_threads');
const api = require('../../dist/index.js');
const lo = require('../support/loopback');
const { runChildScript, runInRenamedNodeExe } = require('../support/child');
const ROOT = path.join(__dirname, '..', '..');

const DIST = path.join(__dirname, '..', '..', 'dist', 'index.js');
// Node 20 has the permission model behind --experimental-permission; 22 calls it --permission.
const PERMISSION_FLAG = Number(process.versions.node.split('.')[0]) >= 22 ? '--permission' : '--experimental-permission';

/** How many settled as each outcome: an error code, or 'fulfilled'. */
function tally(settled) {
  const counts = {};
  for (const r of settled) {
    const key = r.status === 'fulfilled' ? 'fulfilled' : String(r.reason.code);
    counts[key] = (counts[key] || 0) + 1;
  }
  return counts;
}

describe('lifecycle and resources', function () {
  let server;
  before(async () => { server = await lo.echoServer(); });
  after(async () => { await server.close(); });
  const leaks = lo.checkNoLeaksAfterEach();

  it('200 concurrent connects across all three functions succeed and every socket is closed after', async function () {
    this.timeout(120_000);
    const accepted = server.accepted.length;
    const ticks = lo.tickMonitor();
    const calls = Array.from({ length: 200 }, (_, i) => {
      switch (i % 3) {
        case 0: return api.connectByName({ host: '127.0.0.1', port: server.port, family: 'ipv4' });
        case 1: return api.connectByList({ addresses: [{ address: '127.0.0.1', port: server.port }] });
        default: return api.wsaConnect({ address: '127.0.0.1', port: server.port });
      }
    });
    const connections = await Promise.all(calls);
    const { maxGap } = ticks.stop();
    assert.equal(new Set(connections.map((c) => c.localAddress.port)).size, 200, 'two hundred distinct connections');
    const echoed = await Promise.all(connections.map((c, i) => lo.echoRoundTrip(c.socket, `n${i}`)));
    assert.deepEqual(echoed, connections.map((_, i) => `n${i}`));
    await Promise.all(connections.map((c) => lo.closeSocket(c.socket)));
    assert.equal(server.accepted.length - accepted, 200);
    const stats = lo.stats();
    assert.ok(stats.poolThreads <= stats.poolMaxThreads, `${stats.poolThreads} pool threads`);
    console.log(`      (200 connects: event loop max gap ${maxGap} ms, ${stats.poolThreads} pool threads)`);
  });

  it('200 concurrent refused and 100 aborted connects leave no socket open', async function () {
    this.timeout(120_000);
    const port = await lo.refusedPort();
    // A deadline far above a refusal's few ms: a lost completion fails this test by name, not by hanging it.
    const refused = await Promise.allSettled(Array.from({ length: 200 }, () => api.wsaConnect({ address: '127.0.0.1', port, timeout: 20_000 })));
    assert.deepEqual(tally(refused), { WSAECONNREFUSED: 200 });
    const stalled = await lo.stalledServer();
    try {
      const controller = new AbortController();
      const pending = Array.from({ length: 100 }, (_, i) => (i % 2
        ? api.connectByName({ host: '127.0.0.1', port: stalled.port, family: 'ipv4', signal: controller.signal })
        : api.connectByList({ strategy: 'race', addresses: [{ address: '127.0.0.1', port: stalled.port }], signal: controller.signal })));
      await new Promise((r) => setTimeout(r, 200));
      controller.abort();
      const settled = await Promise.allSettled(pending);
      assert.deepEqual(tally(settled), { ABORT_ERR: 100 });
      await lo.expectNoLeaks(leaks.baseline() + 1); // + the stalled listener, still open here
    } finally {
      stalled.close();
    }
  });

  it('1,000 wsaConnects hanging past their deadline hold no pool thread; each times out; later calls still run', async function () {
    this.timeout(60_000);
    const stalled = await lo.stalledServer();
    try {
      // Far more than the old one-thread-per-connect pool's 128 threads: each waits on the waiter's two threads.
      const hanging = Array.from({ length: 1000 }, () =>
        api.wsaConnect({ address: '127.0.0.1', port: stalled.port, timeout: 1500 }).catch((e) => e.code));
      await new Promise((r) => setTimeout(r, 500));
      const during = lo.stats();
      assert.equal(during.poolThreads - during.poolIdle, 0, 'no pool thread busy with a wsaConnect');
      assert.ok(during.multiplexedWaiting > 900, `${during.multiplexedWaiting} connects waiting on the waiter`);
      const codes = await Promise.all(hanging);
      assert.deepEqual([...new Set(codes)], ['WSAETIMEDOUT']);
      const c = await api.wsaConnect({ address: '127.0.0.1', port: server.port, timeout: 5000 });
      await lo.closeSocket(c.socket);
      await lo.expectNoLeaks(leaks.baseline() + 1); // + the stalled listener, still open here
    } finally {
      stalled.close();
    }
  });

  it('loads and connects in a worker thread (context-aware addon)', async () => {
    const worker = new Worker(`
      const { parentPort, workerData } = require('node:worker_threads');
      const api = require(workerData.dist);
      api.connectByName({ host: '127.0.0.1', port: workerData.port, family: 'ipv4' }).then((c) => {
        c.socket.on('data', (d) => { parentPort.postMessage({ echoed: String(d), local: c.localAddress }); c.socket.destroy(); });
        c.socket.write('from a worker');
      }, (err) => parentPort.postMessage({ error: err.message }));
    `, { eval: true, workerData: { dist: DIST, port: server.port } });
    const message = await new Promise((resolve, reject) => { worker.once('message', resolve); worker.once('error', reject); });
    assert.equal(message.echoed, 'from a worker');
    assert.equal(message.local.address, '127.0.0.1');
    await worker.terminate();
  });

  it('a worker terminated mid-connect does not crash the process; its socket is closed', async () => {
    const stalled = await lo.stalledServer();
    try {
      const worker = new Worker(`
        const { parentPort, workerData } = require('node:worker_threads');
        const api = require(workerData.dist);
        api.connectByName({ host: '127.0.0.1', port: workerData.port, family: 'ipv4' }).catch(() => {});
        api.wsaConnect({ address: '127.0.0.1', port: workerData.port }).catch(() => {});
        setTimeout(() => parentPort.postMessage('connecting'), 100);
      `, { eval: true, workerData: { dist: DIST, port: stalled.port } });
      await new Promise((resolve, reject) => { worker.once('message', resolve); worker.once('error', reject); });
      await worker.terminate();
      // This environment still works, and the worker's abandoned calls finish and close.
      const c = await api.wsaConnect({ address: '127.0.0.1', port: server.port });
      await lo.closeSocket(c.socket);
    } finally {
      stalled.close();
    }
  });

  it('loads in a node.exe copied under another name (delay-load binding to the host)', async function () {
    this.timeout(60_000);
    const script = `
      const out = process.argv[1];
      const api = require(${JSON.stringify(DIST)});
      api.wsaConnect({ address: '127.0.0.1', port: ${server.port} }).then((c) => {
        require('fs').writeFileSync(out, JSON.stringify({ ok: true, remote: c.remoteAddress }));
        c.socket.destroy();
      }, (e) => require('fs').writeFileSync(out, JSON.stringify({ ok: false, error: e.message })));
    `;
    const result = await runInRenamedNodeExe(script);
    assert.deepEqual(result, { ok: true, remote: { address: '127.0.0.1', family: 'IPv4', port: server.port } });
  });

  it("under Node's permission model: ERR_WINSOCK_ADOPTION_UNAVAILABLE before any connect", async function () {
    this.timeout(60_000);
    const script = `
      const out = process.argv[1];
      const api = require(${JSON.stringify(DIST)});
      const { loadBinding } = require(${JSON.stringify(path.join(path.dirname(DIST), 'native.js'))});
      api.wsaConnect({ address: '127.0.0.1', port: ${server.port} }).then(
        (c) => ({ ok: true }),
        (e) => ({ ok: false, code: e.code, name: e.name, open: loadBinding().stats().openSockets }),
      ).then((r) => require('fs').writeFileSync(out, JSON.stringify(r)));
    `;
    const accepted = server.accepted.length;
    const result = await runChildScript(script, {
      nodeArgs: (dir) => [PERMISSION_FLAG, '--allow-addons', '--allow-fs-read=*', `--allow-fs-write=${dir}`],
    });
    assert.deepEqual(result, { ok: false, code: 'ERR_WINSOCK_ADOPTION_UNAVAILABLE', name: 'WinsockPlatformError', open: 0 });
    assert.equal(server.accepted.length, accepted, 'no connection was made');
  });

  it('under --pending-deprecation --throw-deprecation: ERR_WINSOCK_ADOPTION_UNAVAILABLE, not a process killed by DEP0111', async function () {
    this.timeout(60_000);
    // process.binding's DEP0111 would be thrown from a later tick, beyond any catch:
    // the promise API's adoption is refused before any connect instead, and the
    // process lives on.
    const script = `
      const out = process.argv[1];
      const api = require(${JSON.stringify(DIST)});
      const { loadBinding } = require(${JSON.stringify(path.join(path.dirname(DIST), 'native.js'))});
      const promise = api.wsaConnect({ address: '127.0.0.1', port: ${server.port} }).then(
        (c) => ({ ok: true }),
        (e) => ({ ok: false, code: e.code, name: e.name, open: loadBinding().stats().openSockets }),
      );
      const socket = api.createConnection({ host: '127.0.0.1', port: ${server.port} });
      const failed = new Promise((resolve) => socket.on('error', (e) => resolve(e.code)).on('connect', () => { socket.destroy(); resolve('connected'); }));
      // A moment more: a deprecation thrown from a later tick would kill the process before the write.
      Promise.all([promise, failed]).then(([r, viaSocket]) => setTimeout(() => require('fs').writeFileSync(out, JSON.stringify({ ...r, viaSocket })), 200));
    `;
    const accepted = server.accepted.length;
    const result = await runChildScript(script, { nodeArgs: () => ['--pending-deprecation', '--throw-deprecation'] });
    // createConnection needs no process.binding (its socket is Node's own handle): it connects.
    assert.deepEqual(result, { ok: false, code: 'ERR_WINSOCK_ADOPTION_UNAVAILABLE', name: 'WinsockPlatformError', open: 0, viaSocket: 'connected' });
    assert.equal(server.accepted.length, accepted + 1, 'only createConnection connected');
  });

  it('reports what Winsock this is', () => {
    const info = api.platformInfo();
    assert.equal(info.supported, true);
    assert.equal(api.isSupported(), true);
    assert.equal(typeof info.connectByList, 'boolean');
  });
});

describe('an addon that cannot load', function () {
  this.timeout(30_000);
  const servers = lo.withEchoAndStalledServers();
  lo.checkNoLeaksAfterEach();

  it('an addon that cannot load: isSupported() false, calls reject with ERR_WINSOCK_ADDON_LOAD_FAILED', async () => {
    // A copy of the package whose only addon is not a DLL at all.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wsc-broken-'));
    try {
      fs.cpSync(path.join(ROOT, 'dist'), path.join(dir, 'dist'), { recursive: true });
      fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(dir, 'package.json'));
      fs.mkdirSync(path.join(dir, 'node_modules'));
      fs.cpSync(path.join(ROOT, 'node_modules', 'node-gyp-build'), path.join(dir, 'node_modules', 'node-gyp-build'), { recursive: true });
      const prebuild = path.join(dir, 'prebuilds', `win32-${process.arch}`);
      fs.mkdirSync(prebuild, { recursive: true });
      fs.writeFileSync(path.join(prebuild, 'winsock-connect.napi.node'), 'not a DLL');
      const result = await runChildScript(`
        const fs = require('fs');
        const api = require(${JSON.stringify(path.join(dir, 'dist', 'index.js'))});
        const supported = api.isSupported();
        api.connectByName({ host: '127.0.0.1', port: 1, family: 'ipv4' }).then(
          () => fs.writeFileSync(process.argv[1], JSON.stringify({ supported, connected: true })),
          (e) => fs.writeFileSync(process.argv[1], JSON.stringify({ supported, name: e.name, code: e.code })));`);
      assert.deepEqual(result, { supported: false, name: 'WinsockPlatformError', code: 'ERR_WINSOCK_ADDON_LOAD_FAILED' });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
