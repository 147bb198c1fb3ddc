/**
 * Turning a native result into a Connection or a typed error: the one place that
 * decides what a result means.
 * @module
 */
import type net from 'node:net';
import { isIPv4 } from 'node:net';
import { performance } from 'node:perf_hooks';
import { adoptTcpSocket, assertAdoptionAvailable } from './adopt';
import { Win32Error, WinsockError } from './errors';
import { runJob, timeoutErrorFor } from './jobs';
import type { NativeBinding, NativeResult, NativeSocketHandle } from './native';
import type { AddressInfo, Connection, ConnectSyscall } from './types';

export interface ErrorContext {
  host?: string;
  address?: string;
  port?: number;
}

/** The error for a failed native result. */
export function errorFromResult(result: NativeResult, context: ErrorContext): WinsockError {
  return new WinsockError(result.errno, result.syscall, context);
}

/** How a connect job runs: its deadline (0: none), the caller's signal, and what names it in an error. */
export interface ConnectJob {
  syscall: ConnectSyscall;
  context: ErrorContext;
  timeoutMs: number;
  signal?: AbortSignal;
}

/**
 * Runs a connect job (started by `start`) with the deadline and abort rules of
 * jobs.ts, and returns its result once it succeeded; an OS failure rejects with its
 * WinsockError and a deadline with WSAETIMEDOUT, both naming `job.context`.
 */
export async function runConnectJob(binding: NativeBinding, start: () => number, job: ConnectJob): Promise<NativeResult> {
  const result = await runJob(binding, start, {
    timeoutMs: job.timeoutMs,
    signal: job.signal,
    timeoutError: timeoutErrorFor(job.syscall, job.context),
  });
  if (result.errno !== 0) throw errorFromResult(result, job.context);
  return result;
}

export function isFunctionMissing(result: NativeResult): boolean {
  return result.errno === Win32Error.ERROR_PROC_NOT_FOUND;
}

/**
 * Hands a connected SOCKET to Node as a net.Socket: a new one (adoptTcpSocket), or
 * one that already exists and was waiting for it (createConnection's sockets).
 */
export type Adopter = (socket: NativeSocketHandle) => net.Socket;

/**
 * Checked before connecting: the promise API hands its TCP sockets (and UDP
 * always) to Node through process.binding; createConnection's sockets are opened
 * on the handle Node itself made, and need no binding.
 */
export function assertCanAdopt(adopt: Adopter, protocol: 'tcp' | 'udp'): void {
  if (protocol === 'udp' || adopt === adoptTcpSocket) assertAdoptionAvailable(protocol);
}

/**
 * An end of a connected net.Socket, shown as the addon shows addresses (IPv4-mapped
 * as IPv4); undefined once the socket is destroyed, as net.Socket's own.
 */
function endOf(socket: net.Socket, end: 'local' | 'remote'): AddressInfo | undefined {
  const raw = end === 'local'
    ? { address: socket.localAddress, port: socket.localPort }
    : { address: socket.remoteAddress, port: socket.remotePort };
  if (!raw.address) return undefined;
  const shown = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(raw.address)?.[1] ?? raw.address;
  return { address: shown, family: isIPv4(shown) ? 'IPv4' : 'IPv6', port: raw.port ?? 0 };
}

/**
 * A getter that asks the socket for an end the first time it is read, and keeps
 * the answer: net.Socket forgets its local address when destroyed.
 */
function endGetter(socket: net.Socket, end: 'local' | 'remote'): () => AddressInfo | undefined {
  let known: AddressInfo | undefined;
  return () => (known ??= endOf(socket, end));
}

/**
 * Adopts the socket of a successful result into a Connection. Addresses the result
 * lacks (every TCP connect's: docs/performance.md, calls per connect) are read from
 * the adopted socket when first asked: no getsockname/getpeername until then.
 */
export function connectionFromResult(
  result: NativeResult,
  startedAt: number,
  extra: Partial<Pick<Connection, 'strategy' | 'attempts' | 'calleeData'>> = {},
  adopt: Adopter = adoptTcpSocket,
): Connection {
  if (!result.socket) throw new Error(`internal: ${result.syscall} reported success without a socket`);
  const socket = adopt(result.socket);
  const connection = {
    socket,
    syscall: result.syscall as ConnectSyscall,
    ...extra,
    elapsedMs: performance.now() - startedAt,
  } as Connection;
  for (const end of ['local', 'remote'] as const) {
    const known = end === 'local' ? result.localAddress : result.remoteAddress;
    Object.defineProperty(connection, `${end}Address`, known
      ? { value: known, enumerable: true, writable: true, configurable: true }
      : { get: endGetter(socket, end), enumerable: true, configurable: true });
  }
  if (result.calleeData) connection.calleeData = result.calleeData;
  return connection;
}
