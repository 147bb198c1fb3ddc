'use strict';
// The benchmark's loopback server, run as a process of its own so that its work
// (accepting, reading) never shares the measured event loop. Started by
// bench/lib/sink.js:  node bench/sink.js <port-file> <parent-pid>
//
// Every connection: count the bytes received and drop them; when the client
// ends its side, answer "<count>\n" and end too (the throughput runs wait for
// that line; the latency runs just close). Writes {"port":N} to <port-file>
// once listening. Exits when its parent is gone, or after MAX_LIFETIME_MS.
const fs = require('node:fs');
const net = require('node:net');

const MAX_LIFETIME_MS = 30 * 60_000;
const BACKLOG = 2048; // 1,000 concurrent connects must never find the queue full

const [portFile, parentPid] = process.argv.slice(2);

const server = net.createServer((socket) => {
  let received = 0;
  socket.on('error', () => {});
  socket.on('data', (chunk) => { received += chunk.length; });
  socket.on('end', () => socket.end(`${received}\n`));
});

server.listen({ host: '127.0.0.1', port: 0, backlog: BACKLOG }, () => {
  const tmp = `${portFile}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify({ port: server.address().port, pid: process.pid }));
  fs.renameSync(tmp, portFile);
});

function parentAlive() {
  try {
    process.kill(Number(parentPid), 0);
    return true;
  } catch {
    return false;
  }
}

setInterval(() => { if (!parentAlive()) process.exit(0); }, 1000).unref();
setTimeout(() => process.exit(0), MAX_LIFETIME_MS).unref();
