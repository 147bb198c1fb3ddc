/**
 * Argument checks that run before any native call, with Node's own error codes and
 * message shapes (ERR_INVALID_ARG_TYPE, ERR_OUT_OF_RANGE, ERR_INVALID_ARG_VALUE).
 * @module
 */
import { BlockList, isIP } from 'node:net';
import { inspect } from 'node:util';
import { isUint8Array } from 'node:util/types';

/** Longest host name WSAConnectByNameW is given (DNS names are at most 255 octets). */
export const MAX_HOST_LENGTH = 255;
/** Longest service name or numeric port string. */
export const MAX_SERVICE_LENGTH = 255;
/** Most endpoints one connectByList call takes. */
export const MAX_ADDRESSES = 64;
/** Largest caller data buffer passed to WSAConnect. */
export const MAX_CALLER_DATA = 65535;
/** Longest timeout or delay in ms (the largest a Node timer accepts). */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

type NodeErrorCode = 'ERR_INVALID_ARG_TYPE' | 'ERR_OUT_OF_RANGE' | 'ERR_INVALID_ARG_VALUE';

function nodeError<E extends Error>(make: (message: string) => E, code: NodeErrorCode, message: string): E & { code: NodeErrorCode } {
  const error = make(message) as E & { code: NodeErrorCode };
  // Node shows the code in the stack's first line: "TypeError [ERR_X]: message".
  const name = error.name;
  error.name = `${name} [${code}]`;
  void error.stack;
  error.name = name;
  Object.defineProperty(error, 'code', { value: code, enumerable: true, writable: true, configurable: true });
  return error;
}

function describeReceived(value: unknown): string {
  if (value === null || value === undefined) return `Received ${value}`;
  if (typeof value === 'function') return `Received function ${value.name || '<anonymous>'}`;
  if (typeof value === 'object') {
    const ctor = (value as object).constructor?.name;
    return ctor ? `Received an instance of ${ctor}` : `Received ${inspect(value, { depth: -1 })}`;
  }
  let shown = inspect(value, { colors: false });
  if (shown.length > 28) shown = `${shown.slice(0, 25)}...`;
  return `Received type ${typeof value} (${shown})`;
}

export function invalidArgType(name: string, expected: string, actual: unknown): TypeError {
  const kind = name.includes('.') ? 'property' : 'argument';
  return nodeError((m) => new TypeError(m), 'ERR_INVALID_ARG_TYPE',
    `The "${name}" ${kind} must be ${expected}. ${describeReceived(actual)}`);
}

export function outOfRange(name: string, range: string, actual: unknown): RangeError {
  return nodeError((m) => new RangeError(m), 'ERR_OUT_OF_RANGE',
    `The value of "${name}" is out of range. It must be ${range}. Received ${inspect(actual)}`);
}

export function invalidArgValue(name: string, actual: unknown, reason: string): TypeError {
  const kind = name.includes('.') ? 'property' : 'argument';
  let shown = inspect(actual);
  if (shown.length > 128) shown = `${shown.slice(0, 128)}...`;
  return nodeError((m) => new TypeError(m), 'ERR_INVALID_ARG_VALUE', `The ${kind} '${name}' ${reason}. Received ${shown}`);
}

export function validateObject(value: unknown, name: string): asserts value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalidArgType(name, 'of type object', value);
  }
}

export function validateOptionalBoolean(value: unknown, name: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw invalidArgType(name, 'of type boolean', value);
  return value;
}

export function validateInteger(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number') throw invalidArgType(name, 'of type number', value);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw outOfRange(name, `an integer >= ${min} and <= ${max}`, value);
  }
  return value;
}

export function validatePort(value: unknown, name: string): number {
  return validateInteger(value, name, 0, 65535);
}

/** A timeout or delay in ms: undefined (none), or a finite number >= 0. 0 means none. */
export function validateTimeout(value: unknown, name: string): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number') throw invalidArgType(name, 'of type number', value);
  if (!Number.isFinite(value) || value < 0 || value > MAX_TIMEOUT_MS) {
    throw outOfRange(name, `a finite number >= 0 and <= ${MAX_TIMEOUT_MS}`, value);
  }
  return Math.ceil(value);
}

export function validateSignal(value: unknown, name: string): AbortSignal | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== 'object' || !('aborted' in value) || typeof (value as AbortSignal).addEventListener !== 'function') {
    throw invalidArgType(name, 'an instance of AbortSignal', value);
  }
  return value as AbortSignal;
}

export function validateOneOf<T extends string>(value: unknown, name: string, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value !== 'string') throw invalidArgType(name, 'of type string', value);
  if (!(allowed as readonly string[]).includes(value)) {
    throw invalidArgValue(name, value, `must be one of: ${allowed.map((a) => `'${a}'`).join(', ')}`);
  }
  return value as T;
}

/** A printable name without NUL, 1..max characters (host names, service names). */
export function validateName(value: unknown, name: string, max: number): string {
  if (typeof value !== 'string') throw invalidArgType(name, 'of type string', value);
  if (value.length === 0) throw invalidArgValue(name, value, 'must not be empty');
  if (value.length > max) throw invalidArgValue(name, `${value.slice(0, 20)}...`, `must be at most ${max} characters long`);
  if (value.includes('\0')) throw invalidArgValue(name, value, 'must not contain null bytes');
  return value;
}

/**
 * An IPv4 or IPv6 literal. IPv6 zones must be numeric ("fe80::1%3"): the native
 * side does not resolve interface names.
 */
export function validateIpAddress(value: unknown, name: string): string {
  if (typeof value !== 'string') throw invalidArgType(name, 'of type string', value);
  const zone = value.indexOf('%');
  if (isIP(value) === 0 || (zone !== -1 && !/^%\d+$/.test(value.slice(zone)))) {
    throw invalidArgValue(name, value, 'must be an IPv4 or IPv6 address (IPv6 zone ids must be numeric)');
  }
  return value;
}

/**
 * Addresses that cannot name one TCP peer: unspecified, limited broadcast and
 * multicast. The same rule as the driver's own check (native/driver/validate.c),
 * applied here so bad input is a RangeError before any native call.
 */
const NOT_ONE_PEER = (() => {
  const list = new BlockList();
  list.addAddress('0.0.0.0', 'ipv4');
  list.addAddress('255.255.255.255', 'ipv4');
  list.addSubnet('224.0.0.0', 4, 'ipv4');
  list.addAddress('::', 'ipv6');
  list.addSubnet('ff00::', 8, 'ipv6');
  return list;
})();

/** An IP literal that names one TCP peer (see NOT_ONE_PEER). */
export function validateUnicastAddress(value: unknown, name: string): string {
  const address = validateIpAddress(value, name);
  const withoutZone = address.replace(/%\d+$/, '');
  if (NOT_ONE_PEER.check(withoutZone, isIP(withoutZone) === 4 ? 'ipv4' : 'ipv6')) {
    throw invalidArgValue(name, address, 'must be a unicast address (not unspecified, broadcast or multicast)');
  }
  return address;
}

/** A port to connect to: 1..65535 (port 0 names no listener). */
export function validateRemotePort(value: unknown, name: string): number {
  return validateInteger(value, name, 1, 65535);
}

export function validateUint8Array(value: unknown, name: string, maxLength: number): Uint8Array {
  // The brand check, not instanceof: Object.create(Uint8Array.prototype) passes
  // instanceof but is no typed array (its byteLength getter throws).
  if (!isUint8Array(value)) throw invalidArgType(name, 'an instance of Uint8Array or Buffer', value);
  if (value.byteLength > maxLength) throw outOfRange(`${name}.byteLength`, `<= ${maxLength}`, value.byteLength);
  return value;
}

/**
 * A dense copy of an array of minLength..maxLength entries. Holes become
 * undefined (so each slot is checked, none skipped as Array.prototype.map would),
 * and length is read once, so a Proxy cannot grow the list after the check.
 */
export function validateArray(value: unknown, name: string, minLength: number, maxLength: number): unknown[] {
  if (!Array.isArray(value)) throw invalidArgType(name, 'an instance of Array', value);
  const length: number = value.length;
  if (length < minLength || length > maxLength) {
    throw outOfRange(`${name}.length`, `>= ${minLength} and <= ${maxLength}`, length);
  }
  return Array.from({ length }, (_, i) => value[i]);
}

/** The all-zero addresses, in every spelling (v4-mapped included). */
const UNSPECIFIED = (() => {
  const list = new BlockList();
  list.addAddress('0.0.0.0', 'ipv4');
  list.addAddress('::', 'ipv6');
  list.addAddress('::ffff:0.0.0.0', 'ipv6');
  return list;
})();

/** True for 0.0.0.0, :: and their other spellings. */
export function isUnspecifiedAddress(address: string): boolean {
  const withoutZone = address.replace(/%\d+$/, '');
  const family = isIP(withoutZone);
  return family !== 0 && UNSPECIFIED.check(withoutZone, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * An IP literal to connect to. The all-zero addresses name no peer: Microsoft's
 * WSAConnect page gives WSAEADDRNOTAVAIL, while Wine (Linux) connects them to
 * loopback. They are refused here, before any native call, for every function.
 */
export function validateDestinationAddress(value: unknown, name: string): string {
  const address = validateIpAddress(value, name);
  if (isUnspecifiedAddress(address)) {
    throw invalidArgValue(name, address, 'must not be an unspecified (all-zero) address: it names no peer');
  }
  return address;
}

/** {address, port} with an IP literal to connect to, as used by connectByList and wsaConnect. */
export function validateEndpoint(value: unknown, name: string): { address: string; port: number } {
  validateObject(value, name);
  return { address: validateDestinationAddress(value.address, `${name}.address`), port: validatePort(value.port, `${name}.port`) };
}
