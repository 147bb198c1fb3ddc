/**
 * Hooks for the test suite: what the library hands the addon, made observable
 * without a spy. Not part of the package's API: the index does not export this
 * module, so its types are not in the public declarations.
 * @internal
 * @module
 */
import type net from 'node:net';
import { loadBinding, type NativeWsaConnectDescription } from './native';
import { nativeWsaConnectRequest, type WsaConnectOptions } from './WSAConnect';
import { interruptIoctlsInFlight } from './WskDriver';

/**
 * wsaConnect's options as WSAConnect would get them: validated by the library, then
 * read by the addon's own request reader (FLOWSPEC defaults included). Nothing connects.
 */
export function describeWsaConnectRequest(options: WsaConnectOptions): NativeWsaConnectDescription {
  return loadBinding().testing.describeWsaConnectRequest(nativeWsaConnectRequest(options));
}

/**
 * TCP_NODELAY and SO_KEEPALIVE as the SOCKET under a connected `net.Socket` holds
 * them (libuv's handle knows its SOCKET as `fd` on Windows).
 */
export function socketOptions(socket: net.Socket): { noDelay: boolean; keepAlive: boolean } {
  const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
  if (typeof fd !== 'number' || fd < 0) throw new Error('socketOptions: the socket holds no SOCKET (not connected?)');
  return loadBinding().testing.socketOptions(fd);
}

/** What WskDriver.stop() does first on Windows: cancel this process's IOCTLs in flight and wait for them. */
export function interruptDriverRequests(): Promise<void> {
  return interruptIoctlsInFlight(loadBinding());
}
