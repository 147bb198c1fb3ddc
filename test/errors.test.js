'use strict';
// The error tables and helpers: pure code, so this runs on every platform. Each
// table is checked whole, so an entry added to an enum without its message (or a
// mapping to a code that does not exist) fails here.
const assert = require('node:assert/strict');
const {
  DriverServiceError, NtStatus, NT_STATUS_MESSAGES, NT_STATUS_TO_WSA, Win32Error, WIN32_ERROR_MESSAGES, WinsockError,
  WsaError, WSA_ERROR_MESSAGES, ntStatusMessage, ntStatusName, ntStatusToWsa, wsaErrorMessage, wsaErrorName,
} = require('../dist/index.js');

/** The numeric members of a TypeScript enum. */
const numbers = (e) => Object.values(e).filter((v) => typeof v === 'number');

describe('error tables and helpers (pure code)', () => {
  it('every WsaError has its name and a message; names and numbers round-trip', () => {
    for (const errno of numbers(WsaError)) {
      assert.equal(WsaError[wsaErrorName(errno)], errno);
      assert.ok(WSA_ERROR_MESSAGES[errno]?.length > 10, `message for ${errno}`);
      assert.equal(wsaErrorMessage(errno), WSA_ERROR_MESSAGES[errno]);
    }
    assert.equal(wsaErrorName(10061), 'WSAECONNREFUSED');
    assert.equal(wsaErrorName(12345), 'UNKNOWN');
    assert.match(wsaErrorMessage(-9), /Non-Winsock error code -9/);
    assert.match(wsaErrorMessage(12345), /Unknown Winsock error 12345/);
  });

  it('NTSTATUS helpers take signed and unsigned forms alike', () => {
    const refused = NtStatus.STATUS_CONNECTION_REFUSED; // 0xC0000236
    const signed = refused | 0; // as a signed 32-bit NTSTATUS (LONG) arrives
    assert.ok(signed < 0);
    assert.equal(ntStatusName(signed), 'STATUS_CONNECTION_REFUSED');
    assert.equal(ntStatusName(refused), 'STATUS_CONNECTION_REFUSED');
    assert.equal(ntStatusMessage(signed), ntStatusMessage(refused));
    assert.equal(ntStatusToWsa(signed), WsaError.WSAECONNREFUSED);
    assert.equal(ntStatusName(0xC0DE0001), 'NTSTATUS_0xC0DE0001');
    assert.match(ntStatusMessage(0xC0DE0001), /Unknown NTSTATUS 0xC0DE0001/);
    assert.match(ntStatusMessage(2 ** 33), /not a 32-bit integer/);
    assert.equal(ntStatusToWsa(1.5), undefined);
  });

  it('every NtStatus has a message, and NT_STATUS_TO_WSA maps only known statuses to real Winsock codes', () => {
    for (const status of numbers(NtStatus)) assert.ok(NT_STATUS_MESSAGES[status]?.length > 5, `message for ${ntStatusName(status)}`);
    const entries = Object.entries(NT_STATUS_TO_WSA);
    assert.ok(entries.length >= 10);
    for (const [status, wsa] of entries) {
      assert.ok(NtStatus[Number(status)] !== undefined, `${status} is a known NtStatus`);
      assert.ok(WsaError[wsa] !== undefined, `${ntStatusName(Number(status))} maps to a real WsaError (${wsa})`);
    }
    assert.equal(NT_STATUS_TO_WSA[NtStatus.STATUS_IO_TIMEOUT], WsaError.WSAETIMEDOUT);
    assert.equal(NT_STATUS_TO_WSA[NtStatus.STATUS_CANCELLED], WsaError.WSA_OPERATION_ABORTED);
  });

  it('every Win32Error has its message', () => {
    for (const errno of numbers(Win32Error)) assert.ok(WIN32_ERROR_MESSAGES[errno]?.length > 10, `message for ${Win32Error[errno]}`);
  });

  it('WinsockError: code, errno, syscall and the context in a Node-shaped message', () => {
    const e = new WinsockError(WsaError.WSAECONNREFUSED, 'WSAConnect', { address: '127.0.0.1', port: 80 });
    assert.equal(e.name, 'WinsockError');
    assert.equal(e.code, 'WSAECONNREFUSED');
    assert.equal(e.errno, 10061);
    assert.equal(e.syscall, 'WSAConnect');
    assert.equal(e.address, '127.0.0.1');
    assert.equal(e.port, 80);
    assert.equal(e.message, `WSAConnect WSAECONNREFUSED 127.0.0.1:80 — ${WSA_ERROR_MESSAGES[10061]}`);
    const named = new WinsockError(WsaError.WSAHOST_NOT_FOUND, 'WSAConnectByName', { host: 'db.invalid', port: 5432 });
    assert.match(named.message, /^WSAConnectByName WSAHOST_NOT_FOUND db\.invalid:5432 — /);
  });

  it('DriverServiceError explains the codes a driver developer meets', () => {
    const cases = [
      [1275, 'ERROR_DRIVER_BLOCKED', /policy|blocklist|HVCI/i],
      [577, 'ERROR_INVALID_IMAGE_HASH', /sign|test signing/i],
      [5, 'ERROR_ACCESS_DENIED', /elevated|Administrator/i],
      [1053, 'ERROR_SERVICE_REQUEST_TIMEOUT', /STOP_PENDING|DriverUnload/],
    ];
    for (const [errno, code, explanation] of cases) {
      const e = new DriverServiceError(errno, 'StartService', { service: 'WskConnect' });
      assert.equal(e.code, code);
      assert.equal(e.errno, errno);
      assert.equal(e.service, 'WskConnect');
      assert.match(e.message, new RegExp(`^StartService ${code} \\(WskConnect\\) — `));
      assert.match(e.message, explanation);
    }
    assert.equal(new DriverServiceError(4242, 'CreateFile').code, 'WIN32_ERROR_4242');
  });
});
