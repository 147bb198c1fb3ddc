/**
 * connectByList: connect to the first reachable endpoint of a list, with
 * ws2_32's WSAConnectByList ('system') or our ConnectEx race ('race').
 * @module
 */
import { performance } from 'node:perf_hooks';
import { isIPv6 } from 'node:net';
import { assertAdoptionAvailable } from './adopt';
import { connectionFromResult, errorFromResult, isFunctionMissing } from './connection';
import { WinsockError, WsaError } from './errors';
import { race } from './happyEyeballs';
import { abortErrorFor, listenForAbort, runJob, timeoutErrorFor } from './jobs';
import { loadBinding, type NativeBinding, type NativeEndpoint } from './native';
import { functionUnavailable } from './platform';
import type { ConnectAttempt, Connection, ListStrategy } from './types';
import {
  MAX_ADDRESSES, MAX_TIMEOUT_MS, validateArray, validateEndpoint, validateObject, validateOneOf, validateSignal,
  validateTimeout,
} from './validate';

export interface ConnectByListOptions {
  /** Candidate endpoints (IP literals), 1 to 64, in order of preference. */
  addresses: { address: string; port: number }[];
  /** Deadline in ms (0 or absent: none); enforced here even where the OS overruns it. */
  timeout?: number;
  signal?: AbortSignal;
  /**
   * 'system': WSAConnectByList (IPv4 passed v4-mapped on a dual-stack socket);
   * 'race': overlapped ConnectEx attempts, staggered, first success wins;
   * 'auto' (default): 'system' where ws2_32 has WSAConnectByList, else 'race'.
   */
  strategy?: 'auto' | ListStrategy;
  /** 'race' only: ms between starting attempts (default 250, RFC 8305's recommendation). */
  attemptDelay?: number;
}

export const DEFAULT_ATTEMPT_DELAY_MS = 250;

interface ListRequest {
  endpoints: NativeEndpoint[];
  timeoutMs: number;
  signal?: AbortSignal;
  strategy: 'auto' | ListStrategy;
  attemptDelayMs: number;
}

function validateByList(options: unknown): ListRequest {
  validateObject(options, 'options');
  const list = validateArray(options.addresses, 'options.addresses', 1, MAX_ADDRESSES);
  const attemptDelayMs = options.attemptDelay === undefined
    ? DEFAULT_ATTEMPT_DELAY_MS
    : validateTimeout(options.attemptDelay, 'options.attemptDelay');
  return {
    endpoints: list.map((entry, i) => validateEndpoint(entry, `options.addresses[${i}]`)),
    timeoutMs: validateTimeout(options.timeout, 'options.timeout'),
    signal: validateSignal(options.signal, 'options.signal'),
    strategy: validateOneOf(options.strategy, 'options.strategy', ['auto', 'system', 'race'] as const, 'auto'),
    attemptDelayMs: Math.min(attemptDelayMs, MAX_TIMEOUT_MS),
  };
}

function familyOf(address: string): 'IPv4' | 'IPv6' {
  return isIPv6(address) ? 'IPv6' : 'IPv4';
}

async function viaSystem(binding: NativeBinding, request: ListRequest, startedAt: number): Promise<Connection> {
  const first = request.endpoints[0];
  const result = await runJob(binding, () => binding.connectByList(request.endpoints, request.timeoutMs), {
    timeoutMs: request.timeoutMs,
    signal: request.signal,
    timeoutError: timeoutErrorFor('WSAConnectByList', {}),
  });
  if (isFunctionMissing(result)) throw functionUnavailable('WSAConnectByList');
  const elapsedMs = performance.now() - startedAt;
  if (result.errno !== 0) {
    // The OS reports only the last attempt's error and not which endpoints it
    // tried, so the error names no address and carries no per-address attempts.
    throw errorFromResult(result, request.endpoints.length === 1 ? { address: first.address, port: first.port } : {});
  }
  const remote = result.remoteAddress;
  const attempts: ConnectAttempt[] = remote
    ? [{ address: remote.address, port: remote.port, family: remote.family, outcome: 'connected', startedAtMs: 0, elapsedMs }]
    : [];
  return connectionFromResult(result, startedAt, { strategy: 'system', attempts });
}

async function viaRace(binding: NativeBinding, request: ListRequest, startedAt: number): Promise<Connection> {
  if (request.signal?.aborted) throw abortErrorFor(request.signal);
  const stop = new AbortController();
  let stoppedBy: Error | undefined;
  const end = (error: Error): void => {
    stoppedBy ??= error;
    stop.abort(error);
  };
  const stopListening = listenForAbort(request.signal, () => end(abortErrorFor(request.signal as AbortSignal)));
  const timer = request.timeoutMs > 0
    ? setTimeout(() => end(new WinsockError(WsaError.WSAETIMEDOUT, 'ConnectEx', {})), request.timeoutMs)
    : undefined;
  try {
    const outcome = await race(binding, request.endpoints, { signal: stop.signal, attemptDelayMs: request.attemptDelayMs });
    if (stoppedBy) {
      outcome.result.socket?.close();
      if (stoppedBy instanceof WinsockError) stoppedBy.attempts = outcome.attempts;
      throw stoppedBy;
    }
    if (outcome.result.errno !== 0) {
      const error = errorFromResult(outcome.result, {});
      error.attempts = outcome.attempts;
      throw error;
    }
    return connectionFromResult(outcome.result, startedAt, { strategy: 'race', attempts: outcome.attempts });
  } finally {
    if (timer) clearTimeout(timer);
    stopListening();
  }
}

/**
 * Connects to the first endpoint of `addresses` that answers.
 *
 * @example
 * ```ts
 * const c = await connectByList({ addresses: [{ address: '::1', port: 8080 }, { address: '127.0.0.1', port: 8080 }] });
 * console.log(c.strategy, c.attempts);
 * ```
 */
export async function connectByList(options: ConnectByListOptions): Promise<Connection> {
  const request = validateByList(options);
  const binding = loadBinding();
  assertAdoptionAvailable('tcp');
  const startedAt = performance.now();
  const strategy: ListStrategy = request.strategy === 'auto'
    ? (binding.hasConnectByList() ? 'system' : 'race')
    : request.strategy;
  if (strategy === 'system' && !binding.hasConnectByList()) throw functionUnavailable('WSAConnectByList');
  return strategy === 'system' ? viaSystem(binding, request, startedAt) : viaRace(binding, request, startedAt);
}
