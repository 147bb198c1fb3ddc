/**
 * wsconnect, the package's command: parse → run → format. It uses the library only
 * through its public entry ('winsock-connect', the package referring to itself), as
 * any program would.
 *
 * - {@link parseCommandLine} (args.ts) turns argv into a request or a usage error;
 * - {@link run} connects once with the chosen library function, optionally exchanges
 *   a message, and always closes what it opened;
 * - output.ts prints the outcome or the failure (text, or JSON lines) and picks
 *   the exit code.
 *
 * bin/wsconnect.js calls {@link runFromProcess}.
 * @module
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseCommandLine, UsageError, wantsJson, type CliRequest } from './args';
import { helpText } from './help';
import {
  describeFailure, ExitCode, failureJsonLines, formatFailure, formatOutcome, outcomeJsonLines, requestTarget, type CliOutcome,
} from './output';
import { DEFAULT_REPLY_WAIT_MS, exchangeTcp, exchangeUdp, type Reply } from './reply';
import { runCount, runWait } from './repeat';
import { connectByList, connectByName, wsaConnect, WskDriver, type Connection, type DatagramConnection } from 'winsock-connect';

/**
 * Where output goes: stdout and stderr, one line per call (tests pass their own);
 * `progress`, on a TTY only, rewrites one status line of a long --wait in place.
 */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  progress?(line: string): void;
}

const processIo: CliIo = {
  out: (line) => { process.stdout.write(`${line}\n`); },
  err: (line) => { process.stderr.write(`${line}\n`); },
  ...(process.stderr.isTTY ? { progress: (line: string) => { process.stderr.write(`\r${line}\x1b[K${line ? '' : '\r'}`); } } : {}),
};

export function version(): string {
  const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
  return manifest.version;
}

/** Destroys a TCP socket and waits until libuv has closed the SOCKET. */
function closeTcp(socket: Connection['socket']): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed && socket.closed) return resolve();
    socket.once('close', () => resolve());
    socket.destroy();
  });
}

function replyWaitMs(request: CliRequest): number {
  return request.timeout > 0 ? request.timeout : DEFAULT_REPLY_WAIT_MS;
}

function tcpOutcome(request: CliRequest, connection: Connection, reply: Reply | undefined): CliOutcome {
  const outcome: CliOutcome = {
    function: request.function, target: requestTarget(request), syscall: connection.syscall, protocol: 'tcp',
    local: connection.localAddress, remote: connection.remoteAddress, elapsedMs: connection.elapsedMs,
  };
  if (request.family) outcome.family = request.family;
  if (connection.strategy) outcome.strategy = connection.strategy;
  if (connection.attempts) outcome.attempts = connection.attempts;
  if (reply) outcome.reply = reply;
  return outcome;
}

/** Connects with connectByName, connectByList or wsaConnect over TCP; sends, if asked; closes. */
async function runTcp(request: CliRequest, signal: AbortSignal | undefined): Promise<CliOutcome> {
  const timeout = request.timeout;
  let connection: Connection;
  if (request.function === 'connectByName') {
    connection = await connectByName({ host: request.host as string, port: request.port as number | string, family: request.family, timeout, signal });
  } else if (request.function === 'connectByList') {
    connection = await connectByList({ addresses: request.addresses ?? [], strategy: request.strategy, attemptDelay: request.attemptDelay, timeout, signal });
  } else {
    connection = await wsaConnect({ ...(request.endpoint as { address: string; port: number }), protocol: 'tcp', local: request.local, timeout, signal });
  }
  // A peer that resets the connection after the connect must not crash the process.
  connection.socket.on('error', () => {});
  try {
    const reply = request.send === undefined
      ? undefined
      : await exchangeTcp(connection.socket, request.send, { waitMs: replyWaitMs(request), target: connection.remoteAddress, signal });
    return tcpOutcome(request, connection, reply);
  } finally {
    await closeTcp(connection.socket);
  }
}

async function runUdp(request: CliRequest, signal: AbortSignal | undefined): Promise<CliOutcome> {
  const startedAt = performance.now();
  const connection: DatagramConnection = await wsaConnect({
    ...(request.endpoint as { address: string; port: number }), protocol: 'udp', local: request.local, timeout: request.timeout, signal,
  });
  const elapsedMs = performance.now() - startedAt;
  // Just connected, so it has its peer (getpeername).
  const remote = connection.remoteAddress ?? (request.endpoint as { address: string; port: number });
  try {
    const reply = request.send === undefined
      ? undefined
      : await exchangeUdp(connection, request.send, { waitMs: replyWaitMs(request), target: remote, signal });
    const outcome: CliOutcome = {
      function: 'wsaConnect', target: requestTarget(request), syscall: 'WSAConnect', protocol: 'udp', local: connection.localAddress, remote: connection.remoteAddress ?? null, elapsedMs,
    };
    if (reply) outcome.reply = reply;
    return outcome;
  } finally {
    await connection.close();
  }
}

/**
 * The driver for a --wsk run: the loaded one (checked with open(), so "not loaded"
 * is said before connecting), or one installed and started for this run only.
 */
async function withDriver<T>(request: CliRequest, io: CliIo, use: (driver: WskDriver) => Promise<T>): Promise<T> {
  const name = request.driverName as string;
  if (request.installDriver === undefined) {
    const driver = new WskDriver(name);
    await driver.open();
    return use(driver);
  }
  // Said before the SCM gets it: a missing file fails StartService with codes that
  // differ between Windows (2) and Wine (1114, ERROR_DLL_INIT_FAILED).
  if (!fs.existsSync(request.installDriver)) throw new UsageError(`--install-driver: no such file: ${request.installDriver}`);
  const driver = await WskDriver.install({ sysPath: request.installDriver, name });
  try {
    await driver.start();
    await driver.open();
    return await use(driver);
  } finally {
    // stop() fails when start() did; what matters is that the service is gone.
    await driver.stop().catch(() => {});
    await driver.uninstall().catch((error: Error) => io.err(`wsconnect: warning: could not remove the driver service ${name}: ${error.message}`));
  }
}

async function runWsk(request: CliRequest, io: CliIo, signal: AbortSignal | undefined): Promise<CliOutcome> {
  const { address, port } = request.endpoint as { address: string; port: number };
  return withDriver(request, io, async (driver) => {
    const result = await driver.connect({ address, port, timeout: request.timeout > 0 ? request.timeout : undefined, signal });
    const steps = Object.fromEntries(Object.entries(result.steps).map(([step, s]) => [step, s.code]));
    return {
      function: 'wskConnect', target: requestTarget(request), syscall: 'WskConnect', protocol: 'tcp',
      local: result.localAddress ?? null, remote: result.remoteAddress ?? null,
      driver: { steps, elapsedMs: result.elapsedMs },
      // As seen from user mode: the IOCTL's round trip.
      elapsedMs: result.roundTripMs,
    };
  });
}

/** Connects once as `request` says and closes again. Throws the library's typed errors. */
export function run(request: CliRequest, io: CliIo, signal?: AbortSignal): Promise<CliOutcome> {
  if (request.function === 'wskConnect') return runWsk(request, io, signal);
  if (request.protocol === 'udp') return runUdp(request, signal);
  return runTcp(request, signal);
}

function printLines(print: (line: string) => void, lines: string[]): void {
  for (const line of lines) print(line);
}

/**
 * The whole command: parses `argv`, runs, prints; resolves with the exit code.
 * Never rejects: every failure is printed and becomes an exit code.
 */
export async function main(argv: readonly string[], io: CliIo = processIo, signal?: AbortSignal): Promise<number> {
  const json = wantsJson(argv);
  let request: CliRequest;
  try {
    const command = parseCommandLine(argv);
    if (command.kind === 'help') {
      io.out(helpText().trimEnd());
      return ExitCode.connected;
    }
    if (command.kind === 'version') {
      io.out(version());
      return ExitCode.connected;
    }
    request = command.request;
  } catch (error) {
    const failure = describeFailure(error, null);
    printLines(json ? io.out : io.err, json ? failureJsonLines(failure) : formatFailure(failure));
    return failure.exitCode;
  }
  if (request.wait !== undefined) return runWait(request, io, (attempt) => run(attempt, io, signal), signal);
  if (request.count !== undefined) return runCount(request, io, (attempt) => run(attempt, io, signal), signal);
  const startedAt = performance.now();
  try {
    const outcome = await run(request, io, signal);
    printLines(io.out, request.json ? outcomeJsonLines(outcome) : formatOutcome(outcome));
    return ExitCode.connected;
  } catch (error) {
    const failure = describeFailure(error, request.function);
    failure.target = requestTarget(request);
    failure.elapsedMs = performance.now() - startedAt;
    printLines(request.json ? io.out : io.err, request.json ? failureJsonLines(failure) : formatFailure(failure));
    return failure.exitCode;
  }
}

/**
 * Exits once stdout and stderr have taken everything written. Exiting (rather than
 * waiting for the event loop to drain) keeps wsconnect prompt when a timed-out
 * WSAConnectByName is still blocked inside ws2_32 on one of the addon's threads: the
 * addon closes that socket when the call returns, or the process exit does.
 */
function exitWhenFlushed(code: number): void {
  process.exitCode = code;
  let pending = 2;
  const done = (): void => {
    pending -= 1;
    if (pending === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}

/** Entry point of bin/wsconnect.js: argv from the process, Ctrl+C aborts the connect. */
export function runFromProcess(): void {
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  // `wsconnect … | head` closing the pipe early is not an error of ours.
  process.stdout.on('error', () => {});
  void main(process.argv.slice(2), processIo, controller.signal).then(exitWhenFlushed);
}
