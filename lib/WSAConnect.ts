/**
 * wsaConnect: WSAConnect for TCP (caller data, FLOWSPEC QoS) and UDP (default destination).
 * @module
 */
import { performance } from 'node:perf_hooks';
import { adoptUdpSocket, assertAdoptionAvailable } from './adopt';
import { connectionFromResult, errorFromResult } from './connection';
import { DatagramConnection } from './DatagramConnection';
import { invalidArgValue, MAX_CALLER_DATA, validateEndpoint, validateIpAddress, validateObject, validateOneOf, validateOptionalBoolean, validatePort, validateSignal, validateTimeout, validateUint8Array } from './validate';
import { runJob, timeoutErrorFor } from './jobs';
import { loadBinding, type NativeEndpoint, type NativeWsaConnectRequest } from './native';
import { validateQos, type QualityOfService } from './qos';
import type { Connection } from './types';

export interface WsaConnectOptions {
  /** Destination IP literal. */
  address: string;
  port: number;
  /** 'tcp' (default) resolves to a Connection; 'udp' to a DatagramConnection. */
  protocol?: 'tcp' | 'udp';
  /**
   * Bind first: a specific address, or (address absent) the wildcard of the
   * destination's family; port 0 or absent lets the system pick. Binding decides
   * the RSVP join state (Microsoft's "Using WSAConnect to Join Unicast RSVP Sessions").
   */
  local?: { address?: string; port?: number };
  /** Connect data for the peer. TCP/IP on Windows does not carry it (ATM did). */
  callerData?: Uint8Array;
  /** FLOWSPECs for each direction (deprecated GQoS; see qos.ts). */
  qos?: QualityOfService;
  /** UDP only: SO_BROADCAST, needed to connect to a broadcast address (else WSAEACCES). */
  broadcast?: boolean;
  /** Deadline in ms (0 or absent: none). */
  timeout?: number;
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

/**
 * Connects with WSAConnect. TCP resolves to a Connection (with `calleeData` when the
 * provider returned any); UDP to a DatagramConnection.
 *
 * @example
 * ```ts
 * const tcp = await wsaConnect({ address: '127.0.0.1', port: 8080, local: { address: '127.0.0.1' } });
 * const udp = await wsaConnect({ address: '127.0.0.1', port: 5353, protocol: 'udp' });
 * await udp.send('ping');
 * ```
 */
export async function wsaConnect(options: WsaConnectOptions & { protocol: 'udp' }): Promise<DatagramConnection>;
export async function wsaConnect(options: WsaConnectOptions & { protocol?: 'tcp' }): Promise<Connection>;
export async function wsaConnect(options: WsaConnectOptions): Promise<Connection | DatagramConnection>;
export async function wsaConnect(options: WsaConnectOptions): Promise<Connection | DatagramConnection> {
  const request = validateWsaConnect(options);
  const binding = loadBinding();
  const { protocol, address, port } = request.native;
  assertAdoptionAvailable(protocol);
  const context = { address, port };
  const startedAt = performance.now();
  const result = await runJob(binding, () => binding.wsaConnect(request.native), {
    timeoutMs: request.timeoutMs,
    signal: request.signal,
    timeoutError: timeoutErrorFor('WSAConnect', context),
  });
  if (result.errno !== 0) throw errorFromResult(result, context);
  if (protocol === 'tcp') return connectionFromResult(result, startedAt);
  if (!result.socket || !result.localAddress || !result.remoteAddress) {
    result.socket?.close();
    throw new Error('internal: WSAConnect reported success without a socket or addresses');
  }
  return new DatagramConnection(adoptUdpSocket(result.socket), result.localAddress, result.remoteAddress);
}
