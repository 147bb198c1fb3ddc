/**
 * connectByList: connect to the first reachable endpoint of a list, with
 * ws2_32's WSAConnectByList ('system') or our race of WSAConnect attempts ('race').
 * @module
 */
import { performance } from 'node:perf_hooks';
import { adoptTcpSocket } from './adopt';
import { assertCanAdopt, connectionFromResult, errorFromResult, isFunctionMissing, type Adopter } from './connection';
import { connectByRace } from './race';
import type { WinsockError } from './errors';
import { runJob, timeoutErrorFor } from './jobs';
import { loadBinding, type NativeBinding, type NativeEndpoint } from './native';
import { functionUnavailable } from './platform';
import type { ConnectAttempt, Connection, ListStrategy } from './types';
import {
  MAX_ADDRESSES, MAX_TIMEOUT_MS, validateArray, validateEndpoint, validateObject, validateOneOf, validateSignal,
  validateTimeout,
} from './validate';

/**
 * Options of {@link connectByList}. Checked before any native call: a wrong type is
 * a TypeError (`ERR_INVALID_ARG_TYPE`), a bad value a TypeError
 * (`ERR_INVALID_ARG_VALUE`) or RangeError (`ERR_OUT_OF_RANGE`).
 */
export interface ConnectByListOptions {
  /**
   * Candidate endpoints, 1 to 64 ({@link MAX_ADDRESSES}), in order of preference.
   * IPv4 and IPv6 may be mixed. For `'system'` they become WSAConnectByList's
   * SOCKET_ADDRESS_LIST (IPv4 as v4-mapped IPv6), and the OS picks the order; for
   * `'race'` they are tried in the order given.
   */
  addresses: {
    /** An IPv4 or IPv6 literal (no host names); IPv6 zone ids must be numeric (`'fe80::1%3'`). */
    address: string;
    /** The port, an integer 0–65535. */
    port: number;
  }[];
  /**
   * Deadline in ms for the whole call, a finite number from 0 to 2³¹−1, rounded up
   * to a whole ms (0 or absent: none). The promise rejects with a `WSAETIMEDOUT`
   * {@link WinsockError} by then. `'system'` also passes it to WSAConnectByList,
   * which checks it only between attempts and so can overrun it; the blocked call
   * is then cut short with CancelIoEx. `'race'` cancels the attempts still running
   * and the error carries `attempts`.
   */
  timeout?: number;
  /**
   * Aborting rejects at once with an {@link AbortError} (`cause`: the signal's
   * reason); running attempts are cancelled and their sockets closed.
   */
  signal?: AbortSignal;
  /**
   * 'system': WSAConnectByList (IPv4 passed v4-mapped on a dual-stack socket);
   * 'race': non-blocking WSAConnect attempts, staggered, first success wins;
   * 'auto' (default): 'system' where ws2_32 has WSAConnectByList, else 'race'.
   */
  strategy?: 'auto' | ListStrategy;
  /**
   * `'race'` only (ignored by `'system'`): ms between starting one attempt and the
   * next, a finite number from 0 to 2³¹−1, rounded up to a whole ms (default
   * {@link DEFAULT_ATTEMPT_DELAY_MS}). A failed attempt starts the next one at once
   * without waiting; 0 starts them all back to back.
   */
  attemptDelay?: number;
}

/**
 * The default `attemptDelay` of {@link connectByList}'s `'race'` strategy: 250 ms,
 * the "Connection Attempt Delay" RFC 8305 (Happy Eyeballs v2) recommends.
 */
export const DEFAULT_ATTEMPT_DELAY_MS = 250;

interface ListRequest {
  endpoints: NativeEndpoint[];
  timeoutMs: number;
  signal?: AbortSignal;
  strategy: 'auto' | ListStrategy;
  attemptDelayMs: number;
}

/** connectByList's options checked, as connectByList checks them (createConnection checks `winsock.addresses` with it). Internal. */
export function validateByList(options: unknown, name = 'options'): ListRequest {
  validateObject(options, name);
  const list = validateArray(options.addresses, `${name}.addresses`, 1, MAX_ADDRESSES);
  const attemptDelayMs = options.attemptDelay === undefined
    ? DEFAULT_ATTEMPT_DELAY_MS
    : validateTimeout(options.attemptDelay, `${name}.attemptDelay`);
  return {
    endpoints: list.map((entry, i) => validateEndpoint(entry, `${name}.addresses[${i}]`)),
    timeoutMs: validateTimeout(options.timeout, `${name}.timeout`),
    signal: validateSignal(options.signal, `${name}.signal`),
    strategy: validateOneOf(options.strategy, `${name}.strategy`, ['auto', 'system', 'race'] as const, 'auto'),
    attemptDelayMs: Math.min(attemptDelayMs, MAX_TIMEOUT_MS),
  };
}

async function viaSystem(binding: NativeBinding, request: ListRequest, startedAt: number, adopt: Adopter): Promise<Connection> {
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
  return connectionFromResult(result, startedAt, { strategy: 'system', attempts }, adopt);
}

/**
 * Connects to the first endpoint of `addresses` that answers and hands back a
 * connected `net.Socket`, with WSAConnectByList (`'system'`: one blocking call on a
 * dual-stack AF_INET6 socket, then SO_UPDATE_CONNECT_CONTEXT) or with our race of
 * non-blocking WSAConnect attempts (`'race'`). `Connection.strategy` says which ran and
 * `Connection.attempts` what each endpoint did (for `'system'`, only the winner:
 * the OS does not say what else it tried).
 *
 * Rejects with a {@link WinsockError} when every endpoint failed. For `'system'` it
 * carries only the last attempt's error (all WSAConnectByList returns), with
 * `address`/`port` only for a one-address list; for `'race'` it is the last
 * failure, with `attempts`. Also rejects with `WSAETIMEDOUT` at the deadline, with
 * an {@link AbortError} when `signal` aborts, and with a {@link WinsockPlatformError}
 * off Windows, or (`ERR_WINSOCK_FUNCTION_UNAVAILABLE`) for `strategy: 'system'` where
 * ws2_32.dll lacks WSAConnectByList, as under Wine.
 *
 * @example
 * Against a loopback echo server on 127.0.0.1 only, so `::1` is refused and the
 * IPv4 endpoint wins (an ES module; Node 18+ on Windows):
 * ```js
 * import net from 'node:net';
 * import { once } from 'node:events';
 * import { connectByList } from 'winsock-connect';
 *
 * const server = net.createServer((peer) => peer.pipe(peer)).listen(0, '127.0.0.1');
 * await once(server, 'listening');
 * const { port } = server.address();
 *
 * const c = await connectByList({
 *   addresses: [{ address: '::1', port }, { address: '127.0.0.1', port }],
 *   timeout: 5000,
 * });
 * // WSAConnectByList ('system') where ws2_32 exports it; under Wine the race tries each address in turn.
 * console.log(c.strategy, c.remoteAddress.address); // Windows: system 127.0.0.1 · Wine: race 127.0.0.1
 * console.log(c.attempts.map((a) => `${a.address} ${a.outcome}`)); // Windows: [ '127.0.0.1 connected' ] · Wine: [ '::1 failed', '127.0.0.1 connected' ]
 * c.socket.end();
 * server.close();
 * ```
 */
export async function connectByList(options: ConnectByListOptions): Promise<Connection> {
  return connectByListInto(options, adoptTcpSocket);
}

/** connectByList, handing the SOCKET to `adopt` (createConnection's sockets). Internal. */
export async function connectByListInto(options: ConnectByListOptions, adopt: Adopter): Promise<Connection> {
  const request = validateByList(options);
  const binding = loadBinding();
  assertCanAdopt(adopt, 'tcp');
  const startedAt = performance.now();
  const strategy: ListStrategy = request.strategy === 'auto'
    ? (binding.hasConnectByList() ? 'system' : 'race')
    : request.strategy;
  if (strategy === 'system' && !binding.hasConnectByList()) throw functionUnavailable('WSAConnectByList');
  return strategy === 'system' ? viaSystem(binding, request, startedAt, adopt) : connectByRace(binding, request, startedAt, adopt);
}
