'use strict';
// Off Windows the package still installs and imports (CJS and ESM); every call
// rejects with ERR_WINSOCK_UNSUPPORTED_PLATFORM.
const assert = require('node:assert/strict');
const api = require('../../dist/index.js');

describe('off Windows', () => {
  it('imports as CommonJS and as ESM with the same exports', async () => {
    const esm = await import('../../dist/index.mjs');
    for (const name of ['connectByName', 'connectByList', 'wsaConnect', 'WinsockError', 'WsaError', 'isSupported']) {
      assert.equal(typeof api[name], typeof esm[name], name);
      assert.equal(api[name], esm[name], `${name} is the same object in both`);
    }
  });

  it('says it is unsupported', () => {
    assert.equal(api.isSupported(), false);
    assert.deepEqual(api.platformInfo(), { supported: false, wine: null, connectByList: false });
  });

  for (const [name, call] of [
    ['connectByName', () => api.connectByName({ host: 'localhost', port: 80 })],
    ['connectByList', () => api.connectByList({ addresses: [{ address: '127.0.0.1', port: 80 }] })],
    ['wsaConnect', () => api.wsaConnect({ address: '127.0.0.1', port: 80 })],
  ]) {
    it(`${name} rejects with ERR_WINSOCK_UNSUPPORTED_PLATFORM`, async () => {
      await assert.rejects(call(), (err) => err instanceof api.WinsockPlatformError && err.code === 'ERR_WINSOCK_UNSUPPORTED_PLATFORM');
    });
  }

  it('keeps the error enums usable anywhere', () => {
    assert.equal(api.WsaError.WSAECONNREFUSED, 10061);
    assert.equal(api.wsaErrorName(10060), 'WSAETIMEDOUT');
    const err = new api.WinsockError(10061, 'WSAConnect', { address: '127.0.0.1', port: 9 });
    assert.equal(err.code, 'WSAECONNREFUSED');
    assert.equal(err.errno, 10061);
    assert.match(err.message, /refused/i);
  });
});
