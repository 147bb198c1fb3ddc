// A real PostgreSQL server for the pg tests (test/windows/postgres.test.js):
// Debian's postgresql package (installed when root and missing), a cluster
// initdb'd in a temporary directory, listening on 127.0.0.1 only on a free port,
// stopped and deleted at the end. It runs on the Linux side; node.exe under Wine
// reaches it over loopback. The tests learn its port from WINSOCK_CONNECT_PG_PORT,
// and skip with the printed reason (WINSOCK_CONNECT_PG_SKIP) where there is none.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { capture, freePort, hasCommand, log, run } from './run.mjs';

const PG_ROOT = '/usr/lib/postgresql';

function pgBin() {
  if (!fs.existsSync(PG_ROOT)) return null;
  const versions = fs.readdirSync(PG_ROOT).filter((v) => fs.existsSync(path.join(PG_ROOT, v, 'bin', 'pg_ctl'))).sort((a, b) => Number(b) - Number(a));
  return versions.length ? path.join(PG_ROOT, versions[0], 'bin') : null;
}

/** Why no server can be had here, or null; installs the package when it can. */
function ensurePostgresInstalled() {
  if (process.platform !== 'linux') return 'the PostgreSQL server is started on Linux hosts only (on Windows set WINSOCK_CONNECT_PG_PORT)';
  if (pgBin()) return null;
  if (process.getuid?.() !== 0 || !hasCommand('apt-get')) return "Debian's postgresql package is not installed and this user cannot install it (not root)";
  log('installing the postgresql package (for the pg tests)');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const installed = capture('apt-get', ['install', '-y', '-q', '--no-install-recommends', 'postgresql'], { env });
  if (!installed.ok) return `apt-get install postgresql failed: ${installed.stderr.trim().split('\n').pop()}`;
  return pgBin() ? null : 'postgresql installed, but no pg_ctl was found';
}

/**
 * Starts a throwaway server; resolves with the environment the tests read
 * ({WINSOCK_CONNECT_PG_PORT} or {WINSOCK_CONNECT_PG_SKIP}) and a stop function.
 */
export async function startPostgres() {
  const unavailable = ensurePostgresInstalled();
  if (unavailable) return { env: { WINSOCK_CONNECT_PG_SKIP: unavailable }, stop: () => {} };
  const bin = pgBin();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'winsock-connect-pg-'));
  const data = path.join(dir, 'data');
  // initdb and the server refuse to run as root: they run as the package's postgres user.
  const asPostgres = process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--'] : [];
  if (asPostgres.length) run('chown', ['postgres', dir]);
  const as = (cmd, args) => {
    const [first, ...rest] = [...asPostgres, cmd, ...args];
    return capture(first, rest);
  };
  const port = await freePort();
  const stop = () => {
    as(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop']);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const init = as(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync']);
  if (!init.ok) {
    stop();
    return { env: { WINSOCK_CONNECT_PG_SKIP: `initdb failed: ${init.stderr.trim().split('\n').pop()}` }, stop: () => {} };
  }
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -k ${dir} -c fsync=off`;
  const started = as(path.join(bin, 'pg_ctl'), ['-D', data, '-o', options, '-l', path.join(dir, 'server.log'), '-w', 'start']);
  if (!started.ok) {
    const why = fs.existsSync(path.join(dir, 'server.log')) ? fs.readFileSync(path.join(dir, 'server.log'), 'utf8').trim().split('\n').pop() : started.stderr;
    stop();
    return { env: { WINSOCK_CONNECT_PG_SKIP: `the PostgreSQL server did not start: ${why}` }, stop: () => {} };
  }
  log(`PostgreSQL ${path.basename(path.dirname(bin))} for the pg tests on 127.0.0.1:${port}`);
  return { env: { WINSOCK_CONNECT_PG_PORT: String(port) }, stop };
}
