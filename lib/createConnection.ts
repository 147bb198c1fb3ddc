/**
 * A `net.connect` that is `net.connect`, connected by Winsock: everything that
 * takes a socket factory (http/https agents, undici, pg, ws) can use
 * {@link createConnection} unchanged.
 *
 * How: the socket goes through Node's own `Socket.prototype.connect` with the
 * caller's arguments, so every call form, every check (`ERR_SOCKET_BAD_PORT`,
 * `ERR_MISSING_ARGS`, `ERR_INVALID_IP_ADDRESS`, …), the name lookup (`lookup`,
 * `family`, `hints`, the `'lookup'` event), `blockList` and the local bind's
 * checks are Node's own. Node then asks its libuv TCP handle to bind and connect
 * the address it chose; those two calls are taken over. The Winsock function
 * connects a SOCKET of ours to that address, the handle is opened on it
 * (`uv_tcp_open`), and Node's own completion runs: `'connect'`, `'ready'`,
 * buffered writes flushed, reading started. A failure is reported as Node
 * reports it (`connect ECONNREFUSED 127.0.0.1:9`), with the {@link WinsockError}
 * as `cause`. With `autoSelectFamily` and several addresses, the race of WSAConnect
 * attempts (Happy Eyeballs) tries them.
 *
 * One Winsock-only form differs from `net.connect`: with `winsock.function:
 * 'connectByName'`, a port given as a service name (`'http'`), which
 * WSAConnectByNameW resolves. Pipes (`path`) are Node's own.
 * @module
 */
import dns from 'node:dns';
import net from 'node:net';
import { adoptionFailed } from './adopt';
import type { Adopter } from './connection';
import { AbortError, WinsockError } from './errors';
import { aggregateError, exceptionWithHostPort, ipBlockedError, libuvStatusFor } from './errors/node';
import type { NativeSocketHandle } from './native';
import type { ConnectAttempt, Connection, ListStrategy } from './types';
import { validateQos, type QualityOfService } from './qos';
import { MAX_CALLER_DATA, validateObject, validateOneOf, validateTimeout, validateUint8Array } from './validate';
import { connectByListInto, validateByList } from './WSAConnectByList';
import { connectByNameInto } from './WSAConnectByName';
import { wsaConnectInto } from './WSAConnect';

/** The Winsock function behind a {@link createConnection} socket. */
export type WinsockFunction = 'connectByName' | 'wsaConnect' | 'connectByList';

/** One endpoint of {@link WinsockOptions.addresses}. */
export interface WinsockEndpoint {
  /** An IP literal. */
  address: string;
  /** A port, 1–65535. */
  port: number;
}

/** What `net.connect`'s options don't say: which Winsock function, and its own options. */
export interface WinsockOptions {
  /**
   * Which function connects the address Node's lookup chose. Absent:
   * `'connectByList'` when `addresses` is given; connectByList's race when
   * `autoSelectFamily` found several addresses; else `'wsaConnect'`. A port given
   * as a service name (`'http'`) needs `'connectByName'`: WSAConnectByNameW
   * resolves it.
   */
  function?: WinsockFunction;
  /**
   * The connect deadline in ms (the function's own `timeout`; 0 or absent: none).
   * Not `net.connect`'s `timeout`, which is an idle timeout here too.
   */
  timeout?: number;
  /** connectByList: these endpoints instead of the looked-up address (`host` and `port` are then not needed). */
  addresses?: WinsockEndpoint[];
  /** connectByList: `'auto'` (default), `'system'` or `'race'`. */
  strategy?: 'auto' | ListStrategy;
  /** connectByList, `'race'`: ms between attempts. */
  attemptDelay?: number;
  /** wsaConnect: FLOWSPEC QoS. */
  qos?: QualityOfService;
  /** wsaConnect: connect data. */
  callerData?: Uint8Array;
}

/**
 * {@link createConnection}'s options: all of `net.connect`'s, meaning what they
 * mean there, and `winsock` for the rest.
 */
export interface CreateConnectionOptions extends Omit<net.TcpSocketConnectOpts, 'port'>, net.SocketConstructorOpts {
  /** Port, as `net.connect`'s; or (Winsock only, with `winsock.function: 'connectByName'`) a service name such as `'http'`, resolved by WSAConnectByNameW. */
  port?: number | string;
  /** A pipe: connected by Node itself, as `net.connect` does. */
  path?: string;
  /** Idle timeout in ms, as `net.connect`'s: `'timeout'` is emitted, nothing is closed. */
  timeout?: number;
  /** Which Winsock function, and its options. */
  winsock?: WinsockOptions;
}

/** Options of a {@link WinsockSocket} itself: `net.Socket`'s, and `winsock` defaults for its connects. */
export interface WinsockSocketOptions extends net.SocketConstructorOpts, Pick<CreateConnectionOptions, 'noDelay' | 'keepAlive' | 'keepAliveInitialDelay' | 'blockList'> {
  /** The Winsock function and its options for this socket's connects (a connect's own `winsock` is merged over them). */
  winsock?: WinsockOptions;
}

interface TcpHandle {
  open(socket: number): number;
  getsockname(out: Record<string, unknown>): number;
  bind(address: string, port?: number): number;
  bind6(address: string, port?: number, flags?: number): number;
  connect(req: ConnectRequest, address: string, port: number): number;
  connect6(req: ConnectRequest, address: string, port: number): number;
}

/** Node's connect request (TCPConnectWrap), as internalConnect fills it. */
interface ConnectRequest {
  address: string;
  port: number;
  addressType: 4 | 6;
  localAddress?: string;
  localPort?: number;
  oncomplete(status: number, handle: TcpHandle, req: ConnectRequest, readable: boolean, writable: boolean): void;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;
type LookupFunction = (hostname: string, options: dns.LookupOptions, callback: LookupCallback) => void;

type NormalizedArgs = [Record<string, unknown>, (() => void) | null];
const normalizeArgs = (net as unknown as { _normalizeArgs(args: unknown[]): NormalizedArgs })._normalizeArgs;
/** The mark net._normalizeArgs puts on its result (Node's own symbol, read off a result of it). */
const NORMALIZED = Object.getOwnPropertySymbols(normalizeArgs([]))[0];

function isNormalized(value: unknown): value is NormalizedArgs {
  return Array.isArray(value) && NORMALIZED !== undefined && (value as unknown as Record<symbol, unknown>)[NORMALIZED] === true;
}

/** A port Node would reject and WSAConnectByNameW takes: a service name such as `'http'`. */
function isServiceName(port: unknown): port is string {
  return typeof port === 'string' && port.trim() !== '' && Number.isNaN(Number(port));
}

/**
 * The looked-up addresses in the order Node's autoSelectFamily tries them: valid
 * IP literals only, each once, families alternating, the first address's first.
 */
function attemptOrder(addresses: dns.LookupAddress[]): dns.LookupAddress[] {
  const byFamily: Record<4 | 6, dns.LookupAddress[]> = { 4: [], 6: [] };
  const seen = new Set<string>();
  let first: 4 | 6 | undefined;
  for (const entry of addresses) {
    const family = net.isIP(entry?.address);
    if ((family !== 4 && family !== 6) || entry.family !== family || seen.has(entry.address)) continue;
    seen.add(entry.address);
    first ??= family;
    byFamily[family].push(entry);
  }
  if (first === undefined) return [];
  const [a, b] = first === 4 ? [byFamily[4], byFamily[6]] : [byFamily[6], byFamily[4]];
  const ordered: dns.LookupAddress[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (i < a.length) ordered.push(a[i]);
    if (i < b.length) ordered.push(b[i]);
  }
  return ordered;
}

/**
 * The address a connect dials: as given, except the unspecified ones, which
 * libuv dials as loopback on Windows (`uv__convert_to_localhost_if_unspecified`),
 * so that `net.connect` to 0.0.0.0 or :: reaches a local listener as it does on
 * Linux. Errors still name the address as given, as Node's do.
 */
function dialledAddress(address: string): string {
  if (address === '0.0.0.0') return '127.0.0.1';
  return net.isIPv6(address) && /^[0:]+$/.test(address.replace(/%.*$/, '')) ? '::1' : address;
}

/** What one connect() was asked, beyond what Node itself handles. */
interface ConnectIntent {
  winsock: WinsockOptions;
  service?: string;
  /** ms between race attempts (autoSelectFamilyAttemptTimeout, as Node clamps it). */
  attemptDelay: number;
}

/** `options.winsock`, checked before anything starts, under its own names. */
function validateWinsock(value: unknown): WinsockOptions {
  const given: unknown = value ?? {};
  validateObject(given, 'options.winsock');
  if (given.function !== undefined) validateOneOf(given.function, 'options.winsock.function', ['connectByName', 'wsaConnect', 'connectByList'] as const, 'wsaConnect');
  validateTimeout(given.timeout, 'options.winsock.timeout');
  if (given.addresses !== undefined) {
    const { addresses, strategy, attemptDelay } = given;
    validateByList({ addresses, strategy, attemptDelay }, 'options.winsock');
  }
  validateQos(given.qos, 'options.winsock.qos');
  if (given.callerData !== undefined) validateUint8Array(given.callerData, 'options.winsock.callerData', MAX_CALLER_DATA);
  return given as WinsockOptions;
}

function attemptDelayOf(options: Record<string, unknown>): number {
  const given = options.autoSelectFamilyAttemptTimeout;
  // Node validates it (an int32 ≥ 1) and raises anything under 10 ms to 10.
  return typeof given === 'number' ? Math.max(given, 10) : net.getDefaultAutoSelectFamilyAttemptTimeout();
}

/**
 * The class of {@link WinsockSocket} sockets: a `net.Socket` whose connects are
 * Winsock's. Make one through {@link WinsockSocket}, with or without `new`.
 */
export class WinsockSocketClass extends net.Socket {
  static {
    Object.defineProperty(this, 'name', { value: 'WinsockSocket' });
  }

  #defaults: WinsockOptions = {};
  #connecting: AbortController | undefined;
  #connection: Connection | undefined;
  /** autoSelectFamily: the looked-up addresses beyond the one Node was handed. */
  #moreAddresses: dns.LookupAddress[] = [];
  /** Set only inside connect(): the handle Node makes then is taken over with it. */
  #intent: ConnectIntent | undefined;
  // setNoDelay/setKeepAlive while connecting are held until connected: libuv applies
  // a not-yet-open handle's TCP_NODELAY and keep-alive inside uv_tcp_open, and fails
  // the open if one is refused (Wine refuses libuv's keep-alive options); applied
  // after the connect, as Node applies its own, a refusal is ignored.
  #noDelay: boolean | undefined;
  #keepAlive: Parameters<net.Socket['setKeepAlive']> | undefined;

  /**
   * Once connected: how — the Winsock call (`syscall`), connectByList's `strategy`
   * and `attempts`, `calleeData`, `elapsedMs`, and the addresses as the OS reported
   * them. Undefined before.
   */
  get winsockConnection(): Omit<Connection, 'socket'> | undefined {
    if (!this.#connection) return undefined;
    // Property descriptors, not values: addresses read from the socket stay lazy.
    const { socket: _socket, ...how } = Object.getOwnPropertyDescriptors(this.#connection);
    return Object.defineProperties({}, how) as Omit<Connection, 'socket'>;
  }

  constructor(options: WinsockSocketOptions = {}) {
    const { winsock, ...netOptions } = (options ?? {}) as WinsockSocketOptions;
    super(netOptions);
    this.#defaults = validateWinsock(winsock);
  }

  /** As `net.Socket#setNoDelay`; while connecting it is applied once connected. */
  override setNoDelay(noDelay = true): this {
    if (!this.#connectingOnHandle()) return super.setNoDelay(noDelay);
    this.#noDelay = Boolean(noDelay);
    return this;
  }

  /** As `net.Socket#setKeepAlive` (every form of it); while connecting it is applied once connected. */
  override setKeepAlive(...args: Parameters<net.Socket['setKeepAlive']>): this {
    if (!this.#connectingOnHandle()) return super.setKeepAlive(...args);
    this.#keepAlive = args;
    return this;
  }

  /** A handle exists but holds no SOCKET yet (ours is still connecting). */
  #connectingOnHandle(): boolean {
    return this.connecting && this._handle != null;
  }

  #applyHeldOptions(): void {
    if (this.#noDelay !== undefined) super.setNoDelay(this.#noDelay);
    if (this.#keepAlive) super.setKeepAlive(...this.#keepAlive);
    this.#noDelay = undefined;
    this.#keepAlive = undefined;
  }

  /**
   * As `net.Socket#connect`, every call form: `(options[, listener])`,
   * `(port[, host][, listener])`, `(path[, listener])`, and an array from
   * `net._normalizeArgs`. `options.winsock` is merged over the constructor's.
   */
  override connect(...args: unknown[]): this {
    const [options, listener] = isNormalized(args[0]) ? args[0] : normalizeArgs(args);
    if (options.path != null) return super.connect(...(args as [string]));
    const winsock = { ...this.#defaults, ...validateWinsock(options.winsock) };
    const intent: ConnectIntent = { winsock, attemptDelay: attemptDelayOf(options) };
    const nodeOptions: Record<string, unknown> = { ...options, lookup: this.#lookupFrom(options.lookup) };
    if (winsock.function === 'connectByName' && isServiceName(options.port)) {
      intent.service = options.port;
      nodeOptions.port = 0;
    }
    const first = winsock.addresses?.[0];
    if (first !== undefined) Object.assign(nodeOptions, { host: first.address, port: first.port, autoSelectFamily: false });
    this.#moreAddresses = [];
    // Node makes the handle inside connect and, with a lookup that answers at
    // once, binds and connects it before connect returns: it is taken over as it
    // is set (the _handle setter below).
    this.#intent = intent;
    try {
      super.connect(nodeOptions as unknown as net.TcpNetConnectOpts, listener ?? undefined);
    } finally {
      this.#intent = undefined;
    }
    return this;
  }

  /** @internal net.Socket's own accessor, through which Node sets every handle it makes. */
  get _handle(): TcpHandle | null {
    return Reflect.get(net.Socket.prototype, '_handle', this) as TcpHandle | null;
  }

  /** @internal Takes over the handle Node makes inside connect(). */
  set _handle(handle: TcpHandle | null) {
    Reflect.set(net.Socket.prototype, '_handle', handle, this);
    // net.Socket's constructor may set a handle before this class's fields exist.
    if (handle && #intent in this && this.#intent) this.#takeOver(handle, this.#intent);
  }

  /**
   * The lookup Node runs: the caller's (or dns.lookup), unchanged for one address.
   * For autoSelectFamily (`all: true`) with several addresses the blockList
   * allows, Node is handed the first to attempt and the rest are kept for the
   * race of WSAConnect attempts, which replaces Node's own attempts; `'lookup'` is still emitted
   * once per address, as Node does.
   */
  #lookupFrom(given: unknown): unknown {
    if (given != null && typeof given !== 'function') return given; // Node rejects it
    const lookup = (given ?? dns.lookup) as LookupFunction;
    return (hostname: string, dnsOptions: dns.LookupOptions, callback: LookupCallback): void => {
      if (!dnsOptions.all) return lookup(hostname, dnsOptions, callback);
      lookup(hostname, dnsOptions, (error, addresses, family) => {
        if (error || !Array.isArray(addresses)) return callback(error, addresses, family);
        const allowed = attemptOrder(addresses).filter((entry) => !this.#isBlocked(entry.address));
        if (allowed.length < 2) return callback(null, allowed.length === 1 ? allowed : addresses);
        this.#moreAddresses = allowed.slice(1);
        const others = addresses.filter((entry) => entry !== allowed[0]);
        this.once('lookup', () => {
          for (const entry of others) this.emit('lookup', null, entry.address, entry.family, hostname);
        });
        callback(null, allowed.slice(0, 1));
      });
    };
  }

  #isBlocked(address: string): boolean {
    const blockList = (this as unknown as { blockList?: net.BlockList }).blockList;
    return blockList?.check(address, net.isIP(address) === 6 ? 'ipv6' : 'ipv4') ?? false;
  }

  /**
   * The handle's bind, connect and (until it holds our SOCKET) getsockname become
   * ours: Node binds and connects the address it chose, the Winsock function
   * connects it, and Node's check that the bind took the asked port sees it did
   * (the bind happens inside the connect, which reports a failure as Node would).
   */
  #takeOver(handle: TcpHandle, intent: ConnectIntent): void {
    const connecting = new AbortController();
    this.#connecting = connecting;
    const target: Partial<Target> = {};
    const getsockname = handle.getsockname;
    const bind = (address: string, port?: number): number => {
      target.local = { address, port: port ?? 0 };
      return 0;
    };
    Object.assign(handle, {
      bind,
      bind6: bind,
      getsockname: (out: Record<string, unknown>): number => {
        if (target.opened || !target.local) return getsockname.call(handle, out);
        Object.assign(out, { address: target.local.address, family: net.isIP(target.local.address) === 6 ? 'IPv6' : 'IPv4', port: target.local.port });
        return 0;
      },
      connect: (req: ConnectRequest, address: string, port: number): number => {
        Object.assign(target, { address, port });
        this.#connectWith(intent, handle, req, target as Target, connecting.signal);
        return 0;
      },
    });
    handle.connect6 = handle.connect;
  }

  #connectWith(intent: ConnectIntent, handle: TcpHandle, req: ConnectRequest, target: Target, signal: AbortSignal): void {
    const adopt: Adopter = (native: NativeSocketHandle) => {
      if (this.destroyed || signal.aborted) {
        native.close();
        throw new AbortError();
      }
      const status = native.handOver((raw) => handle.open(raw));
      target.opened = status === 0;
      if (status !== 0) {
        native.close();
        throw adoptionFailed('TCP', status);
      }
      return this;
    };
    const run = this.#plan(intent, target);
    if (run instanceof Error) {
      process.nextTick(() => this.destroy(run));
      return;
    }
    run(adopt, signal).then(
      (connection) => {
        this.#connection = connection;
        this.#applyHeldOptions();
        req.oncomplete(0, handle, req, true, true);
      },
      (error: Error) => {
        // Destroyed first (destroy() before the connect): the abort is ours, nothing to report.
        if (!this.destroyed) this.#fail(req, target, error);
      },
    );
  }

  /** Which function connects `target`, decided from the intent: a runner, or the error to report. */
  #plan(intent: ConnectIntent, given: Target): Runner | Error {
    const { winsock, service } = intent;
    const timeout = winsock.timeout;
    const target = { ...given, address: dialledAddress(given.address) };
    const more = this.#moreAddresses.map((entry) => ({ address: dialledAddress(entry.address), port: target.port }));
    if (winsock.addresses !== undefined || winsock.function === 'connectByList') {
      const addresses = winsock.addresses ?? [{ address: target.address, port: target.port }, ...more];
      const blocked = addresses.find((endpoint) => this.#isBlocked(endpoint.address));
      if (blocked) return ipBlockedError(blocked.address);
      return (adopt, signal) => connectByListInto({ addresses, strategy: winsock.strategy, attemptDelay: winsock.attemptDelay, timeout, signal }, adopt);
    }
    if (service !== undefined || winsock.function === 'connectByName') {
      const family = net.isIP(target.address) === 6 ? 'ipv6' : 'ipv4';
      return (adopt, signal) => connectByNameInto({ host: target.address, port: service ?? target.port, family, timeout, signal }, adopt);
    }
    if (winsock.function === undefined && more.length > 0) {
      const addresses = [{ address: target.address, port: target.port }, ...more];
      (this as unknown as { autoSelectFamilyAttemptedAddresses: string[] }).autoSelectFamilyAttemptedAddresses = addresses.map((e) => `${e.address}:${e.port}`);
      return (adopt, signal) => connectByListInto({ addresses, strategy: 'race', attemptDelay: intent.attemptDelay, timeout, signal }, adopt);
    }
    return (adopt, signal) => wsaConnectInto({
      address: target.address, port: target.port, local: target.local, qos: winsock.qos, callerData: winsock.callerData, timeout, signal,
    }, adopt) as Promise<Connection>;
  }

  /** Reports a failed connect as Node's afterConnect does: `connectionAttemptFailed`, then destroy. */
  #fail(req: ConnectRequest, target: Target, error: Error): void {
    const reported = nodeShaped(error, req, target);
    (this as { connecting: boolean }).connecting = false;
    this.emit('connectionAttemptFailed', req.address, req.port, req.addressType, reported);
    this.destroy(reported);
  }

  /** @internal Aborts a connect still in progress, then destroys as `net.Socket` does. */
  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // An already-aborted signal destroys the socket inside net.Socket's constructor,
    // before this class's fields exist.
    if (#connecting in this) this.#connecting?.abort();
    super._destroy(error, callback);
  }
}

/**
 * A `net.Socket` that connects with a Winsock function. Use it where a library
 * wants an unconnected socket it will `connect()` itself (pg's `stream` option);
 * {@link createConnection} makes one and connects it. Like `net.Socket`, it can
 * be called without `new`.
 */
export const WinsockSocket = new Proxy(WinsockSocketClass, {
  apply: (Socket, _this, args: [WinsockSocketOptions?]) => new Socket(...args),
}) as typeof WinsockSocketClass & ((options?: WinsockSocketOptions) => WinsockSocketClass);
/** A {@link WinsockSocket} instance. */
export type WinsockSocket = WinsockSocketClass;

/** Where Node asked the handle to connect, the bind it asked for first, and whether the handle holds our SOCKET yet. */
interface Target {
  address: string;
  port: number;
  local?: { address: string; port: number };
  opened?: boolean;
}

type Runner = (adopt: Adopter, signal: AbortSignal) => Promise<Connection>;

/**
 * A Winsock failure as Node reports the same failure: `syscall` 'connect' (or
 * 'bind'), Node's code and libuv errno, `address` and `port`; the WinsockError as
 * `cause`. A race in which every attempt failed is Node's AggregateError of each.
 */
function nodeShaped(error: Error, req: ConnectRequest, target: Target): Error {
  if (!(error instanceof WinsockError)) return error;
  const failed = (error.attempts as ConnectAttempt[] | undefined)?.filter((a) => a.outcome === 'failed' && a.errno !== undefined);
  if (failed && failed.length > 1) {
    return aggregateError(failed.map((a) => exceptionWithHostPort(libuvStatusFor(a.errno as number), 'connect', a.address, a.port)), error);
  }
  const status = libuvStatusFor(error.errno);
  if (error.syscall === 'bind' && target.local) return exceptionWithHostPort(status, 'bind', target.local.address, target.local.port, undefined, error);
  const local = req.localAddress && req.localPort ? { address: req.localAddress, port: req.localPort } : undefined;
  return exceptionWithHostPort(status, 'connect', req.address, req.port, local, error);
}

/**
 * Like `net.createConnection`, with every call form of it: returns a `net.Socket`
 * at once and connects it in the background with a Winsock function (which one:
 * {@link WinsockOptions.function}). The socket then behaves as one from
 * `net.connect`: `'lookup'`, `'connect'` and `'ready'`, `connecting`/`pending`/
 * `readyState`, writes before the connect buffered, `destroy()` before the connect
 * aborts it (its SOCKET closed, no `'error'`), and a failure is an `'error'` event
 * shaped as Node's (`code: 'ECONNREFUSED'`, `syscall: 'connect'`), whose `cause`
 * is the {@link WinsockError}.
 * @example
 * ```js
 * import http from 'node:http';
 * import { once } from 'node:events';
 * import { createConnection } from 'winsock-connect';
 *
 * const server = http.createServer((req, res) => res.end('hello')).listen(0, '127.0.0.1');
 * await once(server, 'listening');
 * const { port } = server.address();
 *
 * // Any API that takes a net.connect-shaped factory:
 * const req = http.get({ host: '127.0.0.1', port, createConnection });
 * const [res] = await once(req, 'response');
 * res.setEncoding('utf8');
 * const [body] = await once(res, 'data');
 * console.log(body); // hello
 * server.close();
 * ```
 */
export function createConnection(options: CreateConnectionOptions, connectListener?: () => void): WinsockSocket;
export function createConnection(port: number | string, host?: string, connectListener?: () => void): WinsockSocket;
export function createConnection(...args: unknown[]): WinsockSocket {
  const [options, listener] = normalizeArgs(args);
  const socket = new WinsockSocket(options as WinsockSocketOptions);
  if (options.timeout) socket.setTimeout(options.timeout as number);
  return listener ? socket.connect(options, listener) : socket.connect(options);
}

/** The same as {@link createConnection}, as `net.connect` is `net.createConnection`. */
export const connect = createConnection;
