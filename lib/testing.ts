/**
 * Hooks for the test suite: what the library hands the addon, made observable
 * without a spy. Not part of the package's API: the index does not export this
 * module, so its types are not in the public declarations.
 * @internal
 * @module
 */
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

/** What WskDriver.stop() does first on Windows: cancel this process's IOCTLs in flight and wait for them. */
export function interruptDriverRequests(): Promise<void> {
  return interruptIoctlsInFlight(loadBinding());
}
