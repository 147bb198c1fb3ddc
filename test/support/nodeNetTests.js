'use strict';
// Node's own net client tests (provisioned into .cache/node-tests by npm test:
// scripts/lib/nodeTests.mjs), run one node.exe each, as Node's test runner runs them.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');

const SUITE = path.join(__dirname, '..', '..', '.cache', 'node-tests');
const SHIM = path.join(__dirname, 'nodeNetShim.js');
const GROUPS = ['parallel', 'sequential', 'pummel'];
// The client side of net: a test that connects a socket (net.connect,
// createConnection, new net.Socket / Stream, or a .connect() call).
const CONNECTS = /net\.connect|createConnection|new net\.Socket|net\.Stream|\.connect\(/;
const TEST_TIMEOUT_MS = 120_000;
const SPAWN_ATTEMPTS = 3;

function suiteVersion() {
  const marker = path.join(SUITE, '.version');
  return fs.existsSync(marker) ? fs.readFileSync(marker, 'utf8') : null;
}

/** Every client test of the suite: { group, name, file }. */
function clientTests() {
  const tests = [];
  for (const group of GROUPS) {
    const dir = path.join(SUITE, 'test', group);
    if (!fs.existsSync(dir)) continue;
    for (const name of fs.readdirSync(dir).sort()) {
      if (!/^test-net-.*\.js$/.test(name)) continue;
      const file = path.join(dir, name);
      if (CONNECTS.test(fs.readFileSync(file, 'utf8'))) tests.push({ group, name, file });
    }
  }
  return tests;
}

/** The `// Flags:` a test asks for, as Node's test runner passes them. */
function flagsOf(file) {
  const match = fs.readFileSync(file, 'utf8').match(/^\/\/ Flags: (.+)$/m);
  return match ? match[1].trim().split(/\s+/) : [];
}

/**
 * Runs one test in a fresh node.exe. `withWinsock`: its require('net') is this
 * package's (else Node's own, the baseline). Output goes to a file: a Windows
 * child's pipe is unreliable under Wine. Resolves { code, output, ms, skipped }.
 */
async function runNodeTest(test, { withWinsock = true } = {}) {
  // A node.exe that could not even be started ran no test: under load Wine's
  // CreateProcess now and then fails (spawn UNKNOWN); that is tried again, twice.
  for (let attempt = 1; ; attempt++) {
    const result = await runOnce(test, withWinsock);
    if (!result.spawnError || attempt === SPAWN_ATTEMPTS) return result;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function runOnce(test, withWinsock) {
  const outFile = path.join(os.tmpdir(), `wsc-node-${test.group}-${test.name}.${process.pid}.out`);
  const fd = fs.openSync(outFile, 'w');
  const env = { ...process.env, NODE_SKIP_FLAG_CHECK: '1', NODE_TEST_DIR: path.join(os.tmpdir(), `wsc-node-tmp-${process.pid}-${test.name}`) };
  env.NODE_OPTIONS = withWinsock ? `--require "${SHIM.replace(/\\/g, '/')}"` : '';
  fs.mkdirSync(env.NODE_TEST_DIR, { recursive: true });
  const started = performance.now();
  return new Promise((resolve) => {
    let timer;
    let finished = false;
    const finish = (code, spawnError) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      fs.closeSync(fd);
      const output = fs.readFileSync(outFile, 'utf8') + (spawnError ? `\nspawn failed: ${spawnError.message}` : '');
      fs.rmSync(outFile, { force: true });
      fs.rmSync(env.NODE_TEST_DIR, { recursive: true, force: true });
      const skipped = output.match(/^1\.\.0 # Skipped: (.*)$/m)?.[1];
      resolve({ code, output, ms: performance.now() - started, skipped, spawnError });
    };
    let child;
    try {
      child = spawn(process.execPath, [...flagsOf(test.file), test.file], { cwd: path.dirname(test.file), env, stdio: ['ignore', fd, fd], windowsHide: true });
    } catch (error) {
      // spawn throws, rather than emitting 'error', when CreateProcess fails at once
      // (spawn UNKNOWN under a loaded Wine): the same not-started run, tried again.
      finish(`spawn failed: ${error.message}`, error);
      return;
    }
    timer = setTimeout(() => child.kill(), TEST_TIMEOUT_MS);
    child.on('error', (error) => finish(`spawn failed: ${error.message}`, error));
    child.on('exit', (code, signal) => finish(code ?? signal));
  });
}

module.exports = { SUITE, suiteVersion, clientTests, runNodeTest };
