// A cell of the matrix: one pinned node.exe line under one Wine environment
// (config.mjs: TEST_CELLS, WINES). Starting a Wine environment means its
// wineserver, and for the Debian 13 one its mounted root (debian13.mjs).
import { DEFAULT_RUN_CELL, NODE_LINES, TEST_CELLS, WINES } from './config.mjs';
import { debian13Unavailable, withDebian13Root } from './debian13.mjs';
import { ensureNodeExe } from './provision.mjs';
import { log } from './run.mjs';
import { runWindowsNode, startWine, stopWine, wineVersion } from './wine.mjs';

// Wine 10 prints these on every start inside the root: harmless, left out of our output.
export const WINE_NOISE = /XDG_RUNTIME_DIR is invalid|Ignoring extra certs from/;

export function cellLabel(cell, version = null) {
  return `Node ${cell.node} (${NODE_LINES[cell.node].version}) on ${version ?? (cell.wine === 'host' ? "the host's Wine" : 'Wine in the Debian 13 root')}`;
}

/** Why a cell can't run here, or null. */
export function cellUnavailable(cell) {
  return cell.wine === 'debian13' ? debian13Unavailable() : null;
}

/**
 * Runs `fn(runNode, version)` with `wineName`'s wineserver up (and the Debian 13
 * root mounted for that one); `runNode(line, args, options)` runs the pinned
 * node.exe of `line` there. Everything is stopped and unmounted afterwards.
 */
export async function withWine(wineName, fn) {
  const wine = WINES[wineName];
  const body = async () => {
    startWine(wine);
    try {
      const version = wineVersion(wine);
      const runNode = (line, args, options) =>
        runWindowsNode(args, { ...options, wine, exe: ensureNodeExe(line), quiet: WINE_NOISE });
      return await fn(runNode, version);
    } finally {
      stopWine(wine);
    }
  };
  return wineName === 'debian13' ? withDebian13Root(body) : body();
}

/** Groups cells by Wine environment, in TEST_CELLS order. */
export function cellsByWine(cells = TEST_CELLS) {
  const groups = new Map();
  for (const cell of cells) groups.set(cell.wine, [...(groups.get(cell.wine) ?? []), cell]);
  return groups;
}

/**
 * The cell `--wine host|debian13|8|10` and `--node 22|24|26` pick (removed from
 * `argv`), else DEFAULT_RUN_CELL; falls back to the host's Wine with Node 22
 * where the Debian 13 root can't be used, saying why.
 */
export function pickRunCell(argv) {
  const cell = { ...DEFAULT_RUN_CELL };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    if (flag !== '--wine' && flag !== '--node') continue;
    const value = inline ?? argv[i + 1];
    argv.splice(i, inline === undefined ? 2 : 1);
    i--;
    if (flag === '--node') {
      if (!NODE_LINES[value]) throw new Error(`--node takes one of ${Object.keys(NODE_LINES).join(', ')}`);
      cell.node = Number(value);
    } else {
      const wine = { host: 'host', 8: 'host', debian13: 'debian13', 10: 'debian13' }[value];
      if (!wine) throw new Error('--wine takes host (8) or debian13 (10)');
      cell.wine = wine;
    }
  }
  const unavailable = cellUnavailable(cell);
  if (unavailable) {
    log(`${cellLabel(cell)} is not available here (${unavailable}): using Node 22 on the host's Wine`);
    return { wine: 'host', node: 22 };
  }
  return cell;
}
