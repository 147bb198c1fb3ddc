'use strict';
// execFile for the tests' child node.exe runs, tried again when the child never
// started: under a loaded Wine, CreateProcess now and then fails (spawn UNKNOWN),
// and Node then throws from execFile or reports an error whose syscall is spawn.
// A child that ran, whatever its exit, is never run twice.
const childProcess = require('node:child_process');

const SPAWN_ATTEMPTS = 3;
const RETRY_DELAY_MS = 250;

const neverStarted = (error) => typeof error?.syscall === 'string' && error.syscall.startsWith('spawn');

/** As child_process.execFile(file, args, options, callback), retrying a child that never started. */
function execFile(file, args, options, callback, attempt = 1) {
  const retry = (error) => {
    if (attempt >= SPAWN_ATTEMPTS) return false;
    setTimeout(() => execFile(file, args, options, callback, attempt + 1), RETRY_DELAY_MS);
    return true;
  };
  try {
    childProcess.execFile(file, args, options, (error, stdout, stderr) => {
      if (error && neverStarted(error) && retry(error)) return;
      callback(error, stdout, stderr);
    });
  } catch (error) {
    if (neverStarted(error) && retry(error)) return;
    process.nextTick(() => callback(error, '', ''));
  }
}

module.exports = { execFile };
