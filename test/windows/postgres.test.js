'use strict';
// pg against a real PostgreSQL server (started by npm test on the Linux side:
// scripts/lib/postgres.mjs), with no shim: pg's own `stream` option given a
// WinsockSocket, which pg connects itself (socket.connect(port, host)).
const assert = require('node:assert/strict');
const api = require('../../dist/index.js');
const lo = require('../support/loopback');

const PORT = Number(process.env.WINSOCK_CONNECT_PG_PORT) || 0;
const SKIP_REASON = process.env.WINSOCK_CONNECT_PG_SKIP || 'no PostgreSQL server for this run (WINSOCK_CONNECT_PG_PORT is not set)';

describe('pg over a Winsock connection, against a real PostgreSQL server', function () {
  this.timeout(60_000);
  let pg;
  before(function () {
    if (!PORT) {
      console.log(`      (skipped: ${SKIP_REASON})`);
      this.skip();
    }
    pg = require('pg');
  });
  lo.checkNoLeaksAfterEach();

  const config = (winsock) => ({
    host: '127.0.0.1', port: PORT, user: 'postgres', database: 'postgres',
    stream: () => new api.WinsockSocket({ winsock }),
  });

  it('a Client connects through WinsockSocket and reads 20,000 rows whose checksum matches the server', async () => {
    const client = new pg.Client(config());
    await client.connect();
    try {
      const socket = client.connection.stream;
      assert.ok(socket instanceof api.WinsockSocket);
      assert.equal(socket.winsockConnection.syscall, 'WSAConnect');
      const { rows: [seen] } = await client.query('SELECT inet_client_port() AS port');
      assert.equal(seen.port, socket.localPort, 'the server saw this socket');
      const { rows } = await client.query("SELECT i, md5(i::text) AS h FROM generate_series(1, 20000) i");
      assert.equal(rows.length, 20000);
      const local = rows.reduce((sum, r) => (sum + r.i * parseInt(r.h.slice(0, 8), 16)) % 2147483647, 0);
      const { rows: [server] } = await client.query(
        "SELECT (sum(i::numeric * ('x' || substr(md5(i::text), 1, 8))::bit(32)::bigint) % 2147483647)::int AS sum FROM generate_series(1, 20000) i");
      assert.equal(local, server.sum);
    } finally {
      await client.end();
    }
  });

  it('a Pool of wsaConnect sockets runs 8 queries at once', async () => {
    const pool = new pg.Pool({ ...config({ function: 'wsaConnect' }), max: 4 });
    try {
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => pool.query('SELECT $1::int * 2 AS v, pg_backend_pid() AS pid', [i])));
      assert.deepEqual(results.map((r) => r.rows[0].v), [0, 2, 4, 6, 8, 10, 12, 14]);
      assert.ok(new Set(results.map((r) => r.rows[0].pid)).size > 1, 'several pooled connections');
    } finally {
      await pool.end();
    }
  });

  it("a refused server is the ECONNREFUSED pg reports for net.connect, the WinsockError its cause", async () => {
    const port = await lo.refusedPort();
    const client = new pg.Client({ ...config({ function: 'connectByName' }), port });
    await assert.rejects(client.connect(), (error) => error.code === 'ECONNREFUSED' && error.syscall === 'connect'
      && error.cause instanceof api.WinsockError && error.cause.code === 'WSAECONNREFUSED');
  });
});
