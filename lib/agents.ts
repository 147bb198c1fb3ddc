/**
 * HTTP(S) agents and an undici connector whose sockets come from
 * {@link createConnection}: keep-alive, pooling, TLS and its certificate checks
 * stay Node's (or undici's); only the connect is Winsock's.
 * @module
 */
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import tls from 'node:tls';
import { createConnection, type CreateConnectionOptions, type WinsockOptions } from './createConnection';

/** How undici's `connect` hands back the socket, or the error. */
export type UndiciConnectCallback = (error: Error | null, socket?: net.Socket) => void;

/** An agent's connection options, as it would hand them to `net.createConnection`, with `winsock`. */
function connectOptions(options: http.ClientRequestArgs, winsock: WinsockOptions | undefined): CreateConnectionOptions {
  return { ...(options as CreateConnectionOptions), winsock };
}

/** Options of {@link WinsockAgent}: `http.Agent`'s, plus `winsock` for every connect it makes. */
export interface WinsockAgentOptions extends http.AgentOptions {
  /** The Winsock function and its options, for every socket of the agent. */
  winsock?: WinsockOptions;
}

/**
 * An `http.Agent` whose sockets connect with Winsock. Keep-alive reuse, pooling
 * and limits are `http.Agent`'s own.
 * @example
 * ```js
 * import http from 'node:http';
 * import { once } from 'node:events';
 * import { WinsockAgent } from 'winsock-connect';
 *
 * const server = http.createServer((req, res) => res.end('hello')).listen(0, '127.0.0.1');
 * await once(server, 'listening');
 * const agent = new WinsockAgent({ keepAlive: true });
 * const [res] = await once(http.get({ host: '127.0.0.1', port: server.address().port, agent }), 'response');
 * res.setEncoding('utf8');
 * console.log((await once(res, 'data'))[0]); // hello
 * agent.destroy();
 * server.close();
 * ```
 */
export class WinsockAgent extends http.Agent {
  readonly #winsock: WinsockOptions | undefined;

  constructor(options: WinsockAgentOptions = {}) {
    const { winsock, ...agentOptions } = options;
    super(agentOptions);
    this.#winsock = winsock;
  }

  /** http.Agent calls this for every new socket: one of createConnection's, returned at once (Agent then uses it). */
  override createConnection(options: http.ClientRequestArgs): net.Socket {
    return createConnection(connectOptions(options, this.#winsock));
  }
}

/** Options of {@link WinsockHttpsAgent}: `https.Agent`'s, plus `winsock`. */
export interface WinsockHttpsAgentOptions extends https.AgentOptions {
  /** The Winsock function and its options, for every socket of the agent. */
  winsock?: WinsockOptions;
}

/**
 * An `https.Agent` whose TCP connects are Winsock's; TLS runs over them with the
 * request's `servername` (SNI) and the same certificate checks as `https` (`ca`,
 * `rejectUnauthorized`, `checkServerIdentity` as given).
 */
export class WinsockHttpsAgent extends https.Agent {
  readonly #winsock: WinsockOptions | undefined;

  constructor(options: WinsockHttpsAgentOptions = {}) {
    const { winsock, ...agentOptions } = options;
    super(agentOptions);
    this.#winsock = winsock;
  }

  /** https.Agent calls this with the TLS options of the request (servername included). */
  override createConnection(options: http.ClientRequestArgs): net.Socket {
    const tcp = createConnection(connectOptions(options, this.#winsock));
    return tls.connect({ ...(options as tls.ConnectionOptions), socket: tcp });
  }
}

/** What undici passes its `connect` function. */
export interface UndiciConnectOptions {
  /** The origin's host name or IP literal. */
  hostname: string;
  /** host:port as in the URL. */
  host?: string;
  /** `'http:'` or `'https:'`. */
  protocol: string;
  /** The origin's port ('' for the protocol's default). */
  port: string | number;
  /** The TLS server name (SNI), when undici sets one. */
  servername?: string | null;
  /** A local address to bind (then wsaConnect connects). */
  localAddress?: string | null;
  /** The socket of an HTTP/1 upgrade, unused here. */
  httpSocket?: net.Socket;
}

/** Options of {@link undiciConnector}: TLS options for https origins, and `winsock`. */
export interface UndiciConnectorOptions extends tls.ConnectionOptions {
  /** The Winsock function and its options, for every socket. */
  winsock?: WinsockOptions;
}

/**
 * A `connect` function for undici (`new undici.Agent({ connect: undiciConnector() })`,
 * then `setGlobalDispatcher` for `fetch`): every socket undici opens connects with
 * Winsock; for https origins TLS runs over it with SNI and the usual checks.
 * undici is an optional peer dependency: this package does not load it.
 */
export function undiciConnector(options: UndiciConnectorOptions = {}) {
  const { winsock, ...tlsOptions } = options;
  return function connect(opts: UndiciConnectOptions, callback: UndiciConnectCallback): net.Socket {
    const port = Number(opts.port) || (opts.protocol === 'https:' ? 443 : 80);
    const tcp = createConnection({ host: opts.hostname, port, winsock, ...(opts.localAddress ? { localAddress: opts.localAddress } : {}) });
    const socket = opts.protocol === 'https:'
      ? tls.connect({ ...tlsOptions, socket: tcp, servername: opts.servername ?? (tlsOptions.servername || opts.hostname), ALPNProtocols: tlsOptions.ALPNProtocols ?? ['http/1.1'] })
      : tcp;
    const ready = opts.protocol === 'https:' ? 'secureConnect' : 'connect';
    const onError = (error: Error) => callback(error);
    socket.once('error', onError);
    socket.once(ready, () => {
      socket.off('error', onError);
      callback(null, socket);
    });
    return socket;
  };
}
