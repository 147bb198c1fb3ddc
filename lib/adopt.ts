/**
 * Handing a connected SOCKET to Node. `net.Socket({ fd })` can't do it on Windows
 * (libuv reads the number as a C-runtime fd); what works is libuv's own TCP/UDP
 * handle, opened on the SOCKET, passed as `net.Socket({ handle })`. Both come from
 * process.binding, which Node's permission model forbids: then adoption is
 * reported as unavailable, before any connect is attempted.
 * @module
 */
import net from 'node:net';
import { WinsockPlatformError } from './errors';
import type { NativeSocketHandle } from './native';

interface LibuvHandle {
  open(socket: number): number;
  close(callback?: () => void): void;
}

interface TcpWrapBinding {
  TCP: new (type: number) => LibuvHandle;
  constants: { SOCKET: number };
}

export interface UdpHandle extends LibuvHandle {
  recvStart(): number;
  recvStop(): number;
  send(req: object, buffers: Uint8Array[], count: number, hasCallback: boolean): number;
  ref(): void;
  unref(): void;
  onmessage?: (nread: number, handle: unknown, buffer: Buffer, rinfo: { address: string; family: string; port: number }) => void;
}

export interface UdpWrapBinding {
  UDP: new () => UdpHandle;
  SendWrap: new () => { oncomplete?: (status: number, sent: number) => void };
}

type LegacyBinding = (name: string) => unknown;

/**
 * Under --pending-deprecation, process.binding emits DEP0111; with
 * --throw-deprecation that warning is thrown from a later tick, where no catch of
 * ours can reach it, and the process dies. Adoption is refused up front instead.
 */
function deprecationWouldThrow(): boolean {
  if (!(process as { throwDeprecation?: boolean }).throwDeprecation) return false;
  const flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  return flags.includes('--pending-deprecation') || process.env.NODE_PENDING_DEPRECATION === '1';
}

function internalBinding<T>(name: string): T {
  if (deprecationWouldThrow()) {
    throw new WinsockPlatformError('ERR_WINSOCK_ADOPTION_UNAVAILABLE',
      `cannot hand the connected SOCKET to Node: process.binding('${name}') is deprecated (DEP0111), and under` +
      ' --pending-deprecation with --throw-deprecation its warning would be thrown where nothing can catch it');
  }
  try {
    return (process as unknown as { binding: LegacyBinding }).binding(name) as T;
  } catch (cause) {
    throw new WinsockPlatformError('ERR_WINSOCK_ADOPTION_UNAVAILABLE',
      `cannot hand the connected SOCKET to Node: process.binding('${name}') failed` +
      ` (${(cause as Error).message}); under the permission model it is not allowed`, { cause });
  }
}

/** Throws ERR_WINSOCK_ADOPTION_UNAVAILABLE when sockets could not be adopted here. */
export function assertAdoptionAvailable(protocol: 'tcp' | 'udp'): void {
  internalBinding(protocol === 'tcp' ? 'tcp_wrap' : 'udp_wrap');
}

/** The error when libuv would not open a handle on our SOCKET. */
export function adoptionFailed(kind: 'TCP' | 'UDP', status: number): WinsockPlatformError {
  return new WinsockPlatformError('ERR_WINSOCK_ADOPTION_UNAVAILABLE', `libuv refused the ${kind} SOCKET (uv error ${status})`);
}

function openOrThrow(socket: NativeSocketHandle, handle: LibuvHandle, kind: 'TCP'): void {
  const status = socket.handOver((raw) => handle.open(raw));
  if (status !== 0) {
    handle.close();
    socket.close();
    throw adoptionFailed(kind, status);
  }
}

/** A connected TCP SOCKET becomes a net.Socket; libuv owns and closes it from here on. */
export function adoptTcpSocket(socket: NativeSocketHandle): net.Socket {
  const { TCP, constants } = internalBinding<TcpWrapBinding>('tcp_wrap');
  const handle = new TCP(constants.SOCKET);
  openOrThrow(socket, handle, 'TCP');
  return new net.Socket({ handle, readable: true, writable: true } as net.SocketConstructorOpts);
}

/** A connected UDP SOCKET becomes a libuv UDP handle (used by DatagramConnection). */
export function adoptUdpSocket(socket: NativeSocketHandle): { handle: UdpHandle; wrap: UdpWrapBinding; raw: number } {
  const wrap = internalBinding<UdpWrapBinding>('udp_wrap');
  const handle = new wrap.UDP();
  let raw = -1;
  const status = socket.handOver((value) => {
    raw = value;
    return handle.open(value);
  });
  if (status !== 0) {
    handle.close();
    socket.close();
    throw adoptionFailed('UDP', status);
  }
  return { handle, wrap, raw };
}
