// `npm test`. On Linux: provision (apt when root, pinned node.exe), build, run the
// portable suite on this node, then the Windows suite on the real node.exe under
// Wine. On Windows: build if needed and run everything natively.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import { CACHE, ROOT } from './lib/config.mjs';
import { ensureNodeExe, ensureNodeModules, ensureToolchain } from './lib/provision.mjs';
import { log } from './lib/run.mjs';
import { packForTests } from './lib/pack.mjs';
import { runWindowsNode, startWine, stopWine } from './lib/wine.mjs';
import { buildAddonMingw, buildAddonNodeGyp, buildDriverMingw, buildTypeScript } from './build.mjs';
import { buildAddonCmakeJs, cmakeJsUnsupportedReason } from './build-cmake.mjs';

const require = createRequire(import.meta.url);
const mochaPath = () => path.relative(ROOT, require.resolve('mocha/bin/mocha.js'));
const MOCHA_ARGS = ['--reporter', 'spec', '--timeout', '30000', '--exit'];
const SUITES = {
  everywhere: ['test/*.test.js'],
  offWindows: ['test/portable/*.test.js'],
  windows: ['test/windows/*.test.js'],
};

/** True when node-gyp-build, the package's loader, finds an addon for this node. */
function hasAddonBuild() {
  try {
    require('node-gyp-build').path(ROOT);
    return true;
  } catch {
    return false;
  }
}

function countResults(output) {
  const grab = (word) => Number(output.match(new RegExp(`(\\d+) ${word}`))?.[1] ?? 0);
  return { passed: grab('passing'), failed: grab('failing'), skipped: grab('pending') };
}

function runLocalMocha(specs) {
  const result = spawnSync(process.execPath, [mochaPath(), ...MOCHA_ARGS, ...specs], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  process.stdout.write(result.stdout);
  return { code: result.status ?? 1, output: result.stdout };
}

async function runUnderWine(specs) {
  const outFile = path.join(CACHE, 'wine-test-output.txt');
  startWine();
  try {
    const code = await runWindowsNode([mochaPath(), ...MOCHA_ARGS, ...specs], { cwd: ROOT, outFile, timeoutMs: 20 * 60_000 });
    return { code, output: fs.readFileSync(outFile, 'utf8') };
  } finally {
    stopWine();
  }
}

/**
 * The second build system: CMakeLists.txt through cmake-js (MSVC on Windows, mingw-w64
 * here), whose binary test/windows/cmakeJsBuild.test.js loads. Incremental; timed
 * because it runs on every npm test.
 */
function buildWithCmakeJs() {
  const unsupported = cmakeJsUnsupportedReason();
  if (unsupported) {
    log(`skipped the cmake-js build: ${unsupported}`);
    return;
  }
  const started = performance.now();
  buildAddonCmakeJs();
  log(`cmake-js build (CMakeLists.txt): ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

async function main() {
  ensureNodeModules();
  const runs = [];
  if (process.platform === 'win32') {
    // npm ci's install script normally built the addon (node-gyp, MSVC); build it if not.
    if (!hasAddonBuild()) buildAddonNodeGyp();
    if (!fs.existsSync(path.join(ROOT, 'dist', 'index.js'))) buildTypeScript();
    buildWithCmakeJs();
    packForTests();
    runs.push(runLocalMocha([...SUITES.everywhere, ...SUITES.windows]));
  } else {
    ensureToolchain();
    ensureNodeExe();
    await buildAddonMingw();
    buildDriverMingw();
    buildWithCmakeJs();
    buildTypeScript();
    packForTests();
    log('portable suite on this machine\'s node (no Windows): import, validation, unsupported platform');
    runs.push(runLocalMocha([...SUITES.everywhere, ...SUITES.offWindows]));
    log('Windows suite: the real node.exe under Wine, real ws2_32 against loopback servers');
    runs.push(await runUnderWine([...SUITES.everywhere, ...SUITES.windows]));
  }
  const total = runs.map((r) => countResults(r.output)).reduce((a, b) => ({
    passed: a.passed + b.passed, failed: a.failed + b.failed, skipped: a.skipped + b.skipped,
  }));
  // A run that exits non-zero without reporting a failure died mid-suite (a crash
  // of node.exe, say): it counts as a failure, and the summary says so.
  const crashed = runs.filter((r) => r.code !== 0 && countResults(r.output).failed === 0);
  for (const run of crashed) log(`a suite exited with code ${run.code} before reporting its results: counted as 1 failure`);
  total.failed += crashed.length;
  const ok = runs.every((r) => r.code === 0) && total.failed === 0 && total.passed > 0;
  process.stdout.write(`\nwinsock-connect: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped\n`);
  process.exit(ok ? 0 : 1);
}

main().catch((err) => {
  console.error(`test run failed: ${err.stack ?? err}`);
  try { stopWine(); } catch { /* nothing to stop */ }
  process.exit(1);
});
