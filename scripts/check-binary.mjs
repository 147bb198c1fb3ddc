// Smoke check of ONE built addon on the Windows machine it was built for:
//   node scripts/check-binary.mjs [--prebuilds-only] [--arch <cpu>] <the .node file, relative to the package root>
// 0. with --arch, this node runs on that CPU (process.arch);
// 1. the file exists and its PE header names this process's CPU (process.arch);
// 2. node-gyp-build, the loader the package uses, resolves to exactly that file
//    (--prebuilds-only sets PREBUILDS_ONLY=1 first, as a published install would
//    find only prebuilds/, never a build/ folder);
// 3. the package's JS layer loads it and WSAConnect and WSAConnectByNameW each
//    carry an echo round trip to a loopback server this script starts.
// The CI jobs run it after each build (node-gyp, cmake-js, prebuildify), so the
// release path's check is exercised on every pull request, not first at a tag.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { ROOT } from './lib/config.mjs';
import { peInfo } from './lib/pe.mjs';

const require = createRequire(import.meta.url);
const WATCHDOG_MS = 60_000;

const USAGE = 'usage: node scripts/check-binary.mjs [--prebuilds-only] [--arch x64|ia32|arm64] <path/to/addon.node>';

function readArgs(args) {
  const { values, positionals } = parseArgs({
    args,
    options: { 'prebuilds-only': { type: 'boolean', default: false }, arch: { type: 'string' } },
    allowPositionals: true,
  });
  if (positionals.length !== 1) throw new Error(USAGE);
  return { prebuildsOnly: values['prebuilds-only'], arch: values.arch, expected: path.resolve(ROOT, positionals[0]) };
}

function checkFile(expected) {
  if (!fs.existsSync(expected)) throw new Error(`${expected} does not exist`);
  const pe = peInfo(expected);
  if (!pe.dll) throw new Error(`${expected} is a PE image but not a DLL`);
  if (pe.arch !== process.arch) throw new Error(`${expected} is built for ${pe.arch}, this node is ${process.arch}`);
  return pe;
}

/** The file node-gyp-build picks for the package root must be the one we were asked about. */
function checkResolution(expected) {
  const resolved = require('node-gyp-build').path(ROOT);
  if (path.relative(resolved, expected) !== '') {
    throw new Error(`node-gyp-build loads ${resolved}, not ${expected}`);
  }
}

async function loadPackage(addonFile) {
  if (!fs.existsSync(path.join(ROOT, 'dist', 'index.js'))) {
    const { buildTypeScript } = await import('./build.mjs');
    buildTypeScript();
  }
  const api = require(path.join(ROOT, 'dist', 'index.js'));
  const info = api.platformInfo();
  if (!info.supported) {
    // platformInfo() hides why; requiring the addon itself throws the loader's own error.
    require(addonFile);
    throw new Error('the addon loads on its own, yet the package reports itself unsupported');
  }
  return { api, info };
}

function echoServer() {
  const server = net.createServer((socket) => { socket.on('error', () => {}); socket.pipe(socket); });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function roundTrip(socket, text) {
  return new Promise((resolve, reject) => {
    let echoed = '';
    socket.on('data', (chunk) => {
      echoed += chunk;
      if (echoed.length >= text.length) resolve(echoed);
    });
    socket.once('error', reject);
    socket.write(text);
  });
}

async function connectAndEcho(name, connect) {
  const connection = await connect();
  try {
    const text = `hello over ${name}`;
    const echoed = await roundTrip(connection.socket, text);
    if (echoed !== text) throw new Error(`${name}: sent "${text}", got back "${echoed}"`);
  } finally {
    connection.socket.destroy();
  }
}

async function main() {
  const { prebuildsOnly, arch, expected } = readArgs(process.argv.slice(2));
  if (process.platform !== 'win32') throw new Error(`needs Windows (or node.exe under Wine); this is ${process.platform}`);
  // A runner's node of the wrong CPU (an emulated x64 node on arm64) would build and pass for that CPU.
  if (arch && process.arch !== arch) throw new Error(`this node is ${process.arch}, the job expects ${arch}`);
  // node-gyp-build reads PREBUILDS_ONLY when it is first required, which is below.
  if (prebuildsOnly) process.env.PREBUILDS_ONLY = '1';
  const pe = checkFile(expected);
  checkResolution(expected);
  const { api, info } = await loadPackage(expected);
  const server = await echoServer();
  const { port } = server.address();
  try {
    await connectAndEcho('WSAConnect', () => api.wsaConnect({ address: '127.0.0.1', port }));
    await connectAndEcho('WSAConnectByNameW', () => api.connectByName({ host: '127.0.0.1', port, family: 'ipv4' }));
  } finally {
    server.close();
  }
  const where = info.wine ? `Wine ${info.wine}` : 'Windows';
  console.log(`check-binary: ${path.relative(ROOT, expected)} (${pe.arch} DLL) loads in node ${process.version} ${process.arch} on ${where}; ` +
    'WSAConnect and WSAConnectByNameW echoed over 127.0.0.1');
}

const watchdog = setTimeout(() => {
  console.error(`check-binary: no result after ${WATCHDOG_MS / 1000} s`);
  process.exit(1);
}, WATCHDOG_MS);

main().then(() => {
  clearTimeout(watchdog);
}, (err) => {
  console.error(`check-binary failed: ${err.stack ?? err}`);
  process.exit(1);
});
