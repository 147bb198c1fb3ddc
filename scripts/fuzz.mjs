// `npm run fuzz`: the fuzz and robustness tests at their full sizes
// (WINSOCK_CONNECT_FULL=1: 100,000 inputs per fuzzed function, 10,000 refused and
// 10,000 abandoned connects, a storm of 1,000, 64 MiB echoes, 250 connects per
// worker). Same files as `npm test` runs at CI size. On Linux: builds, then runs
// them on the real node.exe under Wine; on Windows: natively.
// Extra arguments go to mocha, e.g. `npm run fuzz -- --grep storm`.
// WINSOCK_CONNECT_FUZZ_RUNS overrides the inputs per fuzzed function.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import { ROOT } from './lib/config.mjs';
import { ensureNodeModules } from './lib/provision.mjs';
import { log } from './lib/run.mjs';
import { buildTypeScript } from './build.mjs';
import { runOnWindowsNode } from './wine-node.mjs';

const require = createRequire(import.meta.url);
const SPECS = ['test/windows/fuzz.test.js', 'test/windows/robustness.test.js'];
const RUN_LIMIT_MS = 90 * 60_000;

async function main() {
  process.env.WINSOCK_CONNECT_FULL = '1';
  ensureNodeModules();
  const mocha = path.relative(ROOT, require.resolve('mocha/bin/mocha.js'));
  const args = [mocha, '--reporter', 'spec', '--timeout', '60000', '--exit', ...SPECS, ...process.argv.slice(2)];
  const startedAt = Date.now();
  let code;
  if (process.platform === 'win32') {
    if (!fs.existsSync(path.join(ROOT, 'dist', 'index.js'))) buildTypeScript();
    code = spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'inherit', timeout: RUN_LIMIT_MS }).status ?? 1;
  } else {
    log('fuzz and robustness tests at full size: the real node.exe under Wine');
    code = await runOnWindowsNode(args, { outName: 'fuzz-output.txt', timeoutMs: RUN_LIMIT_MS });
  }
  log(`full-size run finished in ${((Date.now() - startedAt) / 60_000).toFixed(1)} min (exit ${code})`);
  process.exit(code);
}

main().catch((err) => {
  console.error(`fuzz run failed: ${err.stack ?? err}`);
  process.exit(1);
});
