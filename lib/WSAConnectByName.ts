/**
 * connectByName: WSAConnectByNameW — resolve a host name and service, connect.
 * @module
 */
import { performance } from 'node:perf_hooks';
import { adoptTcpSocket } from './adopt';
import { assertCanAdopt, connectionFromResult, runConnectJob, type Adopter } from './connection';
import { AF_INET, AF_INET6, AF_UNSPEC_DUAL, loadBinding } from './native';
import type { Connection } from './types';
import { invalidArgValue, isUnspecifiedAddress, MAX_HOST_LENGTH, MAX_SERVICE_LENGTH, validateName, validateObject, validateOneOf, validatePort, validateSignal, validateTimeout } from './validate';

/** Which socket WSAConnectByNameW gets. */
export type NameFamily = 'dual' | 'ipv4' | 'ipv6';

/**
 * Options of {@link connectByName}. Checked before any native call: a wrong type is
 * a TypeError (`ERR_INVALID_ARG_TYPE`), a bad value a TypeError
 * (`ERR_INVALID_ARG_VALUE`) or RangeError (`ERR_OUT_OF_RANGE`).
 */
export interface ConnectByNameOptions {
  /**
   * Host name or IP literal, WSAConnectByNameW's `nodename`: 1 to 255 characters
   * ({@link MAX_HOST_LENGTH}), no NUL. The OS resolves it (an unknown name is
   * `WSAHOST_NOT_FOUND`, 11001).
   */
  host: string;
  /**
   * WSAConnectByNameW's `servicename`: a port number (an integer 0–65535), or a
   * string of 1 to 255 characters: a decimal port (`'8080'`) or a service name from
   * `%WINDIR%\system32\drivers\etc\services` (`'http'`).
   */
  port: number | string;
  /**
   * 'dual' (default): an AF_INET6 socket with IPV6_V6ONLY off, reaching IPv4 and IPv6
   * (Microsoft's example); 'ipv4': AF_INET; 'ipv6': AF_INET6 with IPV6_V6ONLY on.
   *
   * Under Wine 8, 'dual' fails for IPv4 targets (a raw `-9`, shown as
   * `code: 'UNKNOWN'`, or `WSAHOST_NOT_FOUND`): use 'ipv4' or 'ipv6' there.
   */
  family?: NameFamily;
  /**
   * Deadline in ms, a finite number from 0 to 2³¹−1, rounded up to a whole ms (0 or
   * absent: none). Passed to WSAConnectByNameW as its `timeout` (which the OS
   * checks only between attempts), and enforced here too: the promise rejects with
   * a `WSAETIMEDOUT` {@link WinsockError} by the deadline even where the OS
   * overruns it or ignores it (Wine). The blocked call is then cut short with
   * CancelIoEx and its socket closed.
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
  if (isUnspecifiedAddress(host)) throw invalidArgValue('options.host', host, 'must not be an unspecified (all-zero) address: it names no peer');
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
 * Connects to `host`:`port` with WSAConnectByNameW (which resolves the name and
 * service and tries the addresses itself) and hands back a connected `net.Socket`.
 * After the connect the socket gets SO_UPDATE_CONNECT_CONTEXT, as the documentation
 * requires; `localAddress` and `remoteAddress` come from getsockname/getpeername
 * when first read (the local address WSAConnectByNameW itself returns carries port 0,
 * on Windows as under Wine).
 *
 * Rejects with a {@link WinsockError} (`syscall: 'WSAConnectByName'`, `host`, and
 * `port` when numeric) when the OS fails, e.g. `WSAECONNREFUSED` or
 * `WSAHOST_NOT_FOUND`; with `WSAETIMEDOUT` at the deadline; with an
 * {@link AbortError} when `signal` aborts; with a {@link WinsockPlatformError} off
 * Windows or when the socket cannot be handed to Node.
 *
 * @example
 * Against a loopback echo server it starts itself (an ES module; Node 18+ on Windows):
 * ```js
 * import net from 'node:net';
 * import { once } from 'node:events';
 * import { connectByName } from 'winsock-connect';
 *
 * const server = net.createServer((peer) => peer.pipe(peer)).listen(0, '127.0.0.1');
 * await once(server, 'listening');
 * const { port } = server.address();
 *
 * const { socket, remoteAddress } = await connectByName({ host: 'localhost', port, family: 'ipv4', timeout: 2000 });
 * socket.end('hello');
 * const [reply] = await once(socket, 'data');
 * console.log(String(reply), remoteAddress); // hello { address: '127.0.0.1', family: 'IPv4', port: … }
 * server.close();
 * ```
 */
export async function connectByName(options: ConnectByNameOptions): Promise<Connection> {
  return connectByNameInto(options, adoptTcpSocket);
}

/** connectByName, handing the SOCKET to `adopt` (createConnection's sockets). Internal. */
export async function connectByNameInto(options: ConnectByNameOptions, adopt: Adopter): Promise<Connection> {
  const request = validateByName(options);
  const binding = loadBinding();
  assertCanAdopt(adopt, 'tcp');
  const port = /^\d+$/.test(request.service) ? Number(request.service) : undefined;
  const context = { host: request.host, ...(port !== undefined ? { port } : {}) };
  const startedAt = performance.now();
  const result = await runConnectJob(
    binding,
    () => binding.connectByName(request.host, request.service, FAMILIES[request.family], request.timeoutMs),
    { syscall: 'WSAConnectByName', context, timeoutMs: request.timeoutMs, signal: request.signal },
  );
  return connectionFromResult(result, startedAt, {}, adopt);
}
