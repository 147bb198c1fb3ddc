// Installs what the Linux cross-build and the Wine test run need, on a fresh machine:
// Debian packages (when root) and the pinned Windows node.exe from the npm registry.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { APT_PACKAGES, CACHE, MINGW, NODE_EXE, NODE_WIN, ROOT, WINE } from './config.mjs';
import { capture, hasCommand, log, run } from './run.mjs';

function missingTools() {
  const missing = [];
  if (!fs.existsSync(WINE.wine) || !fs.existsSync(WINE.server)) missing.push('wine64');
  if (!hasCommand(MINGW.cxx)) missing.push(MINGW.cxx);
  if (!hasCommand(MINGW.dlltool)) missing.push(MINGW.dlltool);
  if (!fs.existsSync('/usr/include/wine/wine/windows/ddk/wsk.h')) missing.push('Wine DDK headers');
  return missing;
}

export function ensureToolchain() {
  const missing = missingTools();
  if (missing.length === 0) return;
  const isRoot = process.getuid?.() === 0;
  if (!isRoot || !hasCommand('apt-get')) {
    throw new Error(`missing ${missing.join(', ')}; install the Debian packages: ${APT_PACKAGES.join(' ')}`);
  }
  log(`installing ${APT_PACKAGES.join(' ')} (missing: ${missing.join(', ')})`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update', '-q'], { env });
  run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...APT_PACKAGES], { env });
  const still = missingTools();
  if (still.length) throw new Error(`still missing after apt-get: ${still.join(', ')}`);
}

function sha512Integrity(file) {
  return 'sha512-' + crypto.createHash('sha512').update(fs.readFileSync(file)).digest('base64');
}

export function ensureNodeExe() {
  if (fs.existsSync(NODE_EXE)) return NODE_EXE;
  const dir = path.dirname(NODE_EXE);
  fs.mkdirSync(dir, { recursive: true });
  const spec = `${NODE_WIN.pkg}@${NODE_WIN.version}`;
  log(`fetching ${spec} from the npm registry`);
  run('npm', ['pack', spec, '--pack-destination', dir, '--silent'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const tarball = path.join(dir, `${NODE_WIN.pkg}-${NODE_WIN.version}.tgz`);
  if (sha512Integrity(tarball) !== NODE_WIN.integrity) {
    fs.rmSync(tarball);
    throw new Error(`${spec}: integrity mismatch, refusing to use it`);
  }
  run('tar', ['-xzf', tarball, '-C', dir, '--strip-components=2', 'package/bin/node.exe']);
  fs.rmSync(tarball);
  if (!fs.existsSync(NODE_EXE)) throw new Error(`${spec}: node.exe missing from the package`);
  return NODE_EXE;
}

export function ensureCacheDir() {
  fs.mkdirSync(CACHE, { recursive: true });
  return capture('true', []).ok;
}

/** A fresh clone has no node_modules: `npm run demo` / `npm test` install them first. */
export function ensureNodeModules() {
  const needed = ['typescript', 'mocha', 'node-addon-api', 'node-api-headers', 'node-gyp-build'];
  if (needed.every((name) => fs.existsSync(path.join(ROOT, 'node_modules', name, 'package.json')))) return;
  log('installing npm dependencies (npm ci)');
  // Under `npm test`, npm_execpath is npm's own CLI script: runnable with this node on
  // every OS (on Windows a bare 'npm' is npm.cmd, which spawn can't start without a shell).
  const npmCli = process.env.npm_execpath;
  if (npmCli && /npm-cli\.js$/.test(npmCli)) run(process.execPath, [npmCli, 'ci', '--no-audit', '--no-fund'], { cwd: ROOT });
  else run('npm', ['ci', '--no-audit', '--no-fund'], { cwd: ROOT, shell: process.platform === 'win32' });
}
