'use strict';
// The ways a benchmark connects, each resolving with a connected net.Socket:
// the package's functions (connect + adopt) and Node's own net.connect, the
// baseline. `hasSystem` adds connectByList's 'system' strategy where ws2_32 has
// WSAConnectByList (not under Wine 8).
const net = require('node:net');
const { connectByList, connectByName, wsaConnect } = require('../../dist/index.js');

function netConnect(host, port, { signal } = {}) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port, signal });
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
  });
}

/**
 * [{key, name, ours, connect(host, port, {signal, timeout}) -> Promise<net.Socket>}]
 */
function connectors({ hasSystem }) {
  const list = [
    {
      key: 'byName',
      name: 'connectByName (ipv4)',
      ours: true,
      connect: async (host, port, limits = {}) => (await connectByName({ host, port, family: 'ipv4', ...limits })).socket,
    },
    {
      key: 'race',
      name: 'connectByList (race)',
      ours: true,
      connect: async (host, port, limits = {}) =>
        (await connectByList({ addresses: [{ address: host, port }], strategy: 'race', ...limits })).socket,
    },
  ];
  if (hasSystem) {
    list.push({
      key: 'system',
      name: 'connectByList (system)',
      ours: true,
      connect: async (host, port, limits = {}) =>
        (await connectByList({ addresses: [{ address: host, port }], strategy: 'system', ...limits })).socket,
    });
  }
  list.push(
    {
      key: 'wsa',
      name: 'wsaConnect (tcp)',
      ours: true,
      connect: async (host, port, limits = {}) => (await wsaConnect({ address: host, port, ...limits })).socket,
    },
    {
      key: 'net',
      name: 'net.connect',
      ours: false,
      baseline: true,
      connect: (host, port, limits = {}) => netConnect(host, port, limits),
    },
  );
  return list;
}

/** Closes a socket and resolves once its handle is gone ('close'). */
function closeSocket(socket) {
  return new Promise((resolve) => {
    if (socket.destroyed && socket._handle == null) return resolve();
    socket.once('close', () => resolve());
    socket.destroy();
  });
}

function withTimeout(promise, ms, what = 'operation') {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: no result in ${ms} ms`)), ms); }),
  ]).finally(() => clearTimeout(timer));
}

module.exports = { connectors, closeSocket, netConnect, withTimeout };
