'use strict';
// wsconnect, the package's command, run as a child process of this node.exe
// (process.execPath + bin/wsconnect.js) against loopback servers this test starts;
// then main() in-process, to show it closes every socket it opened.
const assert = require('node:assert/strict');
const dgram = require('node:dgram');
const net = require('node:net');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { execFile } = require('../support/execFile');
const { once } = require('node:events');
const { WSA_ERROR_MESSAGES, WskDriver } = require('../../dist/index.js');
const { main } = require('../../dist/cli/main.js');
const lo = require('../support/loopback');
const { underWine, DIVERGENCES } = require('../support/wine');

const BIN = path.join(__dirname, '..', '..', 'bin', 'wsconnect.js');
const { DRIVER_SYS: SYS, skipUnlessDriverLoads } = require('../support/driver');
// The documented exit codes (--help, docs/cli.md).
const EXIT = { connected: 0, connectFailed: 1, usage: 2, timedOut: 3, unsupported: 4, driverUnavailable: 5 };

/** Runs wsconnect; a child that had to be killed fails the test by name (the CLI must exit promptly). */
function wsconnect(...args) {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 30_000 }, (error, stdout, stderr) => {
      if (error && error.killed) return reject(new Error(`wsconnect ${args.join(' ')} did not exit: killed with ${error.signal}`));
      resolve({ code: error ? error.code : 0, stdout, stderr });
    });
  });
}

/** The value of a `  label  value` row of the human output. */
function rowOf(text, label) {
  const match = new RegExp(`^ {2}${label} +(.*)$`, 'm').exec(text);
  assert.ok(match, `no '${label}' row in:\n${text}`);
  return match[1];
}

function jsonLines(stdout) {
  return stdout.trim().split('\n').map((line) => JSON.parse(line));
}

/** Prints which Wine divergence a Wine-side assertion stands for. */
function noteDivergence(name, what) {
  console.log(`      (under Wine: ${DIVERGENCES[name]}; asserting ${what})`);
}

/** A UDP echo on 127.0.0.1 that records who sent what. */
async function udpEcho() {
  const socket = dgram.createSocket('udp4');
  const received = [];
  socket.on('message', (data, from) => {
    received.push({ text: String(data), port: from.port });
    socket.send(data, from.port, from.address);
  });
  await new Promise((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { port: socket.address().port, received, close: () => new Promise((resolve) => socket.close(resolve)) };
}

/** Polls `count()` until it reaches `want`: a server's callbacks trail the client's exit. */
async function waitFor(count, want, ms = 5000) {
  const deadline = Date.now() + ms;
  while (count() < want && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  return count();
}

// The documented --json fields (docs/cli.md): each line has every required field and nothing undocumented.
const FIELDS = {
  attempt: { required: ['event', 'function', 'index', 'address', 'port', 'family', 'outcome'], optional: ['code', 'errno', 'startedAtMs', 'elapsedMs'] },
  connected: {
    required: ['event', 'ok', 'exitCode', 'function', 'target', 'syscall', 'protocol', 'local', 'remote', 'elapsedMs'],
    optional: ['family', 'strategy', 'attempts', 'reply', 'driver'],
  },
  failed: {
    required: ['event', 'ok', 'exitCode', 'kind', 'function', 'target', 'code', 'errno', 'syscall', 'meaning', 'message', 'elapsedMs'],
    optional: ['host', 'address', 'port', 'attempts', 'step', 'wsaCode', 'wsaErrno', 'hint'],
  },
};

function assertDocumentedFields(line) {
  const shape = line.event === 'attempt' ? FIELDS.attempt : line.ok ? FIELDS.connected : FIELDS.failed;
  assert.ok(shape, `unknown event ${line.event}`);
  for (const key of shape.required) assert.ok(key in line, `'${key}' missing from ${JSON.stringify(line)}`);
  for (const key of Object.keys(line)) {
    assert.ok(shape.required.includes(key) || shape.optional.includes(key), `undocumented field '${key}' in ${JSON.stringify(line)}`);
  }
}

describe('wsconnect (the CLI, as a child process)', function () {
  this.timeout(60_000);
  let v4;
  let v6;
  let udp;
  let refused;
  let stalled;

  before(async () => {
    v4 = await lo.echoServer('127.0.0.1');
    v6 = await lo.echoServer('::1');
    udp = await udpEcho();
    refused = await lo.refusedPort();
    stalled = await lo.stalledServer();
  });
  after(async () => {
    await v4?.close();
    await v6?.close();
    await udp?.close();
    stalled?.close();
  });

  it('by name: connects, prints local and remote; the server saw that local port', async () => {
    const before = v4.accepted.length;
    const r = await wsconnect('127.0.0.1', String(v4.port), '--family', 'ipv4');
    assert.equal(r.code, EXIT.connected, r.stderr);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, new RegExp(`^connected to 127\\.0\\.0\\.1:${v4.port}\n`));
    assert.equal(rowOf(r.stdout, 'function'), 'connectByName (WSAConnectByName, family ipv4)');
    assert.equal(rowOf(r.stdout, 'remote'), `127.0.0.1:${v4.port}`);
    assert.match(rowOf(r.stdout, 'elapsed'), /^\d+\.\d ms$/);
    const localPort = Number(/^127\.0\.0\.1:(\d+)$/.exec(rowOf(r.stdout, 'local'))[1]);
    await waitFor(() => v4.accepted.length, before + 1);
    assert.deepEqual(v4.accepted.slice(before).map((a) => a.remotePort), [localPort]);
  });

  it('by name: localhost and a --send exchange (the echo comes back)', async () => {
    const r = await wsconnect('localhost', String(v4.port), '--family', 'ipv4', '--send', 'hello, echo');
    assert.equal(r.code, EXIT.connected, r.stderr);
    assert.equal(rowOf(r.stdout, 'remote'), `127.0.0.1:${v4.port}`);
    assert.equal(rowOf(r.stdout, 'reply'), '11 bytes "hello, echo"');
  });

  it('by name, default (dual-stack) family: connects on Windows; the typed error under Wine', async () => {
    const r = await wsconnect('127.0.0.1', String(v4.port));
    if (underWine) {
      noteDivergence('byNameDualStack', 'exit 1 with the typed code');
      assert.equal(r.code, EXIT.connectFailed);
      assert.match(r.stderr, new RegExp(`^wsconnect: (UNKNOWN \\(-9\\)|WSAHOST_NOT_FOUND \\(11001\\)) from WSAConnectByName 127\\.0\\.0\\.1:${v4.port}\n`));
      assert.match(r.stderr, /^ {2}exit {6}1 \(connect failed\)$/m);
    } else {
      assert.equal(r.code, EXIT.connected, r.stderr);
      assert.equal(rowOf(r.stdout, 'function'), 'connectByName (WSAConnectByName, family dual)');
      assert.equal(rowOf(r.stdout, 'remote'), `127.0.0.1:${v4.port}`);
    }
  });

  it('--list race: a refused IPv4 address, then [::1]: strategy, both attempts, exit 0', async () => {
    const r = await wsconnect('--list', `127.0.0.1:${refused},[::1]:${v6.port}`, '--strategy', 'race');
    assert.equal(r.code, EXIT.connected, r.stderr);
    assert.match(r.stdout, new RegExp(`^connected to \\[::1\\]:${v6.port}\n`));
    assert.equal(rowOf(r.stdout, 'function'), 'connectByList (WSAConnect)');
    assert.equal(rowOf(r.stdout, 'strategy'), 'race');
    assert.match(rowOf(r.stdout, 'local'), /^\[::1\]:\d+$/);
    assert.equal(rowOf(r.stdout, 'attempts'), '2');
    assert.match(r.stdout, new RegExp(`^ +1\\. 127\\.0\\.0\\.1:${refused} +failed: WSAECONNREFUSED \\(10061\\)`, 'm'));
    assert.match(r.stdout, new RegExp(`^ +2\\. \\[::1\\]:${v6.port} +connected`, 'm'));
  });

  it('--list --strategy system: WSAConnectByList on Windows; unsupported (exit 4) under Wine', async () => {
    const r = await wsconnect('--list', `127.0.0.1:${v4.port}`, '--strategy', 'system');
    if (underWine) {
      noteDivergence('connectByList', 'ERR_WINSOCK_FUNCTION_UNAVAILABLE and exit 4');
      assert.equal(r.code, EXIT.unsupported);
      assert.match(r.stderr, /^wsconnect: ERR_WINSOCK_FUNCTION_UNAVAILABLE /);
      assert.match(rowOf(r.stderr, 'meaning'), /^WSAConnectByList is unavailable: Wine .*'s ws2_32\.dll does not implement it$/);
    } else {
      assert.equal(r.code, EXIT.connected, r.stderr);
      assert.equal(rowOf(r.stdout, 'function'), 'connectByList (WSAConnectByList)');
      assert.equal(rowOf(r.stdout, 'strategy'), 'system');
      assert.equal(rowOf(r.stdout, 'remote'), `127.0.0.1:${v4.port}`);
    }
  });

  it('--wsa --local 127.0.0.1: WSAConnect from the bound address', async () => {
    const r = await wsconnect('--wsa', '127.0.0.1', String(v4.port), '--local', '127.0.0.1');
    assert.equal(r.code, EXIT.connected, r.stderr);
    assert.equal(rowOf(r.stdout, 'function'), 'wsaConnect (WSAConnect, TCP)');
    assert.match(rowOf(r.stdout, 'local'), /^127\.0\.0\.1:\d+$/);
    assert.equal(rowOf(r.stdout, 'remote'), `127.0.0.1:${v4.port}`);
  });

  it('--wsa --udp --send: the datagram reaches a UDP echo from the printed local port, and the echo comes back', async () => {
    const r = await wsconnect('--wsa', '127.0.0.1', String(udp.port), '--udp', '--send', 'ping');
    assert.equal(r.code, EXIT.connected, r.stderr);
    assert.equal(rowOf(r.stdout, 'function'), 'wsaConnect (WSAConnect, UDP)');
    assert.equal(rowOf(r.stdout, 'remote'), `127.0.0.1:${udp.port}`);
    assert.equal(rowOf(r.stdout, 'reply'), '4 bytes "ping"');
    const localPort = Number(/^127\.0\.0\.1:(\d+)$/.exec(rowOf(r.stdout, 'local'))[1]);
    assert.deepEqual(udp.received.at(-1), { text: 'ping', port: localPort });
  });

  it('refused: exit 1, with the code, its number and the documented meaning', async () => {
    const r = await wsconnect('--wsa', '127.0.0.1', String(refused));
    assert.equal(r.code, EXIT.connectFailed);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, new RegExp(`^wsconnect: WSAECONNREFUSED \\(10061\\) from WSAConnect 127\\.0\\.0\\.1:${refused}\n`));
    assert.equal(rowOf(r.stderr, 'meaning'), WSA_ERROR_MESSAGES[10061]);
    assert.equal(rowOf(r.stderr, 'exit'), '1 (connect failed)');
  });

  it('--json: every line parses and has the documented fields (attempts, success, failure)', async () => {
    const race = await wsconnect('--list', `127.0.0.1:${refused},127.0.0.1:${v4.port}`, '--strategy', 'race', '--json');
    assert.equal(race.code, EXIT.connected, race.stdout);
    assert.equal(race.stderr, '');
    const lines = jsonLines(race.stdout);
    lines.forEach(assertDocumentedFields);
    assert.deepEqual(lines.map((l) => l.event), ['attempt', 'attempt', 'result']);
    assert.deepEqual(lines.slice(0, 2).map((l) => [l.index, l.port, l.outcome, l.code]), [[1, refused, 'failed', 'WSAECONNREFUSED'], [2, v4.port, 'connected', undefined]]);
    const result = lines[2];
    assert.deepEqual([result.ok, result.exitCode, result.function, result.syscall, result.strategy, result.attempts], [true, 0, 'connectByList', 'WSAConnect', 'race', 2]);
    assert.deepEqual(result.remote, { address: '127.0.0.1', family: 'IPv4', port: v4.port });
    assert.equal(result.target, `127.0.0.1:${refused},127.0.0.1:${v4.port}`);

    const failed = await wsconnect('127.0.0.1', String(refused), '--family', 'ipv4', '--json');
    assert.equal(failed.code, EXIT.connectFailed);
    const [line] = jsonLines(failed.stdout);
    assertDocumentedFields(line);
    assert.deepEqual(
      [line.ok, line.exitCode, line.kind, line.code, line.errno, line.syscall, line.meaning, line.host, line.port],
      [false, 1, 'connect', 'WSAECONNREFUSED', 10061, 'WSAConnectByName', WSA_ERROR_MESSAGES[10061], '127.0.0.1', refused],
    );
  });

  it('--timeout against a listener that never accepts: WSAETIMEDOUT (10060) and the timeout exit code', async () => {
    const [wsa, byName] = await Promise.all([
      wsconnect('--wsa', '127.0.0.1', String(stalled.port), '--timeout', '400'),
      wsconnect('127.0.0.1', String(stalled.port), '--family', 'ipv4', '--timeout', '400', '--json'),
    ]);
    assert.equal(wsa.code, EXIT.timedOut, wsa.stderr);
    assert.match(wsa.stderr, /^wsconnect: WSAETIMEDOUT \(10060\) from WSAConnect /);
    assert.equal(rowOf(wsa.stderr, 'meaning'), WSA_ERROR_MESSAGES[10060]);
    assert.equal(rowOf(wsa.stderr, 'exit'), '3 (timed out)');
    // WSAConnectByName stays blocked in ws2_32 after our deadline (Wine ignores its
    // timeout); the CLI still reports and exits.
    assert.equal(byName.code, EXIT.timedOut, byName.stdout);
    const [line] = jsonLines(byName.stdout);
    assertDocumentedFields(line);
    assert.deepEqual([line.kind, line.code, line.errno, line.exitCode], ['timeout', 'WSAETIMEDOUT', 10060, 3]);
  });

  it('usage errors: exit 2 with a message on stderr, before any connect', async () => {
    const accepted = v4.accepted.length;
    const port = String(v4.port);
    // Representative cases (test/cliArgs.test.js has them all, in-process): one of
    // parseArgs', one value we reject, and a misplaced option that would otherwise connect.
    const cases = [
      [['127.0.0.1', port, '--bogus'], /Unknown option '--bogus'/],
      [['--list', `::1:${port}`], /write IPv6 with a port in brackets/],
      [['127.0.0.1', port, '--udp'], /--udp applies to --wsa only/],
    ];
    const runs = await Promise.all(cases.map(([argv]) => wsconnect(...argv)));
    runs.forEach((r, i) => {
      assert.equal(r.code, EXIT.usage, `${cases[i][0].join(' ')}: ${r.stdout}${r.stderr}`);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, cases[i][1]);
      assert.match(r.stderr, /\nTry 'wsconnect --help'\.\n$/);
    });
    // Give any (wrong) connect time to be seen.
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(v4.accepted.length, accepted, 'a usage error connected');
  });

  it('--help and --version exit 0', async () => {
    const [help, version] = await Promise.all([wsconnect('--help'), wsconnect('--version')]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage:\n/);
    assert.match(help.stdout, /^Exit codes:\n {2}0 +connected\n {2}1 +connect failed/m);
    assert.equal(version.code, 0);
    assert.equal(version.stdout.trim(), require('../../package.json').version);
  });
});

describe('wsconnect --wait and --count (what CI jobs need)', function () {
  this.timeout(60_000);
  let v4;
  let refused;
  before(async () => {
    v4 = await lo.echoServer('127.0.0.1');
    refused = await lo.refusedPort();
  });
  after(async () => { await v4?.close(); });

  it('--wait: refused until a server starts listening, then connected: exit 0, one line per attempt', async () => {
    const port = await lo.refusedPort();
    const late = net.createServer((s) => s.destroy());
    const child = spawn(process.execPath, [BIN, '--wsa', '127.0.0.1', String(port), '--wait', '20000', '--interval', '200']);
    let stdout = '';
    let listening;
    // The service comes up only once wsconnect has been refused: a wait that really waited.
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (!listening && /^attempt 1: WSAECONNREFUSED/m.test(stdout)) listening = new Promise((resolve) => late.listen(port, '127.0.0.1', resolve));
    });
    const [code] = await once(child, 'exit');
    try {
      assert.equal(code, EXIT.connected, stdout);
      const attempts = stdout.split('\n').filter((l) => /^attempt \d+: /.test(l));
      assert.ok(attempts.length >= 2, `several attempts before the server was up:\n${stdout}`);
      assert.match(attempts[0], /^attempt 1: WSAECONNREFUSED after [\d.]+ ms; again in 200 ms$/);
      assert.match(attempts[attempts.length - 1], /^attempt \d+: connected after [\d.]+ ms$/);
      assert.equal(rowOf(stdout, 'remote'), `127.0.0.1:${port}`);
    } finally {
      await listening;
      await new Promise((resolve) => late.close(resolve));
    }
  });

  it('--wait: nothing listens: exit 3 at the deadline, JSON wait lines then the result', async () => {
    const started = Date.now();
    const { code, stdout } = await wsconnect('--wsa', '127.0.0.1', String(refused), '--wait', '800', '--interval', '150', '--json');
    const took = Date.now() - started;
    assert.equal(code, EXIT.timedOut);
    const lines = jsonLines(stdout);
    const waits = lines.filter((l) => l.event === 'wait');
    assert.ok(waits.length >= 3, `attempts every 150 ms for 800 ms: ${waits.length}`);
    assert.ok(waits.every((w, i) => w.attempt === i + 1 && w.outcome === 'WSAECONNREFUSED'));
    const result = lines[lines.length - 1];
    assert.equal(result.event, 'result');
    assert.equal(result.ok, false);
    assert.equal(result.kind, 'timeout');
    assert.equal(result.exitCode, EXIT.timedOut);
    assert.ok(took < 10_000, `gave up at the deadline, not later (${took} ms)`);
  });

  it('--count: n connects, each latency, then min/median/p90/p99/max and a histogram; exit 0', async () => {
    const before = v4.accepted.length;
    const { code, stdout, stderr } = await wsconnect('--wsa', '127.0.0.1', String(v4.port), '--count', '6', '--interval', '0');
    assert.equal(code, EXIT.connected, stderr);
    assert.equal(stdout.split('\n').filter((l) => /^connect \d: [\d.]+ ms {2}127\.0\.0\.1:\d+ -> 127\.0\.0\.1:\d+$/.test(l)).length, 6, stdout);
    assert.match(stdout, /^6 connects to 127\.0\.0\.1:\d+ with wsaConnect: 6 succeeded, 0 failed$/m);
    assert.match(stdout, /^ {2}min [\d.]+ ms, median [\d.]+ ms, p90 [\d.]+ ms, p99 [\d.]+ ms, max [\d.]+ ms$/m);
    const bars = stdout.split('\n').filter((l) => / ms \| #* *\d+$/.test(l));
    assert.ok(bars.length >= 1 && bars.reduce((n, l) => n + Number(/(\d+)$/.exec(l)[1]), 0) === 6, `the histogram counts 6:\n${stdout}`);
    await waitFor(() => v4.accepted.length - before, 6);
  });

  it('--count --json: a connect line each, one summary line; failures counted, exit 1', async () => {
    const { code, stdout } = await wsconnect('--wsa', '127.0.0.1', String(refused), '--count', '3', '--interval', '10', '--json');
    assert.equal(code, EXIT.connectFailed);
    const lines = jsonLines(stdout);
    assert.deepEqual(lines.filter((l) => l.event === 'connect').map((l) => [l.index, l.ok, l.code]),
      [[1, false, 'WSAECONNREFUSED'], [2, false, 'WSAECONNREFUSED'], [3, false, 'WSAECONNREFUSED']]);
    const summary = lines[lines.length - 1];
    assert.equal(summary.event, 'summary');
    assert.deepEqual([summary.connects, summary.succeeded, summary.failures], [3, 0, 3]);
  });
});

describe('bin/wsconnect.js itself: the exits it owns', function () {
  this.timeout(60_000);

  it('a checkout without dist/ (not built): exit 70 and what to run', async () => {
    // bin/wsconnect.js copied where ../dist/cli/main.js does not exist.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wsc-bin-'));
    fs.mkdirSync(path.join(dir, 'bin'));
    fs.copyFileSync(BIN, path.join(dir, 'bin', 'wsconnect.js'));
    try {
      const r = await new Promise((resolve) => execFile(process.execPath, [path.join(dir, 'bin', 'wsconnect.js'), '--version'], { timeout: 30_000 },
        (error, stdout, stderr) => resolve({ code: error ? error.code : 0, stderr })));
      assert.equal(r.code, 70, r.stderr);
      assert.match(r.stderr, /dist\/cli\/main\.js is missing: run `npm run build`/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('SIGINT (how libuv delivers Ctrl+C to node.exe) during a hanging connect: exit 130, the interrupted line', async () => {
    // Node on Windows cannot send a console Ctrl+C to a child (child.kill terminates
    // it), so the child raises the signal event itself, after 300 ms, through a
    // preloaded script: the handler bin/wsconnect.js installs is what answers it.
    const stalled = await lo.stalledServer();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wsc-sigint-'));
    const preload = path.join(dir, 'ctrl-c.js');
    fs.writeFileSync(preload, "setTimeout(() => process.emit('SIGINT', 'SIGINT'), 300).unref();\n");
    try {
      const started = Date.now();
      const r = await new Promise((resolve) => execFile(process.execPath, ['--require', preload, BIN, '--wsa', '127.0.0.1', String(stalled.port), '--json'], { timeout: 30_000 },
        (error, stdout) => resolve({ code: error ? error.code : 0, killed: error?.killed, stdout })));
      assert.notEqual(r.killed, true, 'wsconnect did not exit on SIGINT');
      assert.equal(r.code, 130, r.stdout);
      const line = JSON.parse(r.stdout);
      assert.deepEqual([line.kind, line.code, line.exitCode], ['interrupted', 'ABORT_ERR', 130]);
      assert.ok(Date.now() - started < 20_000, 'ended by the signal, not by a deadline');
    } finally {
      stalled.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('wsconnect --wsk without a loaded driver (no driver needed: runs everywhere, Windows CI included)', function () {
  this.timeout(60_000);

  it('without a loaded driver: exit 5, ERROR_FILE_NOT_FOUND and how to load it', async function () {
    const loaded = await new WskDriver().open().then(() => true, () => false);
    if (loaded) {
      console.log('      (skipped: a WskConnect driver is already loaded on this machine)');
      this.skip();
    }
    // No connect happens: opening the device fails first, so any port will do.
    const r = await wsconnect('--wsk', '127.0.0.1', '80');
    assert.equal(r.code, EXIT.driverUnavailable, r.stderr);
    assert.match(r.stderr, /^wsconnect: ERROR_FILE_NOT_FOUND \(2\) from CreateFile /);
    assert.match(rowOf(r.stderr, 'hint'), /not loaded\. .*--install-driver/);
  });
});

describe('wsconnect --wsk (kernel WskConnect through the driver)', function () {
  this.timeout(60_000);
  const NAME = 'WskConnectCliTest';
  let server;
  let accepted;

  before(async function () {
    skipUnlessDriverLoads(this);
    accepted = [];
    server = net.createServer((s) => { accepted.push(s.remotePort); s.on('error', () => {}); s.destroy(); });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  after(async () => {
    server?.close();
    // A failed run must not leave the service behind for the next suite.
    const leftover = new WskDriver(NAME);
    await leftover.stop().catch(() => {});
    await leftover.uninstall().catch(() => {});
  });

  it('--install-driver: connects from the kernel (the server sees it), then removes the service', async () => {
    const r = await wsconnect('--wsk', '127.0.0.1', String(server.address().port), '--install-driver', SYS, '--driver-name', NAME);
    assert.equal(r.code, EXIT.connected, r.stderr);
    assert.equal(rowOf(r.stdout, 'function'), 'wskConnect (WskConnect)');
    assert.equal(rowOf(r.stdout, 'steps'), 'socket STATUS_SUCCESS, bind STATUS_SUCCESS, connect STATUS_SUCCESS, close STATUS_SUCCESS');
    assert.equal(await waitFor(() => accepted.length, 1), 1);
    // Stopped and uninstalled: the device is gone and the name is free again.
    await assert.rejects(new WskDriver(NAME).open(), { code: 'ERROR_FILE_NOT_FOUND' });
    await assert.rejects(new WskDriver(NAME).uninstall(), { code: 'ERROR_SERVICE_DOES_NOT_EXIST' });
  });

  it('--install-driver, refused: STATUS_CONNECTION_REFUSED with its Winsock equivalent, exit 1 (--json)', async () => {
    const port = await lo.refusedPort();
    const r = await wsconnect('--wsk', '127.0.0.1', String(port), '--install-driver', SYS, '--driver-name', NAME, '--json');
    assert.equal(r.code, EXIT.connectFailed, r.stdout + r.stderr);
    const [line] = jsonLines(r.stdout);
    assertDocumentedFields(line);
    assert.deepEqual(
      [line.kind, line.code, line.errno, line.step, line.wsaCode, line.wsaErrno],
      ['connect', 'STATUS_CONNECTION_REFUSED', 0xC0000236, 'connect', 'WSAECONNREFUSED', 10061],
    );
  });

  it('--install-driver with a file that does not exist: usage error, nothing installed', async () => {
    const missing = path.join(__dirname, 'no-such-driver.sys');
    const r = await wsconnect('--wsk', '127.0.0.1', '1', '--install-driver', missing, '--driver-name', NAME);
    assert.equal(r.code, EXIT.usage, r.stderr);
    assert.match(r.stderr, /--install-driver: no such file: .*no-such-driver\.sys/);
    await assert.rejects(new WskDriver(NAME).uninstall(), { code: 'ERROR_SERVICE_DOES_NOT_EXIST' });
  });
});

describe('wsconnect main() in-process: what it opens is closed by the time it returns', function () {
  this.timeout(30_000);
  let v4;
  let udp;
  before(async () => {
    v4 = await lo.echoServer('127.0.0.1');
    udp = await udpEcho();
  });
  after(async () => {
    await v4?.close();
    await udp?.close();
  });
  // The addon's own SOCKETs (and abandoned calls) are back to the baseline after each test.
  lo.checkNoLeaksAfterEach();

  /** Node's active TCP and UDP handles (this process's servers, their accepted sockets, and the CLI's socket). */
  function socketHandles() {
    return process.getActiveResourcesInfo().filter((r) => /^(TCPSocketWrap|UDPWrap)$/.test(r)).length;
  }

  /**
   * main() with captured output. When it has returned, its socket must be closed:
   * then the echo server's side closes too and the handle count falls back to what it
   * was before. A socket left open keeps both, and the count never comes back.
   */
  async function runMain(...argv) {
    return runMainWith(undefined, ...argv);
  }

  async function runMainWith(signal, ...argv) {
    const before = socketHandles();
    const out = [];
    const err = [];
    const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) }, signal);
    const deadline = Date.now() + 5000;
    while (socketHandles() > before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.equal(socketHandles(), before, `wsconnect ${argv.join(' ')} left a socket open: ${process.getActiveResourcesInfo().join(', ')}`);
    return { code, out: out.join('\n'), err: err.join('\n') };
  }

  it('by name with --send, --list race, --wsa TCP and UDP with --send', async () => {
    const runs = [
      await runMain('127.0.0.1', String(v4.port), '--family', 'ipv4', '--send', 'a'),
      await runMain('--list', `127.0.0.1:${v4.port}`, '--strategy', 'race'),
      await runMain('--wsa', '127.0.0.1', String(v4.port)),
      await runMain('--wsa', '127.0.0.1', String(udp.port), '--udp', '--send', 'b'),
    ];
    assert.deepEqual(runs.map((r) => r.code), [0, 0, 0, 0], runs.map((r) => r.err).join('\n'));
    assert.deepEqual(runs.map((r) => /^ {2}reply +(.*)$/m.exec(r.out)?.[1]), ['1 bytes "a"', undefined, undefined, '1 bytes "b"']);
  });

  it('--send: no reply in time is a timeout (3); a peer that closes without replying, a connect failure (1)', async () => {
    const silent = dgram.createSocket('udp4');
    await new Promise((resolve) => silent.bind(0, '127.0.0.1', resolve));
    // Reads (so it sees the client's FIN and closes its side) but never answers.
    const hangUp = net.createServer((s) => { s.on('error', () => {}); s.resume(); s.end(); });
    await new Promise((resolve) => hangUp.listen(0, '127.0.0.1', resolve));
    try {
      const unanswered = await runMain('--wsa', '127.0.0.1', String(silent.address().port), '--udp', '--send', 'anyone?', '--timeout', '300');
      assert.equal(unanswered.code, EXIT.timedOut, unanswered.err);
      assert.match(unanswered.err, /^wsconnect: WSAETIMEDOUT \(10060\) from recv 127\.0\.0\.1:\d+$/m);
      const closed = await runMain('--wsa', '127.0.0.1', String(hangUp.address().port), '--send', 'hello?');
      assert.equal(closed.code, EXIT.connectFailed, closed.err);
      assert.match(closed.err, /^wsconnect: ERR_WSCONNECT_NO_REPLY /m);
      assert.equal(/^ {2}meaning +(.*)$/m.exec(closed.err)[1], 'the peer closed the connection without replying');
    } finally {
      await new Promise((resolve) => silent.close(resolve));
      await new Promise((resolve) => hangUp.close(resolve));
    }
  });

  it('refused, and timed out', async () => {
    const stalled = await lo.stalledServer();
    try {
      const refused = await runMain('--wsa', '127.0.0.1', String(await lo.refusedPort()));
      const timedOut = await runMain('--wsa', '127.0.0.1', String(stalled.port), '--timeout', '300');
      assert.deepEqual([refused.code, timedOut.code], [EXIT.connectFailed, EXIT.timedOut]);
    } finally {
      stalled.close();
    }
  });

  it('Ctrl+C (the abort signal bin/wsconnect.js wires to SIGINT) during a hanging connect: exit 130', async () => {
    const stalled = await lo.stalledServer();
    try {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 200);
      const r = await runMainWith(controller.signal, '127.0.0.1', String(stalled.port), '--family', 'ipv4', '--json');
      assert.equal(r.code, 130, r.out);
      const line = JSON.parse(r.out);
      assert.deepEqual([line.kind, line.code, line.exitCode], ['interrupted', 'ABORT_ERR', 130]);
    } finally {
      stalled.close();
    }
  });
});
