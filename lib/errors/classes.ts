/**
 * The error classes the public API rejects with, shaped like Node's own errors.
 * @module
 */
import { Win32Error, WIN32_ERROR_MESSAGES } from './win32';
import { WsaError } from './wsa';
import type { WskConnectResult } from '../WskDriver';
import {
  describeTarget, errorOptions, hex32, normalizeNtStatus, ntStatusName, ntStatusMessage, ntStatusToWsa, setPrototypeName, wsaErrorMessage,
  wsaErrorName,
} from './format';

/**
 * A Windows Sockets call failed.
 *
 * Shaped like Node's own system errors (`connect ECONNREFUSED 127.0.0.1:5000`):
 * `code`, `errno`, `syscall` and — when known — `address`, `port`, `host` and
 * `attempts` are own enumerable properties, so `util.inspect` and `JSON.stringify`
 * show them. Properties that were not provided are absent, not `undefined`.
 *
 * @example
 * ```ts
 * const err = new WinsockError(10061, 'WSAConnect', { address: '127.0.0.1', port: 5000 });
 * err.message; // 'WSAConnect WSAECONNREFUSED 127.0.0.1:5000 — Connection refused. No connection …'
 * err.code;    // 'WSAECONNREFUSED'
 * ```
 */
export class WinsockError extends Error {
  /** Symbolic name of the error ({@link wsaErrorName}), e.g. `'WSAECONNREFUSED'`, or `'UNKNOWN'`. */
  declare readonly code: string;
  /** The Winsock error number, e.g. `10061`. */
  declare readonly errno: number;
  /**
   * The call that failed: `'WSAConnectByName'`, `'WSAConnectByList'`, `'WSAConnect'`,
   * `'socket'`, `'bind'`, …
   */
  declare readonly syscall: string;
  /** The numeric address involved, when known. */
  declare readonly address?: string;
  /** The port involved, when known. */
  declare readonly port?: number;
  /** The host name involved (name-based connects), when known. */
  declare readonly host?: string;
  /** Per-address attempt records, filled by the caller (e.g. for `WSAConnectByList`). */
  declare attempts?: unknown[];

  static {
    setPrototypeName(this, 'WinsockError');
  }

  /**
   * @param errno - The Winsock error number (`WSAGetLastError()`).
   * @param syscall - The name of the call that failed.
   * @param details - Optional context; `cause` becomes the standard `Error.cause`.
   */
  constructor(
    errno: number,
    syscall: string,
    details?: { address?: string; port?: number; host?: string; attempts?: unknown[]; cause?: unknown },
  ) {
    const code = wsaErrorName(errno);
    const target = describeTarget(details?.host, details?.address, details?.port);
    super(
      `${syscall} ${code}${target === '' ? '' : ` ${target}`} — ${wsaErrorMessage(errno)}`,
      errorOptions(details?.cause),
    );
    this.code = code;
    this.errno = errno;
    this.syscall = syscall;
    if (details?.address !== undefined) this.address = details.address;
    if (details?.port !== undefined) this.port = details.port;
    if (details?.host !== undefined) this.host = details.host;
    if (details?.attempts !== undefined) this.attempts = details.attempts;
  }
}

/**
 * A step performed by the WSK kernel driver failed with an NTSTATUS.
 *
 * `code` is the status name, `ntstatus` the unsigned value, and — when
 * {@link NT_STATUS_TO_WSA} has an entry — `wsaError`/`wsaCode` give the Winsock error
 * the same failure would have produced in user mode. All are own enumerable
 * properties; the optional ones are absent when unknown.
 *
 * @example
 * ```ts
 * const err = new WskError(0xC0000236, 'connect', { address: '10.0.0.1', port: 80 });
 * err.code;    // 'STATUS_CONNECTION_REFUSED'
 * err.wsaCode; // 'WSAECONNREFUSED'
 * ```
 */
export class WskError extends Error {
  /** Symbolic status name ({@link ntStatusName}), e.g. `'STATUS_CONNECTION_REFUSED'`. */
  declare readonly code: string;
  /** The NTSTATUS as an unsigned 32-bit number, e.g. `0xC0000236`. */
  declare readonly ntstatus: number;
  /** The driver step that failed: `'socket'`, `'bind'`, `'connect'`, `'close'`, `'ioctl'`, `'scm'`, … */
  declare readonly step: string;
  /** The equivalent Winsock error, from {@link NT_STATUS_TO_WSA}; absent when unmapped. */
  declare readonly wsaError?: WsaError;
  /** The name of {@link WskError.wsaError}, e.g. `'WSAECONNREFUSED'`; absent when unmapped. */
  declare readonly wsaCode?: string;
  /** The numeric address involved, when known. */
  declare readonly address?: string;
  /** The port involved, when known. */
  declare readonly port?: number;
  /** Every step's NTSTATUS, when the failure came from a driver result ({@link WskDriver.connect}). */
  declare readonly steps?: WskConnectResult['steps'];

  static {
    setPrototypeName(this, 'WskError');
  }

  /**
   * @param ntstatus - The status the driver reported, signed or unsigned.
   * @param step - The driver step that failed.
   * @param details - Optional context; `cause` becomes the standard `Error.cause`.
   */
  constructor(ntstatus: number, step: string, details?: { address?: string; port?: number; cause?: unknown }) {
    const unsigned = normalizeNtStatus(ntstatus) ?? ntstatus;
    const code = ntStatusName(unsigned);
    const wsaError = ntStatusToWsa(unsigned);
    const wsaCode = wsaError === undefined ? undefined : wsaErrorName(wsaError);
    const target = describeTarget(undefined, details?.address, details?.port);
    const statusText = Number.isInteger(unsigned) ? hex32(unsigned) : String(unsigned);
    super(
      `${step} ${code}${target === '' ? '' : ` ${target}`} — ${ntStatusMessage(unsigned)} ` +
        `(NTSTATUS ${statusText}${wsaCode === undefined ? '' : `, Winsock ${wsaCode}`})`,
      errorOptions(details?.cause),
    );
    this.code = code;
    this.ntstatus = unsigned;
    this.step = step;
    if (wsaError !== undefined) this.wsaError = wsaError;
    if (wsaCode !== undefined) this.wsaCode = wsaCode;
    if (details?.address !== undefined) this.address = details.address;
    if (details?.port !== undefined) this.port = details.port;
  }
}

/**
 * The `code` of a {@link WinsockPlatformError}:
 *
 * - `'ERR_WINSOCK_UNSUPPORTED_PLATFORM'` — not running on Windows.
 * - `'ERR_WINSOCK_FUNCTION_UNAVAILABLE'` — the running `ws2_32.dll` does not export
 *   the function (for example under Wine, which lacks some of them).
 * - `'ERR_WINSOCK_ADOPTION_UNAVAILABLE'` — the connected `SOCKET` cannot be handed to
 *   a `net.Socket`, e.g. under Node's permission model, where `process.binding`
 *   throws `ERR_ACCESS_DENIED`.
 * - `'ERR_WINSOCK_ADDON_LOAD_FAILED'` — the native addon could not be loaded.
 */
export type PlatformErrorCode =
  | 'ERR_WINSOCK_UNSUPPORTED_PLATFORM'
  | 'ERR_WINSOCK_FUNCTION_UNAVAILABLE'
  | 'ERR_WINSOCK_ADOPTION_UNAVAILABLE'
  | 'ERR_WINSOCK_ADDON_LOAD_FAILED';

/**
 * A condition of the environment, not of the network, prevents the operation
 * (wrong platform, missing `ws2_32` export, socket adoption blocked, addon not
 * loadable). `code` is a {@link PlatformErrorCode}; `function` names the missing
 * Winsock function for `'ERR_WINSOCK_FUNCTION_UNAVAILABLE'`.
 *
 * The message is supplied by the caller; for a missing function it should name the
 * function and, when known, say that Wine does not implement it.
 */
export class WinsockPlatformError extends Error {
  /** Which environmental condition occurred. */
  declare readonly code: PlatformErrorCode;
  /** The Winsock function concerned (for `'ERR_WINSOCK_FUNCTION_UNAVAILABLE'`); absent otherwise. */
  declare readonly function?: string;

  static {
    setPrototypeName(this, 'WinsockPlatformError');
  }

  /**
   * @param code - The condition.
   * @param message - Human-readable explanation.
   * @param details - `function` names the missing export; `cause` becomes `Error.cause`.
   */
  constructor(code: PlatformErrorCode, message: string, details?: { function?: string; cause?: unknown }) {
    super(message, errorOptions(details?.cause));
    this.code = code;
    if (details?.function !== undefined) this.function = details.function;
  }
}

/**
 * The operation was aborted through an `AbortSignal`.
 *
 * Shaped exactly like Node's internal `AbortError` (what `fs`, `timers/promises`,
 * `events.once` … reject with): `name` `'AbortError'` and `code` `'ABORT_ERR'` as
 * own properties, default message `'The operation was aborted'`, and the standard
 * `cause` option (pass `signal.reason`).
 */
export class AbortError extends Error {
  /** Always `'ABORT_ERR'`. */
  declare readonly code: 'ABORT_ERR';
  /** Always `'AbortError'`. */
  declare name: 'AbortError';

  /**
   * @param message - Defaults to `'The operation was aborted'`.
   * @param options - `cause` becomes the standard `Error.cause` (typically `signal.reason`).
   */
  constructor(message = 'The operation was aborted', options: { cause?: unknown } | undefined = undefined) {
    if (options !== undefined && (typeof options !== 'object' || options === null)) {
      throw Object.assign(
        new TypeError(`The "options" argument must be of type object. Received ${String(options)}`),
        { code: 'ERR_INVALID_ARG_TYPE' },
      );
    }
    super(message, options);
    this.code = 'ABORT_ERR';
    this.name = 'AbortError';
  }
}

/**
 * A Service Control Manager or device call for the WSK driver failed.
 * `code` is the Win32 name ('ERROR_DRIVER_BLOCKED'), `errno` the number (1275),
 * `syscall` the call ('StartService', 'CreateService', 'CreateFile', …).
 */
export class DriverServiceError extends Error {
  /** The {@link Win32Error} name, e.g. `'ERROR_DRIVER_BLOCKED'`, or `'WIN32_ERROR_<n>'` for a number not in it. */
  declare readonly code: string;
  /** The Win32 error number (GetLastError), e.g. `1275`. */
  declare readonly errno: number;
  /**
   * The call that failed: `'OpenSCManager'`, `'CreateService'`, `'OpenService'`,
   * `'StartService'`, `'ControlService'`, `'DeleteService'`, `'CreateFile'` (opening
   * the device) or `'DeviceIoControl'`.
   */
  declare readonly syscall: string;
  /** The service name involved. */
  declare readonly service?: string;

  static {
    setPrototypeName(this, 'DriverServiceError');
  }

  constructor(errno: number, syscall: string, details?: { service?: string; cause?: unknown }) {
    const code = Win32Error[errno] ?? `WIN32_ERROR_${errno}`;
    const meaning = (WIN32_ERROR_MESSAGES as Record<number, string>)[errno] ?? `Win32 error ${errno}.`;
    super(`${syscall} ${code}${details?.service ? ` (${details.service})` : ''} — ${meaning}`, errorOptions(details?.cause));
    this.code = code;
    this.errno = errno;
    this.syscall = syscall;
    if (details?.service !== undefined) this.service = details.service;
  }
}
