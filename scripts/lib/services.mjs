// Real servers for the ecosystem tests (test/windows/ecosystem.test.js), beside
// PostgreSQL (postgres.mjs): Debian's MariaDB (mysql2), OpenSSH (ssh2) and Mosquitto
// (mqtt). Each is installed when root and missing, started on the Linux side in a
// temporary directory, listening on 127.0.0.1 only on a free port, and stopped and
// deleted at the end; node.exe under Wine reaches it over loopback. The tests read
// WINSOCK_CONNECT_<NAME>_PORT, or skip printing WINSOCK_CONNECT_<NAME>_SKIP.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { capture, freePort, hasCommand, log } from './run.mjs';

const SERVICES = [
  {
    name: 'MYSQL',
    label: 'MariaDB',
    package: 'mariadb-server',
    binary: '/usr/sbin/mariadbd',
    prepare(dir) {
      const init = capture('mariadb-install-db', ['--no-defaults', `--datadir=${dir}/data`, '--user=root', '--skip-test-db']);
      return init.ok ? null : `mariadb-install-db failed: ${init.stderr.trim().split('\n').pop()}`;
    },
    // No grant tables: any user, no password (a throwaway server on loopback).
    command: (dir, port) => ['/usr/sbin/mariadbd', '--no-defaults', `--datadir=${dir}/data`, '--user=root', `--port=${port}`,
      '--bind-address=127.0.0.1', `--socket=${dir}/mysqld.sock`, '--skip-grant-tables', '--innodb-buffer-pool-size=16M'],
  },
  {
    name: 'SSH',
    label: 'OpenSSH',
    package: 'openssh-server',
    binary: '/usr/sbin/sshd',
    prepare(dir, port) {
      for (const key of ['host_key', 'client_key']) {
        const made = capture('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, key)]);
        if (!made.ok) return `ssh-keygen failed: ${made.stderr.trim()}`;
      }
      fs.copyFileSync(path.join(dir, 'client_key.pub'), path.join(dir, 'authorized_keys'));
      fs.mkdirSync('/run/sshd', { recursive: true }); // sshd's privilege-separation directory
      fs.writeFileSync(path.join(dir, 'sshd_config'), [
        `Port ${port}`, 'ListenAddress 127.0.0.1', `HostKey ${dir}/host_key`, `AuthorizedKeysFile ${dir}/authorized_keys`,
        'PasswordAuthentication no', 'KbdInteractiveAuthentication no', 'UsePAM no', 'StrictModes no',
        'PermitRootLogin yes', `PidFile ${dir}/sshd.pid`, '',
      ].join('\n'));
      return null;
    },
    command: (dir) => ['/usr/sbin/sshd', '-D', '-e', '-f', path.join(dir, 'sshd_config')],
    // The tests log in as this user with this key (base64: one line through Wine's environment).
    env: (dir) => ({ WINSOCK_CONNECT_SSH_USER: os.userInfo().username, WINSOCK_CONNECT_SSH_KEY: fs.readFileSync(path.join(dir, 'client_key')).toString('base64') }),
  },
  {
    name: 'MQTT',
    label: 'Mosquitto',
    package: 'mosquitto',
    binary: '/usr/sbin/mosquitto',
    prepare(dir, port) {
      fs.writeFileSync(path.join(dir, 'mosquitto.conf'), [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence false', ''].join('\n'));
      return null;
    },
    command: (dir) => ['/usr/sbin/mosquitto', '-c', path.join(dir, 'mosquitto.conf')],
  },
];

/** Why the services can't be installed here, or null; installs the missing ones when root. */
function ensureInstalled() {
  if (process.platform !== 'linux') return 'these servers are started on Linux hosts only';
  const missing = SERVICES.filter((s) => !fs.existsSync(s.binary)).map((s) => s.package);
  if (missing.length === 0) return null;
  if (process.getuid?.() !== 0 || !hasCommand('apt-get')) return `Debian's ${missing.join(', ')} are not installed and this user cannot install them (not root)`;
  log(`installing ${missing.join(' ')} (for the ecosystem tests)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const installed = capture('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...missing], { env });
  return installed.ok ? null : `apt-get install ${missing.join(' ')} failed: ${installed.stderr.trim().split('\n').pop()}`;
}

/** Resolves once something accepts on 127.0.0.1:port, or rejects after `ms`. */
async function waitForPort(port, ms) {
  const deadline = Date.now() + ms;
  for (;;) {
    const up = await new Promise((resolve) => {
      const probe = net.connect(port, '127.0.0.1', () => { probe.destroy(); resolve(true); });
      probe.on('error', () => resolve(false));
    });
    if (up) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port} after ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function startOne(service, unavailable) {
  const skip = (why) => ({ env: { [`WINSOCK_CONNECT_${service.name}_SKIP`]: why }, stop: () => {} });
  if (unavailable) return skip(unavailable);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `winsock-connect-${service.name.toLowerCase()}-`));
  const port = await freePort();
  const failed = service.prepare(dir, port);
  if (failed) return skip(failed);
  const [cmd, ...args] = service.command(dir, port);
  const logFile = path.join(dir, 'server.log');
  const out = fs.openSync(logFile, 'w');
  const child = spawn(cmd, args, { stdio: ['ignore', out, out] });
  fs.closeSync(out);
  const stop = () => {
    child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForPort(port, 20_000);
  } catch (error) {
    const last = fs.readFileSync(logFile, 'utf8').trim().split('\n').pop();
    stop();
    return skip(`${service.label} did not start: ${error.message} (${last})`);
  }
  log(`${service.label} for the ecosystem tests on 127.0.0.1:${port}`);
  return { env: { [`WINSOCK_CONNECT_${service.name}_PORT`]: String(port), ...(service.env?.(dir) ?? {}) }, stop };
}

/** Starts every server; resolves with the environment the tests read and one stop function. */
export async function startServices() {
  const unavailable = ensureInstalled();
  const started = [];
  for (const service of SERVICES) started.push(await startOne(service, unavailable));
  return {
    env: Object.assign({}, ...started.map((s) => s.env)),
    stop: () => started.forEach((s) => s.stop()),
  };
}
