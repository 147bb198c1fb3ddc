/**
 * The 'race' strategy of connectByList, in the spirit of Happy Eyeballs v2
 * (RFC 8305): overlapped ConnectEx attempts start in the caller's order, one every
 * `attemptDelay` ms, or at once when the previous one fails; the first to connect
 * wins and every other attempt is cancelled and closed.
 * @module
 */
import { performance } from 'node:perf_hooks';
import { isIPv6 } from 'node:net';
import { connectEx } from './ConnectEx';
import { WsaError, wsaErrorName } from './errors';
import type { NativeBinding, NativeEndpoint, NativeResult } from './native';
import type { ConnectAttempt } from './types';

export interface RaceOutcome {
  /** The winner; else the last failure; else (stopped early) an aborted result. */
  result: NativeResult;
  attempts: ConnectAttempt[];
}

export interface RaceControl {
  /** Ends the race early (deadline or abort): running attempts are cancelled. */
  signal: AbortSignal;
  attemptDelayMs: number;
}

class Race {
  private readonly startedAt = performance.now();
  private readonly attempts: ConnectAttempt[];
  private readonly running = new Set<number>();
  private readonly cancelAttempts = new AbortController();
  private next = 0;
  private done = false;
  private stagger: NodeJS.Timeout | undefined;
  private lastFailure: NativeResult | undefined;

  constructor(
    private readonly binding: NativeBinding,
    private readonly endpoints: NativeEndpoint[],
    private readonly control: RaceControl,
    private readonly resolve: (outcome: RaceOutcome) => void,
  ) {
    this.attempts = endpoints.map((e) => ({
      address: e.address, port: e.port, family: isIPv6(e.address) ? 'IPv6' : 'IPv4', outcome: 'not-started',
    }));
  }

  start(): void {
    if (this.control.signal.aborted) return this.stopEarly();
    this.control.signal.addEventListener('abort', this.stopEarly, { once: true });
    this.startNext();
  }

  private elapsed(): number {
    return performance.now() - this.startedAt;
  }

  private readonly stopEarly = (): void => {
    this.finish({ errno: WsaError.WSA_OPERATION_ABORTED, syscall: 'ConnectEx' });
  };

  private startNext(): void {
    if (this.stagger) clearTimeout(this.stagger);
    if (this.done || this.next >= this.endpoints.length) return;
    const index = this.next++;
    this.running.add(index);
    this.attempts[index].startedAtMs = this.elapsed();
    connectEx(this.binding, this.endpoints[index], this.cancelAttempts.signal).then(
      (result) => (this.done ? result.socket?.close() : this.settle(index, result)),
      () => { /* cancelled because the race is over; finish() recorded it */ },
    );
    if (this.next < this.endpoints.length) this.stagger = setTimeout(() => this.startNext(), this.control.attemptDelayMs);
  }

  private settle(index: number, result: NativeResult): void {
    this.running.delete(index);
    const attempt = this.attempts[index];
    attempt.elapsedMs = this.elapsed() - (attempt.startedAtMs ?? 0);
    if (result.errno === 0) {
      attempt.outcome = 'connected';
      return this.finish(result);
    }
    attempt.outcome = 'failed';
    attempt.code = wsaErrorName(result.errno);
    attempt.errno = result.errno;
    this.lastFailure = result;
    if (this.next < this.endpoints.length) this.startNext(); // a failure starts the next at once
    else if (this.running.size === 0) this.finish(result);
  }

  private finish(result: NativeResult): void {
    if (this.done) return;
    this.done = true;
    if (this.stagger) clearTimeout(this.stagger);
    this.control.signal.removeEventListener('abort', this.stopEarly);
    for (const index of this.running) {
      this.attempts[index].outcome = 'cancelled';
      this.attempts[index].elapsedMs = this.elapsed() - (this.attempts[index].startedAtMs ?? 0);
    }
    this.running.clear();
    this.cancelAttempts.abort();
    this.resolve({ result: result.errno === WsaError.WSA_OPERATION_ABORTED && this.lastFailure ? this.lastFailure : result, attempts: this.attempts });
  }
}

/** Runs the race; never rejects (the caller turns the outcome into a Connection or an error). */
export function race(binding: NativeBinding, endpoints: NativeEndpoint[], control: RaceControl): Promise<RaceOutcome> {
  return new Promise((resolve) => new Race(binding, endpoints, control, resolve).start());
}
