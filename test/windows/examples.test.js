'use strict';
// The @example blocks in lib/*.ts (what the API reference, npm run docs, shows) and
// the README blocks marked runnable: each one runs here as written, in a fresh
// node.exe, with only the package name pointed at this build. What each
// console.log prints must match the comment at the end of its line: `…` stands for
// any text, and `Windows: A · Wine: B` gives each platform's own line. An example
// that stops working, or prints other than it says, fails this test.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFile } = require('../support/execFile');
const { pathToFileURL } = require('node:url');

const ROOT = path.join(__dirname, '..', '..');
const PACKAGE_ENTRY = pathToFileURL(path.join(ROOT, 'dist', 'index.mjs')).href;
const { DRIVER_SYS, skipUnlessDriverLoads } = require('../support/driver');
const { underWine } = require('../support/wine');

/**
 * The output each console.log line of `code` promises, in order: the comment after
 * its last `;`, this platform's part when it has `Windows:` and `Wine:` parts.
 */
function promisedOutput(code) {
  return code.split('\n').filter((line) => /console\.log\(/.test(line)).map((line) => {
    const comment = /;\s*\/\/\s*(.*)$/.exec(line);
    assert.ok(comment, `a console.log without a comment saying what it prints: ${line.trim()}`);
    const parts = Object.fromEntries(comment[1].split(' · ').map((part) => /^(Windows|Wine): (.*)$/.exec(part)).filter(Boolean).map(([, where, text]) => [where, text]));
    return parts.Windows !== undefined ? parts[underWine ? 'Wine' : 'Windows'] : comment[1];
  });
}

/** `promised` as a whole-line pattern: `…` is any text, runs of spaces are any whitespace. */
function outputPattern(promised) {
  const escaped = promised.trim().split('…').map((piece) => piece.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+'));
  return new RegExp(`^${escaped.join('.*?')}$`);
}

/** Runs before an example: each console.log call becomes one JSON line on stdout, as formatted. */
const RECORD_LOGS = "import { format as __format } from 'node:util'; console.log = (...args) => process.stdout.write(`${JSON.stringify(__format(...args))}\\n`);\n";

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
      fs.writeFileSync(script, RECORD_LOGS + example.code.replaceAll("from 'winsock-connect'", `from '${PACKAGE_ENTRY}'`));
      try {
        // The driver example takes the .sys path as its argument, as its comment says.
        const stdout = await new Promise((resolve, reject) => execFile(process.execPath, [script, DRIVER_SYS], { timeout: 45_000 },
          (err, out, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(out))));
        const printed = stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line));
        const promised = promisedOutput(example.code);
        assert.equal(printed.length, promised.length, `printed ${JSON.stringify(printed)}`);
        printed.forEach((line, i) => assert.match(line.replace(/\s+/g, ' '), outputPattern(promised[i]), `line ${i + 1} of ${example.name}`));
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
