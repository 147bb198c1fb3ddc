'use strict';
// Keeps one CPU busy with a child process that only spins (no system calls),
// for the latency section's "one CPU busy" setup. With every CPU idle, each
// system call and each thread hand-off pays for waking a CPU, and under Wine a
// system call is a round trip to wineserver: a path's cost is then mostly its
// call count. With one CPU busy, calls get cheap and what is left is the
// hand-offs between threads (docs/performance.md, "Idle or busy CPUs").
const { spawn } = require('node:child_process');
const { sleep } = require('./stats');

const SPIN_LIMIT_MS = 10 * 60_000; // the spinner ends by itself should its parent die
const SETTLE_MS = 1000;            // the child's start-up (node.exe under Wine) is over by then

async function keepOneCpuBusy() {
  const child = spawn(process.execPath, ['-e', `const end = Date.now() + ${SPIN_LIMIT_MS}; while (Date.now() < end);`], {
    stdio: 'ignore',
    windowsHide: true,
  });
  let exited = false;
  child.once('exit', () => { exited = true; });
  await new Promise((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  await sleep(SETTLE_MS);
  if (exited) throw new Error('the spinning process exited at once');
  return {
    stop: () => new Promise((resolve) => {
      if (exited) return resolve();
      child.once('exit', () => resolve());
      child.kill();
    }),
  };
}

module.exports = { keepOneCpuBusy };
