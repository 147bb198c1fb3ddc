// `npm run demo`: the package's showcase. Runs demo/demo.js on the real Windows
// node.exe: under Wine on Linux (provisioning the toolchain and node.exe and
// building first, via scripts/wine-node.mjs), or directly on Windows.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { ROOT } from './lib/config.mjs';
import { runOnWindowsNode } from './wine-node.mjs';

const require = createRequire(import.meta.url);

if (process.platform === 'win32' && !fs.existsSync(path.join(ROOT, 'dist', 'index.js'))) {
  // A fresh Windows checkout: compile the TypeScript (the addon comes from `npm install`).
  spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.json')], { stdio: 'inherit' });
}
const code = await runOnWindowsNode(['demo/demo.js'], { outName: 'demo-output.txt' });
process.exit(code);
