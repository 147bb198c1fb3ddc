/**
 * What this process can do: Windows or not, Wine or not, which optional Winsock
 * functions the running ws2_32.dll exports.
 * @module
 */
import { WinsockPlatformError } from './errors';
import { loadBinding } from './native';

/**
 * What {@link platformInfo} reports. Off Windows, or when the addon cannot load, it
 * is `{ supported: false, wine: null, connectByList: false }`.
 */
export interface PlatformInfo {
  /** True on Windows when the addon loaded (the same answer as {@link isSupported}). */
  supported: boolean;
  /** Wine's version string (from ntdll's wine_get_version) when this "Windows" is Wine, else null. */
  wine: string | null;
  /**
   * Whether ws2_32.dll exports WSAConnectByList (Wine 8 does not). When false,
   * connectByList's `strategy: 'system'` rejects with `ERR_WINSOCK_FUNCTION_UNAVAILABLE`
   * and `'auto'` races.
   */
  connectByList: boolean;
}

/** True when the addon is usable here (Windows, addon loaded). Never throws. */
export function isSupported(): boolean {
  try {
    loadBinding();
    return true;
  } catch {
    return false;
  }
}

/** Facts about the running Winsock; `supported: false` off Windows. Never throws. */
export function platformInfo(): PlatformInfo {
  try {
    const p = loadBinding().platform();
    return { supported: true, wine: p.wine, connectByList: p.connectByList };
  } catch {
    return { supported: false, wine: null, connectByList: false };
  }
}

export function functionUnavailable(fn: string): WinsockPlatformError {
  const wine = platformInfo().wine;
  const where = wine ? `Wine ${wine}'s ws2_32.dll does not implement it` : 'this ws2_32.dll does not export it';
  return new WinsockPlatformError('ERR_WINSOCK_FUNCTION_UNAVAILABLE', `${fn} is unavailable: ${where}`, { function: fn });
}
