'use strict';
// The Node ecosystem with no shims: http and https agents, undici and fetch, ws and
// SMTP (nodemailer) against real servers these tests start on loopback; MySQL
// (mysql2), SSH (ssh2) and an MQTT broker (mqtt) against Debian's MariaDB, OpenSSH
// and Mosquitto, which npm test starts on the Linux side (scripts/lib/services.mjs).
const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const https = require('node:https');
const path = require('node:path');
const { once } = require('node:events');
const undici = require('undici');
const WebSocket = require('ws');
const mqtt = require('mqtt');
const mysql = require('mysql2/promise');
const nodemailer = require('nodemailer');
const { SMTPServer } = require('smtp-server');
const ssh2 = require('ssh2');
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

describe('the ecosystem, no shims: http/https agents, undici and fetch, ws', function () {
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

  it('ws: a WebSocket client given createConnection talks to a real ws server', async () => {
    const server = new WebSocket.WebSocketServer({ host: '127.0.0.1', port: 0 });
    await once(server, 'listening');
    server.on('connection', (peer) => peer.on('message', (data) => peer.send(`echo ${data}`)));
    const client = new WebSocket(`ws://127.0.0.1:${server.address().port}/`, { createConnection: api.createConnection });
    try {
      await once(client, 'open');
      assert.ok(client._socket instanceof api.WinsockSocket, 'the upgrade ran over a Winsock connection');
      assert.equal(client._socket.winsockConnection.syscall, 'WSAConnect');
      client.send('hello');
      const [reply] = await once(client, 'message');
      assert.equal(String(reply), 'echo hello');
    } finally {
      client.terminate();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

/** The port of a server npm test started (scripts/lib/services.mjs), or skips `ctx` saying why not. */
function servicePort(ctx, name) {
  const port = Number(process.env[`WINSOCK_CONNECT_${name}_PORT`]);
  if (port) return port;
  console.log(`      (skipped: ${process.env[`WINSOCK_CONNECT_${name}_SKIP`] ?? `no ${name} server for this run (WINSOCK_CONNECT_${name}_PORT is not set)`})`);
  return ctx.skip();
}

/** A createConnection socket, once connected (for libraries that take a connected socket). */
async function connected(options) {
  const socket = api.createConnection(options);
  await once(socket, 'connect');
  return socket;
}

describe('the ecosystem, no shims: SQL, SSH, a message broker and SMTP against real servers', function () {
  this.timeout(60_000);
  lo.checkNoLeaksAfterEach();

  it('mysql2: its stream option, against MariaDB', async function () {
    const port = servicePort(this, 'MYSQL');
    let socket;
    const db = await mysql.createConnection({ user: 'root', database: 'mysql', stream: () => (socket = api.createConnection({ host: '127.0.0.1', port })) });
    try {
      assert.ok(socket instanceof api.WinsockSocket);
      const [[row]] = await db.query('SELECT 6 * 7 AS answer, VERSION() AS version');
      assert.equal(row.answer, 42);
      assert.match(row.version, /MariaDB/);
      const [rows] = await db.query('SELECT seq FROM seq_1_to_5000');
      assert.equal(rows.length, 5000);
      assert.equal(rows.reduce((sum, r) => sum + Number(r.seq), 0), 12502500);
    } finally {
      await db.end();
    }
  });

  it('ssh2: its sock option (a connected socket), against OpenSSH', async function () {
    const port = servicePort(this, 'SSH');
    const sock = await connected({ host: '127.0.0.1', port });
    const client = new ssh2.Client();
    try {
      client.connect({ sock, username: process.env.WINSOCK_CONNECT_SSH_USER, privateKey: Buffer.from(process.env.WINSOCK_CONNECT_SSH_KEY, 'base64') });
      await once(client, 'ready');
      const output = await new Promise((resolve, reject) => client.exec('echo over-winsock', (error, stream) => {
        if (error) return reject(error);
        let text = '';
        stream.on('data', (d) => { text += d; }).on('close', () => resolve(text));
        stream.stderr.resume();
      }));
      assert.equal(output.trim(), 'over-winsock');
    } finally {
      client.end();
      if (!sock.destroyed) await once(sock, 'close');
    }
  });

  it('mqtt: MqttClient over a createConnection stream, against Mosquitto', async function () {
    const port = servicePort(this, 'MQTT');
    const client = new mqtt.MqttClient(() => api.createConnection({ host: '127.0.0.1', port }), { reconnectPeriod: 0 });
    try {
      await once(client, 'connect');
      assert.ok(client.stream instanceof api.WinsockSocket);
      await client.subscribeAsync('winsock/test');
      await client.publishAsync('winsock/test', 'hello broker');
      const [topic, payload] = await once(client, 'message');
      assert.deepEqual([topic, String(payload)], ['winsock/test', 'hello broker']);
    } finally {
      await client.endAsync();
    }
  });

  it('nodemailer: its getSocket option, against an SMTP server', async () => {
    const received = [];
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, session, callback) {
        let text = '';
        stream.on('data', (d) => { text += d; }).on('end', () => { received.push({ from: session.envelope.mailFrom.address, text }); callback(); });
      },
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.server.address();
    const transport = nodemailer.createTransport({
      host: '127.0.0.1', port, secure: false,
      getSocket: (options, callback) => connected({ host: options.host, port: options.port }).then((connection) => callback(null, { connection }), callback),
    });
    try {
      const info = await transport.sendMail({ from: 'a@example.test', to: 'b@example.test', subject: 'winsock', text: 'sent over a Winsock connection' });
      assert.deepEqual(info.accepted, ['b@example.test']);
      assert.equal(received.length, 1);
      assert.equal(received[0].from, 'a@example.test');
      assert.match(received[0].text, /sent over a Winsock connection/);
    } finally {
      transport.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
