'use strict';
// The @example blocks in lib/*.ts (what the API reference, npm run docs, shows) and
// the README blocks marked runnable: each one runs here as written, in a fresh
// node.exe, with only the package name pointed at this build. An example that stops
// working fails this test.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFile } = require('node:child_process');
const { pathToFileURL } = require('node:url');

const ROOT = path.join(__dirname, '..', '..');
const PACKAGE_ENTRY = pathToFileURL(path.join(ROOT, 'dist', 'index.mjs')).href;
const { DRIVER_SYS, skipUnlessDriverLoads } = require('../support/driver');

/** Every ```js block after an @example in lib/*.ts: { name, code }. */
function examples() {
  const found = [];
  for (const file of fs.readdirSync(path.join(ROOT, 'lib')).filter((f) => f.endsWith('.ts')).sort()) {
    const text = fs.readFileSync(path.join(ROOT, 'lib', file), 'utf8');
    for (const [, body] of text.matchAll(/@example[\s\S]*?```js\n([\s\S]*?)\n\s*\*\s*```/g)) {
      const code = body.split('\n').map((line) => line.replace(/^\s*\* ?/, '')).join('\n');
      found.push({ name: `${file} example ${found.filter((e) => e.file === file).length + 1}`, file, code });
    }
  }
  return found;
}

/** Every ```js block the README marks runnable (the comment line right above it). */
function readmeExamples() {
  const text = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  return [...text.matchAll(/<!-- runnable:[^\n]*-->\n```js\n([\s\S]*?)\n```/g)]
    .map(([, code], i) => ({ name: `README example ${i + 1}`, file: 'README.md', code }));
}

describe('examples in the API reference (@example in lib/*.ts) and the README run as written', function () {
  this.timeout(60_000);
  const all = [...examples(), ...readmeExamples()];

  it('finds an example for each main function', () => {
    assert.deepEqual([...new Set(all.map((e) => e.file))],
      ['WSAConnect.ts', 'WSAConnectByList.ts', 'WSAConnectByName.ts', 'WskDriver.ts', 'agents.ts', 'createConnection.ts', 'diagnostics.ts', 'README.md']);
    assert.equal(all.filter((e) => e.file === 'README.md').length, 3, 'the README runs one example per user-mode function');
  });

  for (const example of all) {
    it(example.name, async function () {
      if (example.file === 'WskDriver.ts') skipUnlessDriverLoads(this);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wsc-example-'));
      const script = path.join(dir, 'example.mjs');
      fs.writeFileSync(script, example.code.replaceAll("from 'winsock-connect'", `from '${PACKAGE_ENTRY}'`));
      try {
        // The driver example takes the .sys path as its argument, as its comment says.
        await new Promise((resolve, reject) => execFile(process.execPath, [script, DRIVER_SYS], { timeout: 45_000 },
          (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve())));
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
