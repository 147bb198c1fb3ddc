'use strict';
// Keeps one CPU busy with a child process that only spins (no system calls),
// for the latency section's "one CPU busy" setup. With every CPU idle, each
// system call and each thread hand-off pays for waking a CPU (under Wine a
// system call is also a round trip to wineserver), so a path's cost is then
// mostly its call count. With one CPU busy, calls get cheaper and the hand-offs
// between threads weigh more (docs/performance.md, "Idle or busy CPUs").
const { spawn } = require('node:child_process');
const { sleep } = require('./stats');

const SPIN_LIMIT_MS = 10 * 60_000; // the spinner ends by itself should its parent die
const SETTLE_MS = 1000;            // the child's start-up (node.exe under Wine) is over by then
const STOP_WAIT_MS = 5000;         // a kill that brings no 'exit' by then is given up on

async function keepOneCpuBusy() {
  const child = spawn(process.execPath, ['-e', `const end = Date.now() + ${SPIN_LIMIT_MS}; while (Date.now() < end);`], {
    stdio: 'ignore',
    windowsHide: true,
  });
  let exited = false;
  child.once('exit', () => { exited = true; });
  // The benchmark may end without stop() (its watchdog, a crash): the spinner must not outlive it.
  const killOnExit = () => { if (!exited) child.kill(); };
  process.once('exit', killOnExit);
  await new Promise((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  await sleep(SETTLE_MS);
  if (exited) throw new Error('the spinning process exited at once');
  return {
    /** Resolves with true when the spinner was still spinning when asked to stop (the figures were measured busy). */
    stop: () => new Promise((resolve) => {
      process.off('exit', killOnExit);
      if (exited) return resolve(false);
      const timer = setTimeout(() => resolve(true), STOP_WAIT_MS);
      const done = () => {
        clearTimeout(timer);
        resolve(true);
      };
      child.once('exit', done);
      child.once('error', done);
      child.kill();
    }),
  };
}

module.exports = { keepOneCpuBusy };
