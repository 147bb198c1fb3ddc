'use strict';
// wsconnect off Windows: --help and --version work, usage errors are still usage
// errors, and a well-formed command says clearly that it needs Windows, with the
// unsupported exit code. Runs bin/wsconnect.js as a child of this node.
const assert = require('node:assert/strict');
const path = require('node:path');
const { execFile } = require('node:child_process');

const BIN = path.join(__dirname, '..', '..', 'bin', 'wsconnect.js');
const EXIT = { usage: 2, unsupported: 4 };

function wsconnect(...args) {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 20_000 }, (error, stdout, stderr) => {
      if (error && error.killed) return reject(new Error(`wsconnect ${args.join(' ')} was killed: ${error.signal}`));
      resolve({ code: error ? error.code : 0, stdout, stderr });
    });
  });
}

describe('wsconnect off Windows', () => {
  it('--help prints the usage and every exit code, and exits 0', async () => {
    const r = await wsconnect('--help');
    assert.equal(r.code, 0);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, /^Usage:\n {2}wsconnect \[options\] <host> <port\|service>/);
    for (const line of [/^ {2}2 +usage error/m, /^ {2}3 +timed out/m, /^ {2}4 +unsupported/m, /^ {2}1 +connect failed/m]) {
      assert.match(r.stdout, line);
    }
  });

  it('--version prints the package version', async () => {
    const r = await wsconnect('--version');
    assert.equal(r.code, 0);
    assert.equal(r.stdout.trim(), require('../../package.json').version);
  });

  it('a connect exits with the unsupported code and says Windows is needed', async () => {
    const r = await wsconnect('127.0.0.1', '80');
    assert.equal(r.code, EXIT.unsupported);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^wsconnect: ERR_WINSOCK_UNSUPPORTED_PLATFORM 127\.0\.0\.1:80\n/);
    assert.match(r.stderr, /needs Windows \(Winsock\); this is linux/);
    assert.match(r.stderr, /exit {6}4 \(unsupported platform or function\)/);
  });

  it('--json: one result line with kind "unsupported"', async () => {
    const r = await wsconnect('--list', '127.0.0.1:80,[::1]:80', '--json');
    assert.equal(r.code, EXIT.unsupported);
    assert.equal(r.stderr, '');
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines.length, 1);
    assert.deepEqual({ ...lines[0], elapsedMs: 0 }, {
      event: 'result', ok: false, exitCode: 4, kind: 'unsupported', function: 'connectByList', target: '127.0.0.1:80,[::1]:80',
      code: 'ERR_WINSOCK_UNSUPPORTED_PLATFORM', errno: null, syscall: null,
      meaning: `winsock-connect needs Windows (Winsock); this is ${process.platform}`,
      message: `winsock-connect needs Windows (Winsock); this is ${process.platform}`, elapsedMs: 0,
    });
  });

  it('bad arguments are usage errors here too, before anything else', async () => {
    const r = await wsconnect('--wsa', 'localhost', '80');
    assert.equal(r.code, EXIT.usage);
    assert.equal(r.stderr, "wsconnect: --wsa takes an IP address, not a host name (got 'localhost')\nTry 'wsconnect --help'.\n");
    const json = await wsconnect('--json', '--nope');
    assert.equal(json.code, EXIT.usage);
    const line = JSON.parse(json.stdout);
    assert.equal(line.kind, 'usage');
    assert.equal(line.code, 'ERR_PARSE_ARGS_UNKNOWN_OPTION');
  });
});
