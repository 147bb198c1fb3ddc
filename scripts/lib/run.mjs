// Small process helpers: run a command and fail loudly, or check one exists.
import fs from 'node:fs';
import net from 'node:net';
import { spawnSync } from 'node:child_process';

export function run(cmd, args, options = {}) {
  const result = spawnSync(cmd, args, { stdio: 'inherit', ...options });
  if (result.error) throw new Error(`${cmd}: ${result.error.message}`);
  if (result.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} exited with ${result.status ?? result.signal}`);
  }
  return result;
}

export function capture(cmd, args, options = {}) {
  const result = spawnSync(cmd, args, { encoding: 'utf8', ...options });
  return { ok: !result.error && result.status === 0, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

export function hasCommand(cmd) {
  return capture('sh', ['-c', `command -v "${cmd}"`]).ok;
}

export function log(message) {
  process.stdout.write(`[winsock-connect] ${message}\n`);
}

/**
 * Runs npm with `args`. Under an npm script, npm_execpath is npm's own CLI script:
 * runnable with this node on every OS (on Windows a bare 'npm' is npm.cmd, which
 * spawn can't start without a shell).
 */
export function runNpm(args, options = {}) {
  const npmCli = process.env.npm_execpath;
  if (npmCli && /npm-cli\.js$/.test(npmCli)) return run(process.execPath, [npmCli, ...args], options);
  return run('npm', args, { shell: process.platform === 'win32', ...options });
}

/** Writes a generated file only when its text changed (so its mtime means a real change). */
export function writeIfChanged(file, text) {
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  if (current !== text) fs.writeFileSync(file, text);
}

/** A TCP port free on 127.0.0.1 right now (for a server this run starts). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}
