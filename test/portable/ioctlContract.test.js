'use strict';
// The IOCTL contract has one source, native/include/wskconnect_ioctl.h: the numbers
// JavaScript uses (lib/wskconnectIoctl.ts) are generated from it by the build, and
// this fails when the committed file and the header disagree.
const assert = require('node:assert/strict');
const fs = require('node:fs');

describe('IOCTL contract numbers come from native/include/wskconnect_ioctl.h', () => {
  let contract;
  before(async () => {
    contract = await import('../../scripts/lib/ioctlContract.mjs');
  });

  it('lib/wskconnectIoctl.ts is what the header generates', () => {
    assert.equal(fs.readFileSync(contract.IOCTL_MODULE, 'utf8'), contract.ioctlModuleText());
  });

  it('reads the values the header defines (a changed limit changes the module)', () => {
    const header = fs.readFileSync(contract.IOCTL_HEADER, 'utf8');
    const values = contract.readIoctlContract(header);
    assert.equal(values.WSKCONNECT_REQUEST_SIZE, 40);
    assert.equal(values.WSKCONNECT_STATUS_NOT_ATTEMPTED, 0xe0a57001);
    const changed = contract.readIoctlContract(header.replace('#define WSKCONNECT_TIMEOUT_MAX_MS 60000u', '#define WSKCONNECT_TIMEOUT_MAX_MS 30000u'));
    assert.equal(changed.WSKCONNECT_TIMEOUT_MAX_MS, 30000);
    assert.notEqual(contract.ioctlModuleText(changed), fs.readFileSync(contract.IOCTL_MODULE, 'utf8'));
    assert.throws(() => contract.readIoctlContract(header.replace(/#define WSKCONNECT_AF_INET6 .*/, '')), /WSKCONNECT_AF_INET6 is not #defined/);
  });
});
