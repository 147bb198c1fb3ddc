// Runs a script with the real Windows node.exe under Wine (Linux) or this node (Windows):
//   node scripts/wine-node.mjs <script.js> [args...]
// Used by `npm run demo` and `npm run bench`; builds first.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { CACHE, ROOT } from './lib/config.mjs';
import { ensureNodeExe, ensureNodeModules, ensureToolchain } from './lib/provision.mjs';
import { runWindowsNode, startWine, stopWine } from './lib/wine.mjs';
import { buildAddonMingw, buildDriverMingw, buildTypeScript } from './build.mjs';

export async function runOnWindowsNode(args, { outName = 'wine-node-output.txt' } = {}) {
  ensureNodeModules();
  if (process.platform === 'win32') {
    return spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'inherit' }).status ?? 1;
  }
  ensureToolchain();
  ensureNodeExe();
  await buildAddonMingw();
  buildDriverMingw();
  buildTypeScript();
  startWine();
  try {
    return await runWindowsNode(args, { cwd: ROOT, outFile: path.join(CACHE, outName), timeoutMs: 15 * 60_000 });
  } finally {
    stopWine();
  }
}

// Run as a script (not imported); compared as paths so Windows' C:\ form matches too.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const code = await runOnWindowsNode(process.argv.slice(2));
  process.exit(code);
}
