/**
 * wsaConnect: WSAConnect for TCP (caller data, FLOWSPEC QoS) and UDP (default destination).
 * @module
 */
import { performance } from 'node:perf_hooks';
import { adoptTcpSocket, adoptUdpSocket } from './adopt';
import { assertCanAdopt, connectionFromResult, runConnectJob, type Adopter } from './connection';
import { DatagramConnection } from './DatagramConnection';
import { invalidArgValue, MAX_CALLER_DATA, validateEndpoint, validateIpAddress, validateObject, validateOneOf, validateOptionalBoolean, validatePort, validateSignal, validateTimeout, validateUint8Array } from './validate';
import { loadBinding, type NativeEndpoint, type NativeWsaConnectRequest } from './native';
import { validateQos, type QualityOfService } from './qos';
import type { Connection } from './types';

/**
 * Options of {@link wsaConnect}. Checked before any native call: a wrong type is a
 * TypeError (`ERR_INVALID_ARG_TYPE`), a bad value a TypeError
 * (`ERR_INVALID_ARG_VALUE`) or RangeError (`ERR_OUT_OF_RANGE`).
 */
export interface WsaConnectOptions {
  /**
   * Destination IPv4 or IPv6 literal (WSAConnect's `name`; no host names). IPv6 zone
   * ids must be numeric (`'fe80::1%3'`). The socket is created in this address's family.
   */
  address: string;
  /** Destination port, an integer 0–65535. */
  port: number;
  /**
   * 'tcp' (default): a SOCK_STREAM socket, resolving to a {@link Connection};
   * 'udp': a SOCK_DGRAM socket, resolving to a {@link DatagramConnection} whose
   * default destination is `address`:`port` (WSAConnect returns at once: there is
   * no handshake, so an unreachable UDP peer is not an error here).
   */
  protocol?: 'tcp' | 'udp';
  /**
   * Bind before WSAConnect. Absent: no explicit bind (WSAConnect binds implicitly).
   * This decides the socket's state in Microsoft's tables in "Using WSAConnect to
   * Join Unicast RSVP Sessions" (bound to a specific address, or to INADDR_ANY, then
   * connected). A bind failure rejects with `syscall: 'bind'`, e.g. `WSAEADDRINUSE`.
   */
  local?: {
    /**
     * A local IP literal of the same family as `address` (else a TypeError). Absent:
     * the wildcard of that family (`'0.0.0.0'` or `'::'`, i.e. INADDR_ANY / in6addr_any).
     */
    address?: string;
    /** A local port, an integer 0–65535; 0 or absent lets the system pick one. */
    port?: number;
  };
  /**
   * WSAConnect's `lpCallerData`: connect data sent with the connection request, at
   * most 65535 bytes ({@link MAX_CALLER_DATA}). Microsoft: TCP/IP on Windows does not
   * support connect data (only ATM over raw sockets did), and on UDP it is silently
   * ignored; a provider that refuses it fails with `WSAEPROTONOSUPPORT`. Wine
   * ignores it and connects.
   */
  callerData?: Uint8Array;
  /**
   * WSAConnect's `lpSQOS`: a FLOWSPEC for each direction (deprecated GQoS/RSVP). See
   * {@link QualityOfService} for what is sent and what Windows and Wine do with it.
   */
  qos?: QualityOfService;
  /**
   * UDP only (with `protocol: 'tcp'` it is a TypeError): sets SO_BROADCAST before
   * connecting. Connecting a datagram socket to a broadcast address needs it; without
   * it WSAConnect fails with `WSAEACCES`. Default false.
   */
  broadcast?: boolean;
  /**
   * Deadline in ms, a finite number from 0 to 2³¹−1, rounded up to a whole ms (0 or
   * absent: none). WSAConnect itself has no timeout: at the deadline the promise
   * rejects with a `WSAETIMEDOUT` {@link WinsockError}, the wait for the TCP
   * handshake ends and the socket is closed.
   */
  timeout?: number;
  /**
   * Aborting rejects at once with an {@link AbortError} (`cause`: the signal's
   * reason); the wait for the TCP handshake ends and the socket is closed.
   */
  signal?: AbortSignal;
}

interface WsaRequest {
  native: NativeWsaConnectRequest;
  timeoutMs: number;
  signal?: AbortSignal;
}

function validateLocal(value: unknown, remoteAddress: string): NativeEndpoint | undefined {
  if (value === undefined) return undefined;
  validateObject(value, 'options.local');
  const wildcard = remoteAddress.includes(':') ? '::' : '0.0.0.0';
  const address = value.address === undefined ? wildcard : validateIpAddress(value.address, 'options.local.address');
  const port = value.port === undefined ? 0 : validatePort(value.port, 'options.local.port');
  if (address.includes(':') !== remoteAddress.includes(':')) {
    throw invalidArgValue('options.local.address', address, 'must be of the same family as options.address');
  }
  return { address, port };
}

function validateWsaConnect(options: unknown): WsaRequest {
  validateObject(options, 'options');
  const remote = validateEndpoint(options, 'options');
  const protocol = validateOneOf(options.protocol, 'options.protocol', ['tcp', 'udp'] as const, 'tcp');
  const broadcast = validateOptionalBoolean(options.broadcast, 'options.broadcast');
  if (broadcast && protocol !== 'udp') throw invalidArgValue('options.broadcast', broadcast, "applies to protocol 'udp' only");
  const native: NativeWsaConnectRequest = { ...remote, protocol, broadcast };
  const local = validateLocal(options.local, remote.address);
  if (local) native.local = local;
  if (options.callerData !== undefined) native.callerData = validateUint8Array(options.callerData, 'options.callerData', MAX_CALLER_DATA);
  const qos = validateQos(options.qos, 'options.qos');
  if (qos) native.qos = qos;
  return { native, timeoutMs: validateTimeout(options.timeout, 'options.timeout'), signal: validateSignal(options.signal, 'options.signal') };
}

/** What wsaConnect hands the addon for `options` (validated). Internal: lib/testing.ts shows it to the tests. */
export function nativeWsaConnectRequest(options: WsaConnectOptions): NativeWsaConnectRequest {
  return validateWsaConnect(options).native;
}

/**
 * Connects with WSAConnect, after an optional SO_BROADCAST and bind. TCP runs the
 * documented non-blocking form (WSAAsyncSelect for FD_CONNECT, waited for by the
 * addon's connect waiter with every other pending connect) and resolves
 * to a {@link Connection}, with `calleeData` only when the provider really returned
 * connect data. UDP sets the default destination and
 * resolves to a {@link DatagramConnection}: datagrams from any other address are
 * discarded, as the documentation says.
 *
 * Rejects with a {@link WinsockError} (`syscall: 'WSAConnect'`, or `'bind'`,
 * `'setsockopt'`, …; with `address` and `port`) when the OS fails, e.g.
 * `WSAECONNREFUSED`, `WSAEACCES` (broadcast without `broadcast: true`) or
 * `WSAEOPNOTSUPP` (QoS that cannot be satisfied); with `WSAETIMEDOUT` at the
 * deadline; with an {@link AbortError} when `signal` aborts; with a
 * {@link WinsockPlatformError} off Windows or when the socket cannot be handed to Node.
 *
 * @example
 * TCP and UDP against loopback servers it starts itself (an ES module; Node 18+ on Windows):
 * ```js
 * import net from 'node:net';
 * import dgram from 'node:dgram';
 * import { once } from 'node:events';
 * import { wsaConnect } from 'winsock-connect';
 *
 * // TCP, bound to 127.0.0.1 first.
 * const server = net.createServer((peer) => peer.pipe(peer)).listen(0, '127.0.0.1');
 * await once(server, 'listening');
 * const tcp = await wsaConnect({ address: '127.0.0.1', port: server.address().port, local: { address: '127.0.0.1' } });
 * tcp.socket.end('hello');
 * const [reply] = await once(tcp.socket, 'data');
 * console.log(String(reply), tcp.localAddress); // hello { address: '127.0.0.1', family: 'IPv4', port: … }
 * server.close();
 *
 * // UDP: the peer echoes each datagram back to its sender.
 * const peer = dgram.createSocket('udp4', (msg, from) => peer.send(msg, from.port, from.address));
 * peer.bind(0, '127.0.0.1');
 * await once(peer, 'listening');
 * const udp = await wsaConnect({ address: '127.0.0.1', port: peer.address().port, protocol: 'udp' });
 * await udp.send('ping');
 * const [data, from] = await once(udp, 'message');
 * console.log(String(data), from); // ping { address: '127.0.0.1', family: 'IPv4', port: …, size: 4 }
 * await udp.close();
 * peer.close();
 * ```
 */
export async function wsaConnect(options: WsaConnectOptions & { protocol: 'udp' }): Promise<DatagramConnection>;
export async function wsaConnect(options: WsaConnectOptions & { protocol?: 'tcp' }): Promise<Connection>;
export async function wsaConnect(options: WsaConnectOptions): Promise<Connection | DatagramConnection>;
export async function wsaConnect(options: WsaConnectOptions): Promise<Connection | DatagramConnection> {
  return wsaConnectInto(options, adoptTcpSocket);
}

/** wsaConnect, handing a TCP SOCKET to `adopt` (createConnection's sockets). Internal. */
export async function wsaConnectInto(options: WsaConnectOptions, adopt: Adopter): Promise<Connection | DatagramConnection> {
  const request = validateWsaConnect(options);
  const binding = loadBinding();
  const { protocol, address, port } = request.native;
  assertCanAdopt(adopt, protocol);
  const context = { address, port };
  const startedAt = performance.now();
  const result = await runConnectJob(binding, () => binding.wsaConnect(request.native), {
    syscall: 'WSAConnect', context, timeoutMs: request.timeoutMs, signal: request.signal,
  });
  if (protocol === 'tcp') return connectionFromResult(result, startedAt, {}, adopt);
  if (!result.socket || !result.localAddress || !result.remoteAddress) {
    result.socket?.close();
    throw new Error('internal: WSAConnect reported success without a socket or addresses');
  }
  return new DatagramConnection(adoptUdpSocket(result.socket), result.localAddress, result.remoteAddress);
}
