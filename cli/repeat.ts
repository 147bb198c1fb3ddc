/**
 * wsconnect's repeated runs. `--wait`: retry until connected or the deadline
 * passes (the "wait until the service is up" step of a CI job, as wait-on and
 * wait-port do); `--count`: connect n times and summarize the latencies, as
 * Sysinternals psping does. Each attempt is one ordinary run (cli.ts).
 * @module
 */
import { performance } from 'node:perf_hooks';
import type { CliFunction, CliRequest } from './args';
import { AbortError } from 'winsock-connect';
import {
  describeFailure, ExitCode, failureJsonLines, formatFailure, formatOutcome, jsonLine, outcomeJsonLines, requestTarget,
  type CliFailure, type CliOutcome,
} from './output';

/** Where output goes. `progress`, when given (a TTY), rewrites one status line in place. */
export interface RepeatIo {
  out(line: string): void;
  err(line: string): void;
  progress?(line: string): void;
}

type RunOnce = (request: CliRequest) => Promise<CliOutcome>;

/** Failures no retry can fix: bad arguments, no Winsock, no driver, a bug, Ctrl+C. */
const FINAL_KINDS = new Set(['usage', 'unsupported', 'driver', 'internal', 'interrupted']);

const ms = (value: number): string => `${value.toFixed(1)} ms`;
const intervalOf = (request: CliRequest): number => request.interval ?? 0;

/** Sleeps `delay` ms; false when `signal` aborted first. */
function pause(delay: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (completed: boolean): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(completed);
    };
    const onAbort = (): void => done(false);
    const timer = setTimeout(() => done(true), delay);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function interrupted(request: CliRequest): CliFailure {
  const failure = describeFailure(new AbortError(), request.function);
  failure.target = requestTarget(request);
  return failure;
}

function printFailure(io: RepeatIo, request: CliRequest, failure: CliFailure): number {
  for (const line of request.json ? failureJsonLines(failure) : formatFailure(failure)) (request.json ? io.out : io.err)(line);
  return failure.exitCode;
}

/** One attempt: the outcome, or the failure as the CLI describes it. */
async function attempt(once: RunOnce, request: CliRequest): Promise<{ outcome?: CliOutcome; failure?: CliFailure; elapsedMs: number }> {
  const started = performance.now();
  try {
    return { outcome: await once(request), elapsedMs: performance.now() - started };
  } catch (error) {
    const failure = describeFailure(error, request.function);
    failure.target = requestTarget(request);
    failure.elapsedMs = performance.now() - started;
    return { failure, elapsedMs: failure.elapsedMs };
  }
}

/**
 * --wait: attempts until one connects (exit 0, its result printed) or `wait` ms
 * have passed (exit 3), one line per attempt; a final failure (usage, no
 * Winsock, no driver) ends at once with its own exit code.
 */
export async function runWait(request: CliRequest, io: RepeatIo, once: RunOnce, signal?: AbortSignal): Promise<number> {
  const wait = request.wait as number;
  const started = performance.now();
  const left = (): number => wait - (performance.now() - started);
  for (let n = 1; ; n++) {
    const timeout = Math.max(1, Math.ceil(request.timeout > 0 ? Math.min(request.timeout, left()) : left()));
    const result = await attempt(once, { ...request, timeout });
    if (result.outcome) {
      io.progress?.('');
      waitLine(io, request, n, 'connected', result.elapsedMs, null);
      for (const line of request.json ? outcomeJsonLines(result.outcome) : formatOutcome(result.outcome)) io.out(line);
      return ExitCode.connected;
    }
    const failure = result.failure as CliFailure;
    if (FINAL_KINDS.has(failure.kind)) {
      io.progress?.('');
      return printFailure(io, request, failure);
    }
    const retry = left() > intervalOf(request);
    waitLine(io, request, n, failure.code, result.elapsedMs, retry ? intervalOf(request) : null);
    if (!retry) {
      io.progress?.('');
      const summary = `not connected after ${n} attempt${n === 1 ? '' : 's'} in ${ms(performance.now() - started)} (--wait ${wait}); the last failed with ${failure.code}`;
      const gaveUp: CliFailure = { ...failure, kind: 'timeout', exitCode: ExitCode.timedOut, message: summary, hint: summary, elapsedMs: performance.now() - started };
      return printFailure(io, request, gaveUp);
    }
    if (!(await pause(intervalOf(request), signal))) return printFailure(io, request, interrupted(request));
  }
}

function waitLine(io: RepeatIo, request: CliRequest, n: number, outcome: string, elapsedMs: number, retryInMs: number | null): void {
  if (request.json) {
    io.out(jsonLine({ event: 'wait', function: request.function, target: requestTarget(request), attempt: n, outcome, elapsedMs, retryInMs }));
    return;
  }
  const text = `attempt ${n}: ${outcome} after ${ms(elapsedMs)}${retryInMs !== null ? `; again in ${retryInMs} ms` : ''}`;
  if (io.progress && retryInMs !== null) io.progress(`waiting for ${requestTarget(request)}: ${text}`);
  else io.out(text);
}

/** min, median, p90, p99, max of `values` (nearest rank), in ms. */
export function latencySummary(values: number[]): { min: number; median: number; p90: number; p99: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
  return { min: sorted[0], median: rank(50), p90: rank(90), p99: rank(99), max: sorted[sorted.length - 1] };
}

/** A text histogram of `values`: up to `bins` equal-width rows between min and max. */
export function histogram(values: number[], bins = 8, width = 30): string[] {
  if (values.length === 0) return [];
  const min = Math.min(...values);
  const max = Math.max(...values);
  const rows = max === min ? 1 : bins;
  const step = (max - min) / rows || 1;
  const counts = new Array<number>(rows).fill(0);
  for (const v of values) counts[Math.min(rows - 1, Math.floor((v - min) / step))]++;
  const most = Math.max(...counts);
  return counts.map((count, i) => {
    const from = min + i * step;
    const to = rows === 1 ? max : from + step;
    const bar = '#'.repeat(Math.round((count / most) * width));
    return `  ${from.toFixed(2).padStart(8)} - ${to.toFixed(2).padStart(8)} ms | ${bar.padEnd(width)} ${count}`;
  });
}

/**
 * --count: `count` connects, `interval` ms apart; each one's latency (the
 * connect's own time) or error, then the summary and a histogram. Exit 0 when
 * every connect succeeded, else the exit code of the last failure.
 */
export async function runCount(request: CliRequest, io: RepeatIo, once: RunOnce, signal?: AbortSignal): Promise<number> {
  const count = request.count as number;
  const latencies: number[] = [];
  let lastFailure: CliFailure | undefined;
  for (let n = 1; n <= count; n++) {
    const result = await attempt(once, request);
    if (result.outcome) {
      latencies.push(result.outcome.elapsedMs);
      countLine(io, request, n, result.outcome, null);
    } else {
      const failure = result.failure as CliFailure;
      if (FINAL_KINDS.has(failure.kind)) return printFailure(io, request, failure);
      lastFailure = failure;
      countLine(io, request, n, null, failure);
    }
    if (n < count && !(await pause(intervalOf(request), signal))) return printFailure(io, request, interrupted(request));
  }
  printSummary(io, request, latencies, count - latencies.length);
  return lastFailure ? lastFailure.exitCode : ExitCode.connected;
}

function countLine(io: RepeatIo, request: CliRequest, n: number, outcome: CliOutcome | null, failure: CliFailure | null): void {
  if (request.json) {
    io.out(jsonLine(outcome
      ? { event: 'connect', function: request.function, index: n, ok: true, syscall: outcome.syscall, elapsedMs: outcome.elapsedMs, local: outcome.local, remote: outcome.remote }
      : { event: 'connect', function: request.function, index: n, ok: false, code: failure?.code, errno: failure?.errno, elapsedMs: failure?.elapsedMs }));
    return;
  }
  io.out(outcome
    ? `connect ${n}: ${ms(outcome.elapsedMs)}  ${outcome.local ? `${outcome.local.address}:${outcome.local.port}` : '?'} -> ${outcome.remote ? `${outcome.remote.address}:${outcome.remote.port}` : '?'}`
    : `connect ${n}: ${failure?.code} after ${ms(failure?.elapsedMs ?? 0)}`);
}

function printSummary(io: RepeatIo, request: CliRequest, latencies: number[], failures: number): void {
  const fn: CliFunction = request.function;
  const total = latencies.length + failures;
  const stats = latencies.length ? latencySummary(latencies) : null;
  if (request.json) {
    io.out(jsonLine({ event: 'summary', function: fn, target: requestTarget(request), connects: total, succeeded: latencies.length, failures,
      ...(stats ? { minMs: stats.min, medianMs: stats.median, p90Ms: stats.p90, p99Ms: stats.p99, maxMs: stats.max } : {}) }));
    return;
  }
  io.out('');
  io.out(`${total} connects to ${requestTarget(request)} with ${fn}: ${latencies.length} succeeded, ${failures} failed`);
  if (!stats) return;
  io.out(`  min ${ms(stats.min)}, median ${ms(stats.median)}, p90 ${ms(stats.p90)}, p99 ${ms(stats.p99)}, max ${ms(stats.max)}`);
  for (const line of histogram(latencies)) io.out(line);
}
