/**
 * Where the addon's work stands right now: what waits, on which threads. For
 * dashboards and for finding out why a connect has not settled yet.
 * @module
 */
import { loadBinding } from './native';

/** {@link Diagnostics.blockingCalls}: the blocking pool. */
export interface BlockingCallCounts {
  /** Calls inside the OS now, each on its own thread. */
  running: number;
  /** Calls queued for a thread (every thread up to `maxThreads` busy); their deadlines are running. */
  waiting: number;
  /** The pool's threads, running or idle (idle ones exit after 10 s). */
  threads: number;
  /** The most threads the pool starts. */
  maxThreads: number;
}

/** {@link Diagnostics.multiplexedConnects}: the connects the connect waiter's two threads serve. */
export interface MultiplexedConnectCounts {
  /** Connects whose TCP handshake is pending. */
  waiting: number;
}

/** What {@link diagnostics} reports. */
export interface Diagnostics {
  /**
   * Calls that block inside ws2_32 or the driver (connectByName, connectByList's
   * 'system' strategy, WskDriver jobs), each on a thread of the addon's blocking
   * pool while it runs. `waiting` counts calls queued because every thread up to
   * `maxThreads` is busy: their deadlines are already running.
   */
  blockingCalls: BlockingCallCounts;
  /**
   * wsaConnect and the race's attempts waiting for their TCP handshake, all of
   * them on the same two threads however many there are.
   */
  multiplexedConnects: MultiplexedConnectCounts;
  /** SOCKETs the addon owns: connects in progress and results not yet handed to Node. */
  openSockets: number;
  /** Timed-out or aborted calls whose OS call has not returned yet (their sockets close when it does). */
  abandonedStillRunning: number;
}

/**
 * A snapshot of the addon's work. Throws {@link WinsockPlatformError} where the
 * addon cannot load (off Windows).
 * @example
 * ```js
 * import { diagnostics } from 'winsock-connect';
 *
 * const { blockingCalls, multiplexedConnects } = diagnostics();
 * const line = `${blockingCalls.waiting} blocking calls wait for a thread, ${multiplexedConnects.waiting} handshakes pending`;
 * console.log(line); // 0 blocking calls wait for a thread, 0 handshakes pending
 * ```
 */
export function diagnostics(): Diagnostics {
  const s = loadBinding().stats();
  return {
    blockingCalls: { running: s.poolThreads - s.poolIdle, waiting: s.poolQueued, threads: s.poolThreads, maxThreads: s.poolMaxThreads },
    multiplexedConnects: { waiting: s.multiplexedWaiting },
    openSockets: s.openSockets,
    abandonedStillRunning: s.abandonedRunning,
  };
}
