'use strict';
// The cmake-js build (CMakeLists.txt) is a real second build system: the binary IT
// produced, not the prebuild the package loads, connects over loopback through the same
// native boundary (lib/native.ts, results through the completion handler) and hands
// back a socket that carries data. npm test builds it first (scripts/build-cmake.mjs:
// mingw-w64 on Linux, MSVC on Windows).
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const nodeGypBuild = require('node-gyp-build');
const { runJob } = require('../../dist/jobs.js');
const { adoptTcpSocket } = require('../../dist/adopt.js');
const { loadBinding } = require('../../dist/native.js');
const lo = require('../support/loopback');
const { runInRenamedNodeExe } = require('../support/child');

const ROOT = path.resolve(__dirname, '..', '..');
// CMAKE_JS_ADDON in scripts/lib/config.mjs: outside ./build, so the package never picks it up.
const CMAKE_ADDON = path.join(ROOT, '.cache', 'cmake-js', 'Release', 'winsock-connect.node');

const samePath = (a, b) => path.resolve(a).toLowerCase() === path.resolve(b).toLowerCase();

function wsaConnectWith(binding, port) {
  const request = { address: '127.0.0.1', port, protocol: 'tcp', broadcast: false };
  return runJob(binding, () => binding.wsaConnect(request), { timeoutMs: 0 });
}

describe('cmake-js build (CMakeLists.txt)', function () {
  let server;
  let binding;
  before(async function () {
    assert.ok(fs.existsSync(CMAKE_ADDON), `${CMAKE_ADDON} is missing: run npm run build:cmake (npm test does)`);
    binding = require(CMAKE_ADDON);
    server = await lo.echoServer();
  });
  after(async () => { await server?.close(); });
  lo.checkNoLeaksAfterEach();
  afterEach(() => assert.equal(binding.stats().openSockets, 0, 'the cmake-js binary closed every socket it owned'));

  it('is the cmake-js output, not the prebuild: another path, other bytes, its own module instance', () => {
    const packaged = nodeGypBuild.resolve(ROOT);
    assert.ok(!samePath(packaged, CMAKE_ADDON), `the package loads ${packaged}, not the cmake-js binary`);
    assert.ok(!fs.readFileSync(packaged).equals(fs.readFileSync(CMAKE_ADDON)), 'not a copy of the prebuild');
    assert.equal(require.cache[CMAKE_ADDON]?.exports, binding, `loaded from ${CMAKE_ADDON}`);
    assert.notEqual(binding, loadBinding(), 'a module instance of its own beside the package\'s');
  });

  it('WSAConnect through its export connects to a loopback server and the socket carries data', async () => {
    const result = await wsaConnectWith(binding, server.port);
    assert.equal(result.errno, 0);
    assert.equal(result.syscall, 'WSAConnect');
    const socket = adoptTcpSocket(result.socket);
    assert.equal(socket.remoteAddress, '127.0.0.1');
    assert.equal(socket.remotePort, server.port);
    assert.equal(await lo.echoRoundTrip(socket, 'built by cmake-js'), 'built by cmake-js');
    assert.ok(server.accepted.some((a) => a.remotePort === socket.localPort), 'the server saw this connection');
    await lo.closeSocket(socket);
  });

  it('a refused port comes back as WSAECONNREFUSED from WSAConnect', async () => {
    const result = await wsaConnectWith(binding, await lo.refusedPort());
    assert.equal(result.errno, 10061);
    assert.equal(result.syscall, 'WSAConnect');
    assert.equal(result.socket, undefined);
  });

  it('loads in a node.exe copied under another name (its Node-API imports bind to the host)', async function () {
    this.timeout(60_000);
    const script = `
      const binding = require(${JSON.stringify(CMAKE_ADDON)});
      require('fs').writeFileSync(process.argv[1], JSON.stringify({ startupError: binding.platform().startupError }));
    `;
    assert.deepEqual(await runInRenamedNodeExe(script), { startupError: 0 });
  });
});
