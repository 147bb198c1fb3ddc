/**
 * connectByName: WSAConnectByNameW — resolve a host name and service, connect.
 * @module
 */
import { performance } from 'node:perf_hooks';
import { assertAdoptionAvailable } from './adopt';
import { connectionFromResult, errorFromResult } from './connection';
import { runJob, timeoutErrorFor } from './jobs';
import { AF_INET, AF_INET6, AF_UNSPEC_DUAL, loadBinding } from './native';
import type { Connection } from './types';
import {
  MAX_HOST_LENGTH, MAX_SERVICE_LENGTH, validateName, validateObject, validateOneOf, validatePort, validateSignal,
  validateTimeout,
} from './validate';

/** Which socket WSAConnectByNameW gets. */
export type NameFamily = 'dual' | 'ipv4' | 'ipv6';

export interface ConnectByNameOptions {
  /** Host name or IP literal (at most 255 characters, no NUL). */
  host: string;
  /** Port number, or a service name from %WINDIR%\system32\drivers\etc\services ("http"). */
  port: number | string;
  /**
   * 'dual' (default): an AF_INET6 socket with IPV6_V6ONLY off, reaching IPv4 and IPv6
   * (Microsoft's example); 'ipv4': AF_INET; 'ipv6': AF_INET6 only.
   */
  family?: NameFamily;
  /**
   * Deadline in ms (0 or absent: none). Passed to WSAConnectByNameW, which checks it
   * between attempts, and enforced here too: the promise rejects with WSAETIMEDOUT
   * by the deadline even where the OS overruns or ignores it (Wine).
   */
  timeout?: number;
  /** Aborting rejects at once with an AbortError; the socket is still closed when the OS returns. */
  signal?: AbortSignal;
}

const FAMILIES: Record<NameFamily, number> = { dual: AF_UNSPEC_DUAL, ipv4: AF_INET, ipv6: AF_INET6 };

interface NameRequest {
  host: string;
  service: string;
  family: NameFamily;
  timeoutMs: number;
  signal?: AbortSignal;
}

function validateByName(options: unknown): NameRequest {
  validateObject(options, 'options');
  const host = validateName(options.host, 'options.host', MAX_HOST_LENGTH);
  const service = typeof options.port === 'number'
    ? String(validatePort(options.port, 'options.port'))
    : validateName(options.port, 'options.port', MAX_SERVICE_LENGTH);
  return {
    host,
    service,
    family: validateOneOf(options.family, 'options.family', ['dual', 'ipv4', 'ipv6'] as const, 'dual'),
    timeoutMs: validateTimeout(options.timeout, 'options.timeout'),
    signal: validateSignal(options.signal, 'options.signal'),
  };
}

/**
 * Connects to `host`:`port` with WSAConnectByNameW and hands back a connected net.Socket.
 *
 * @example
 * ```ts
 * const { socket, remoteAddress } = await connectByName({ host: 'localhost', port: 8080, family: 'ipv4' });
 * socket.end('hello');
 * ```
 */
export async function connectByName(options: ConnectByNameOptions): Promise<Connection> {
  const request = validateByName(options);
  const binding = loadBinding();
  assertAdoptionAvailable('tcp');
  const port = /^\d+$/.test(request.service) ? Number(request.service) : undefined;
  const context = { host: request.host, ...(port !== undefined ? { port } : {}) };
  const startedAt = performance.now();
  const result = await runJob(
    binding,
    () => binding.connectByName(request.host, request.service, FAMILIES[request.family], request.timeoutMs),
    { timeoutMs: request.timeoutMs, signal: request.signal, timeoutError: timeoutErrorFor('WSAConnectByName', context) },
  );
  if (result.errno !== 0) throw errorFromResult(result, context);
  return connectionFromResult(result, startedAt);
}
