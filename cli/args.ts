/**
 * wsconnect's command line: turning argv into one {@link CliRequest}, or a
 * {@link UsageError} before anything connects. Parsing uses node:util parseArgs;
 * everything here is pure (no I/O, no native calls), so it runs on every platform.
 * @module
 */
import { isIP } from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { MAX_ADDRESSES, MAX_HOST_LENGTH, MAX_SERVICE_LENGTH, MAX_TIMEOUT_MS, WSK_TIMEOUT_MAX_MS, WSK_TIMEOUT_MIN_MS } from 'winsock-connect';

/** Which library function a run calls. */
export type CliFunction = 'connectByName' | 'connectByList' | 'wsaConnect' | 'wskConnect';

export interface Endpoint {
  address: string;
  port: number;
}

/** Everything a run needs, validated. */
export interface CliRequest {
  function: CliFunction;
  /** connectByName: the host name or literal; the others: the first address. */
  host?: string;
  /** connectByName: a number or a service name. */
  port?: number | string;
  /** connectByList: the candidates, in order. */
  addresses?: Endpoint[];
  /** wsaConnect and wskConnect: the destination. */
  endpoint?: Endpoint;
  strategy?: 'auto' | 'system' | 'race';
  attemptDelay?: number;
  family?: 'dual' | 'ipv4' | 'ipv6';
  protocol?: 'tcp' | 'udp';
  local?: { address: string; port?: number };
  /** wskConnect: the service name of the driver. */
  driverName?: string;
  /** wskConnect: install and start this .sys for the run, remove it after. */
  installDriver?: string;
  /** 0: none. */
  timeout: number;
  /** Text to send after connecting; the first reply is reported. */
  send?: string;
  json: boolean;
  /** --wait: retry until connected, for at most this many ms. */
  wait?: number;
  /** --count: connect this many times and summarize the latencies. */
  count?: number;
  /** --wait / --count: ms between attempts (set with either). */
  interval?: number;
}

/** --interval's default: between --wait retries and --count connects. */
export const DEFAULT_INTERVAL_MS = 250;
/** The most connects one --count run makes. */
export const MAX_COUNT = 100_000;

/** What argv asks for: a run, or one of the informational commands. */
export type ParsedCommand = { kind: 'help' } | { kind: 'version' } | { kind: 'run'; request: CliRequest };

/**
 * Bad command line. `code` is parseArgs' own (ERR_PARSE_ARGS_UNKNOWN_OPTION, …) or
 * Node's ERR_INVALID_ARG_VALUE for a value we reject.
 */
export class UsageError extends Error {
  readonly code: string;
  constructor(message: string, code = 'ERR_INVALID_ARG_VALUE') {
    super(message);
    this.name = 'UsageError';
    this.code = code;
  }
}

export const DEFAULT_DRIVER_NAME = 'WskConnect';

const OPTIONS = {
  list: { type: 'string' },
  strategy: { type: 'string' },
  'attempt-delay': { type: 'string' },
  wsa: { type: 'boolean' },
  local: { type: 'string' },
  udp: { type: 'boolean' },
  wsk: { type: 'boolean' },
  'driver-name': { type: 'string' },
  'install-driver': { type: 'string' },
  timeout: { type: 'string' },
  family: { type: 'string' },
  send: { type: 'string' },
  json: { type: 'boolean' },
  wait: { type: 'string' },
  count: { type: 'string' },
  interval: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>>['values'];

/** Parses argv (without node and the script path). Throws {@link UsageError}. */
export function parseCommandLine(argv: readonly string[]): ParsedCommand {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new UsageError((error as Error).message, code?.startsWith('ERR_PARSE_ARGS') ? code : undefined);
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };
  return { kind: 'run', request: buildRequest(values, positionals) };
}

/** True when argv asks for JSON output, even if the rest of it does not parse. */
export function wantsJson(argv: readonly string[]): boolean {
  return argv.includes('--json');
}

function chooseFunction(values: Values): CliFunction {
  const chosen = [values.list !== undefined && '--list', values.wsa && '--wsa', values.wsk && '--wsk'].filter(Boolean);
  if (chosen.length > 1) throw new UsageError(`${chosen.join(' and ')} cannot be combined: choose one`);
  if (values.list !== undefined) return 'connectByList';
  if (values.wsa) return 'wsaConnect';
  if (values.wsk) return 'wskConnect';
  return 'connectByName';
}

/** Options that belong to one function only, so a misplaced one is an error, not silently ignored. */
const ONLY_FOR: Record<string, CliFunction> = {
  strategy: 'connectByList',
  'attempt-delay': 'connectByList',
  family: 'connectByName',
  local: 'wsaConnect',
  udp: 'wsaConnect',
  'driver-name': 'wskConnect',
  'install-driver': 'wskConnect',
};

const FLAG_OF: Record<CliFunction, string> = {
  connectByName: 'a host and port (connectByName)',
  connectByList: '--list',
  wsaConnect: '--wsa',
  wskConnect: '--wsk',
};

function rejectMisplacedOptions(values: Values, fn: CliFunction): void {
  for (const [option, owner] of Object.entries(ONLY_FOR)) {
    if (values[option as keyof Values] !== undefined && owner !== fn) {
      throw new UsageError(`--${option} applies to ${FLAG_OF[owner]} only`);
    }
  }
  if (fn === 'wskConnect' && values.send !== undefined) {
    throw new UsageError('--send does not apply to --wsk: the driver connects and closes again');
  }
}

function buildRequest(values: Values, positionals: string[]): CliRequest {
  const fn = chooseFunction(values);
  rejectMisplacedOptions(values, fn);
  const request: CliRequest = {
    function: fn, timeout: parseTimeout(values.timeout, fn), json: values.json === true, ...parseRepetition(values),
  };
  if (values.send !== undefined) request.send = values.send;
  switch (fn) {
    case 'connectByList':
      return withList(request, values, positionals);
    case 'connectByName':
      return withName(request, values, positionals);
    case 'wsaConnect':
      return withWsa(request, values, positionals);
    case 'wskConnect':
      return withWsk(request, values, positionals);
  }
}

function withList(request: CliRequest, values: Values, positionals: string[]): CliRequest {
  if (positionals.length > 0) throw new UsageError(`--list takes no host or port arguments (got: ${positionals.join(' ')})`);
  request.addresses = parseList(values.list as string);
  request.strategy = parseOneOf(values.strategy, '--strategy', ['auto', 'system', 'race'] as const) ?? 'auto';
  if (values['attempt-delay'] !== undefined) {
    request.attemptDelay = parseMilliseconds(values['attempt-delay'], '--attempt-delay');
  }
  return request;
}

function withName(request: CliRequest, values: Values, positionals: string[]): CliRequest {
  const [host, port] = twoPositionals(positionals, '<host> <port|service>');
  if (host.length > MAX_HOST_LENGTH) throw new UsageError(`the host name is longer than ${MAX_HOST_LENGTH} characters`);
  request.host = host;
  request.port = parsePortOrService(port);
  request.family = parseOneOf(values.family, '--family', ['dual', 'ipv4', 'ipv6'] as const) ?? 'dual';
  return request;
}

function withWsa(request: CliRequest, values: Values, positionals: string[]): CliRequest {
  const [address, port] = twoPositionals(positionals, '<address> <port>');
  request.endpoint = { address: parseIpLiteral(address, '--wsa'), port: parsePort(port, 'port') };
  request.protocol = values.udp ? 'udp' : 'tcp';
  if (values.local !== undefined) {
    request.local = parseLocal(values.local);
    if ((isIP(request.local.address) === 6) !== (isIP(request.endpoint.address) === 6)) {
      throw new UsageError(`--local ${values.local} is not of the same address family as ${address}`);
    }
  }
  return request;
}

function withWsk(request: CliRequest, values: Values, positionals: string[]): CliRequest {
  const [address, port] = twoPositionals(positionals, '<address> <port>');
  request.endpoint = { address: parseIpLiteral(address, '--wsk'), port: parsePort(port, 'port') };
  request.driverName = values['driver-name'] ?? DEFAULT_DRIVER_NAME;
  if (request.driverName === '' || request.driverName.length > 256) throw new UsageError('--driver-name must be 1 to 256 characters');
  if (values['install-driver'] !== undefined) {
    if (values['install-driver'] === '') throw new UsageError('--install-driver needs the path of wskconnect.sys');
    // The Service Control Manager needs an absolute path.
    request.installDriver = path.resolve(values['install-driver']);
  }
  return request;
}

function twoPositionals(positionals: string[], shape: string): [string, string] {
  if (positionals.length !== 2) {
    const got = positionals.length === 0 ? 'nothing' : positionals.map((p) => `'${p}'`).join(' ');
    throw new UsageError(`expected ${shape}, got ${got}`);
  }
  return [positionals[0], positionals[1]];
}

function parseOneOf<T extends string>(value: string | undefined, option: string, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`${option} must be one of ${allowed.join(', ')} (got '${value}')`);
  }
  return value as T;
}

/** Whole milliseconds, as typed: no signs, units or exponents, so "5s" is an error, not 5. */
function parseMilliseconds(text: string, option: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`${option} takes whole milliseconds (got '${text}')`);
  const ms = Number(text);
  if (ms > MAX_TIMEOUT_MS) throw new UsageError(`${option} must be at most ${MAX_TIMEOUT_MS} ms (got ${text})`);
  return ms;
}

/** --wait, --count and --interval: at most one of the first two; --interval only with one. */
function parseRepetition(values: Values): Pick<CliRequest, 'wait' | 'count' | 'interval'> {
  if (values.wait !== undefined && values.count !== undefined) throw new UsageError('--wait and --count cannot be combined: choose one');
  if (values.interval !== undefined && values.wait === undefined && values.count === undefined) {
    throw new UsageError('--interval applies to --wait and --count only');
  }
  const interval = values.interval === undefined ? DEFAULT_INTERVAL_MS : parseMilliseconds(values.interval, '--interval');
  if (values.wait !== undefined) {
    const wait = parseMilliseconds(values.wait, '--wait');
    if (wait === 0) throw new UsageError('--wait must be at least 1 ms');
    return { wait, interval };
  }
  if (values.count !== undefined) {
    if (!/^\d+$/.test(values.count) || Number(values.count) < 1 || Number(values.count) > MAX_COUNT) {
      throw new UsageError(`--count takes a whole number from 1 to ${MAX_COUNT} (got '${values.count}')`);
    }
    return { count: Number(values.count), interval };
  }
  return {};
}

function parseTimeout(text: string | undefined, fn: CliFunction): number {
  if (text === undefined) return 0;
  const ms = parseMilliseconds(text, '--timeout');
  if (fn === 'wskConnect' && (ms < WSK_TIMEOUT_MIN_MS || ms > WSK_TIMEOUT_MAX_MS)) {
    throw new UsageError(`--timeout for --wsk must be ${WSK_TIMEOUT_MIN_MS} to ${WSK_TIMEOUT_MAX_MS} ms: the driver bounds its own wait (got ${text})`);
  }
  return ms;
}

function parsePort(text: string, what: string): number {
  if (!/^\d+$/.test(text) || Number(text) > 65535) throw new UsageError(`${what} must be a number from 0 to 65535 (got '${text}')`);
  return Number(text);
}

/** connectByName takes a port number or a service name from the services file ("http"). */
function parsePortOrService(text: string): number | string {
  if (/^\d+$/.test(text)) return parsePort(text, 'port');
  if (text === '' || text.length > MAX_SERVICE_LENGTH || text.includes('\0')) {
    throw new UsageError(`'${text}' is neither a port number nor a service name`);
  }
  return text;
}

function parseIpLiteral(text: string, option: string): string {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  // Numeric zones only ("fe80::1%3"): the native side does not resolve interface names.
  const zone = bare.indexOf('%');
  if (isIP(bare) === 0 || (zone !== -1 && !/^%\d+$/.test(bare.slice(zone)))) {
    throw new UsageError(`${option} takes an IP address, not a host name (got '${text}')`);
  }
  return bare;
}

/**
 * One `address:port`, with IPv6 in brackets (`[::1]:80`), as in URLs. A bare IPv6
 * literal with a port would be ambiguous (`::1:80` is itself an address).
 */
export function parseEndpoint(text: string, option: string): Endpoint {
  const bracketed = /^\[([^\]]+)\]:(.*)$/.exec(text);
  const split = bracketed ? [bracketed[1], bracketed[2]] : splitLastColon(text);
  if (!split) throw new UsageError(`${option}: '${text}' is not address:port`);
  const [address, port] = split;
  if (!bracketed && isIP(address) === 6) throw new UsageError(`${option}: write IPv6 with a port in brackets, e.g. [${address}]:${port}`);
  if (!bracketed && address.includes(':')) {
    throw new UsageError(`${option}: '${text}' looks like an IPv6 address without a port; write [address]:port`);
  }
  return { address: parseIpLiteral(address, option), port: parsePort(port, `${option}: the port of '${text}'`) };
}

function splitLastColon(text: string): [string, string] | undefined {
  const colon = text.lastIndexOf(':');
  return colon <= 0 ? undefined : [text.slice(0, colon), text.slice(colon + 1)];
}

/** `a:p,b:p,[v6]:p`: 1 to 64 entries. */
function parseList(text: string): Endpoint[] {
  const entries = text.split(',').map((s) => s.trim());
  if (entries.some((e) => e === '')) throw new UsageError(`--list has an empty entry: '${text}'`);
  if (entries.length > MAX_ADDRESSES) throw new UsageError(`--list takes at most ${MAX_ADDRESSES} addresses (got ${entries.length})`);
  return entries.map((entry) => parseEndpoint(entry, '--list'));
}

/** `--local` is an address with an optional port: `127.0.0.1`, `127.0.0.1:5000`, `::1`, `[::1]:5000`. */
function parseLocal(text: string): { address: string; port?: number } {
  const hasPort = /^\[[^\]]+\]:/.test(text) || (!text.startsWith('[') && isIP(text) === 0 && text.includes(':'));
  if (!hasPort) return { address: parseIpLiteral(text, '--local') };
  return parseEndpoint(text, '--local');
}
