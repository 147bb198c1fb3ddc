// Runs a script with the real Windows node.exe under Wine (Linux) or this node (Windows):
//   node scripts/wine-node.mjs [--node 22|24|26] [--wine host|debian13] <script.js> [args...]
// Used by `npm run demo` and `npm run bench`; builds first. The default cell is the
// active LTS line under Wine 10 (config.mjs: DEFAULT_RUN_CELL).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { CACHE, ROOT } from './lib/config.mjs';
import { cellLabel, pickRunCell, withWine } from './lib/cells.mjs';
import { ensureNodeExe, ensureNodeModules, ensureToolchain } from './lib/provision.mjs';
import { log } from './lib/run.mjs';
import { buildAddonMingw, buildDriverMingw, buildTypeScript } from './build.mjs';

/** Runs `args` on node.exe in the cell `cell` picks (pickRunCell), building first. */
export async function runOnWindowsNode(args, { outName = 'wine-node-output.txt', cell, timeoutMs = 15 * 60_000 } = {}) {
  ensureNodeModules();
  if (process.platform === 'win32') {
    return spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'inherit' }).status ?? 1;
  }
  ensureToolchain();
  const chosen = cell ?? pickRunCell(args);
  ensureNodeExe(chosen.node);
  await buildAddonMingw();
  buildDriverMingw();
  buildTypeScript();
  return withWine(chosen.wine, (runNode, version) => {
    log(`running on ${cellLabel(chosen, version)}`);
    return runNode(chosen.node, args, { cwd: ROOT, outFile: path.join(CACHE, outName), timeoutMs });
  });
}

// Run as a script (not imported); compared as paths so Windows' C:\ form matches too.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const code = await runOnWindowsNode(process.argv.slice(2));
  process.exit(code);
}
