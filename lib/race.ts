/**
 * connectByList's 'race' strategy, in the spirit of Happy Eyeballs v2 (RFC 8305):
 * each attempt is a non-blocking WSAConnect (native/addon/WSAConnect.cc, the job
 * wsaConnect runs), waiting on the connect waiter with every other connect.
 * Attempts start in the caller's order, one every `attemptDelay` ms, or at once when
 * the previous one fails; the first to connect wins and every other attempt is
 * abandoned, which closes its socket and so ends its connect. The race's deadline
 * and the caller's abort follow jobs.ts's rules (listenForAbort, timeoutErrorFor)
 * and end the race itself, which then cancels its attempts: one signal, the race's
 * own, reaches them.
 * @module
 */
import { isIPv6 } from 'node:net';
import { performance } from 'node:perf_hooks';
import { connectionFromResult, errorFromResult, type Adopter } from './connection';
import { WinsockError, WsaError, wsaErrorName } from './errors';
import { abortErrorFor, listenForAbort, runJob, timeoutErrorFor } from './jobs';
import type { NativeBinding, NativeEndpoint, NativeResult, NativeWsaConnectRequest } from './native';
import type { ConnectAttempt, Connection } from './types';

/** A validated race: the endpoints in order, the stagger, the deadline (0: none) and the caller's signal. */
export interface RaceRequest {
  endpoints: NativeEndpoint[];
  attemptDelayMs: number;
  timeoutMs: number;
  signal?: AbortSignal;
}

interface RaceOutcome {
  /** The winner; else the last failure. */
  result: NativeResult;
  attempts: ConnectAttempt[];
  /** Set when the deadline or the caller's abort ended the race. */
  stoppedBy?: Error;
}

/** One attempt: a plain TCP WSAConnect to the endpoint (no local address, caller data or QoS). */
function attemptRequest(endpoint: NativeEndpoint): NativeWsaConnectRequest {
  return { address: endpoint.address, port: endpoint.port, protocol: 'tcp', broadcast: false };
}

class Race {
  private readonly startedAt = performance.now();
  private readonly attempts: ConnectAttempt[];
  private readonly running = new Set<number>();
  private readonly cancelAttempts = new AbortController();
  private next = 0;
  private done = false;
  private stagger: NodeJS.Timeout | undefined;
  private deadline: NodeJS.Timeout | undefined;
  private stopListening = (): void => {};
  private lastFailure: NativeResult | undefined;

  constructor(
    private readonly binding: NativeBinding,
    private readonly request: RaceRequest,
    private readonly resolve: (outcome: RaceOutcome) => void,
  ) {
    this.attempts = request.endpoints.map((e) => ({
      address: e.address, port: e.port, family: isIPv6(e.address) ? 'IPv6' : 'IPv4', outcome: 'not-started',
    }));
  }

  /** Throws only what the caller's signal-like object throws, before anything started. */
  start(): void {
    const { signal, timeoutMs } = this.request;
    this.stopListening = listenForAbort(signal, () => this.stop(abortErrorFor(signal as AbortSignal)));
    if (this.done) return; // a signal-like object that aborted while we subscribed
    if (timeoutMs > 0) this.deadline = setTimeout(() => this.stop(timeoutErrorFor('WSAConnect', {})()), timeoutMs);
    this.startNext();
  }

  private elapsed(): number {
    return performance.now() - this.startedAt;
  }

  private stop(error: Error): void {
    this.finish({ errno: WsaError.WSA_OPERATION_ABORTED, syscall: 'WSAConnect' }, error);
  }

  private startNext(): void {
    if (this.stagger) clearTimeout(this.stagger);
    const { endpoints, attemptDelayMs } = this.request;
    if (this.done || this.next >= endpoints.length) return;
    const index = this.next++;
    this.running.add(index);
    this.attempts[index].startedAtMs = this.elapsed();
    runJob(this.binding, () => this.binding.wsaConnect(attemptRequest(endpoints[index])), { timeoutMs: 0, signal: this.cancelAttempts.signal }).then(
      (result) => (this.done ? result.socket?.close() : this.settle(index, result)),
      () => { /* cancelled because the race is over; finish() recorded it */ },
    );
    if (this.next < endpoints.length) this.stagger = setTimeout(() => this.startNext(), attemptDelayMs);
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
    if (this.next < this.request.endpoints.length) this.startNext(); // a failure starts the next at once
    else if (this.running.size === 0) this.finish(result);
  }

  private finish(result: NativeResult, stoppedBy?: Error): void {
    if (this.done) return;
    this.done = true;
    if (this.stagger) clearTimeout(this.stagger);
    if (this.deadline) clearTimeout(this.deadline);
    this.stopListening();
    for (const index of this.running) {
      this.attempts[index].outcome = 'cancelled';
      this.attempts[index].elapsedMs = this.elapsed() - (this.attempts[index].startedAtMs ?? 0);
    }
    // Only attempts still running listen: a lone winner's race makes no AbortError (a DOMException and its stack).
    if (this.running.size > 0) this.cancelAttempts.abort();
    this.running.clear();
    const answer = stoppedBy && this.lastFailure ? this.lastFailure : result;
    this.resolve({ result: answer, attempts: this.attempts, stoppedBy });
  }
}

/**
 * Runs the race and turns its outcome into a {@link Connection} ('race' strategy,
 * with `attempts`) or an error: the deadline's WSAETIMEDOUT or the caller's
 * AbortError when either ended it, else the last failure; a WinsockError carries
 * `attempts`.
 */
export async function connectByRace(binding: NativeBinding, request: RaceRequest, startedAt: number, adopt: Adopter): Promise<Connection> {
  if (request.signal?.aborted) throw abortErrorFor(request.signal);
  const outcome = await new Promise<RaceOutcome>((resolve) => new Race(binding, request, resolve).start());
  if (outcome.stoppedBy) {
    outcome.result.socket?.close();
    if (outcome.stoppedBy instanceof WinsockError) outcome.stoppedBy.attempts = outcome.attempts;
    throw outcome.stoppedBy;
  }
  if (outcome.result.errno !== 0) {
    const error = errorFromResult(outcome.result, {});
    error.attempts = outcome.attempts;
    throw error;
  }
  return connectionFromResult(outcome.result, startedAt, { strategy: 'race', attempts: outcome.attempts }, adopt);
}
