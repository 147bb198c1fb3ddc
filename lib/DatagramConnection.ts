/**
 * A connected UDP socket from wsaConnect({ protocol: 'udp' }). Winsock keeps one
 * default destination: send() goes there and datagrams from anyone else are
 * discarded. connect() changes it with another WSAConnect (queued datagrams from
 * the old peer are dropped, as the documentation says).
 * @module
 */
import { EventEmitter } from 'node:events';
import { getSystemErrorName } from 'node:util';
import { isUint8Array } from 'node:util/types';
import type { UdpHandle, UdpWrapBinding } from './adopt';
import { WinsockError, WsaError } from './errors';
import { loadBinding } from './native';
import type { AddressInfo } from './types';
import { invalidArgType, validateDestinationAddress, validateRemotePort } from './validate';

/**
 * Who sent a datagram, as the second argument of the `'message'` event. Always
 * the connected peer: Winsock discards datagrams from any other address.
 */
export interface DatagramInfo extends AddressInfo {
  /** The datagram's length in bytes (the same as the data Buffer's `length`). */
  size: number;
}

function libuvError(status: number, syscall: string): NodeJS.ErrnoException {
  const code = getSystemErrorName(status);
  const error: NodeJS.ErrnoException = new Error(`${syscall} ${code}`);
  error.code = code;
  error.errno = status;
  error.syscall = syscall;
  return error;
}

/** What Node's dgram says when a closed socket is used. */
function notRunning(): Error & { code: string } {
  return Object.assign(new Error('Not running'), { code: 'ERR_SOCKET_DGRAM_NOT_RUNNING' });
}

/**
 * A connected UDP socket, made by {@link wsaConnect} with `protocol: 'udp'`; libuv
 * owns the SOCKET. {@link DatagramConnection.send} goes to the default destination,
 * {@link DatagramConnection.connect} changes it.
 *
 * Events: 'message' (data: Buffer, from: DatagramInfo), 'error' (Error), 'close'.
 */
export class DatagramConnection extends EventEmitter {
  /** The local endpoint the socket is bound to. */
  readonly localAddress: AddressInfo;
  #remoteAddress: AddressInfo | undefined;
  private readonly handle: UdpHandle;
  private readonly wrap: UdpWrapBinding;
  private readonly raw: number;
  private closed = false;

  /** @internal Made by wsaConnect. */
  constructor(adopted: { handle: UdpHandle; wrap: UdpWrapBinding; raw: number }, local: AddressInfo, remote: AddressInfo) {
    super();
    this.handle = adopted.handle;
    this.wrap = adopted.wrap;
    this.raw = adopted.raw;
    this.localAddress = local;
    this.#remoteAddress = remote;
    this.handle.onmessage = (nread, _handle, buffer, rinfo) => {
      if (nread < 0) {
        this.emit('error', libuvError(nread, 'recvmsg'));
        return;
      }
      const from: DatagramInfo = { address: rinfo.address, family: rinfo.family === 'IPv6' ? 'IPv6' : 'IPv4', port: rinfo.port, size: buffer.length };
      this.emit('message', buffer, from);
    };
    const status = this.handle.recvStart();
    if (status < 0) queueMicrotask(() => this.emit('error', libuvError(status, 'recvStart')));
  }

  /**
   * The default destination, as getpeername reports it (an IPv4-mapped address as
   * IPv4); undefined after {@link DatagramConnection.disconnect}.
   */
  get remoteAddress(): AddressInfo | undefined {
    return this.#remoteAddress;
  }

  /** Sends one datagram to the default destination. */
  async send(data: string | Uint8Array): Promise<void> {
    // async, so that every failure is a rejection, even describing a value whose
    // inspection throws (a Proxy). libuv's send takes only real typed arrays:
    // anything else fails a CHECK in node::Buffer::Length, which aborts the process.
    if (typeof data !== 'string' && !isUint8Array(data)) {
      throw invalidArgType('data', 'of type string or an instance of Buffer or Uint8Array', data);
    }
    if (this.closed) throw notRunning();
    if (!this.#remoteAddress) throw new WinsockError(WsaError.WSAENOTCONN, 'send', {});
    const buffer = typeof data === 'string' ? Buffer.from(data) : data;
    return new Promise((resolve, reject) => {
      const req = new this.wrap.SendWrap();
      req.oncomplete = (status) => (status < 0 ? reject(libuvError(status, 'send')) : resolve());
      const status = this.handle.send(req, [buffer], 1, true);
      if (status >= 1) resolve(); // sent synchronously (libuv returns length + 1)
      else if (status < 0) reject(libuvError(status, 'send'));
    });
  }

  /**
   * Changes the default destination with WSAConnect (datagrams already queued from
   * the old peer are dropped, as Microsoft documents). `address` must name a peer
   * (not 0.0.0.0 or ::: use {@link DatagramConnection.disconnect}) and `port` be
   * 1–65535; else a TypeError/RangeError before any native call.
   */
  async connect(address: string, port: number): Promise<void> {
    validateDestinationAddress(address, 'address');
    // Port 0 names no peer: a default destination on it would be no destination.
    validateRemotePort(port, 'port');
    if (this.closed) throw new WinsockError(WsaError.WSAENOTSOCK, 'WSAConnect', { address, port });
    const binding = loadBinding();
    const errno = binding.udpSetPeer(this.raw, address, port);
    if (errno !== 0) throw new WinsockError(errno, 'WSAConnect', { address, port });
    this.#remoteAddress = binding.udpPeer(this.raw) ?? undefined;
  }

  /**
   * Dissolves the association (WSAConnect with an all-zero name): the default
   * destination is gone, so {@link DatagramConnection.send} rejects with
   * `WSAENOTCONN` and datagrams from any address arrive again, until
   * {@link DatagramConnection.connect} sets a new one.
   */
  async disconnect(): Promise<void> {
    if (this.closed) throw new WinsockError(WsaError.WSAENOTSOCK, 'WSAConnect', {});
    const errno = loadBinding().udpDisconnect(this.raw);
    if (errno !== 0) throw new WinsockError(errno, 'WSAConnect', {});
    this.#remoteAddress = undefined;
  }

  /** Stops receiving and closes the socket (libuv closes the SOCKET). */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return new Promise((resolve) => {
      this.handle.recvStop();
      this.handle.close(() => {
        this.emit('close');
        resolve();
      });
    });
  }

  /**
   * Stops reading: datagrams wait in the socket's receive queue (up to its buffer
   * size; beyond it the OS drops them) until {@link DatagramConnection.resume}.
   */
  pause(): this {
    if (!this.closed) this.handle.recvStop();
    return this;
  }

  /** Reads again after {@link DatagramConnection.pause}: queued datagrams arrive as `'message'`. */
  resume(): this {
    if (!this.closed) {
      const status = this.handle.recvStart();
      // Node's UDP wrap already answers 0 when it is reading (libuv's UV_EALREADY).
      if (status < 0) queueMicrotask(() => this.emit('error', libuvError(status, 'recvStart')));
    }
    return this;
  }

  /**
   * Like dgram's `socket.ref()`: the socket keeps the event loop alive again (the
   * default; it always receives, so a ref'd socket keeps the process running until
   * {@link DatagramConnection.close}). Returns this.
   */
  ref(): this {
    this.handle.ref();
    return this;
  }

  /**
   * Like dgram's `socket.unref()`: the socket no longer keeps the event loop alive,
   * so the process can exit while it is still open and receiving. Returns this.
   */
  unref(): this {
    this.handle.unref();
    return this;
  }
}
