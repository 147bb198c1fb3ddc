// Runs the real Windows node.exe under Wine, the way PLATFORM.md says works:
// a project-owned prefix in Windows 10 mode, one persistent wineserver for the
// whole run (stopped at the end), and node.exe's output sent to FILES (with a
// pipe, console.log dies with EBADF), tailed live to our stdout.
import fs from 'node:fs';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { CACHE, NODE_EXE, WINE } from './config.mjs';
import { log } from './run.mjs';

export function wineEnv(extra = {}) {
  return {
    ...process.env,
    WINEPREFIX: WINE.prefix,
    WINEDEBUG: process.env.WINEDEBUG ?? '-all',
    // No Mono/Gecko installer dialogs when the prefix is created.
    WINEDLLOVERRIDES: 'mscoree,mshtml=',
    ...extra,
  };
}

function wineSync(args) {
  return spawnSync(WINE.wine, args, { env: wineEnv(), stdio: 'ignore', timeout: 180_000 });
}

/** Starts the persistent wineserver and makes sure the prefix reports Windows 10. */
export function startWine() {
  fs.mkdirSync(CACHE, { recursive: true });
  const fresh = !fs.existsSync(path.join(WINE.prefix, 'system.reg'));
  spawnSync(WINE.server, ['-p'], { env: wineEnv(), stdio: 'ignore' });
  if (fresh) log('creating the Wine prefix (first run only)');
  // node.exe refuses to start on the default Windows 7 personality.
  const marker = path.join(WINE.prefix, '.win10');
  if (!fs.existsSync(marker)) {
    const r = wineSync(['reg', 'add', 'HKCU\\Software\\Wine', '/v', 'Version', '/d', 'win10', '/f']);
    if (r.status !== 0) throw new Error(`could not set the Wine prefix to Windows 10 (exit ${r.status})`);
    fs.writeFileSync(marker, '');
  }
}

/** Stops the wineserver (and with it every Wine process and loaded driver). */
export function stopWine() {
  spawnSync(WINE.server, ['-k'], { env: wineEnv(), stdio: 'ignore' });
}

/**
 * Runs `node.exe ...args` under Wine with output to `outFile`, copying the file to
 * our stdout as it grows. Resolves with the exit code.
 */
export function runWindowsNode(args, { cwd, env = {}, outFile, exe = NODE_EXE, timeoutMs = 0 } = {}) {
  const out = fs.openSync(outFile, 'w');
  const child = spawn(WINE.wine, [exe, ...args], { cwd, env: wineEnv(env), stdio: ['ignore', out, out] });
  fs.closeSync(out);
  let offset = 0;
  const pump = () => {
    const fd = fs.openSync(outFile, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      if (size > offset) {
        const buf = Buffer.alloc(size - offset);
        fs.readSync(fd, buf, 0, buf.length, offset);
        offset = size;
        process.stdout.write(buf);
      }
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
      pump();
      resolve(code ?? (signal ? 128 : 1));
    });
  });
}
