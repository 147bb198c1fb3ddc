'use strict';
// Scripts run in a fresh node.exe (a renamed copy, another working directory, the
// permission model). The result comes back as JSON through a file whose path the
// script gets as process.argv[1]: a Windows child's stdout through a pipe is
// unreliable under Wine.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFile } = require('./execFile');

/**
 * Runs `node -e script <result file>` and resolves with the JSON the script wrote.
 * `exe`: the node.exe to run (default: this one); `nodeArgs(dir)`: flags before -e,
 * given the scratch directory that holds the result file; `cwd`, `env` as for execFile.
 */
async function runChildScript(script, { exe = process.execPath, nodeArgs = () => [], cwd, env } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wsc-child-'));
  const out = path.join(dir, 'result.json');
  try {
    await new Promise((resolve, reject) => execFile(exe, [...nodeArgs(dir), '-e', script, out],
      { cwd, env, timeout: 45_000 }, (err) => (err ? reject(err) : resolve())));
    return JSON.parse(fs.readFileSync(out, 'utf8'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** runChildScript in a copy of this node.exe under another name (the Electron case). */
async function runInRenamedNodeExe(script) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wsc-host-'));
  const exe = path.join(dir, 'renamed-host.exe');
  try {
    fs.copyFileSync(process.execPath, exe);
    return await runChildScript(script, { exe });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

module.exports = { runChildScript, runInRenamedNodeExe };
