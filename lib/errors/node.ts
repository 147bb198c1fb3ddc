/**
 * Node's own error shapes, for the `net.connect`-shaped face (createConnection):
 * a Winsock failure is reported as Node reports the same failure — the libuv code
 * Node's Windows build translates it to (WSA_TO_LIBUV, from libuv's
 * `uv_translate_sys_error`), that code's libuv errno, and Node's message form
 * (`connect ECONNREFUSED 127.0.0.1:9`). The {@link WinsockError} stays reachable
 * as `cause`.
 * @module
 */
import util from 'node:util';
import { WSA_TO_LIBUV } from './wsa';

let libuvErrnos: Map<string, number> | undefined;

/** libuv's (negative) errno for a code name on this platform, from Node's own table. */
export function libuvErrno(code: string): number {
  libuvErrnos ??= new Map([...util.getSystemErrorMap()].map(([errno, [name]]) => [name, errno]));
  return libuvErrnos.get(code) ?? (libuvErrnos.get('UNKNOWN') as number);
}

/** The code Node reports for a Winsock error number: `'ECONNREFUSED'` for 10061, else `'UNKNOWN'`. */
export function libuvCodeFor(wsaErrno: number): string {
  return WSA_TO_LIBUV[wsaErrno] ?? 'UNKNOWN';
}

/** The libuv status Node's connect callback would get for a Winsock error number. */
export function libuvStatusFor(wsaErrno: number): number {
  return libuvErrno(libuvCodeFor(wsaErrno));
}

/** A Node system error: `errno`, `code`, `syscall`, `address`, `port`, as Node's own. */
export interface NodeSystemError extends Error {
  errno: number;
  code: string;
  syscall: string;
  address?: string;
  port?: number;
  localAddress?: string;
  localPort?: number;
}

/**
 * Node's ExceptionWithHostPort (lib/internal/errors.js) for a libuv `status`:
 * message `syscall CODE address:port[ - Local (local)]`, the same own properties,
 * and `cause` (not enumerable, as `Error`'s own).
 */
export function exceptionWithHostPort(
  status: number, syscall: string, address: string | undefined, port: number | undefined,
  local?: { address: string; port: number }, cause?: unknown,
): NodeSystemError {
  const code = util.getSystemErrorName(status);
  let details = port && port > 0 ? ` ${address}:${port}` : address ? ` ${address}` : '';
  if (local) details += ` - Local (${local.address}:${local.port})`;
  const error = new Error(`${syscall} ${code}${details}`, cause === undefined ? undefined : { cause }) as NodeSystemError;
  error.errno = status;
  error.code = code;
  error.syscall = syscall;
  if (address !== undefined) error.address = address;
  if (port) error.port = port;
  if (local) {
    error.localAddress = local.address;
    error.localPort = local.port;
  }
  return error;
}

/** Node's ERR_IP_BLOCKED: a connect to an address the socket's `blockList` blocks. */
export function ipBlockedError(address: string): Error & { code: string } {
  const error = new Error(`IP(${address}) is blocked by net.BlockList`) as Error & { code: string };
  error.code = 'ERR_IP_BLOCKED';
  return error;
}

/** Node's NodeAggregateError: every attempt's error, `code` the first one's. */
export function aggregateError(errors: Error[], cause?: unknown): AggregateError & { code?: string } {
  const error = new AggregateError(errors, '', cause === undefined ? undefined : { cause }) as AggregateError & { code?: string };
  error.code = (errors[0] as { code?: string } | undefined)?.code;
  return error;
}
