'use strict';
// Shared by fuzz.test.js and robustness.test.js: test sizes (CI or full), what
// counts as an acceptable outcome of a call, closing what a call returned, and
// watchers for unhandled rejections and the process handle count.
const assert = require('node:assert/strict');
const net = require('node:net');
const api = require('../../dist/index.js');
const lo = require('./loopback');
const { underWine, DIVERGENCES } = require('./wine');

/** `npm run fuzz` sets WINSOCK_CONNECT_FULL=1: the full sizes instead of the CI ones. */
const FULL = process.env.WINSOCK_CONNECT_FULL === '1';

/** The CI size, or the full size under `npm run fuzz`. */
function size(ci, full) {
  return FULL ? full : ci;
}

/** Thrown by the getters the fuzzer plants in options: a call may reject with it, unchanged. */
class PlantedGetterError extends Error {
  constructor(key) {
    super(`planted getter "${key}" threw`);
    this.name = 'PlantedGetterError';
  }
}

const ARGUMENT_CODES = new Set(['ERR_INVALID_ARG_TYPE', 'ERR_OUT_OF_RANGE', 'ERR_INVALID_ARG_VALUE']);

/**
 * The kind of an error a public call may reject with, or throws an
 * AssertionError naming the unexpected one: argument errors (TypeError/RangeError
 * with Node's ERR_* codes), the typed errors of lib/errors.ts by their code
 * (DriverServiceError's as 'DriverServiceError:<code>'), or 'caller-threw' for the
 * very error a caller's getter threw.
 */
function classifyError(error) {
  if (error instanceof PlantedGetterError) return 'caller-threw';
  if ((error instanceof TypeError || error instanceof RangeError) && ARGUMENT_CODES.has(error.code)) return error.code;
  if (error instanceof api.AbortError && error.code === 'ABORT_ERR') return 'ABORT_ERR';
  if (error instanceof api.WinsockError) return error.code;
  if (error instanceof api.WinsockPlatformError) return error.code;
  if (error instanceof api.WskError) return error.code;
  if (error instanceof api.DriverServiceError) return `DriverServiceError:${error.code}`;
  assert.fail(`unexpected error type ${error?.constructor?.name}: ${error?.stack ?? error}`);
}

/** A UDP send error from libuv, shaped like dgram's: a system error name and the syscall. */
function isLibuvSendError(error) {
  return error instanceof Error && /^E[A-Z]+$/.test(String(error.code)) && typeof error.errno === 'number' && error.syscall === 'send';
}

const LOOPBACK = new net.BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** True for 127.0.0.0/8 and ::1 in any spelling (v4-mapped included), zone ids aside. */
function isLoopbackIp(text) {
  if (typeof text !== 'string') return false;
  const ip = text.replace(/%.*$/, '');
  const family = net.isIP(ip);
  if (family === 4) return LOOPBACK.check(ip, 'ipv4');
  if (family !== 6) return false;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return LOOPBACK.check(mapped[1], 'ipv4');
  return LOOPBACK.check(ip, 'ipv6');
}

/** Closes whatever a call resolved with (a Connection or a DatagramConnection); checks its peer is loopback. */
async function closeResult(value) {
  if (value instanceof api.DatagramConnection) {
    assert.ok(isLoopbackIp(value.remoteAddress.address), `datagram peer ${value.remoteAddress.address} is not loopback`);
    await value.close();
    return;
  }
  if (value && value.socket instanceof net.Socket) {
    assert.ok(isLoopbackIp(value.remoteAddress.address), `peer ${value.remoteAddress.address} is not loopback`);
    await lo.closeSocket(value.socket);
  }
}

/** Records unhandled rejections from install() to uninstall(); check() fails on any. */
function unhandledRejectionWatcher() {
  const seen = [];
  const onRejection = (reason) => seen.push(reason);
  return {
    install: () => process.on('unhandledRejection', onRejection),
    uninstall: () => process.off('unhandledRejection', onRejection),
    check: () => assert.deepEqual(seen.map((r) => String(r?.stack ?? r)), [], 'unhandled rejections'),
  };
}

/**
 * Process handles before and after. Under Wine GetProcessHandleCount reports 0,
 * so there the check is skipped with the divergence named. On Windows the count
 * must come back within `slack`, plus a few per pool thread started meanwhile
 * (an idle thread lives on for 10 s, and Winsock may keep a per-thread event).
 */
function handleCountCheck() {
  let before = 0;
  let threadsBefore = 0;
  return {
    start: () => {
      const s = lo.stats();
      before = s.processHandles;
      threadsBefore = s.poolThreads;
    },
    check: (slack, what) => {
      if (underWine) {
        // The divergence itself is asserted, so a Wine that starts counting handles is noticed.
        assert.ok(lo.stats().processHandles <= 0, `GetProcessHandleCount works under this Wine: ${lo.stats().processHandles}`);
        console.log(`      (handle count not checked under Wine: ${DIVERGENCES.handleCount})`);
        return;
      }
      const s = lo.stats();
      const allowed = before + slack + 3 * Math.max(0, s.poolThreads - threadsBefore);
      console.log(`      (process handles: ${before} before, ${s.processHandles} after ${what}; allowed ${allowed})`);
      assert.ok(s.processHandles <= allowed, `process handles grew from ${before} to ${s.processHandles} after ${what}`);
    },
  };
}

/** Mocha hooks that print each test's runtime under its line. */
function printRuntimes() {
  let startedAt = 0;
  beforeEach(() => { startedAt = Date.now(); });
  afterEach(function () {
    console.log(`      (${this.currentTest.title.slice(0, 40)}…: ${((Date.now() - startedAt) / 1000).toFixed(1)} s)`);
  });
}

/**
 * A seeded random source (mulberry32), so a failing storm can be replayed:
 * WINSOCK_CONNECT_SEED, else a fresh seed; either way it is printed.
 */
function seededRandom(label) {
  let state = Number(process.env.WINSOCK_CONNECT_SEED) || Math.floor(Math.random() * 2 ** 31);
  console.log(`      (${label}: seed ${state}; replay with WINSOCK_CONNECT_SEED=${state})`);
  const next = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => items[Math.floor(next() * items.length)],
  };
}

/**
 * Runs `count` tasks, at most `width` at a time; resolves with their settled
 * results (Promise.allSettled's shape) in order.
 */
async function runBounded(count, width, task) {
  const results = new Array(count);
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const i = next++;
      try {
        results[i] = { status: 'fulfilled', value: await task(i) };
      } catch (reason) {
        results[i] = { status: 'rejected', reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, count) }, lane));
  return results;
}

/** Counts settled results by outcome: 'fulfilled' or the error's code. */
function tally(settled) {
  const counts = {};
  for (const r of settled) {
    const key = r.status === 'fulfilled' ? 'fulfilled' : String(r.reason?.code ?? r.reason);
    counts[key] = (counts[key] || 0) + 1;
  }
  return counts;
}

/** Resolves after `ms`. */
function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

module.exports = {
  FULL, size, PlantedGetterError, classifyError, isLibuvSendError, isLoopbackIp, closeResult,
  unhandledRejectionWatcher, handleCountCheck, printRuntimes, delay, seededRandom, runBounded, tally,
};
