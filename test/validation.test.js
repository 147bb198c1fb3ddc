'use strict';
// Bad input is refused with Node's own error codes before any native call. This
// suite runs on every platform: off Windows, getting these errors instead of
// ERR_WINSOCK_UNSUPPORTED_PLATFORM shows the checks come first.
const assert = require('node:assert/strict');
const { connectByName, connectByList, wsaConnect, WskDriver } = require('../dist/index.js');

function rejectsWith(promise, ErrorType, code, pattern) {
  return assert.rejects(promise, (err) => {
    assert.ok(err instanceof ErrorType, `expected ${ErrorType.name}, got ${err && err.constructor.name}: ${err && err.message}`);
    assert.equal(err.code, code);
    if (pattern) assert.match(err.message, pattern);
    return true;
  });
}

describe('argument validation (before any native call)', () => {
  describe('connectByName', () => {
    it('requires an options object', async () => {
      await rejectsWith(connectByName(), TypeError, 'ERR_INVALID_ARG_TYPE', /"options" argument must be of type object/);
      await rejectsWith(connectByName('localhost'), TypeError, 'ERR_INVALID_ARG_TYPE');
    });
    it('checks host type, length and NUL', async () => {
      await rejectsWith(connectByName({ host: 42, port: 80 }), TypeError, 'ERR_INVALID_ARG_TYPE', /options\.host/);
      await rejectsWith(connectByName({ host: '', port: 80 }), TypeError, 'ERR_INVALID_ARG_VALUE');
      await rejectsWith(connectByName({ host: 'a'.repeat(256), port: 80 }), TypeError, 'ERR_INVALID_ARG_VALUE', /at most 255/);
      await rejectsWith(connectByName({ host: 'local\0host', port: 80 }), TypeError, 'ERR_INVALID_ARG_VALUE', /null bytes/);
    });
    it('checks port range and service names', async () => {
      await rejectsWith(connectByName({ host: 'localhost', port: 65536 }), RangeError, 'ERR_OUT_OF_RANGE', />= 0 and <= 65535/);
      await rejectsWith(connectByName({ host: 'localhost', port: -1 }), RangeError, 'ERR_OUT_OF_RANGE');
      await rejectsWith(connectByName({ host: 'localhost', port: 1.5 }), RangeError, 'ERR_OUT_OF_RANGE');
      await rejectsWith(connectByName({ host: 'localhost', port: NaN }), RangeError, 'ERR_OUT_OF_RANGE');
      await rejectsWith(connectByName({ host: 'localhost', port: '' }), TypeError, 'ERR_INVALID_ARG_VALUE');
      await rejectsWith(connectByName({ host: 'localhost', port: 'ht\0tp' }), TypeError, 'ERR_INVALID_ARG_VALUE');
      await rejectsWith(connectByName({ host: 'localhost', port: null }), TypeError, 'ERR_INVALID_ARG_TYPE');
    });
    it('checks family, timeout and signal', async () => {
      await rejectsWith(connectByName({ host: 'localhost', port: 80, family: 'ipx' }), TypeError, 'ERR_INVALID_ARG_VALUE', /'dual', 'ipv4', 'ipv6'/);
      await rejectsWith(connectByName({ host: 'localhost', port: 80, timeout: -1 }), RangeError, 'ERR_OUT_OF_RANGE');
      await rejectsWith(connectByName({ host: 'localhost', port: 80, timeout: Infinity }), RangeError, 'ERR_OUT_OF_RANGE');
      await rejectsWith(connectByName({ host: 'localhost', port: 80, timeout: NaN }), RangeError, 'ERR_OUT_OF_RANGE');
      await rejectsWith(connectByName({ host: 'localhost', port: 80, timeout: '5' }), TypeError, 'ERR_INVALID_ARG_TYPE');
      await rejectsWith(connectByName({ host: 'localhost', port: 80, signal: {} }), TypeError, 'ERR_INVALID_ARG_TYPE', /AbortSignal/);
    });
  });

  describe('connectByList', () => {
    it('checks the list', async () => {
      await rejectsWith(connectByList({ addresses: 'x' }), TypeError, 'ERR_INVALID_ARG_TYPE');
      await rejectsWith(connectByList({ addresses: [] }), RangeError, 'ERR_OUT_OF_RANGE', />= 1 and <= 64/);
      const tooMany = Array.from({ length: 65 }, () => ({ address: '127.0.0.1', port: 1 }));
      await rejectsWith(connectByList({ addresses: tooMany }), RangeError, 'ERR_OUT_OF_RANGE');
      await rejectsWith(connectByList({ addresses: [null] }), TypeError, 'ERR_INVALID_ARG_TYPE', /addresses\[0\]/);
    });
    it('takes IP literals only, with valid ports', async () => {
      await rejectsWith(connectByList({ addresses: [{ address: 'localhost', port: 1 }] }), TypeError, 'ERR_INVALID_ARG_VALUE');
      await rejectsWith(connectByList({ addresses: [{ address: '127.0.0.256', port: 1 }] }), TypeError, 'ERR_INVALID_ARG_VALUE');
      await rejectsWith(connectByList({ addresses: [{ address: 'fe80::1%eth0', port: 1 }] }), TypeError, 'ERR_INVALID_ARG_VALUE', /zone/);
      await rejectsWith(connectByList({ addresses: [{ address: '::1', port: 70000 }] }), RangeError, 'ERR_OUT_OF_RANGE');
    });
    it('checks strategy and attemptDelay', async () => {
      const addresses = [{ address: '127.0.0.1', port: 1 }];
      await rejectsWith(connectByList({ addresses, strategy: 'fastest' }), TypeError, 'ERR_INVALID_ARG_VALUE');
      await rejectsWith(connectByList({ addresses, attemptDelay: -5 }), RangeError, 'ERR_OUT_OF_RANGE');
    });
    it('checks every slot of a sparse list (holes are missing entries, not skipped)', async () => {
      await rejectsWith(connectByList({ addresses: new Array(2) }), TypeError, 'ERR_INVALID_ARG_TYPE', /addresses\[0\]/);
      // eslint-disable-next-line no-sparse-arrays
      await rejectsWith(connectByList({ addresses: [{ address: '127.0.0.1', port: 1 }, , { address: '127.0.0.1', port: 1 }] }),
        TypeError, 'ERR_INVALID_ARG_TYPE', /addresses\[1\]/);
    });
  });

  describe('wsaConnect', () => {
    it('checks address, port and protocol', async () => {
      await rejectsWith(wsaConnect({ address: 'example', port: 1 }), TypeError, 'ERR_INVALID_ARG_VALUE');
      await rejectsWith(wsaConnect({ address: '127.0.0.1', port: '80' }), TypeError, 'ERR_INVALID_ARG_TYPE');
      await rejectsWith(wsaConnect({ address: '127.0.0.1', port: 1, protocol: 'sctp' }), TypeError, 'ERR_INVALID_ARG_VALUE');
    });
    it('checks local, caller data and broadcast', async () => {
      await rejectsWith(wsaConnect({ address: '127.0.0.1', port: 1, local: { address: '::1' } }), TypeError, 'ERR_INVALID_ARG_VALUE', /same family/);
      await rejectsWith(wsaConnect({ address: '127.0.0.1', port: 1, local: { port: 65536 } }), RangeError, 'ERR_OUT_OF_RANGE');
      await rejectsWith(wsaConnect({ address: '127.0.0.1', port: 1, callerData: 'abc' }), TypeError, 'ERR_INVALID_ARG_TYPE');
      await rejectsWith(wsaConnect({ address: '127.0.0.1', port: 1, callerData: new Uint8Array(65536) }), RangeError, 'ERR_OUT_OF_RANGE');
      // Passes `instanceof Uint8Array` but is no typed array: its byteLength getter throws.
      await rejectsWith(wsaConnect({ address: '127.0.0.1', port: 1, callerData: Object.create(Uint8Array.prototype) }), TypeError, 'ERR_INVALID_ARG_TYPE');
      await rejectsWith(wsaConnect({ address: '127.0.0.1', port: 1, broadcast: true }), TypeError, 'ERR_INVALID_ARG_VALUE', /udp/);
      await rejectsWith(wsaConnect({ address: '127.0.0.1', port: 1, protocol: 'udp', broadcast: 'yes' }), TypeError, 'ERR_INVALID_ARG_TYPE');
    });
    it('checks every QoS field', async () => {
      const qos = (sending) => wsaConnect({ address: '127.0.0.1', port: 1, qos: { sending } });
      await rejectsWith(qos({ tokenRate: -1 }), RangeError, 'ERR_OUT_OF_RANGE', /tokenRate/);
      await rejectsWith(qos({ peakBandwidth: 2 ** 32 }), RangeError, 'ERR_OUT_OF_RANGE');
      await rejectsWith(qos({ latency: 'fast' }), TypeError, 'ERR_INVALID_ARG_TYPE');
      await rejectsWith(qos({ serviceType: 7 }), TypeError, 'ERR_INVALID_ARG_VALUE', /ServiceType/);
      await rejectsWith(wsaConnect({ address: '127.0.0.1', port: 1, qos: 5 }), TypeError, 'ERR_INVALID_ARG_TYPE');
    });
  });

  describe('WskDriver.connect', () => {
    const driver = new WskDriver();
    it('takes only an address naming one peer, the rule the driver applies to raw IOCTLs', async () => {
      for (const address of ['0.0.0.0', '255.255.255.255', '224.0.0.1', '239.255.255.250', '::', 'ff02::1', 'ff02::1%3']) {
        await rejectsWith(driver.connect({ address, port: 80 }), TypeError, 'ERR_INVALID_ARG_VALUE', /unicast/);
      }
      await rejectsWith(driver.connect({ address: 'localhost', port: 80 }), TypeError, 'ERR_INVALID_ARG_VALUE', /IPv4 or IPv6/);
    });
    it('takes ports 1..65535 and a timeout within the driver\'s bound', async () => {
      await rejectsWith(driver.connect({ address: '127.0.0.1', port: 0 }), RangeError, 'ERR_OUT_OF_RANGE', />= 1 and <= 65535/);
      await rejectsWith(driver.connect({ address: '127.0.0.1', port: 65536 }), RangeError, 'ERR_OUT_OF_RANGE');
      await rejectsWith(driver.connect({ address: '127.0.0.1', port: 80, timeout: 0 }), RangeError, 'ERR_OUT_OF_RANGE');
      await rejectsWith(driver.connect({ address: '127.0.0.1', port: 80, mode: 'bind' }), TypeError, 'ERR_INVALID_ARG_VALUE');
    });
  });

  describe('all-zero destinations (0.0.0.0, ::) name no peer: refused by every function', () => {
    const ZEROS = ['0.0.0.0', '::', '::0', '0:0:0:0:0:0:0:0', '::ffff:0.0.0.0'];
    it('connectByName', async () => {
      for (const host of ZEROS) await rejectsWith(connectByName({ host, port: 80 }), TypeError, 'ERR_INVALID_ARG_VALUE', /unspecified/);
    });
    it('connectByList, in any slot', async () => {
      for (const address of ZEROS) {
        await rejectsWith(connectByList({ addresses: [{ address: '127.0.0.1', port: 80 }, { address, port: 80 }] }), TypeError, 'ERR_INVALID_ARG_VALUE', /options\.addresses\[1\]\.address/);
      }
    });
    it('wsaConnect, TCP and UDP', async () => {
      for (const address of ZEROS) {
        await rejectsWith(wsaConnect({ address, port: 80 }), TypeError, 'ERR_INVALID_ARG_VALUE', /unspecified/);
        await rejectsWith(wsaConnect({ address, port: 80, protocol: 'udp' }), TypeError, 'ERR_INVALID_ARG_VALUE', /unspecified/);
      }
    });
    it('the wildcard stays valid where it means "any local address"', async () => {
      // local.address '0.0.0.0' binds to every interface: only the destination is checked.
      const outcome = await wsaConnect({ address: '0.0.0.0', port: 80, local: { address: '0.0.0.0' } }).catch((e) => e);
      assert.match(outcome.message, /options\.address/);
    });
  });

  it('shapes errors like Node (code in the stack line, own enumerable code)', async () => {
    const err = await connectByName({ host: 'localhost', port: 99999 }).catch((e) => e);
    assert.match(err.stack, /^RangeError \[ERR_OUT_OF_RANGE\]:/);
    assert.equal(err.name, 'RangeError');
    assert.ok(Object.keys(err).includes('code'));
  });
});
