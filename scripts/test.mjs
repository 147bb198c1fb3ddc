// `npm test`. On Linux: provision (apt when root, pinned node.exe), build, run the
// portable suite on this node, then the Windows suite on the real node.exe under
// Wine in every cell of the matrix (config.mjs: TEST_CELLS: Node 22, 24 and 26
// under Wine 10 in a Debian 13 root, Node 22 under the host's Wine 8 as well);
// one summary line per cell and one total line. `npm test -- --quick` runs the
// first cell only. On Windows: build if needed and run everything natively.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import { CACHE, ROOT, TEST_CELLS } from './lib/config.mjs';
import { cellLabel, cellUnavailable, cellsByWine, withWine } from './lib/cells.mjs';
import { ensureNodeExe, ensureNodeModules, ensureToolchain } from './lib/provision.mjs';
import { log } from './lib/run.mjs';
import { packForTests } from './lib/pack.mjs';
import { ensureNodeTests } from './lib/nodeTests.mjs';
import { startPostgres } from './lib/postgres.mjs';
import { startServices } from './lib/services.mjs';
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

/**
 * The failures a run reported, as mocha's spec reporter lists them after "N failing"
 * (title, error, first lines of its stack), cut to `maxLines`: printed again at the
 * very end, where a CI log's tail still shows them after the later cells' output.
 */
function failureDigest(output, maxLines = 60) {
  const at = output.search(/^\s*\d+ failing\s*$/m);
  if (at < 0) return '';
  const lines = output.slice(at).split(/\r?\n/).filter((line) => line.trim());
  return lines.slice(0, maxLines).join('\n') + (lines.length > maxLines ? `\n  … ${lines.length - maxLines} more lines` : '');
}

function runLocalMocha(specs) {
  const result = spawnSync(process.execPath, [mochaPath(), ...MOCHA_ARGS, ...specs], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  process.stdout.write(result.stdout);
  return { code: result.status ?? 1, output: result.stdout };
}

/**
 * The Windows suite in every cell of `cells`, grouped so each Wine environment
 * (and the Debian 13 root's mounts) is set up once. Returns one run per cell:
 * {label, code, output, seconds} or {label, skipped: reason}.
 */
async function runMatrix(specs, cells, env) {
  const runs = [];
  for (const [wineName, group] of cellsByWine(cells)) {
    const unavailable = cellUnavailable(group[0]);
    if (unavailable) {
      for (const cell of group) runs.push({ label: cellLabel(cell), skipped: unavailable });
      continue;
    }
    let done = 0;
    try {
      await withWine(wineName, async (runNode, version) => {
        for (const cell of group) {
          const label = cellLabel(cell, version);
          log(`Windows suite: ${label}, real ws2_32 and netio.sys against loopback servers`);
          const outFile = path.join(CACHE, `wine-test-output-${wineName}-node${cell.node}.txt`);
          const started = performance.now();
          const code = await runNode(cell.node, [mochaPath(), ...MOCHA_ARGS, ...specs], { cwd: ROOT, outFile, env, timeoutMs: 20 * 60_000 });
          runs.push({ label, code, output: fs.readFileSync(outFile, 'utf8'), seconds: (performance.now() - started) / 1000 });
          done++;
        }
      });
    } catch (error) {
      // Setting the environment up failed (no mirror, say): its cells are named skips, not a crash.
      for (const cell of group.slice(done)) runs.push({ label: cellLabel(cell), skipped: `its Wine could not be set up: ${error.message}` });
    }
  }
  return runs;
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

/** Node's own net tests for test/windows/nodeNetTests.test.js: null, or why they are missing. */
async function provisionNodeTests() {
  const unavailable = await ensureNodeTests();
  if (unavailable) log(`Node's own net tests will be skipped: ${unavailable}`);
  return unavailable;
}

function summarize(run) {
  if (run.skipped) return `${run.label}: skipped (${run.skipped})`;
  const c = countResults(run.output);
  const time = run.seconds !== undefined ? ` in ${run.seconds.toFixed(0)} s` : '';
  const died = run.code !== 0 && c.failed === 0 ? ' (exited before reporting: counted as 1 failure)' : '';
  return `${run.label}: ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped${time}${died}`;
}

async function main() {
  const quick = process.argv.includes('--quick');
  ensureNodeModules();
  const runs = [];
  if (process.platform === 'win32') {
    // npm ci's install script normally built the addon (node-gyp, MSVC); build it if not.
    if (!hasAddonBuild()) buildAddonNodeGyp();
    if (!fs.existsSync(path.join(ROOT, 'dist', 'index.js'))) buildTypeScript();
    buildWithCmakeJs();
    packForTests();
    const nodeTestsUnavailable = await provisionNodeTests();
    if (nodeTestsUnavailable) process.env.WSC_NODE_TESTS_UNAVAILABLE = nodeTestsUnavailable;
    const started = performance.now();
    const run = runLocalMocha([...SUITES.everywhere, ...SUITES.windows]);
    runs.push({ label: `Windows, Node ${process.versions.node}`, ...run, seconds: (performance.now() - started) / 1000 });
  } else {
    ensureToolchain();
    const cells = quick ? TEST_CELLS.slice(0, 1) : TEST_CELLS;
    for (const cell of cells) if (!cellUnavailable(cell)) ensureNodeExe(cell.node);
    await buildAddonMingw();
    buildDriverMingw();
    buildWithCmakeJs();
    buildTypeScript();
    packForTests();
    const nodeTestsUnavailable = await provisionNodeTests();
    log('portable suite on this machine\'s node (no Windows): import, validation, unsupported platform');
    const started = performance.now();
    runs.push({ label: `portable, this machine's Node ${process.versions.node}`, ...runLocalMocha([...SUITES.everywhere, ...SUITES.offWindows]), seconds: (performance.now() - started) / 1000 });
    // Real servers on the Linux side for the pg and ecosystem tests, for the whole matrix.
    const postgres = await startPostgres();
    const services = await startServices();
    try {
      const env = { ...postgres.env, ...services.env, ...(nodeTestsUnavailable ? { WSC_NODE_TESTS_UNAVAILABLE: nodeTestsUnavailable } : {}) };
      runs.push(...await runMatrix([...SUITES.everywhere, ...SUITES.windows], cells, env));
    } finally {
      services.stop();
      postgres.stop();
    }
  }
  const ran = runs.filter((r) => !r.skipped);
  const total = ran.map((r) => countResults(r.output)).reduce((a, b) => ({
    passed: a.passed + b.passed, failed: a.failed + b.failed, skipped: a.skipped + b.skipped,
  }), { passed: 0, failed: 0, skipped: 0 });
  // A run that exits non-zero without reporting a failure died mid-suite (a crash
  // of node.exe, say): it counts as a failure.
  total.failed += ran.filter((r) => r.code !== 0 && countResults(r.output).failed === 0).length;
  const ok = ran.every((r) => r.code === 0) && total.failed === 0 && total.passed > 0;
  process.stdout.write('\n');
  for (const run of ran) {
    const digest = failureDigest(run.output);
    if (digest) process.stdout.write(`\n${run.label}, what failed:\n${digest}\n`);
  }
  process.stdout.write('\n');
  for (const run of runs) log(summarize(run));
  process.stdout.write(`\nwinsock-connect: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped\n`);
  process.exit(ok ? 0 : 1);
}

main().catch((err) => {
  console.error(`test run failed: ${err.stack ?? err}`);
  process.exit(1);
});
