'use strict';
// The connect loop scripts/count-calls.mjs traces: warm-up connects, then
// `count` connect + close cycles of one method between two markers in stderr,
// against a loopback server in this process (its accept side is the same for
// every method, so differences between methods are the client's).
//   node bench/callCount.js <method> <count>
const net = require('node:net');
const { once } = require('node:events');
const api = require('../dist/index.js');

const WARMUP = 5;
const METHODS = {
  'net.connect': (port) => net.connect(port, '127.0.0.1'),
  createConnection: (port) => api.createConnection(port, '127.0.0.1'),
  wsaConnect: async (port) => (await api.wsaConnect({ address: '127.0.0.1', port })).socket,
  connectByName: async (port) => (await api.connectByName({ host: '127.0.0.1', port, family: 'ipv4' })).socket,
  race: async (port) => (await api.connectByList({ strategy: 'race', addresses: [{ address: '127.0.0.1', port }] })).socket,
};

async function connectAndClose(method, port) {
  const socket = await METHODS[method](port);
  if (socket.connecting) await once(socket, 'connect');
  socket.destroy();
  await once(socket, 'close');
}

async function main() {
  const [method, count = '20'] = process.argv.slice(2);
  if (!METHODS[method]) throw new Error(`method: one of ${Object.keys(METHODS).join(', ')}`);
  const server = net.createServer((peer) => peer.on('error', () => {}));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  for (let i = 0; i < WARMUP; i++) await connectAndClose(method, port);
  await new Promise((resolve) => setTimeout(resolve, 200)); // the server side of the warm-up settles
  process.stderr.write('\nCALLCOUNT-BEGIN\n');
  for (let i = 0; i < Number(count); i++) await connectAndClose(method, port);
  process.stderr.write('\nCALLCOUNT-END\n');
  server.close();
}

module.exports = { METHODS };
if (require.main === module) main().catch((error) => { process.stderr.write(`${error.stack}\n`); process.exitCode = 1; });
