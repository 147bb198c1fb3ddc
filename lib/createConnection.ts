/**
 * A `net.connect`-shaped face for the Winsock functions, so that everything that
 * takes a socket factory (http/https agents, undici, pg, mysql2, ws) can use them:
 * {@link createConnection} returns a `net.Socket` at once and connects it in the
 * background with the Winsock function its options choose.
 *
 * How: the socket goes through Node's own `Socket.prototype.connect`, which makes
 * its libuv TCP handle and, on the next tick, asks that handle to connect. That one
 * call is taken over: the Winsock function connects a SOCKET of ours, the handle is
 * opened on it (`uv_tcp_open`), and Node's own completion runs — `'connect'`,
 * `'ready'`, buffered writes flushed, reading started — exactly as after a
 * `net.connect`. Node resolves no name: the Winsock function does.
 * @module
 */
import net from 'node:net';
import { adoptionFailed } from './adopt';
import type { Adopter } from './connection';
import { AbortError } from './errors';
import type { NativeSocketHandle } from './native';
import { platformInfo } from './platform';
import type { QualityOfService } from './qos';
import type { Connection, ListStrategy } from './types';
import { invalidArgValue, validateDestinationAddress, validateObject, validateOneOf, validatePort } from './validate';
import { connectByListInto } from './WSAConnectByList';
import { connectByNameInto, type NameFamily } from './WSAConnectByName';
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
   * Which function connects. Absent: `'connectByList'` when `addresses` is given,
   * `'wsaConnect'` when `localAddress`, `localPort`, `qos` or `callerData` is, else
   * `'connectByName'`.
   */
  function?: WinsockFunction;
  /**
   * The connect deadline in ms (the function's own `timeout`; 0 or absent: none).
   * Not `net.connect`'s `timeout`, which is an idle timeout here too.
   */
  timeout?: number;
  /** connectByName: the socket family. Absent: see {@link CreateConnectionOptions.family}. */
  family?: NameFamily;
  /** connectByList: the endpoints (`host` and `port` are then not needed). */
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
 * {@link createConnection}'s options: `net.connect`'s names where they mean the
 * same, and `winsock` for the rest.
 */
export interface CreateConnectionOptions {
  /** Host name or IP literal. Default `'localhost'`. */
  host?: string;
  /** Port, or (connectByName) a service name such as `'http'`. */
  port?: number | string;
  /** Bind to this local IP before connecting (wsaConnect). */
  localAddress?: string;
  /** Bind to this local port before connecting (wsaConnect). */
  localPort?: number;
  /**
   * 4, 6, or 0 (default). With 0 an IP literal picks its own family; a host name is
   * looked up on a dual-stack socket (`'dual'`) on Windows, and as `'ipv4'` under
   * Wine, whose dual-stack WSAConnectByNameW cannot reach IPv4 (README: Wine
   * divergences).
   */
  family?: number;
  /** Idle timeout in ms, as `net.connect`'s: `'timeout'` is emitted, nothing is closed. */
  timeout?: number;
  /** Aborting destroys the socket with an `AbortError`, as with `net.connect`. */
  signal?: AbortSignal;
  /** TCP_NODELAY once connected, as `net.connect`'s. */
  noDelay?: boolean;
  /** TCP keep-alive once connected, as `net.connect`'s. */
  keepAlive?: boolean;
  /** ms before the first keep-alive probe, as `net.connect`'s. */
  keepAliveInitialDelay?: number;
  /** As `net.Socket`'s: the writable side stays open after the peer ends. */
  allowHalfOpen?: boolean;
  /** Which Winsock function, and its options. */
  winsock?: WinsockOptions;
}

/** Options of a {@link WinsockSocket} itself: everything but where to connect. */
export type WinsockSocketOptions = Pick<CreateConnectionOptions, 'signal' | 'noDelay' | 'keepAlive' | 'keepAliveInitialDelay' | 'allowHalfOpen' | 'winsock'>;

interface TcpHandle {
  open(socket: number): number;
  connect(req: ConnectRequest, address: string, port: number): number;
  connect6(req: ConnectRequest, address: string, port: number): number;
}

interface ConnectRequest {
  oncomplete(status: number, handle: TcpHandle, req: ConnectRequest, readable: boolean, writable: boolean): void;
}

/** One connect, decided: how to start it, and the address Node's own connect is given. */
interface ConnectPlan {
  run(adopt: Adopter, signal: AbortSignal): Promise<Connection | unknown>;
  /** An IP literal for Node's connect; for a host name, Node gets the name and a lookup that resolves nothing. */
  nodeHost: string;
  nodePort: number;
}

/** Node resolves no name here: the Winsock function does. */
function noLookup(_host: string, _options: unknown, callback: (error: null, address: string, family: number) => void): void {
  setImmediate(() => callback(null, '0.0.0.0', 4));
}

function nameFamily(host: string, family: number, chosen: NameFamily | undefined): NameFamily {
  if (chosen) return chosen;
  if (family === 4 || net.isIP(host) === 4) return 'ipv4';
  if (family === 6 || net.isIP(host) === 6) return 'ipv6';
  return underWine() ? 'ipv4' : 'dual';
}

/** Whether this "Windows" is Wine: asked of the addon once (it cannot change). */
let wine: boolean | undefined;
function underWine(): boolean {
  wine ??= platformInfo().wine !== null;
  return wine;
}

function chooseFunction(options: CreateConnectionOptions, winsock: WinsockOptions): WinsockFunction {
  if (winsock.function) return validateOneOf(winsock.function, 'options.winsock.function', ['connectByName', 'wsaConnect', 'connectByList'] as const, 'connectByName');
  if (winsock.addresses !== undefined) return 'connectByList';
  if (options.localAddress !== undefined || options.localPort !== undefined || winsock.qos !== undefined || winsock.callerData !== undefined) return 'wsaConnect';
  return 'connectByName';
}

/** Checks what `net.connect` checks synchronously, and decides the function. */
function planConnect(options: CreateConnectionOptions): ConnectPlan {
  const given: unknown = options;
  validateObject(given, 'options');
  const winsockGiven: unknown = options.winsock ?? {};
  validateObject(winsockGiven, 'options.winsock');
  const winsock: WinsockOptions = options.winsock ?? {};
  const host = options.host ?? 'localhost';
  if (typeof host !== 'string') throw invalidArgValue('options.host', host, 'must be a string');
  const family = options.family ?? 0;
  if (family !== 0 && family !== 4 && family !== 6) throw invalidArgValue('options.family', family, 'must be 0, 4 or 6');
  const deadline = winsock.timeout;
  switch (chooseFunction(options, winsock)) {
    case 'connectByList': {
      const addresses = winsock.addresses ?? [];
      const first = Array.isArray(addresses) && addresses[0] ? addresses[0] : { address: '0.0.0.0', port: 0 };
      return {
        nodeHost: net.isIP(first.address) ? first.address : '0.0.0.0',
        nodePort: Number.isInteger(first.port) ? first.port : 0,
        run: (adopt, signal) => connectByListInto({
          addresses, strategy: winsock.strategy, attemptDelay: winsock.attemptDelay, timeout: deadline, signal,
        }, adopt),
      };
    }
    case 'wsaConnect': {
      const address = validateDestinationAddress(host === 'localhost' ? (family === 6 ? '::1' : '127.0.0.1') : host, 'options.host');
      const port = validatePort(options.port, 'options.port');
      const local = options.localAddress !== undefined || options.localPort !== undefined
        ? { address: options.localAddress, port: options.localPort }
        : undefined;
      return {
        nodeHost: address,
        nodePort: port,
        run: (adopt, signal) => wsaConnectInto({
          address, port, local, qos: winsock.qos, callerData: winsock.callerData, timeout: deadline, signal,
        }, adopt),
      };
    }
    default: {
      const port = typeof options.port === 'string' && !/^\d+$/.test(options.port) ? options.port : validatePort(Number(options.port), 'options.port');
      return {
        nodeHost: host,
        nodePort: typeof port === 'number' ? port : 0,
        run: (adopt, signal) => connectByNameInto({
          host, port, family: nameFamily(host, family, winsock.family), timeout: deadline, signal,
        }, adopt),
      };
    }
  }
}

/** `connect(port, host?, listener?)` or `connect(options, listener?)`, as net.Socket takes them. */
function normalizeConnectArgs(args: unknown[]): [CreateConnectionOptions, (() => void) | undefined] {
  const last = args[args.length - 1];
  const listener = typeof last === 'function' ? (last as () => void) : undefined;
  const rest = listener ? args.slice(0, -1) : args;
  if (rest[0] !== null && typeof rest[0] === 'object') return [rest[0] as CreateConnectionOptions, listener];
  return [{ port: rest[0] as number | string, host: rest[1] as string | undefined }, listener];
}

/**
 * A `net.Socket` that connects with a Winsock function. Use it where a library
 * wants an unconnected socket it will `connect()` itself (pg's `stream` option);
 * {@link createConnection} makes one and connects it.
 */
export class WinsockSocket extends net.Socket {
  #defaults: WinsockOptions;
  #connecting: AbortController | undefined;
  #connection: Omit<Connection, 'socket'> | undefined;
  // Held until connected: libuv applies a not-yet-open handle's TCP_NODELAY and
  // keep-alive inside uv_tcp_open, and fails the open if one is refused (Wine
  // refuses libuv's keep-alive options); applied after the connect as Node does,
  // where a refusal is ignored.
  #noDelay: boolean | undefined;
  #keepAlive: [boolean, number] | undefined;

  /**
   * Once connected: how — the Winsock call (`syscall`), connectByList's `strategy`
   * and `attempts`, `calleeData`, `elapsedMs`, and the addresses as the OS reported
   * them. Undefined before.
   */
  get winsockConnection(): Omit<Connection, 'socket'> | undefined {
    return this.#connection;
  }

  constructor(options: WinsockSocketOptions = {}) {
    const { winsock, noDelay, keepAlive, keepAliveInitialDelay, ...netOptions } = options;
    super(netOptions);
    this.#defaults = winsock ?? {};
    if (noDelay) this.#noDelay = true;
    if (keepAlive) this.#keepAlive = [true, keepAliveInitialDelay ?? 0];
  }

  /** As `net.Socket#setNoDelay`; before the connect it is applied once connected. */
  override setNoDelay(noDelay = true): this {
    if (!this.#isOpen()) {
      this.#noDelay = noDelay;
      return this;
    }
    return super.setNoDelay(noDelay);
  }

  /** As `net.Socket#setKeepAlive`; before the connect it is applied once connected. */
  override setKeepAlive(enable = false, initialDelay = 0): this {
    if (!this.#isOpen()) {
      this.#keepAlive = [enable, initialDelay];
      return this;
    }
    return super.setKeepAlive(enable, initialDelay);
  }

  #isOpen(): boolean {
    return !this.connecting && (this as unknown as { _handle: unknown })._handle != null;
  }

  #applyHeldOptions(): void {
    if (this.#noDelay !== undefined) super.setNoDelay(this.#noDelay);
    if (this.#keepAlive) super.setKeepAlive(...this.#keepAlive);
  }

  /** As `net.Socket#connect`, with {@link CreateConnectionOptions} (its `winsock` merged over the constructor's). */
  override connect(...args: unknown[]): this {
    const [given, listener] = normalizeConnectArgs(args);
    const options = { ...given, winsock: { ...this.#defaults, ...given.winsock } };
    const plan = planConnect(options);
    const isName = net.isIP(plan.nodeHost) === 0;
    super.connect({
      host: plan.nodeHost, port: plan.nodePort, autoSelectFamily: false, ...(isName ? { lookup: noLookup } : {}),
    } as net.TcpNetConnectOpts, listener);
    // Node asks this handle to connect on a later tick (after the lookup, for a name).
    const handle = (this as unknown as { _handle: TcpHandle })._handle;
    const connecting = new AbortController();
    this.#connecting = connecting;
    const takeOver = (req: ConnectRequest): number => {
      this.#connectWith(plan, handle, req, connecting.signal);
      return 0;
    };
    handle.connect = takeOver;
    handle.connect6 = takeOver;
    this.prependOnceListener('connect', () => this.#applyHeldOptions());
    return this;
  }

  #connectWith(plan: ConnectPlan, handle: TcpHandle, req: ConnectRequest, signal: AbortSignal): void {
    const adopt: Adopter = (native: NativeSocketHandle) => {
      if (this.destroyed || signal.aborted) {
        native.close();
        throw new AbortError();
      }
      const status = native.handOver((raw) => handle.open(raw));
      if (status !== 0) {
        native.close();
        throw adoptionFailed('TCP', status);
      }
      return this;
    };
    plan.run(adopt, signal).then(
      (connection) => {
        const { socket: _socket, ...how } = connection as Connection;
        this.#connection = how;
        req.oncomplete(0, handle, req, true, true);
      },
      (error: Error) => {
        // Destroyed first (destroy() before the connect): the abort is ours, nothing to report.
        if (!this.destroyed) this.destroy(error);
      },
    );
  }

  /** @internal Aborts a connect still in progress, then destroys as `net.Socket` does. */
  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#connecting?.abort();
    super._destroy(error, callback);
  }
}

/**
 * Like `net.createConnection`: returns a `net.Socket` at once and connects it in
 * the background with a Winsock function (which one: {@link WinsockOptions.function}).
 * The socket then behaves as one from `net.connect`: `'connect'` and `'ready'`,
 * `connecting`/`pending`/`readyState`, writes before the connect buffered,
 * `destroy()` before the connect aborts it (its SOCKET closed, no `'error'`), and
 * a failure is an `'error'` event carrying the {@link WinsockError}.
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
 * const req = http.get({ port, createConnection: (options) => createConnection({ ...options, host: '127.0.0.1' }) });
 * const [res] = await once(req, 'response');
 * res.setEncoding('utf8');
 * const [body] = await once(res, 'data');
 * console.log(body); // hello
 * server.close();
 * ```
 */
export function createConnection(options: CreateConnectionOptions, connectListener?: () => void): WinsockSocket {
  const given: unknown = options;
  validateObject(given, 'options');
  const { signal, noDelay, keepAlive, keepAliveInitialDelay, allowHalfOpen, winsock } = options;
  const socket = new WinsockSocket({ signal, noDelay, keepAlive, keepAliveInitialDelay, allowHalfOpen, winsock });
  if (options.timeout !== undefined) socket.setTimeout(options.timeout);
  return socket.connect(options, connectListener);
}

/** The same as {@link createConnection}, as `net.connect` is `net.createConnection`. */
export const connect = createConnection;
