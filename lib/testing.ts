/**
 * Hooks for the test suite: what the library hands the addon, made observable
 * without a spy. Not part of the package's API: the index does not export this
 * module, so its types are not in the public declarations.
 * @internal
 * @module
 */
import { loadBinding, type NativeWsaConnectDescription } from './native';
import { nativeWsaConnectRequest, type WsaConnectOptions } from './WSAConnect';

/**
 * wsaConnect's options as WSAConnect would get them: validated by the library, then
 * read by the addon's own request reader (FLOWSPEC defaults included). Nothing connects.
 */
export function describeWsaConnectRequest(options: WsaConnectOptions): NativeWsaConnectDescription {
  return loadBinding().testing.describeWsaConnectRequest(nativeWsaConnectRequest(options));
}
