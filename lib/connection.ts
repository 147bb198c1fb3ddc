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

/** An end of a connected net.Socket, as the addon reports addresses (IPv4-mapped as IPv4). */
function endOf(socket: net.Socket, end: 'local' | 'remote'): AddressInfo {
  const raw = end === 'local'
    ? { address: socket.localAddress, port: socket.localPort }
    : { address: socket.remoteAddress, port: socket.remotePort };
  const address = raw.address ?? '';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  const shown = mapped ?? address;
  return { address: shown, family: isIPv4(shown) ? 'IPv4' : 'IPv6', port: raw.port ?? 0 };
}

/**
 * Adopts the socket of a successful result into a Connection. A result without
 * addresses (asked for with `addresses: false`) gets them from the adopted socket,
 * read when first asked.
 */
export function connectionFromResult(
  result: NativeResult,
  startedAt: number,
  extra: Partial<Pick<Connection, 'strategy' | 'attempts' | 'calleeData'>> = {},
  adopt: Adopter = adoptTcpSocket,
): Connection {
  if (!result.socket || (adopt === adoptTcpSocket && (!result.localAddress || !result.remoteAddress))) {
    result.socket?.close();
    throw new Error(`internal: ${result.syscall} reported success without a socket or addresses`);
  }
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
      : { get: () => endOf(socket, end), enumerable: true, configurable: true });
  }
  if (result.calleeData) connection.calleeData = result.calleeData;
  return connection;
}
