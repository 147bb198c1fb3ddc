'use strict';
// A worker thread for robustness.test.js. role 'steady': `rounds` connects to the
// echo server (cycling through the functions), each with a round trip, then
// reports. role 'victim': leaves connects pending on the stalled listener, then
// connects to the echo server until terminated, saying 'midway' after a few.
const { parentPort, workerData } = require('node:worker_threads');
const api = require(workerData.dist);

const CONNECT = [
  (port) => api.connectByName({ host: '127.0.0.1', port, family: 'ipv4' }),
  (port) => api.connectByList({ addresses: [{ address: '127.0.0.1', port }], strategy: 'race' }),
  (port) => api.wsaConnect({ address: '127.0.0.1', port }),
];

function roundTrip(socket, text) {
  return new Promise((resolve, reject) => {
    let got = '';
    socket.on('data', (chunk) => {
      got += chunk;
      if (got.length >= text.length) resolve(got);
    });
    socket.once('error', reject);
    socket.write(text);
  });
}

async function echoOnce(i) {
  const c = await CONNECT[i % CONNECT.length](workerData.echoPort);
  const text = `${workerData.id}:${i}`;
  const echoed = await roundTrip(c.socket, text);
  await new Promise((resolve) => { c.socket.once('close', resolve); c.socket.destroy(); });
  if (echoed !== text) throw new Error(`echo mismatch: sent ${text}, got ${echoed}`);
}

async function steady() {
  for (let i = 0; i < workerData.rounds; i++) await echoOnce(i);
  parentPort.postMessage({ done: true, rounds: workerData.rounds });
}

async function victim() {
  // Never settle on their own: the stalled listener never accepts and there is no deadline.
  for (const connect of CONNECT) connect(workerData.stalledPort).catch(() => {});
  for (let i = 0; ; i++) {
    await echoOnce(i);
    if (i === 4) parentPort.postMessage({ midway: true });
  }
}

(workerData.role === 'victim' ? victim() : steady()).catch((error) => parentPort.postMessage({ error: String(error?.stack ?? error) }));
