// Runs the real Windows node.exe under Wine, the way PLATFORM.md says works:
// a project-owned prefix in Windows 10 mode, one persistent wineserver for the
// whole run (stopped at the end), and node.exe's output sent to FILES (with a
// pipe, console.log dies with EBADF), tailed live to our stdout.
//
// `wine` is one of config.mjs's WINES: the host's Wine, or the Wine inside the
// Debian 13 root (entered with chroot; the caller mounts it: debian13.mjs).
import fs from 'node:fs';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { CACHE, WINES } from './config.mjs';
import { capture, log } from './run.mjs';

/**
 * Host variables that name a file by its host path, which inside a root may not
 * exist: there Node 24+ warns on stderr about NODE_EXTRA_CA_CERTS at every TLS
 * load, which would be read as the program's own output. Dropped when missing.
 */
const HOST_FILE_VARIABLES = ['NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE'];

function hostEnvFor(wine) {
  const env = { ...process.env };
  if (!wine.root) return env;
  for (const name of HOST_FILE_VARIABLES) {
    if (env[name] && !fs.existsSync(path.join(wine.root, env[name]))) delete env[name];
  }
  return env;
}

export function wineEnv(wine = WINES.host, extra = {}) {
  return {
    ...hostEnvFor(wine),
    WINEPREFIX: wine.prefix,
    WINEDEBUG: process.env.WINEDEBUG ?? '-all',
    // No Mono/Gecko installer dialogs when the prefix is created.
    WINEDLLOVERRIDES: 'mscoree,mshtml=',
    ...extra,
  };
}

/** [command, args] that run `program args` in `wine`'s root, from `cwd`. */
function inRoot(wine, program, args, cwd) {
  if (!wine.root) return [program, args];
  return ['chroot', [wine.root, 'env', `--chdir=${cwd ?? '/'}`, program, ...args]];
}

function wineSync(wine, args) {
  const [cmd, argv] = inRoot(wine, wine.wine, args);
  return spawnSync(cmd, argv, { env: wineEnv(wine), stdio: 'ignore', timeout: 180_000 });
}

/** `wine --version` of that environment, e.g. 'wine-10.0 (Debian 10.0~repack-6)'. */
export function wineVersion(wine = WINES.host) {
  const [cmd, argv] = inRoot(wine, wine.wine, ['--version']);
  return capture(cmd, argv).stdout.trim();
}

/** Starts the persistent wineserver and makes sure the prefix reports Windows 10. */
export function startWine(wine = WINES.host) {
  fs.mkdirSync(CACHE, { recursive: true });
  const fresh = !fs.existsSync(path.join(wine.prefix, 'system.reg'));
  const [cmd, argv] = inRoot(wine, wine.server, ['-p']);
  spawnSync(cmd, argv, { env: wineEnv(wine), stdio: 'ignore' });
  if (fresh) log(`creating the Wine prefix ${path.relative(process.cwd(), wine.prefix)} (first run only)`);
  // node.exe refuses to start on the default Windows 7 personality.
  const marker = path.join(wine.prefix, '.win10');
  if (!fs.existsSync(marker)) {
    const r = wineSync(wine, ['reg', 'add', 'HKCU\\Software\\Wine', '/v', 'Version', '/d', 'win10', '/f']);
    if (r.status !== 0) throw new Error(`could not set the Wine prefix to Windows 10 (exit ${r.status})`);
    fs.writeFileSync(marker, '');
  }
}

/** Stops the wineserver (and with it every Wine process and loaded driver). */
export function stopWine(wine = WINES.host) {
  const [cmd, argv] = inRoot(wine, wine.server, ['-k']);
  spawnSync(cmd, argv, { env: wineEnv(wine), stdio: 'ignore' });
}

/**
 * Runs `node.exe ...args` under Wine with output to `outFile`, copying the file to
 * our stdout as it grows (lines matching `quiet` are left out of the copy: Wine
 * 10's harmless start-up noise). Resolves with the exit code.
 */
export function runWindowsNode(args, { cwd, env = {}, outFile, exe, wine = WINES.host, timeoutMs = 0, quiet = null } = {}) {
  if (!exe) throw new Error('runWindowsNode needs the node.exe to run');
  const out = fs.openSync(outFile, 'w');
  const [cmd, argv] = inRoot(wine, wine.wine, [exe, ...args], cwd);
  const child = spawn(cmd, argv, { cwd, env: wineEnv(wine, env), stdio: ['ignore', out, out] });
  fs.closeSync(out);
  let offset = 0;
  let partial = '';
  const pump = (final = false) => {
    const fd = fs.openSync(outFile, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      if (size > offset) {
        const buf = Buffer.alloc(size - offset);
        fs.readSync(fd, buf, 0, buf.length, offset);
        offset = size;
        const lines = (partial + buf.toString('utf8')).split('\n');
        partial = final ? '' : lines.pop();
        const shown = quiet ? lines.filter((line) => !quiet.test(line)) : lines;
        if (shown.length) process.stdout.write(`${shown.join('\n')}\n`);
      }
      if (final && partial) process.stdout.write(`${partial}\n`);
    } finally {
      fs.closeSync(fd);
    }
  };
  const timer = setInterval(pump, 200);
  const killer = timeoutMs ? setTimeout(() => child.kill('SIGKILL'), timeoutMs) : null;
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      clearInterval(timer);
      if (killer) clearTimeout(killer);
      pump(true);
      resolve(code ?? (signal ? 128 : 1));
    });
  });
}
