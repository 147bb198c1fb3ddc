'use strict';
// The Node ecosystem with no shims: http and https agents, undici and fetch, each
// against a real server these tests start on loopback.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const https = require('node:https');
const path = require('node:path');
const { once } = require('node:events');
const undici = require('undici');
const api = require('../../dist/index.js');
const lo = require('../support/loopback');

const FIXTURES = path.join(__dirname, '..', 'fixtures');
const TLS = {
  key: fs.readFileSync(path.join(FIXTURES, 'localhost-key.pem')),
  cert: fs.readFileSync(path.join(FIXTURES, 'localhost-cert.pem')),
};

/** An HTTP(S) server answering `<method> <url> #<connection number>`, counting connections. */
async function countingServer(secure) {
  let connections = 0;
  const servernames = [];
  const handler = (req, res) => res.end(`${req.method} ${req.url} #${req.socket.connectionNumber}`);
  const server = secure ? https.createServer(TLS, handler) : http.createServer(handler);
  server.on(secure ? 'secureConnection' : 'connection', (socket) => {
    socket.connectionNumber = ++connections;
    if (secure) servernames.push(socket.servername);
  });
  server.keepAliveTimeout = 30_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    connections: () => connections,
    servernames,
    close: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()); }),
  };
}

async function get(module, options) {
  const req = module.get(options);
  const [res] = await once(req, 'response');
  res.setEncoding('utf8');
  let body = '';
  for await (const chunk of res) body += chunk;
  return { status: res.statusCode, body, socket: req.socket };
}

describe('the ecosystem, no shims: http/https agents, undici and fetch', function () {
  this.timeout(30_000);
  const leaks = lo.checkNoLeaksAfterEach();

  it('WinsockAgent: 20 keep-alive GETs over one Winsock connection', async () => {
    const server = await countingServer(false);
    const agent = new api.WinsockAgent({ keepAlive: true, maxSockets: 1 });
    try {
      for (let i = 0; i < 20; i++) {
        const { status, body, socket } = await get(http, { host: '127.0.0.1', port: server.port, path: `/n${i}`, agent });
        assert.equal(status, 200);
        assert.equal(body, `GET /n${i} #1`);
        assert.equal(socket.winsockConnection.syscall, 'WSAConnect');
      }
      assert.equal(server.connections(), 1, 'keep-alive reused the one connection');
    } finally {
      agent.destroy();
      await server.close();
    }
  });

  it('WinsockAgent with winsock options: connectByName for every socket', async () => {
    const server = await countingServer(false);
    const agent = new api.WinsockAgent({ winsock: { function: 'connectByName' } });
    try {
      const { body, socket } = await get(http, { host: '127.0.0.1', port: server.port, path: '/byname', agent });
      assert.equal(body, 'GET /byname #1');
      assert.equal(socket.winsockConnection.syscall, 'WSAConnectByName');
    } finally {
      agent.destroy();
      await server.close();
    }
  });

  it('WinsockHttpsAgent: TLS with SNI and the certificate checked against ca; keep-alive reuse', async () => {
    const server = await countingServer(true);
    const agent = new api.WinsockHttpsAgent({ keepAlive: true, maxSockets: 1, ca: TLS.cert });
    try {
      for (let i = 0; i < 5; i++) {
        const { body } = await get(https, { host: '127.0.0.1', servername: 'localhost', port: server.port, path: `/s${i}`, agent });
        assert.equal(body, `GET /s${i} #1`);
      }
      assert.equal(server.connections(), 1);
      assert.deepEqual([...new Set(server.servernames)], ['localhost'], 'the server saw SNI localhost');
    } finally {
      agent.destroy();
      await server.close();
    }
  });

  it('WinsockHttpsAgent: an untrusted certificate fails the request as https would', async () => {
    const server = await countingServer(true);
    const agent = new api.WinsockHttpsAgent();
    try {
      const req = https.get({ host: '127.0.0.1', servername: 'localhost', port: server.port, agent });
      const [error] = await once(req, 'error');
      assert.equal(error.code, 'DEPTH_ZERO_SELF_SIGNED_CERT');
    } finally {
      agent.destroy();
      await server.close();
    }
  });

  it('undici: an Agent with undiciConnector, http and https, and global fetch through setGlobalDispatcher', async () => {
    const plain = await countingServer(false);
    const secure = await countingServer(true);
    // One connection per origin, so that keep-alive reuse shows as one server-side connection.
    const dispatcher = new undici.Agent({ connections: 1, connect: api.undiciConnector({ ca: TLS.cert }) });
    const previous = undici.getGlobalDispatcher();
    try {
      for (let i = 0; i < 5; i++) {
        const res = await undici.request(`http://127.0.0.1:${plain.port}/u${i}`, { dispatcher });
        assert.equal(await res.body.text(), `GET /u${i} #1`);
      }
      assert.equal(plain.connections(), 1, 'undici kept the connection alive');
      const res = await undici.fetch(`https://localhost:${secure.port}/tls`, { dispatcher });
      assert.equal(await res.text(), 'GET /tls #1');
      undici.setGlobalDispatcher(dispatcher);
      const viaGlobal = await fetch(`http://127.0.0.1:${plain.port}/global`);
      assert.equal(await viaGlobal.text(), 'GET /global #1', "Node's global fetch used the same Winsock connection");
    } finally {
      undici.setGlobalDispatcher(previous);
      await dispatcher.close();
      await plain.close();
      await secure.close();
    }
    await lo.expectNoLeaks(leaks.baseline());
  });

  it("undici: a refused origin rejects the request with Node's ECONNREFUSED, the WinsockError its cause", async () => {
    const port = await lo.refusedPort();
    const dispatcher = new undici.Agent({ connect: api.undiciConnector() });
    try {
      await assert.rejects(undici.request(`http://127.0.0.1:${port}/`, { dispatcher }),
        (error) => error.code === 'ECONNREFUSED' && error.cause instanceof api.WinsockError && error.cause.code === 'WSAECONNREFUSED');
    } finally {
      await dispatcher.close();
    }
  });
});
