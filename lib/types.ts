/**
 * The shapes every function returns.
 * @module
 */
import type net from 'node:net';

/** An endpoint as Node reports them. IPv4-mapped IPv6 addresses are shown as IPv4. */
export interface AddressInfo {
  address: string;
  family: 'IPv4' | 'IPv6';
  port: number;
}

/** The Winsock call that made the connection (or failed). */
export type ConnectSyscall = 'WSAConnectByName' | 'WSAConnectByList' | 'WSAConnect' | 'ConnectEx';

/** How connectByList connected: ws2_32's WSAConnectByList, or our ConnectEx race. */
export type ListStrategy = 'system' | 'race';

/** One endpoint tried by connectByList. */
export interface ConnectAttempt {
  address: string;
  port: number;
  family: 'IPv4' | 'IPv6';
  /**
   * 'connected' won; 'failed' got an error (see code/errno); 'cancelled' was
   * still connecting when another won or the call ended; 'not-started' never began.
   */
  outcome: 'connected' | 'failed' | 'cancelled' | 'not-started';
  /** Winsock error name for a failed attempt, e.g. 'WSAECONNREFUSED'. */
  code?: string;
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
  /** The real local endpoint (from getsockname: the OS may report port 0 otherwise). */
  localAddress: AddressInfo;
  remoteAddress: AddressInfo;
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
