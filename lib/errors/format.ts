/**
 * Names, messages and formatting for the error codes: the lookups the public
 * helpers ({@link wsaErrorName}, {@link ntStatusMessage}, …) and the error classes
 * share. The codes themselves are in wsa.ts, ntstatus.ts and win32.ts.
 * @module
 */
import { NT_STATUS_MESSAGES, NT_STATUS_TO_WSA, NtStatus } from './ntstatus';
import { WSA_ERROR_MESSAGES, WsaError } from './wsa';

/** Own-property lookup in a number-keyed table (never walks the prototype chain). */
function lookup<T>(table: Readonly<Record<number, T>>, key: number): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/** Reverse lookup of a numeric enum member's name. */
function enumName(enumObject: object, value: number): string | undefined {
  if (!Number.isInteger(value)) return undefined;
  const name: unknown = (enumObject as Record<number, unknown>)[value];
  return typeof name === 'string' ? name : undefined;
}

/**
 * Normalizes a signed (int32) or unsigned (uint32) NTSTATUS to its unsigned form;
 * `undefined` for anything that is not a 32-bit integer.
 */
export function normalizeNtStatus(status: number): number | undefined {
  if (!Number.isInteger(status) || status < -0x80000000 || status > 0xffffffff) return undefined;
  return status >>> 0;
}

/** `0xC0000236` style: upper-case hex digits, padded to eight. */
export function hex32(value: number): string {
  return `0x${value.toString(16).toUpperCase().padStart(8, '0')}`;
}

/** `host:port`, bracketing IPv6 literals (`[::1]:80`); just `host` when there is no port. */
function hostPort(host: string, port: number | undefined): string {
  if (port === undefined) return host;
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The "where" part of an error message: host, address, or both. */
export function describeTarget(host: string | undefined, address: string | undefined, port: number | undefined): string {
  if (host !== undefined) {
    const named = hostPort(host, port);
    return address !== undefined && address !== host ? `${named} (${hostPort(address, port)})` : named;
  }
  if (address !== undefined) return hostPort(address, port);
  return port !== undefined ? `port ${port}` : '';
}

/** The options for `Error`'s constructor: `{ cause }` only when a cause was given. */
export function errorOptions(cause: unknown): ErrorOptions | undefined {
  return cause === undefined ? undefined : { cause };
}

/** Makes `name` a non-enumerable prototype property, as on the built-in error classes. */
export function setPrototypeName(ctor: { prototype: object }, name: string): void {
  Object.defineProperty(ctor.prototype, 'name', {
    value: name,
    writable: true,
    enumerable: false,
    configurable: true,
  });
}

/**
 * The symbolic name of a Winsock error code.
 *
 * @param errno - A Winsock error code as returned by `WSAGetLastError()`.
 * @returns The {@link WsaError} member name (`'WSAECONNREFUSED'` for 10061), or
 *   `'UNKNOWN'` for any number that is not a Windows Sockets error code.
 */
export function wsaErrorName(errno: number): string {
  return enumName(WsaError, errno) ?? 'UNKNOWN';
}

/**
 * The documented meaning of a Winsock error code.
 *
 * @param errno - A Winsock error code as returned by `WSAGetLastError()`.
 * @returns The text from {@link WSA_ERROR_MESSAGES}; for a negative number an
 *   explanation that the provider returned a non-Winsock code (Wine 8 can leak a
 *   raw glibc `EAI_*` value such as -9 from `WSAConnectByNameW` on a dual-stack
 *   socket); otherwise `Unknown Winsock error <errno>`.
 */
export function wsaErrorMessage(errno: number): string {
  const message = Number.isInteger(errno) ? lookup(WSA_ERROR_MESSAGES, errno) : undefined;
  if (message !== undefined) return message;
  if (errno < 0) {
    return `Non-Winsock error code ${errno} returned by the Windows Sockets provider (Wine leaks raw getaddrinfo EAI codes here)`;
  }
  return `Unknown Winsock error ${errno}`;
}

/**
 * The symbolic name of an NTSTATUS.
 *
 * @param status - The status, signed (`-1073741258`) or unsigned (`0xC0000236`).
 * @returns The {@link NtStatus} member name (`'STATUS_CONNECTION_REFUSED'`), or
 *   `NTSTATUS_0xC0000001`-style text for a status not in the enum.
 */
export function ntStatusName(status: number): string {
  const unsigned = normalizeNtStatus(status);
  if (unsigned === undefined) return `NTSTATUS_${String(status)}`;
  return enumName(NtStatus, unsigned) ?? `NTSTATUS_${hex32(unsigned)}`;
}

/**
 * The documented meaning of an NTSTATUS.
 *
 * @param status - The status, signed or unsigned.
 * @returns The text from {@link NT_STATUS_MESSAGES}, or `Unknown NTSTATUS 0x…`.
 */
export function ntStatusMessage(status: number): string {
  const unsigned = normalizeNtStatus(status);
  if (unsigned === undefined) return `Invalid NTSTATUS ${String(status)} (not a 32-bit integer)`;
  return lookup(NT_STATUS_MESSAGES, unsigned) ?? `Unknown NTSTATUS ${hex32(unsigned)}`;
}

/**
 * The Winsock error a given NTSTATUS corresponds to, from {@link NT_STATUS_TO_WSA}.
 *
 * @param status - The status, signed or unsigned.
 * @returns The {@link WsaError}, or `undefined` when the table has no entry.
 */
export function ntStatusToWsa(status: number): WsaError | undefined {
  const unsigned = normalizeNtStatus(status);
  return unsigned === undefined ? undefined : lookup(NT_STATUS_TO_WSA, unsigned);
}

