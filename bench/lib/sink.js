'use strict';
// Starts bench/sink.js as a child process (the same node executable) and
// resolves with its loopback port. The child is stopped with stop().
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { sleep } = require('./stats');

const START_TIMEOUT_MS = 20_000;

async function startSink() {
  const portFile = path.join(os.tmpdir(), `winsock-connect-sink-${process.pid}-${Date.now()}.json`);
  fs.rmSync(portFile, { force: true });
  // stdio 'ignore': a Windows node.exe under Wine must not write to pipes (PLATFORM.md).
  const child = spawn(process.execPath, [path.join(__dirname, '..', 'sink.js'), portFile, String(process.pid)], {
    stdio: 'ignore',
    windowsHide: true,
  });
  let exited = null;
  child.on('exit', (code) => { exited = code ?? 'signal'; });
  child.on('error', (error) => { exited = error.message; });
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!fs.existsSync(portFile)) {
    if (exited !== null) throw new Error(`the sink process exited (${exited}) before listening`);
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`the sink process did not listen within ${START_TIMEOUT_MS / 1000} s`);
    }
    await sleep(20);
  }
  const { port } = JSON.parse(fs.readFileSync(portFile, 'utf8'));
  fs.rmSync(portFile, { force: true });
  return {
    host: '127.0.0.1',
    port,
    stop: () => new Promise((resolve) => {
      if (exited !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill();
    }),
  };
}

/** The same sink behaviour inside this process (the old setup, kept for comparison). */
async function startInProcessSink() {
  const net = require('node:net');
  const sockets = new Set();
  const server = net.createServer((socket) => {
    let received = 0;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    socket.on('data', (chunk) => { received += chunk.length; });
    socket.on('end', () => socket.end(`${received}\n`));
  });
  await new Promise((resolve) => server.listen({ host: '127.0.0.1', port: 0, backlog: 2048 }, resolve));
  return {
    host: '127.0.0.1',
    port: server.address().port,
    stop: () => new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

module.exports = { startSink, startInProcessSink };
