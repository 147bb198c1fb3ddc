// Installs what the Linux cross-build and the Wine test run need, on a fresh machine:
// Debian packages (when root) and the pinned Windows node.exe from the npm registry.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { ADDON_TARGETS, APT_PACKAGES, CACHE, NODE_LINES, NODE_WIN_PACKAGE, ROOT, WINES, nodeExe } from './config.mjs';
import { capture, hasCommand, log, run, runNpm } from './run.mjs';

function missingTools() {
  const missing = [];
  if (!fs.existsSync(WINES.host.wine) || !fs.existsSync(WINES.host.server)) missing.push('wine64');
  for (const target of Object.values(ADDON_TARGETS)) {
    if (!hasCommand(target.cxx)) missing.push(target.cxx);
    if (!hasCommand(target.dlltool)) missing.push(target.dlltool);
  }
  if (!fs.existsSync('/usr/include/wine/wine/windows/ddk/wsk.h')) missing.push('Wine DDK headers');
  if (!hasCommand('cmake')) missing.push('cmake');
  if (!hasCommand('ninja')) missing.push('ninja');
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

/** The pinned node.exe of Node `line`, fetched from the npm registry and checked the first time. */
export function ensureNodeExe(line) {
  const exe = nodeExe(line);
  if (fs.existsSync(exe)) return exe;
  const { version, integrity } = NODE_LINES[line];
  const dir = path.dirname(exe);
  fs.mkdirSync(dir, { recursive: true });
  const spec = `${NODE_WIN_PACKAGE}@${version}`;
  log(`fetching ${spec} from the npm registry`);
  runNpm(['pack', spec, '--pack-destination', dir, '--silent'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const tarball = path.join(dir, `${NODE_WIN_PACKAGE}-${version}.tgz`);
  if (sha512Integrity(tarball) !== integrity) {
    fs.rmSync(tarball);
    throw new Error(`${spec}: integrity mismatch, refusing to use it`);
  }
  run('tar', ['-xzf', tarball, '-C', dir, '--strip-components=2', 'package/bin/node.exe']);
  fs.rmSync(tarball);
  if (!fs.existsSync(exe)) throw new Error(`${spec}: node.exe missing from the package`);
  return exe;
}

export function ensureCacheDir() {
  fs.mkdirSync(CACHE, { recursive: true });
  return capture('true', []).ok;
}

/** A fresh clone has no node_modules: `npm run demo` / `npm test` install them first. */
export function ensureNodeModules() {
  const needed = ['typescript', 'mocha', 'node-addon-api', 'node-api-headers', 'node-gyp-build', 'cmake-js'];
  if (needed.every((name) => fs.existsSync(path.join(ROOT, 'node_modules', name, 'package.json')))) return;
  log('installing npm dependencies (npm ci)');
  runNpm(['ci', '--no-audit', '--no-fund'], { cwd: ROOT });
}
