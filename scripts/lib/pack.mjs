// The package as users get it: `npm pack` of this checkout, unpacked beside it, so
// tests can check what ships and load the shipped prebuild (not the one in the
// checkout). Made once per `npm test`, before the suites run.
import fs from 'node:fs';
import path from 'node:path';
import { CACHE, ROOT } from './config.mjs';
import { run, runNpm } from './run.mjs';

export const PACK_DIR = path.join(CACHE, 'pack');

/**
 * Writes .cache/pack/winsock-connect.tgz and unpacks it to .cache/pack/package,
 * with node-gyp-build (its one runtime dependency for loading) beside it.
 */
export function packForTests() {
  fs.rmSync(PACK_DIR, { recursive: true, force: true });
  fs.mkdirSync(PACK_DIR, { recursive: true });
  const listing = runNpm(['pack', '--json', '--pack-destination', PACK_DIR], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8',
  }).stdout;
  const [{ filename }] = JSON.parse(listing.slice(listing.indexOf('[')));
  const tarball = path.join(PACK_DIR, 'winsock-connect.tgz');
  fs.renameSync(path.join(PACK_DIR, filename), tarball);
  run('tar', ['-xzf', tarball], { cwd: PACK_DIR });
  const runtime = path.join(PACK_DIR, 'package', 'node_modules', 'node-gyp-build');
  fs.cpSync(path.join(ROOT, 'node_modules', 'node-gyp-build'), runtime, { recursive: true });
  return PACK_DIR;
}
