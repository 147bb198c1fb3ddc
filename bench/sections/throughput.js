'use strict';
// Bulk throughput: `bytes` through an adopted socket (wsaConnect) and through a
// net.Socket (net.connect) to the loopback sink, which answers with the byte
// count once the client has ended. Both write the same 64 KiB buffer, honour
// back-pressure the same way, and alternate from round to round.
const { performance } = require('node:perf_hooks');
const { closeSocket } = require('../lib/connectors');
const { median } = require('../lib/stats');

const CHUNK_BYTES = 64 * 1024;
const TRANSFER_TIMEOUT_MS = 120_000;

/** Writes `total` bytes, ends, and resolves with the sink's count once it answers. */
function pump(socket, total, chunk) {
  return new Promise((resolve, reject) => {
    let answer = '';
    const timer = setTimeout(() => reject(new Error(`no answer from the sink in ${TRANSFER_TIMEOUT_MS} ms`)), TRANSFER_TIMEOUT_MS);
    socket.setEncoding('utf8');
    socket.on('data', (text) => {
      answer += text;
      if (!answer.includes('\n')) return;
      clearTimeout(timer);
      resolve(Number(answer.trim()));
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    let written = 0;
    const writeMore = () => {
      while (written < total) {
        const piece = total - written >= chunk.length ? chunk : chunk.subarray(0, total - written);
        written += piece.length;
        if (!socket.write(piece)) {
          socket.once('drain', writeMore);
          return;
        }
      }
      socket.end();
    };
    writeMore();
  });
}

async function transfer(method, target, bytes, chunk) {
  const socket = await method.connect(target.host, target.port);
  try {
    const started = performance.now();
    const received = await pump(socket, bytes, chunk);
    const seconds = (performance.now() - started) / 1000;
    if (received !== bytes) throw new Error(`${method.name}: the sink counted ${received} of ${bytes} bytes`);
    return { seconds, mibPerSecond: bytes / (1024 * 1024) / seconds };
  } finally {
    await closeSocket(socket);
  }
}

async function measureThroughput({ target, adopted, baseline, bytes, rounds, log }) {
  const chunk = Buffer.alloc(CHUNK_BYTES, 0x5a);
  const runs = { adopted: [], net: [] };
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? [['adopted', adopted], ['net', baseline]] : [['net', baseline], ['adopted', adopted]];
    for (const [kind, method] of order) {
      const result = await transfer(method, target, bytes, chunk);
      runs[kind].push(result);
      log(`  ${method.name.padEnd(28)} ${(bytes / 1048576).toFixed(0)} MiB in ${result.seconds.toFixed(2)} s: ${result.mibPerSecond.toFixed(0)} MiB/s`);
    }
  }
  // Each round's two transfers ran back to back: their ratio is less exposed to
  // the machine's drift than the ratio of the two medians (both are reported).
  const pairRatios = runs.adopted.map((r, i) => r.mibPerSecond / runs.net[i].mibPerSecond);
  return {
    bytes,
    chunkBytes: CHUNK_BYTES,
    rounds,
    medianPairRatio: median(pairRatios),
    adopted: { name: adopted.name, mibPerSecond: median(runs.adopted.map((r) => r.mibPerSecond)), runs: runs.adopted },
    net: { name: baseline.name, mibPerSecond: median(runs.net.map((r) => r.mibPerSecond)), runs: runs.net },
  };
}

module.exports = { measureThroughput };
