// A minimal Debian 13 root with Wine 10 in it, for the Node lines that Debian 12's
// Wine 8 cannot start (node.exe 24 and 26). Made once with debootstrap from
// Debian's mirror and cached in .cache/ (~1.5 GB); entered with chroot after
// bind-mounting /proc, /dev and this checkout (at the same path, so every path in
// the suite means the same inside). Needs root. Mounts are made for a run and
// always undone: at the end, on failure, on SIGINT/SIGTERM, and at the start of the
// next run if a killed one left any behind.
import fs from 'node:fs';
import path from 'node:path';
import { DEBIAN13, ROOT, WINES } from './config.mjs';
import { capture, hasCommand, log, run } from './run.mjs';

const ROOT_DIR = WINES.debian13.root;
const READY_MARKER = path.join(ROOT_DIR, '.winsock-connect-ready');
// What the marker records: a root made for another list is made anew.
const READY_TEXT = `${DEBIAN13.suite}: ${DEBIAN13.packages.join(' ')}; /etc/hosts with localhost\n`;
const HOSTS = '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n';

function rootReady() {
  return fs.existsSync(READY_MARKER) && fs.readFileSync(READY_MARKER, 'utf8') === READY_TEXT;
}

/** Why the Debian 13 root can't be used here, or null when it can. */
export function debian13Unavailable() {
  if (process.platform !== 'linux') return `the Debian 13 root is for Linux hosts (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'making and entering the Debian 13 root needs root (debootstrap, mount, chroot)';
  if (!hasCommand('chroot') || !hasCommand('mount')) return 'chroot or mount is missing';
  if (!rootReady() && !hasCommand('debootstrap') && !hasCommand('apt-get')) {
    return 'debootstrap is missing and apt-get is not there to install it';
  }
  return null;
}

function aptInstall(packages, chrootDir = null) {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const prefix = chrootDir ? ['chroot', chrootDir] : [];
  const [cmd, ...rest] = [...prefix, 'apt-get'];
  run(cmd, [...rest, 'update', '-q'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  run(cmd, [...rest, 'install', '-y', '-q', '--no-install-recommends', ...packages], { env, stdio: ['ignore', 'ignore', 'inherit'] });
}

/** Makes the root if it isn't cached yet (about a minute and a half). */
export function ensureDebian13Root() {
  if (rootReady()) return;
  const unavailable = debian13Unavailable();
  if (unavailable) throw new Error(unavailable);
  if (!hasCommand('debootstrap')) aptInstall(['debootstrap']);
  const building = `${ROOT_DIR}.partial`;
  removeRoot(building);
  fs.mkdirSync(building, { recursive: true });
  const started = performance.now();
  log(`making a Debian 13 (${DEBIAN13.suite}) root for Wine 10 in ${path.relative(ROOT, ROOT_DIR)} (once; cached)`);
  run('debootstrap', ['--variant=minbase', DEBIAN13.suite, building, DEBIAN13.mirror], { stdio: ['ignore', 'ignore', 'inherit'] });
  fs.writeFileSync(path.join(building, 'etc', 'hosts'), HOSTS);
  const mounts = mountSystem(building);
  try {
    aptInstall(DEBIAN13.packages, building);
  } finally {
    unmount(mounts);
  }
  removeRoot(ROOT_DIR);
  fs.renameSync(building, ROOT_DIR);
  fs.writeFileSync(READY_MARKER, READY_TEXT);
  log(`Debian 13 root ready in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

/** Mount points under `dir`, deepest first (from /proc/self/mounts). */
function mountsUnder(dir) {
  const prefix = `${path.resolve(dir)}/`;
  return fs.readFileSync('/proc/self/mounts', 'utf8').split('\n')
    .map((line) => line.split(' ')[1]?.replace(/\\040/g, ' '))
    .filter((point) => point && point.startsWith(prefix))
    .sort((a, b) => b.length - a.length);
}

function unmount(points) {
  for (const point of points) {
    // Lazy as a last resort: a process still inside (a wineserver) must not keep the mount.
    if (!capture('umount', ['-R', point]).ok) capture('umount', ['-R', '-l', point]);
  }
}

function unmountAll(dir) {
  if (fs.existsSync(dir)) unmount(mountsUnder(dir));
}

/**
 * Deletes a root, only once nothing is mounted in it: with the checkout
 * bind-mounted inside, a recursive delete would delete the checkout.
 */
function removeRoot(dir) {
  if (!fs.existsSync(dir)) return;
  unmountAll(dir);
  const left = mountsUnder(dir);
  if (left.length) throw new Error(`refusing to delete ${dir}: still mounted at ${left.join(', ')}`);
  fs.rmSync(dir, { recursive: true, force: true });
}

/** /proc and /dev inside `dir`; returns the mount points, to undo. */
function mountSystem(dir) {
  const points = [];
  for (const [source, flag] of [['/proc', '--bind'], ['/dev', '--rbind']]) {
    const target = path.join(dir, source);
    fs.mkdirSync(target, { recursive: true });
    run('mount', [flag, source, target]);
    if (flag === '--rbind') capture('mount', ['--make-rslave', target]);
    points.unshift(target);
  }
  return points;
}

/**
 * Runs `fn` with the root entered-ready: /proc, /dev and this checkout mounted
 * inside; every mount undone afterwards, whatever happens.
 */
export async function withDebian13Root(fn) {
  ensureDebian13Root();
  unmountAll(ROOT_DIR); // a killed run's leftovers
  const points = mountSystem(ROOT_DIR);
  const checkout = path.join(ROOT_DIR, ROOT);
  fs.mkdirSync(checkout, { recursive: true });
  run('mount', ['--bind', ROOT, checkout]);
  points.unshift(checkout);
  const undo = () => unmount(points.splice(0));
  const onSignal = (signal) => {
    undo();
    process.kill(process.pid, signal);
  };
  process.once('exit', undo);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await fn();
  } finally {
    undo();
    process.off('exit', undo);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
