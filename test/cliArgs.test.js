'use strict';
// wsconnect's command line, parsed in-process: what each argv becomes, and which
// ones are usage errors. Pure code (no I/O), so it runs on every platform.
const assert = require('node:assert/strict');
const path = require('node:path');
const { parseCommandLine, parseEndpoint, UsageError } = require('../dist/cli/args.js');

function request(...argv) {
  const command = parseCommandLine(argv);
  assert.equal(command.kind, 'run');
  return command.request;
}

function usageError(argv, pattern) {
  assert.throws(() => parseCommandLine(argv), (err) => {
    assert.ok(err instanceof UsageError, `expected a UsageError for ${argv.join(' ')}, got ${err}`);
    assert.match(err.code, /^ERR_(PARSE_ARGS_|INVALID_ARG_VALUE)/);
    if (pattern) assert.match(err.message, pattern);
    return true;
  });
}

describe('wsconnect command line', () => {
  it('<host> <port|service> is connectByName, family dual unless told', () => {
    assert.deepEqual(request('localhost', '8080'), { function: 'connectByName', host: 'localhost', port: 8080, family: 'dual', timeout: 0, json: false });
    assert.deepEqual(request('localhost', 'http', '--family', 'ipv6', '--timeout', '2500', '--json'),
      { function: 'connectByName', host: 'localhost', port: 'http', family: 'ipv6', timeout: 2500, json: true });
  });

  it('--list takes IPv4 and bracketed IPv6 endpoints, in order', () => {
    const r = request('--list', '127.0.0.1:80, [::1]:8080,[fe80::1%3]:1', '--strategy', 'race', '--attempt-delay', '100');
    assert.equal(r.function, 'connectByList');
    assert.deepEqual(r.addresses, [{ address: '127.0.0.1', port: 80 }, { address: '::1', port: 8080 }, { address: 'fe80::1%3', port: 1 }]);
    assert.equal(r.strategy, 'race');
    assert.equal(r.attemptDelay, 100);
    assert.equal(request('--list', '127.0.0.1:1').strategy, 'auto');
  });

  it('parses single endpoints the way URLs write them', () => {
    assert.deepEqual(parseEndpoint('[::ffff:127.0.0.1]:443', 'x'), { address: '::ffff:127.0.0.1', port: 443 });
    assert.throws(() => parseEndpoint('::1:80', 'x'), /\[::1\]:80/);
    assert.throws(() => parseEndpoint('[::1]', 'x'), /without a port/);
    assert.throws(() => parseEndpoint('127.0.0.1', 'x'), /not address:port/);
    assert.throws(() => parseEndpoint('localhost:80', 'x'), /IP address, not a host name/);
    assert.throws(() => parseEndpoint('127.0.0.1:', 'x'), /0 to 65535/);
    assert.throws(() => parseEndpoint('127.0.0.1:65536', 'x'), /0 to 65535/);
  });

  it('--wsa takes an address, --local and --udp', () => {
    assert.deepEqual(request('--wsa', '127.0.0.1', '53', '--udp', '--local', '127.0.0.1:5000', '--send', 'ping'), {
      function: 'wsaConnect', endpoint: { address: '127.0.0.1', port: 53 }, protocol: 'udp', local: { address: '127.0.0.1', port: 5000 },
      timeout: 0, json: false, send: 'ping',
    });
    assert.deepEqual(request('--wsa', '[::1]', '80', '--local', '::1').local, { address: '::1' });
    assert.deepEqual(request('--wsa', '::1', '80', '--local', '[::1]:0').local, { address: '::1', port: 0 });
  });

  it('--wsk names the driver and resolves --install-driver to an absolute path', () => {
    const r = request('--wsk', '127.0.0.1', '80', '--install-driver', 'wskconnect.sys', '--timeout', '60000');
    assert.equal(r.function, 'wskConnect');
    assert.equal(r.driverName, 'WskConnect');
    assert.equal(r.installDriver, path.resolve('wskconnect.sys'));
    assert.equal(request('--wsk', '127.0.0.1', '80', '--driver-name', 'Mine').driverName, 'Mine');
  });

  it('--wait and --count take an --interval (default 250 ms)', () => {
    assert.deepEqual(request('localhost', '5432', '--wait', '60000'),
      { function: 'connectByName', host: 'localhost', port: 5432, family: 'dual', timeout: 0, json: false, wait: 60000, interval: 250 });
    assert.deepEqual(request('--wsa', '127.0.0.1', '80', '--count', '100', '--interval', '0', '--json'),
      { function: 'wsaConnect', endpoint: { address: '127.0.0.1', port: 80 }, protocol: 'tcp', timeout: 0, json: true, count: 100, interval: 0 });
  });

  it('--help and --version win over everything else', () => {
    assert.deepEqual(parseCommandLine(['--help', '--wsa']), { kind: 'help' });
    assert.deepEqual(parseCommandLine(['-h']), { kind: 'help' });
    assert.deepEqual(parseCommandLine(['-v', 'x']), { kind: 'version' });
  });

  describe('usage errors', () => {
    const cases = [
      [[], /expected <host> <port\|service>, got nothing/],
      [['localhost'], /got 'localhost'/],
      [['a', 'b', 'c'], /expected/],
      [['--bogus'], /Unknown option '--bogus'/],
      [['localhost', '80', '--timeout'], /argument missing/],
      [['localhost', '80', '--timeout', '5s'], /whole milliseconds/],
      [['localhost', '80', '--timeout', '-1'], /--timeout/],
      [['localhost', '80', '--timeout', '2147483648'], /at most 2147483647/],
      [['localhost', '65536'], /0 to 65535/],
      [['localhost', '80', '--family', 'ipx'], /--family must be one of dual, ipv4, ipv6/],
      [['localhost', '80', '--udp'], /--udp applies to --wsa only/],
      [['localhost', '80', '--local', '127.0.0.1'], /--local applies to --wsa only/],
      [['localhost', '80', '--strategy', 'race'], /--strategy applies to --list only/],
      [['--wsa', 'localhost', '80'], /IP address, not a host name/],
      [['--wsa', '127.0.0.1', 'http'], /0 to 65535/],
      [['--wsa', '127.0.0.1', '80', '--family', 'ipv4'], /--family applies to a host and port/],
      [['--wsa', '127.0.0.1', '80', '--local', '::1'], /same address family/],
      [['--wsa', '127.0.0.1', '80', '--local', 'localhost'], /IP address/],
      [['--wsa', '127.0.0.1', '80', '--list', '127.0.0.1:80'], /--list and --wsa cannot be combined/],
      [['--wsa', '--wsk', '127.0.0.1', '80'], /--wsa and --wsk cannot be combined/],
      [['--list', '127.0.0.1:80', 'localhost', '80'], /--list takes no host or port/],
      [['--list', '127.0.0.1:80,,127.0.0.1:81'], /empty entry/],
      [['--list', '::1:80'], /\[::1\]:80/],
      [['--list', 'localhost:80'], /IP address, not a host name/],
      [['--list', Array.from({ length: 65 }, (_, i) => `127.0.0.1:${i + 1}`).join(',')], /at most 64/],
      [['--list', '127.0.0.1:80', '--strategy', 'fastest'], /auto, system, race/],
      [['--wsk', '127.0.0.1', '80', '--timeout', '0'], /1 to 60000/],
      [['--wsk', '127.0.0.1', '80', '--send', 'x'], /--send does not apply to --wsk/],
      [['--wsk', '127.0.0.1', '80', '--install-driver', ''], /path of wskconnect.sys/],
      [['--wsa', '127.0.0.1', '80', '--driver-name', 'x'], /--driver-name applies to --wsk only/],
      [['localhost', '80', '--wait', '1000', '--count', '3'], /--wait and --count cannot be combined/],
      [['localhost', '80', '--interval', '100'], /--interval applies to --wait and --count only/],
      [['localhost', '80', '--wait', '0'], /at least 1 ms/],
      [['localhost', '80', '--wait', 'soon'], /--wait takes whole milliseconds/],
      [['localhost', '80', '--count', '0'], /--count takes a whole number from 1 to 100000/],
      [['localhost', '80', '--count', '100001'], /--count takes a whole number/],
    ];
    for (const [argv, pattern] of cases) {
      it(`wsconnect ${argv.join(' ').slice(0, 60) || '(nothing)'}`, () => usageError(argv, pattern));
    }
  });
});
