/**
 * The native boundary, typed in one place: what the addon exports and what its
 * results look like. Nothing else in lib/ touches the addon except through here.
 * @module
 */
import path from 'node:path';
import { WinsockPlatformError } from './errors';

/** An address as the addon reports it (IPv4-mapped IPv6 is reported as IPv4). */
export interface NativeAddress {
  address: string;
  family: 'IPv4' | 'IPv6';
  port: number;
}

export interface NativeEndpoint {
  address: string;
  port: number;
}

/** A SOCKET the addon owns until handed to libuv or closed (or garbage collected). */
export interface NativeSocketHandle {
  /** Calls `open(socket)`; ownership moves to libuv only if it returns 0. Returns open's result. */
  handOver(open: (socket: number) => number): number;
  close(): void;
  readonly open: boolean;
}

/** What every connect job delivers. `errno` 0 means connected and `socket` is set. */
export interface NativeResult {
  errno: number;
  syscall: string;
  socket?: NativeSocketHandle;
  /**
   * Only where the OS result needs them (a datagram socket, WSAConnectByList's winner):
   * a TCP connect's addresses are read from the adopted socket when asked.
   */
  localAddress?: NativeAddress;
  remoteAddress?: NativeAddress;
  calleeData?: Buffer;
  /** Only after testing.setTiming(true): microseconds per stage of the hand-off (bench/ reads it). */
  timing?: NativeJobTiming;
}

/** Where one job's time went: queued (JS call → a pool thread starts it), execute (the Winsock work), handBack (→ JS thread). */
export interface NativeJobTiming {
  queuedUs: number;
  executeUs: number;
  handBackUs: number;
}

export interface NativeFlowspec {
  tokenRate?: number;
  tokenBucketSize?: number;
  peakBandwidth?: number;
  latency?: number;
  delayVariation?: number;
  serviceType?: number;
  maxSduSize?: number;
  minimumPolicedSize?: number;
}

export interface NativeWsaConnectRequest {
  address: string;
  port: number;
  protocol: 'tcp' | 'udp';
  local?: NativeEndpoint;
  broadcast: boolean;
  callerData?: Uint8Array;
  qos?: { sending?: NativeFlowspec; receiving?: NativeFlowspec };
}

export interface NativePlatform {
  /** Wine's version when running under Wine, else null. */
  wine: string | null;
  startupError: number;
  connectByList: boolean;
}

export interface NativeStats {
  openSockets: number;
  abandonedRunning: number;
  /** Native job objects not yet freed (0 once every job settled and its result was taken). */
  jobsAlive: number;
  /** The blocking pool (WSAConnectByName/List, driver jobs): threads running or starting, idle, queued for a thread, cap. */
  poolThreads: number;
  poolIdle: number;
  poolQueued: number;
  poolMaxThreads: number;
  /** Multiplexed connects (wsaConnect, the race's attempts) waiting for their handshake on the connect waiter's two threads. */
  multiplexedWaiting: number;
  /** OS threads of the process, when stats(true) asked for them (a Toolhelp snapshot); else -1. */
  processThreads: number;
  processHandles: number;
}

/** Address families as the addon takes them: 0 = dual stack. */
export const AF_UNSPEC_DUAL = 0;
export const AF_INET = 2;
export const AF_INET6 = 23;

/** The kernel driver's result, parsed natively from WSKCONNECT_RESULT (native/include/wskconnect_ioctl.h). */
export interface NativeWskResult {
  version: number;
  /** Unsigned NTSTATUS of the whole request. */
  finalStatus: number;
  steps: { socket: number; bind: number; connect: number; close: number; localAddress: number; remoteAddress: number };
  flags: number;
  mode: number;
  elapsedMicroseconds: number;
  totalMicroseconds: number;
  localAddress?: NativeAddress;
  remoteAddress?: NativeAddress;
}

/** Result of a driver IOCTL job: `errno` is DeviceIoControl's Win32 error. */
export interface NativeIoctlResult extends NativeResult {
  bytesReturned: number;
  output: Buffer;
  driver?: NativeWskResult;
}

/** What the addon would give WSAConnect for a request (testing.describeWsaConnectRequest). */
export interface NativeWsaConnectDescription {
  remote: NativeAddress;
  protocol: 'tcp' | 'udp';
  broadcast: boolean;
  local: NativeAddress | null;
  callerDataLength: number | null;
  /** Whether WSAConnect gets a callee-data buffer: only with caller data (TCP/IP has no connect data). */
  calleeBuffer: boolean;
  /** Every FLOWSPEC field as sent, defaults filled in; null when no QoS is passed. */
  qos: { sending: Required<NativeFlowspec>; receiving: Required<NativeFlowspec> } | null;
}

/** Hooks for tests and the bench (lib/testing.ts, test/support/, bench/), apart from the library's API. */
export interface NativeTesting {
  describeWsaConnectRequest(request: NativeWsaConnectRequest): NativeWsaConnectDescription;
  /** When on, every result carries `timing` (bench/ profiles the hand-off with it). */
  setTiming(enabled: boolean): void;
  /** A loopback listener that never accepts: connects to it hang (test/support/loopbackFixtures.js). */
  stalledListener(address: string, port?: number): { port: number; socket: NativeSocketHandle };
  /** The connect waiter ignores the next FD_CONNECT of a waiting connect, as if it were lost. */
  dropNextConnectEvent(): void;
  /** The connect waiter's starter sleeps `ms` after starting the next connect that waits (its FD_CONNECT then comes meanwhile). */
  holdNextStart(ms: number): void;
  /** FD_CONNECT events that came while the starter held their connect, applied by the starter since the process started. */
  keptConnectEvents(): number;
  /** Since the process started: the most sockets one of the connect waiter's recheck select() calls has been given, the most it may be given (FD_SETSIZE), and how many select() calls were given that many. */
  recheckSets(): { largest: number; limit: number; full: number };
  /** TCP_NODELAY and SO_KEEPALIVE as a SOCKET holds them (getsockopt). */
  socketOptions(socket: number): { noDelay: boolean; keepAlive: boolean };
  /** Whether SIO_TCP_INITIAL_RTO is used (build 16299+), how often it was asked for, and per family whether the provider refused it (then it is asked no more). */
  initialRto(): { fastLoopbackFail: boolean; asks: number; v4Unsupported: boolean; v6Unsupported: boolean };
}

export interface NativeBinding {
  /** Each start function returns a job id; the result arrives through the completion handler. */
  connectByName(host: string, service: string, family: number, timeoutMs: number): number;
  connectByList(addresses: NativeEndpoint[], timeoutMs: number): number;
  wsaConnect(request: NativeWsaConnectRequest): number;
  /** Abandons a pending job: true if it was still pending (no delivery will follow). */
  cancel(id: number): boolean;
  /** Asks a pending job to end its OS call early; its result is still delivered. True if it was pending. */
  interrupt(id: number): boolean;
  /** Called (once per batch) when finished jobs are waiting: call takeResults soon. */
  setResultsReadyHandler(handler: () => void): void;
  /** Hands up to `max` finished jobs to `deliver`; returns how many are still waiting. */
  takeResults(max: number, deliver: (id: number, result: NativeResult) => void): number;
  /** WSAConnect on a connected UDP socket libuv owns: returns the Winsock error or 0. */
  udpSetPeer(socket: number, address: string, port: number): number;
  /** WSAConnect with an all-zero name: dissolves the association. Returns the Winsock error or 0. */
  udpDisconnect(socket: number): number;
  /** getpeername of a UDP socket libuv owns; null when it has no peer. */
  udpPeer(socket: number): NativeAddress | null;
  hasConnectByList(): boolean;
  platform(): NativePlatform;
  stats(countThreads?: boolean): NativeStats;
  /** SCM job for the WSK driver; the result's `errno` is a Win32 error. */
  wskService(action: 'install' | 'start' | 'stop' | 'uninstall', name: string, binaryPath?: string): number;
  wskConnect(request: { address: string; port: number; timeoutMs: number; mode: number }): number;
  wskRawIoctl(code: number, input: Uint8Array, outputLength: number): number;
  readonly wskIoctlConnectCode: number;
  readonly testing: NativeTesting;
}

let binding: NativeBinding | undefined;

/**
 * Loads the addon on first use (never at import time, so importing works on every
 * platform). Throws WinsockPlatformError off Windows or when the addon won't load.
 */
export function loadBinding(): NativeBinding {
  if (binding) return binding;
  if (process.platform !== 'win32') {
    throw new WinsockPlatformError('ERR_WINSOCK_UNSUPPORTED_PLATFORM',
      `winsock-connect needs Windows (Winsock); this is ${process.platform}`);
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const load = require('node-gyp-build') as (dir: string) => unknown;
    binding = load(path.join(__dirname, '..')) as NativeBinding;
  } catch (cause) {
    throw new WinsockPlatformError('ERR_WINSOCK_ADDON_LOAD_FAILED',
      `the winsock-connect addon could not be loaded: ${(cause as Error).message}`, { cause });
  }
  return binding;
}
