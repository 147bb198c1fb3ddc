/**
 * wsconnect's results: what a success or a failure is ({@link CliOutcome},
 * {@link CliFailure}), which exit code each failure gets, and the two ways of
 * printing them (lines for people, one JSON object per line for CI logs).
 * The meanings of codes come from lib/errors.ts, the one error table.
 * @module
 */
import { UsageError, type CliFunction, type CliRequest } from './args';
import {
  AbortError, DriverServiceError, WIN32_ERROR_MESSAGES, WinsockError, WinsockPlatformError, WsaError, WskError,
  ntStatusMessage, wsaErrorMessage, wsaErrorName, type AddressInfo, type ConnectAttempt,
} from 'winsock-connect';

/** Exit codes, each documented in --help and docs/cli.md. */
export const ExitCode = {
  connected: 0,
  connectFailed: 1,
  usage: 2,
  timedOut: 3,
  unsupported: 4,
  driverUnavailable: 5,
  internal: 70,
  interrupted: 130,
} as const;

/** What went wrong, in the words of the `kind` JSON field. */
export type FailureKind = 'connect' | 'usage' | 'timeout' | 'unsupported' | 'driver' | 'internal' | 'interrupted';

const EXIT_CODE_OF: Record<FailureKind, number> = {
  connect: ExitCode.connectFailed,
  usage: ExitCode.usage,
  timeout: ExitCode.timedOut,
  unsupported: ExitCode.unsupported,
  driver: ExitCode.driverUnavailable,
  internal: ExitCode.internal,
  interrupted: ExitCode.interrupted,
};

/** A connection that was made (and has been closed again by the time this is printed). */
export interface CliOutcome {
  function: CliFunction;
  /** What was asked for, as typed: 'localhost:8080', '[::1]:80', or the --list entries joined by commas. */
  target: string;
  /** The Winsock call that connected ('WSAConnectByName', 'WSAConnect', …) or 'WskConnect'. */
  syscall: string;
  protocol: 'tcp' | 'udp';
  /** connectByName: the socket family asked for. */
  family?: string;
  /** connectByList: the strategy that ran. */
  strategy?: 'system' | 'race';
  /** null where the provider does not report it (Wine's WSK stubs). */
  local: AddressInfo | null;
  remote: AddressInfo | null;
  attempts?: ConnectAttempt[];
  /** --send: the first chunk (TCP) or datagram (UDP) that came back. */
  reply?: { bytes: number; text: string };
  /** --wsk: each step's NTSTATUS name and the time inside the driver (`elapsedMs` is then the IOCTL's round trip). */
  driver?: { steps: Record<string, string>; elapsedMs: number };
  elapsedMs: number;
}

/** Everything printed about a failure. */
export interface CliFailure {
  kind: FailureKind;
  exitCode: number;
  /** 'WSAECONNREFUSED', 'STATUS_IO_TIMEOUT', 'ERROR_FILE_NOT_FOUND', 'ERR_WINSOCK_UNSUPPORTED_PLATFORM', … */
  code: string;
  /** The number behind `code`: Winsock error, NTSTATUS (unsigned), or Win32 error; null for ERR_* codes. */
  errno: number | null;
  syscall: string | null;
  /** The documented meaning of `code`. */
  meaning: string;
  message: string;
  function: CliFunction | null;
  /** As in {@link CliOutcome.target}; absent for usage errors. */
  target?: string;
  host?: string;
  address?: string;
  port?: number;
  attempts?: ConnectAttempt[];
  /** --wsk: the driver step that failed and the Winsock error it corresponds to. */
  step?: string;
  wsaCode?: string;
  wsaErrno?: number;
  /** What to do next, where there is one obvious thing. */
  hint?: string;
  elapsedMs?: number;
}

const ERROR_FILE_NOT_FOUND = 2;
const ERROR_ACCESS_DENIED = 5;

/** Node's validation codes: the library rejected an argument before any native call. */
function isArgumentError(code: unknown): boolean {
  return typeof code === 'string' && (code.startsWith('ERR_INVALID_ARG') || code === 'ERR_OUT_OF_RANGE');
}

function targetOf(error: { host?: string; address?: string; port?: number }): Pick<CliFailure, 'host' | 'address' | 'port'> {
  const target: Pick<CliFailure, 'host' | 'address' | 'port'> = {};
  if (error.host !== undefined) target.host = error.host;
  if (error.address !== undefined) target.address = error.address;
  if (error.port !== undefined) target.port = error.port;
  return target;
}

function failure(kind: FailureKind, fields: Omit<CliFailure, 'kind' | 'exitCode' | 'function'>, fn: CliFunction | null): CliFailure {
  return { kind, exitCode: EXIT_CODE_OF[kind], function: fn, ...fields };
}

function fromWinsockError(error: WinsockError, fn: CliFunction | null): CliFailure {
  const kind = error.errno === WsaError.WSAETIMEDOUT ? 'timeout' : 'connect';
  const result = failure(kind, {
    code: error.code, errno: error.errno, syscall: error.syscall, meaning: wsaErrorMessage(error.errno), message: error.message,
    ...targetOf(error),
  }, fn);
  if (Array.isArray(error.attempts)) result.attempts = error.attempts as ConnectAttempt[];
  return result;
}

function fromWskError(error: WskError, fn: CliFunction | null): CliFailure {
  const kind = error.wsaError === WsaError.WSAETIMEDOUT ? 'timeout' : 'connect';
  const result = failure(kind, {
    code: error.code, errno: error.ntstatus, syscall: 'WskConnect', meaning: ntStatusMessage(error.ntstatus), message: error.message,
    step: error.step, ...targetOf(error),
  }, fn);
  if (error.wsaError !== undefined) {
    result.wsaCode = wsaErrorName(error.wsaError);
    result.wsaErrno = error.wsaError;
  }
  return result;
}

function driverHint(error: DriverServiceError): string | undefined {
  if (error.syscall === 'CreateFile' && error.errno === ERROR_FILE_NOT_FOUND) {
    return 'the WskConnect driver is not loaded. Load it first (sc create WskConnect type= kernel binPath= <path>\\wskconnect.sys, then sc start WskConnect), or run with --install-driver <path>\\wskconnect.sys to load it for this run. Both need an elevated prompt and a test-signed driver.';
  }
  if (error.errno === ERROR_ACCESS_DENIED) return 'run from an elevated (Administrator) prompt.';
  return undefined;
}

function fromDriverError(error: DriverServiceError, fn: CliFunction | null): CliFailure {
  const meaning = (WIN32_ERROR_MESSAGES as Record<number, string>)[error.errno] ?? `Win32 error ${error.errno}.`;
  const result = failure('driver', { code: error.code, errno: error.errno, syscall: error.syscall, meaning, message: error.message }, fn);
  const hint = driverHint(error);
  if (hint) result.hint = hint;
  return result;
}

/** Anything thrown by a run, as a printable failure with its exit code. Never throws. */
export function describeFailure(error: unknown, fn: CliFunction | null): CliFailure {
  if (error instanceof UsageError) {
    return failure('usage', { code: error.code, errno: null, syscall: null, meaning: error.message, message: error.message }, fn);
  }
  if (error instanceof WinsockError) return fromWinsockError(error, fn);
  if (error instanceof WskError) return fromWskError(error, fn);
  if (error instanceof DriverServiceError) return fromDriverError(error, fn);
  if (error instanceof WinsockPlatformError) {
    return failure('unsupported', { code: error.code, errno: null, syscall: null, meaning: error.message, message: error.message }, fn);
  }
  if (error instanceof AbortError) {
    return failure('interrupted', { code: error.code, errno: null, syscall: null, meaning: 'Interrupted (Ctrl+C): the connect was abandoned and its socket closed.', message: error.message }, fn);
  }
  const e = (error ?? {}) as { code?: unknown; errno?: unknown; syscall?: unknown; message?: unknown };
  const message = typeof e.message === 'string' ? e.message : String(error);
  if (isArgumentError(e.code)) {
    return failure('usage', { code: String(e.code), errno: null, syscall: null, meaning: message, message }, fn);
  }
  // Node's own socket errors after connecting (a UDP recv reporting ECONNRESET), and
  // our reply errors: the exchange failed, not the program.
  if (typeof e.code === 'string' && (typeof e.syscall === 'string' || e.code.startsWith('ERR_WSCONNECT_'))) {
    return failure('connect', {
      code: e.code, errno: typeof e.errno === 'number' ? e.errno : null, syscall: typeof e.syscall === 'string' ? e.syscall : null,
      meaning: message, message,
    }, fn);
  }
  return failure('internal', { code: typeof e.code === 'string' ? e.code : 'ERR_INTERNAL', errno: null, syscall: null, meaning: 'An unexpected error inside wsconnect (a bug: please report it with this output).', message }, fn);
}

/** `127.0.0.1:80`, `[::1]:80`. */
export function formatEndpoint(address: string, port: number | string): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** The target of a request, for the `target` field and the headlines. */
export function requestTarget(request: CliRequest): string {
  if (request.addresses) return request.addresses.map((a) => formatEndpoint(a.address, a.port)).join(',');
  if (request.endpoint) return formatEndpoint(request.endpoint.address, request.endpoint.port);
  return formatEndpoint(request.host ?? '', request.port ?? '');
}

// ---------------------------------------------------------------------------
// For people
// ---------------------------------------------------------------------------


function formatAddress(info: AddressInfo | null): string {
  return info ? formatEndpoint(info.address, info.port) : '(not reported by the provider)';
}

/** Long replies are cut for the terminal (the JSON line keeps all of it). */
function shorten(text: string, max = 200): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (cut)`;
}

function ms(value: number): string {
  return `${value.toFixed(1)} ms`;
}

function row(label: string, value: string): string {
  return `  ${label.padEnd(9)} ${value}`;
}

function formatAttempt(attempt: ConnectAttempt, index: number): string {
  const where = formatEndpoint(attempt.address, attempt.port).padEnd(24);
  const what = attempt.outcome === 'failed' && attempt.code
    ? `failed: ${attempt.code} (${attempt.errno})`
    : attempt.outcome;
  const timing = [
    attempt.startedAtMs !== undefined ? `started at ${ms(attempt.startedAtMs)}` : '',
    attempt.elapsedMs !== undefined ? `took ${ms(attempt.elapsedMs)}` : '',
  ].filter(Boolean).join(', ');
  return `    ${String(index + 1).padStart(2)}. ${where} ${what}${timing ? `  (${timing})` : ''}`;
}

function attemptRows(attempts: ConnectAttempt[] | undefined): string[] {
  if (!attempts || attempts.length === 0) return [];
  return [row('attempts', String(attempts.length)), ...attempts.map(formatAttempt)];
}

function describeCall(outcome: CliOutcome): string {
  const details = [outcome.syscall];
  if (outcome.family) details.push(`family ${outcome.family}`);
  if (outcome.function === 'wsaConnect') details.push(outcome.protocol.toUpperCase());
  return `${outcome.function} (${details.join(', ')})`;
}

/** The lines printed on stdout after a connect. */
export function formatOutcome(outcome: CliOutcome): string[] {
  const lines = [
    `connected to ${outcome.remote ? formatAddress(outcome.remote) : outcome.target}`,
    row('function', describeCall(outcome)),
    row('local', formatAddress(outcome.local)),
    row('remote', formatAddress(outcome.remote)),
  ];
  if (outcome.strategy) lines.push(row('strategy', outcome.strategy));
  lines.push(...attemptRows(outcome.attempts));
  if (outcome.driver) {
    const steps = Object.entries(outcome.driver.steps).map(([name, code]) => `${name} ${code}`).join(', ');
    lines.push(row('steps', steps), row('kernel', `${ms(outcome.driver.elapsedMs)} inside the driver (elapsed: the whole IOCTL)`));
  }
  if (outcome.reply) lines.push(row('reply', `${outcome.reply.bytes} bytes ${shorten(JSON.stringify(outcome.reply.text))}`));
  lines.push(row('elapsed', ms(outcome.elapsedMs)));
  return lines;
}

function numberOf(failure: CliFailure): string {
  if (failure.errno === null) return '';
  // NTSTATUS values read best in hex, as in ntstatus.h.
  return failure.code.startsWith('STATUS_') ? ` (0x${failure.errno.toString(16).toUpperCase().padStart(8, '0')})` : ` (${failure.errno})`;
}

function failureHeadline(failure: CliFailure): string {
  const from = failure.step ? ` at driver step ${failure.step}` : failure.syscall ? ` from ${failure.syscall}` : '';
  const target = failure.address !== undefined && failure.port !== undefined
    ? formatEndpoint(failure.address, failure.port)
    : failure.target;
  return `wsconnect: ${failure.code}${numberOf(failure)}${from}${target ? ` ${target}` : ''}`;
}

const KIND_WORDS: Record<FailureKind, string> = {
  connect: 'connect failed',
  usage: 'usage error',
  timeout: 'timed out',
  unsupported: 'unsupported platform or function',
  driver: 'driver not available',
  internal: 'internal error',
  interrupted: 'interrupted',
};

/** The lines printed on stderr after a failure. */
export function formatFailure(failure: CliFailure): string[] {
  if (failure.kind === 'usage') {
    return [`wsconnect: ${failure.message}`, 'Try \'wsconnect --help\'.'];
  }
  const lines = [failureHeadline(failure), row('meaning', failure.meaning)];
  if (failure.wsaCode !== undefined && failure.wsaErrno !== undefined) {
    lines.push(row('winsock', `${failure.wsaCode} (${failure.wsaErrno}): ${wsaErrorMessage(failure.wsaErrno)}`));
  }
  if (failure.function) lines.push(row('function', failure.function));
  lines.push(...attemptRows(failure.attempts));
  if (failure.hint) lines.push(row('hint', failure.hint));
  if (failure.elapsedMs !== undefined) lines.push(row('elapsed', ms(failure.elapsedMs)));
  lines.push(row('exit', `${failure.exitCode} (${KIND_WORDS[failure.kind]})`));
  return lines;
}

// ---------------------------------------------------------------------------
// For CI logs: one JSON object per line (field names documented in docs/cli.md)
// ---------------------------------------------------------------------------

/** Milliseconds to the microsecond: enough for a log, without float noise (4.956699999999998). */
function roundMs(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** JSON.stringify, with every `…Ms` number rounded by {@link roundMs}. */
export function jsonLine(value: Record<string, unknown>): string {
  return JSON.stringify(value, (key, v: unknown) => (key.endsWith('Ms') && typeof v === 'number' ? roundMs(v) : v));
}

function attemptLine(fn: CliFunction | null, attempt: ConnectAttempt, index: number): string {
  return jsonLine({
    event: 'attempt', function: fn, index: index + 1, address: attempt.address, port: attempt.port,
    family: attempt.family, outcome: attempt.outcome,
    ...(attempt.code !== undefined ? { code: attempt.code, errno: attempt.errno ?? null } : {}),
    ...(attempt.startedAtMs !== undefined ? { startedAtMs: attempt.startedAtMs } : {}),
    ...(attempt.elapsedMs !== undefined ? { elapsedMs: attempt.elapsedMs } : {}),
  });
}

/** One `attempt` line per endpoint tried, then the `result` line. */
export function outcomeJsonLines(outcome: CliOutcome): string[] {
  const { attempts, ...rest } = outcome;
  const lines = (attempts ?? []).map((a, i) => attemptLine(outcome.function, a, i));
  const result: Record<string, unknown> = { event: 'result', ok: true, exitCode: ExitCode.connected, ...rest };
  if (attempts) result.attempts = attempts.length;
  lines.push(jsonLine(result));
  return lines;
}

export function failureJsonLines(failure: CliFailure): string[] {
  const { attempts, exitCode, ...rest } = failure;
  const lines = (attempts ?? []).map((a, i) => attemptLine(failure.function, a, i));
  const result: Record<string, unknown> = { event: 'result', ok: false, exitCode, ...rest };
  if (attempts) result.attempts = attempts.length;
  lines.push(jsonLine(result));
  return lines;
}
