/**
 * Runs one native connect job as a promise, with the deadline and abort rules:
 * a timeout or abort settles the promise at once and abandons the job; whatever the
 * OS returns later is closed, never leaked, never delivered twice.
 * @module
 */
import { AbortError, WinsockError, WsaError } from './errors';
import type { NativeBinding, NativeResult } from './native';

type Waiter = (result: NativeResult) => void;

const waiters = new Map<number, Waiter>();
const handlerInstalled = new WeakSet<NativeBinding>();

/**
 * Finished jobs are taken from the addon one per event-loop turn. The addon only
 * says "results are waiting" (one call per batch); a setImmediate then takes
 * DELIVERIES_PER_TURN of them and leaves the rest for the next turn, so timers and
 * I/O run between adoptions: one per turn kept the loop's delay lowest for the same
 * time to settle a burst (figures: docs/performance.md, "Delivering results").
 */
const DELIVERIES_PER_TURN = 1;
let flushScheduled = false;

function deliver(id: number, result: NativeResult): void {
  const waiter = waiters.get(id);
  waiters.delete(id);
  if (waiter) waiter(result);
  else result.socket?.close(); // nobody is waiting: never leak it
}

function scheduleFlush(binding: NativeBinding): void {
  if (flushScheduled) return;
  flushScheduled = true;
  setImmediate(() => {
    flushScheduled = false;
    if (binding.takeResults(DELIVERIES_PER_TURN, deliver) > 0) scheduleFlush(binding);
  });
}

function installHandler(binding: NativeBinding): void {
  if (handlerInstalled.has(binding)) return;
  binding.setResultsReadyHandler(() => scheduleFlush(binding));
  handlerInstalled.add(binding);
}

export interface JobLimits {
  /** Deadline in ms; 0 = none. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** The error a deadline produces (a WSAETIMEDOUT WinsockError with context); needed when timeoutMs > 0. */
  timeoutError?: () => Error;
  /** Told the job's id once it has started (WskDriver keeps its IOCTLs' ids to interrupt them). */
  onStart?: (id: number) => void;
}

export function abortErrorFor(signal: AbortSignal): AbortError {
  return new AbortError(undefined, { cause: signal.reason });
}

export function timeoutErrorFor(syscall: string, details: ConstructorParameters<typeof WinsockError>[2]): () => WinsockError {
  return () => new WinsockError(WsaError.WSAETIMEDOUT, syscall, details);
}

/**
 * Listens for `signal`'s abort until the returned function is called. Like Node's
 * own APIs we accept any object shaped like an AbortSignal, so its methods are the
 * caller's code. addEventListener is called before anything starts, so if it
 * throws, that error is the answer and nothing is left behind. A
 * removeEventListener that throws is ignored: it runs as we settle, from a timer
 * or a completion, where a throw would take the process down or lose a socket,
 * and a listener left behind is harmless (it acts only on unsettled work).
 */
export function listenForAbort(signal: AbortSignal | undefined, listener: () => void): () => void {
  if (!signal) return () => {};
  signal.addEventListener('abort', listener, { once: true });
  return () => {
    try {
      signal.removeEventListener('abort', listener);
    } catch {
      // See above: cleanup of a signal-like object must not fail the settle.
    }
  };
}

/**
 * Starts a job with `start` and resolves with its raw result (success or OS error);
 * rejects only for the deadline or an abort.
 */
export function runJob(binding: NativeBinding, start: () => number, limits: JobLimits): Promise<NativeResult> {
  installHandler(binding);
  const { signal } = limits;
  if (signal?.aborted) return Promise.reject(abortErrorFor(signal));
  return new Promise<NativeResult>((resolve, reject) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    let id: number | undefined;
    let stopListening = (): void => {};

    const finish = (): void => {
      settled = true;
      if (timer) clearTimeout(timer);
      stopListening();
    };
    const giveUp = (error: Error): void => {
      if (settled) return;
      finish();
      // false: the result is already on its way; the waiter below closes it.
      if (id !== undefined && binding.cancel(id)) waiters.delete(id);
      reject(error);
    };

    // Listen before starting: a throwing addEventListener rejects with nothing started.
    stopListening = listenForAbort(signal, () => giveUp(abortErrorFor(signal as AbortSignal)));
    if (settled) return; // a signal-like object that aborted while we subscribed
    try {
      id = start();
    } catch (error) {
      finish();
      throw error;
    }
    limits.onStart?.(id);
    waiters.set(id, (result) => {
      if (settled) {
        result.socket?.close();
        return;
      }
      finish();
      resolve(result);
    });
    if (limits.timeoutMs > 0) {
      const makeError = limits.timeoutError ?? (() => new Error(`deadline of ${limits.timeoutMs} ms passed`));
      timer = setTimeout(() => giveUp(makeError()), limits.timeoutMs);
    }
  });
}
