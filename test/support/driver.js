'use strict';
// The WSK driver for tests: where its .sys is, whether this machine can load it,
// and a clean install. Under Wine it loads in winedevice.exe; on Windows only a
// test-signed build on an elevated runner can (the driver workflow sets WSKCONNECT_SYS).
const fs = require('node:fs');
const path = require('node:path');
const assert = require('node:assert/strict');
const { WskDriver } = require('../../dist/index.js');
const { underWine } = require('./wine');

const DRIVER_SYS = process.env.WSKCONNECT_SYS || path.join(__dirname, '..', '..', 'prebuilds', 'driver-x64', 'wskconnect.sys');
const canLoadDriver = underWine || Boolean(process.env.WSKCONNECT_SYS);
const CANNOT_LOAD_REASON = 'loading the driver needs a test-signed build and elevation; the driver workflow sets WSKCONNECT_SYS';

/** Skips `ctx` where the driver cannot be loaded, printing why. */
function skipUnlessDriverLoads(ctx) {
  if (canLoadDriver) return;
  console.log(`      (skipped on Windows: ${CANNOT_LOAD_REASON})`);
  ctx.skip();
}

/** Stops and removes a service of that name left by an earlier run, if any. */
async function removeLeftover(name) {
  await removeDriver(new WskDriver(name));
}

/** Installs and starts the driver as service `name`, after removing any leftover. */
async function installFresh(name) {
  assert.ok(fs.existsSync(DRIVER_SYS), `driver not built: ${DRIVER_SYS}`);
  await removeLeftover(name);
  const driver = await WskDriver.install({ sysPath: DRIVER_SYS, name });
  await driver.start();
  return driver;
}

/** Stops and uninstalls `driver` (if there is one), whatever state it is in. */
async function removeDriver(driver) {
  if (!driver) return;
  await driver.stop().catch(() => {});
  await driver.uninstall().catch(() => {});
}

/** How long a young pending connect takes to meet its closed listener: Linux retransmits a SYN after 1 s. */
const PARKED_CONNECT_END_MS = 2000;

/**
 * Closes `stalled` and, under Wine, waits until the kernel connects it left pending
 * have ended. Wine's netio has no cancel routine, so a connect the driver stopped
 * waiting for stays pending ("parked") until it ends by itself, and the driver then
 * closes its socket. Once the listener is closed the next SYN retransmission meets a
 * closed port and ends it. Parked connects left pending would instead be
 * force-closed at the next driver stop, which can crash winedevice.exe (a race in
 * Wine's netio, README's divergence table): tests end theirs, and only the tests of
 * stop itself force them.
 */
async function endParkedConnects(stalled) {
  stalled.close();
  if (underWine) await new Promise((resolve) => setTimeout(resolve, PARKED_CONNECT_END_MS));
}

module.exports = { DRIVER_SYS, canLoadDriver, skipUnlessDriverLoads, removeLeftover, installFresh, removeDriver, endParkedConnects };
