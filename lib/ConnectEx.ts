/**
 * One overlapped ConnectEx attempt as a promise (the building block of the race strategy).
 * @module
 */
import { runJob } from './jobs';
import type { NativeBinding, NativeEndpoint, NativeResult } from './native';

/**
 * Resolves with the raw result (connected or an OS error); rejects with an
 * AbortError when `signal` aborts, which cancels the connect (CancelIoEx) and
 * closes its socket.
 */
export function connectEx(binding: NativeBinding, endpoint: NativeEndpoint, signal: AbortSignal): Promise<NativeResult> {
  // No deadline of its own: the race's deadline ends it through `signal`.
  return runJob(binding, () => binding.connectEx(endpoint), { timeoutMs: 0, signal });
}
