/**
 * The shapes every function returns.
 * @module
 */
import type net from 'node:net';

/** An endpoint as Node reports them. IPv4-mapped IPv6 addresses are shown as IPv4. */
export interface AddressInfo {
  /**
   * The IP literal, e.g. `'127.0.0.1'` or `'::1'`. A non-zero IPv6 scope id is
   * appended numerically (`'fe80::1%3'`).
   */
  address: string;
  /** `'IPv4'` or `'IPv6'`, the family of {@link AddressInfo.address} as shown. */
  family: 'IPv4' | 'IPv6';
  /** The port, 0–65535. */
  port: number;
}

/** The Winsock call that made the connection (or failed). */
export type ConnectSyscall = 'WSAConnectByName' | 'WSAConnectByList' | 'WSAConnect';

/** How connectByList connected: ws2_32's WSAConnectByList, or our race of WSAConnect attempts. */
export type ListStrategy = 'system' | 'race';

/** One endpoint tried by connectByList. */
export interface ConnectAttempt {
  /**
   * The endpoint's IP literal: as you gave it for `'race'`; for `'system'` the one
   * WSAConnectByList connected to (from getpeername), since the OS does not say
   * which others it tried.
   */
  address: string;
  /** The endpoint's port. */
  port: number;
  /** The family of {@link ConnectAttempt.address}. */
  family: 'IPv4' | 'IPv6';
  /**
   * 'connected' won; 'failed' got an error (see code/errno); 'cancelled' was
   * still connecting when another won or the call ended; 'not-started' never began.
   */
  outcome: 'connected' | 'failed' | 'cancelled' | 'not-started';
  /** Winsock error name for a failed attempt, e.g. 'WSAECONNREFUSED'. */
  code?: string;
  /** Winsock error number for a failed attempt, e.g. `10061` ({@link WsaError}). */
  errno?: number;
  /** When the attempt began, ms after the call started. */
  startedAtMs?: number;
  /** How long the attempt ran, ms. */
  elapsedMs?: number;
}

/** A connected TCP socket and how it was connected. */
export interface Connection {
  /** The connected socket, ready for data (and for tls.connect({ socket })). */
  socket: net.Socket;
  /**
   * The real local endpoint, from getsockname on {@link Connection.socket} the first
   * time it is read (no system call until then), and kept once read. Read
   * it before destroying the socket: one destroyed unasked has none (undefined), as
   * `net.Socket#localAddress`.
   */
  localAddress: AddressInfo;
  /** The peer the socket is connected to: getpeername, read as {@link Connection.localAddress}. */
  remoteAddress: AddressInfo;
  /**
   * The Winsock call that made the connection: `'WSAConnectByName'` (connectByName),
   * `'WSAConnectByList'` (connectByList, `'system'`) or `'WSAConnect'` (wsaConnect,
   * and each attempt of connectByList's `'race'`).
   */
  syscall: ConnectSyscall;
  /** connectByList only: which strategy ran. */
  strategy?: ListStrategy;
  /** connectByList only: each endpoint tried, with its outcome and timing. */
  attempts?: ConnectAttempt[];
  /** WSAConnect only: connect data returned by the peer, when the provider returned any. */
  calleeData?: Buffer;
  /** Wall time from the call to the connected socket, ms. */
  elapsedMs: number;
}
