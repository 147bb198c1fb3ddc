'use strict';
// What a fuzzed call must do, derived from its spec alone (fuzz.test.js).
//
// Each API's argument rules are written here a second time, from its documentation
// (the TSDoc of lib/*.ts and the README), not imported from lib/validate.ts: a spec
// the rules reject must reject with an argument error (or the error a planted getter
// threw); a spec they accept must reach Winsock and end as the target it names
// decides. A live echo target must connect (and echo) unless a deadline or an abort
// may come first; a refused or stalled one must fail with its own codes. The
// platform codes each kind of target may give are listed below with why.
const net = require('node:net');
const { underWine } = require('./wine');

/** Outcome names (see robust.classifyError) that mean "rejected before any native call". */
const ARGUMENT_OUTCOMES = new Set(['ERR_INVALID_ARG_TYPE', 'ERR_OUT_OF_RANGE', 'ERR_INVALID_ARG_VALUE', 'caller-threw']);

class InvalidSpec extends Error {}

function invalid(why) {
  throw new InvalidSpec(why);
}

/** Whether `value` is the fuzzer's tag `$` (one of `names`). */
function isTag(value, ...names) {
  return value !== null && typeof value === 'object' && names.includes(value.$);
}

/** A planted throwing getter or a throwing Proxy: reading it rejects, always before any native call. */
function rejectPlanted(value, name) {
  if (isTag(value, 'throws', 'throwingProxy')) invalid(`${name}: a planted getter or proxy throws`);
}

/** The options record a spec materializes to (a Proxy is transparent), or invalid. */
function optionsRecord(spec, name = 'options') {
  rejectPlanted(spec, name);
  if (isTag(spec, 'proxy')) return optionsRecord(spec.of, name);
  if (isTag(spec, 'emptyObject', 'date')) return {}; // objects without the keys
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec) || spec.$ !== undefined) invalid(`${name}: not an object`);
  for (const [key, value] of Object.entries(spec)) rejectPlanted(value, `${name}.${key}`);
  return spec;
}

/** The number a spec field materializes to, or undefined when it is none. */
function numberOf(value, targets) {
  if (isTag(value, 'port')) return targets[value.which];
  return typeof value === 'number' ? value : undefined;
}

/** The string a spec field materializes to, or undefined when it is none. */
function stringOf(value, targets) {
  if (isTag(value, 'huge')) return value.char.repeat(value.length);
  if (isTag(value, 'service')) return String(targets[value.which]);
  return typeof value === 'string' ? value : undefined;
}

function integerIn(value, targets, min, max, name) {
  const n = numberOf(value, targets);
  if (n === undefined || !Number.isInteger(n) || n < min || n > max) invalid(`${name}: not an integer in ${min}..${max}`);
  return n;
}

/** Timeouts and delays: absent, or a finite number 0..2^31-1 (ceil'd; 0 means none). */
function timeoutMs(value, name) {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 2 ** 31 - 1) invalid(`${name}: not a timeout`);
  return Math.ceil(value);
}

function oneOf(value, allowed, fallback, name) {
  if (value === undefined) return fallback;
  if (!allowed.includes(value)) invalid(`${name}: not one of ${allowed}`);
  return value;
}

function optionalBoolean(value, name) {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') invalid(`${name}: not a boolean`);
  return value;
}

/** An IP literal (IPv6 zones numeric only). */
function ipLiteral(value, targets, name) {
  const text = stringOf(value, targets);
  if (text === undefined) invalid(`${name}: not a string`);
  const zone = text.indexOf('%');
  if (net.isIP(text) === 0 || (zone !== -1 && !/^%\d+$/.test(text.slice(zone)))) invalid(`${name}: not an IP literal`);
  return text;
}

const UNSPECIFIED = new Set(['0.0.0.0', '::', '::ffff:0.0.0.0']);

/** The address without its zone, IPv4-mapped IPv6 reduced to IPv4, in canonical form. */
function canonical(address) {
  const ip = address.replace(/%.*$/, '');
  if (net.isIPv4(ip)) return ip;
  const mapped = new net.SocketAddress({ address: ip, family: 'ipv6' }).address;
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(mapped);
  if (v4) return v4[1];
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(mapped);
  if (hex) {
    const [hi, lo] = [parseInt(hex[1], 16), parseInt(hex[2], 16)];
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  return mapped;
}

function destination(value, targets, name) {
  const address = ipLiteral(value, targets, name);
  if (UNSPECIFIED.has(canonical(address))) invalid(`${name}: all-zero`);
  return address;
}

/** Signals: absent, or an object with `aborted` and an addEventListener function. */
function signalKind(value, name) {
  if (value === undefined) return 'none';
  if (!isTag(value, 'signal') || value.kind === 'notASignal') invalid(`${name}: not an AbortSignal`);
  return value.kind;
}

/**
 * What a valid signal does to a call that reaches its job: 'none'; 'abort' (it is
 * aborted when the job starts: ABORT_ERR exactly); 'maybe' (it may abort while the
 * connect runs); 'threw' (its addEventListener or aborted getter throws: that
 * error, exactly).
 */
function signalEffect(kind) {
  switch (kind) {
    case 'none': case 'never': case 'fakeNever': case 'fakeThrowRemove': return 'none';
    case 'aborted': case 'fakeAborted': case 'fakeFiresOnSubscribe': return 'abort';
    case 'abortLater': case 'timeoutSignal': return 'maybe';
    case 'fakeThrowAdd': case 'fakeAbortedGetterThrows': return 'threw';
    default: throw new Error(`unknown signal kind ${kind}`);
  }
}

function byteArray(value, max, name) {
  if (value === undefined) return undefined;
  if (!isTag(value, 'buffer', 'uint8array')) invalid(`${name}: not a Uint8Array`);
  if (value.length > max) invalid(`${name}: longer than ${max}`);
  return value.length;
}

const SERVICE_TYPES = new Set([0, 1, 2, 3, 4, 5, 6, 9, 10, 13]);
const FLOWSPEC_NUMBERS = ['tokenRate', 'tokenBucketSize', 'peakBandwidth', 'latency', 'delayVariation', 'maxSduSize', 'minimumPolicedSize'];

function flowspec(value, targets, name) {
  if (value === undefined) return;
  const spec = optionsRecord(value, name);
  for (const key of FLOWSPEC_NUMBERS) if (spec[key] !== undefined) integerIn(spec[key], targets, 0, 0xffffffff, `${name}.${key}`);
  if (spec.serviceType !== undefined && !SERVICE_TYPES.has(integerIn(spec.serviceType, targets, 0, 0xffffffff, `${name}.serviceType`))) {
    invalid(`${name}.serviceType: not a ServiceType`);
  }
}

// ---------------------------------------------------------------------------
// Targets: what a destination reaches, and the codes each may give.
// ---------------------------------------------------------------------------

/**
 * What an address and one of fuzz.test.js's ports reach: 'live' (the echo server
 * listening there), 'refused' (nobody listens at that address and port), 'stalled'
 * (the full-backlog listener), 'zero' (port 0), 'zoned' (a zone id other than 0 on
 * ::1: whether the stack accepts it is the platform's call).
 */
function tcpTarget(address, which) {
  if (which === 'zero') return 'zero';
  const zone = address.includes('%') ? address.slice(address.indexOf('%') + 1) : '0';
  if (zone !== '0') return 'zoned';
  const ip = canonical(address);
  if (which === 'echo4' && ip === '127.0.0.1') return 'live';
  if (which === 'echo6' && ip === '::1') return 'live';
  if (which === 'stalled' && ip === '127.0.0.1') return 'stalled';
  return 'refused';
}

/**
 * The WinsockError codes a target may end with. A refused loopback connect is
 * WSAECONNREFUSED (Windows too: SIO_TCP_INITIAL_RTO drops its SYN retries). Port 0
 * names no listener: WSAEADDRNOTAVAIL on Windows (Microsoft's connect page),
 * WSAECONNREFUSED from Linux under Wine. A zone id on ::1 is the stack's to judge:
 * WSAENETUNREACH (Linux has no such interface route), WSAEADDRNOTAVAIL or WSAEINVAL
 * (Windows) — or it connects.
 */
const TARGET_CODES = {
  live: [],
  refused: ['WSAECONNREFUSED'],
  stalled: [],
  zero: ['WSAEADDRNOTAVAIL', 'WSAECONNREFUSED'],
  zoned: ['WSAENETUNREACH', 'WSAEADDRNOTAVAIL', 'WSAEINVAL', 'WSAECONNREFUSED', 'WSAEHOSTUNREACH'],
};

/**
 * An expectation: `allowed` outcome names, and `mustResolve` (the spec names a live
 * target and nothing may stop it first). `valid` false: an argument error.
 */
function expectArgumentError(why) {
  return { valid: false, why, allowed: ARGUMENT_OUTCOMES, mustResolve: false };
}

/**
 * Combines a target's own outcomes with what a deadline and a signal may add.
 * `timeoutCode`: the deadline's outcome name.
 */
function expectConnect({ canResolve, codes, deadlineMs, signal, timeoutCode, hangs = false }) {
  const effect = signalEffect(signal);
  if (effect === 'abort') return { valid: true, allowed: new Set(['ABORT_ERR']), mustResolve: false, why: `signal ${signal}` };
  if (effect === 'threw') return { valid: true, allowed: new Set(['caller-threw']), mustResolve: false, why: `signal ${signal}` };
  const allowed = new Set(codes);
  if (canResolve) allowed.add('resolved');
  // A deadline up to SHORT_DEADLINE_MS may pass before a loopback connect completes
  // on a busy machine; a longer one only ends a connect that hangs.
  if ((deadlineMs > 0 && deadlineMs <= SHORT_DEADLINE_MS) || hangs) allowed.add(timeoutCode);
  if (effect === 'maybe') allowed.add('ABORT_ERR');
  const mustResolve = canResolve && allowed.size === 1;
  return { valid: true, allowed, mustResolve, why: '' };
}

/** Deadlines the fuzzer draws as "short" (fuzz.test.js: 1..300 ms, and the stalled bound). */
const SHORT_DEADLINE_MS = 300;

/** A target that is in `codes` (its own failures) or resolves. */
function targetExpectation(kind, extraCodes = []) {
  return {
    canResolve: kind === 'live' || kind === 'zoned',
    codes: [...TARGET_CODES[kind], ...extraCodes],
    hangs: kind === 'stalled',
  };
}

// ---------------------------------------------------------------------------
// Per API.
// ---------------------------------------------------------------------------

/**
 * Windows: TCP/IP carries no connect data and GQoS is deprecated, so a provider may
 * refuse either with WSAEOPNOTSUPP (README's divergence table); Wine ignores both.
 */
function connectDataCodes(record) {
  const asked = record.callerData !== undefined || record.qos !== undefined;
  return asked && !underWine ? ['WSAEOPNOTSUPP', 'WSAEINVAL'] : [];
}

/** wsaConnect({ … }) for TCP or UDP. */
function wsaConnect(spec, targets) {
  try {
    const o = optionsRecord(spec);
    const address = destination(o.address, targets, 'options.address');
    const port = integerIn(o.port, targets, 0, 65535, 'options.port');
    const protocol = oneOf(o.protocol, ['tcp', 'udp'], 'tcp', 'options.protocol');
    const broadcast = optionalBoolean(o.broadcast, 'options.broadcast');
    if (broadcast && protocol !== 'udp') invalid('broadcast is UDP only');
    const local = localOf(o.local, address, targets);
    byteArray(o.callerData, 65535, 'options.callerData');
    if (o.qos !== undefined) {
      const qos = optionsRecord(o.qos, 'options.qos');
      flowspec(qos.sending, targets, 'options.qos.sending');
      flowspec(qos.receiving, targets, 'options.qos.receiving');
    }
    const deadlineMs = timeoutMs(o.timeout, 'options.timeout');
    const signal = signalKind(o.signal, 'options.signal');
    const which = isTag(o.port, 'port') ? o.port.which : (port === 0 ? 'zero' : undefined);
    const extra = [...connectDataCodes(o), ...local.codes];
    if (protocol === 'udp') return expectConnect({ ...udpTarget(address, which, extra), deadlineMs, signal, timeoutCode: 'WSAETIMEDOUT' });
    const target = targetExpectation(tcpTarget(address, which), extra);
    return expectConnect({ ...target, deadlineMs, signal, timeoutCode: 'WSAETIMEDOUT' });
  } catch (error) {
    if (error instanceof InvalidSpec) return expectArgumentError(error.message);
    throw error;
  }
}

/** Whether `address` is an IPv4-mapped IPv6 address (any spelling). */
function isMapped(address) {
  const ip = address.replace(/%.*$/, '');
  return net.isIPv6(ip) && net.isIPv4(canonical(ip));
}

/**
 * A local address to bind: absent; or `{ address?, port? }` with port 0 and an
 * address of the destination's family (its wildcard when absent). A bind to the
 * wildcard, 127.0.0.1 or ::1 towards a plain destination connects like no bind;
 * any other (another 127/8 address, a v4-mapped or zoned one, a v6 address towards
 * a v4-mapped destination) is the stack's to judge: these codes, or connected.
 */
function localOf(value, remote, targets) {
  if (value === undefined) return { codes: [] };
  const local = optionsRecord(value, 'options.local');
  const address = local.address === undefined ? undefined : ipLiteral(local.address, targets, 'options.local.address');
  if (local.port !== undefined) integerIn(local.port, targets, 0, 65535, 'options.local.port');
  const chosen = address ?? (remote.includes(':') ? '::' : '0.0.0.0');
  if (chosen.includes(':') !== remote.includes(':')) invalid('options.local.address: not the destination family');
  const plain = ['0.0.0.0', '::', '127.0.0.1', '::1'].includes(chosen) && !isMapped(remote) && !remote.includes('%');
  return { codes: plain ? [] : ['WSAEADDRNOTAVAIL', 'WSAEINVAL', 'WSAENETUNREACH', 'WSAEAFNOSUPPORT', 'WSAECONNREFUSED', 'WSAEHOSTUNREACH'] };
}

/**
 * A UDP connect sends nothing: it sets the default destination, so it succeeds for
 * any unicast loopback address. Port 0 names no peer (WSAEADDRNOTAVAIL on Windows;
 * under Wine the connect succeeds and getpeername then finds no peer: WSAENOTCONN).
 * 127.255.255.255 is Linux's loopback broadcast (README: WSAEACCES under Wine 8).
 */
function udpTarget(address, which, extraCodes) {
  const codes = [...extraCodes];
  if (which === 'zero') codes.push('WSAEADDRNOTAVAIL', 'WSAENOTCONN');
  if (address.includes('%') && !address.endsWith('%0')) codes.push(...TARGET_CODES.zoned);
  if (canonical(address) === '127.255.255.255') codes.push('WSAEACCES');
  return { canResolve: true, codes, hangs: false };
}


/** A name: a string of 1..max characters without NUL. */
function nameOf(value, targets, max, name) {
  const text = stringOf(value, targets);
  if (text === undefined || text.length === 0 || text.length > max || text.includes('\0')) invalid(`${name}: not a name`);
  return text;
}

/**
 * Failures WSAConnectByNameW may give a valid loopback name (beyond the target's
 * own): a family that cannot hold the address (WSAHOST_NOT_FOUND, WSANO_DATA,
 * WSAEAFNOSUPPORT, WSAEINVAL); under Wine, its dual-stack and v6-only divergence
 * (README: a raw -9, typed UNKNOWN, or WSAHOST_NOT_FOUND) and its first-address-only
 * rule (a refused first address ends the call).
 */
const BY_NAME_RESOLUTION_CODES = ['WSAHOST_NOT_FOUND', 'WSANO_DATA', 'WSAEAFNOSUPPORT', 'WSAEINVAL', ...(underWine ? ['UNKNOWN'] : [])];

/** connectByName({ host, port, family, timeout, signal }). */
function connectByName(spec, targets) {
  try {
    const o = optionsRecord(spec);
    const host = nameOf(o.host, targets, 255, 'options.host');
    if (net.isIP(host.replace(/%.*$/, '')) !== 0 && UNSPECIFIED.has(canonical(host))) invalid('options.host: all-zero');
    const port = numberOf(o.port, targets) !== undefined
      ? integerIn(o.port, targets, 0, 65535, 'options.port')
      : nameOf(o.port, targets, 255, 'options.port');
    const family = oneOf(o.family, ['dual', 'ipv4', 'ipv6'], 'dual', 'options.family');
    const deadlineMs = timeoutMs(o.timeout, 'options.timeout');
    const signal = signalKind(o.signal, 'options.signal');
    const which = isTag(o.port, 'port', 'service') ? o.port.which : undefined;
    if (which === undefined && typeof port === 'string') {
      // No services file has these names (fuzz.test.js's '~' names).
      return expectConnect({ canResolve: false, codes: ['WSATYPE_NOT_FOUND', ...BY_NAME_RESOLUTION_CODES], deadlineMs, signal, timeoutCode: 'WSAETIMEDOUT' });
    }
    const candidates = host.toLowerCase() === 'localhost' ? ['127.0.0.1', '::1'] : [host];
    const kinds = candidates.map((address) => tcpTarget(address, which ?? 'zero'));
    const codes = [...new Set(kinds.flatMap((kind) => TARGET_CODES[kind])), 'WSAECONNREFUSED', ...BY_NAME_RESOLUTION_CODES];
    // family 'ipv6' is a v6-only socket: a v4-mapped name is unreachable from it.
    if (family === 'ipv6' && net.isIPv6(host.replace(/%.*$/, '')) && isMapped(host)) codes.push('WSAENETUNREACH', 'WSAEADDRNOTAVAIL');
    const canResolve = kinds.some((kind) => kind === 'live' || kind === 'zoned');
    const expectation = expectConnect({ canResolve, codes, deadlineMs, signal, timeoutCode: 'WSAETIMEDOUT', hangs: kinds.includes('stalled') });
    // Only where the address and the family agree, and Wine's divergences cannot apply.
    const clean = (host === '127.0.0.1' && which === 'echo4' && (family === 'ipv4' || (family === 'dual' && !underWine)))
      || (host === '::1' && which === 'echo6' && family !== 'ipv4');
    if (!clean) expectation.mustResolve = false;
    else if (expectation.allowed.has('resolved') && !hasStopper(expectation)) expectation.allowed = new Set(['resolved']), expectation.mustResolve = true;
    return expectation;
  } catch (error) {
    if (error instanceof InvalidSpec) return expectArgumentError(error.message);
    throw error;
  }
}

/** Whether a deadline or a signal may end the call first. */
function hasStopper(expectation) {
  return expectation.allowed.has('ABORT_ERR') || expectation.allowed.has('WSAETIMEDOUT');
}

/** connectByList({ addresses, strategy, attemptDelay, timeout, signal }). */
function connectByList(spec, targets, { hasConnectByList }) {
  try {
    const o = optionsRecord(spec);
    const list = addressList(o.addresses, targets);
    if (o.attemptDelay !== undefined) timeoutMs(o.attemptDelay, 'options.attemptDelay');
    const deadlineMs = timeoutMs(o.timeout, 'options.timeout');
    const signal = signalKind(o.signal, 'options.signal');
    const strategy = oneOf(o.strategy, ['auto', 'system', 'race'], 'auto', 'options.strategy');
    const effective = strategy === 'auto' ? (hasConnectByList ? 'system' : 'race') : strategy;
    if (effective === 'system' && !hasConnectByList) {
      // Looked up at run time (README: Wine does not export it), before any job starts.
      return { valid: true, allowed: new Set(['ERR_WINSOCK_FUNCTION_UNAVAILABLE']), mustResolve: false, why: 'WSAConnectByList is missing' };
    }
    const kinds = list.map(({ address, which }) => tcpTarget(address, which));
    const codes = [...new Set(kinds.flatMap((kind) => TARGET_CODES[kind]))];
    const canResolve = kinds.some((kind) => kind === 'live' || kind === 'zoned');
    const expectation = expectConnect({ canResolve, codes, deadlineMs, signal, timeoutCode: 'WSAETIMEDOUT', hangs: kinds.includes('stalled') });
    // The race moves on at once past a refusal: it must reach a live address that
    // only refusals precede. WSAConnectByList's own order is the system's: only an
    // all-live list must connect.
    const firstLive = kinds.indexOf('live');
    const reachable = effective === 'race'
      ? firstLive !== -1 && kinds.slice(0, firstLive).every((kind) => kind === 'refused' || kind === 'zero')
      : kinds.every((kind) => kind === 'live');
    if (!reachable) expectation.mustResolve = false;
    return expectation;
  } catch (error) {
    if (error instanceof InvalidSpec) return expectArgumentError(error.message);
    throw error;
  }
}

/** options.addresses: an array of 1..64 `{ address, port }`, each with an IP literal to connect to. */
function addressList(value, targets) {
  rejectPlanted(value, 'options.addresses');
  if (isTag(value, 'holes')) invalid('options.addresses: holes'); // every even slot is empty
  if (!Array.isArray(value) || value.length < 1 || value.length > 64) invalid('options.addresses: not a list of 1..64');
  return value.map((entry, i) => {
    const endpoint = optionsRecord(entry, `options.addresses[${i}]`);
    const address = destination(endpoint.address, targets, `options.addresses[${i}].address`);
    const port = integerIn(endpoint.port, targets, 0, 65535, `options.addresses[${i}].port`);
    return { address, which: isTag(endpoint.port, 'port') ? endpoint.port.which : (port === 0 ? 'zero' : undefined) };
  });
}

/**
 * The NTSTATUS names a driver connect may end with, per target: refused →
 * STATUS_CONNECTION_REFUSED; a deadline (the driver's own) → STATUS_IO_TIMEOUT;
 * a zoned ::1 → the stack's call (Wine's netio gives STATUS_NO_MEMORY for a scope id
 * it cannot map; Windows STATUS_INVALID_ADDRESS_COMPONENT or unreachable).
 */
const WSK_TARGET_CODES = {
  live: [],
  refused: ['STATUS_CONNECTION_REFUSED'],
  stalled: [],
  zoned: ['STATUS_NO_MEMORY', 'STATUS_INVALID_ADDRESS_COMPONENT', 'STATUS_NETWORK_UNREACHABLE', 'STATUS_HOST_UNREACHABLE', 'STATUS_CONNECTION_REFUSED', 'STATUS_INVALID_PARAMETER'],
};

const NOT_ONE_PEER = new net.BlockList();
NOT_ONE_PEER.addAddress('255.255.255.255', 'ipv4');
NOT_ONE_PEER.addSubnet('224.0.0.0', 4, 'ipv4');
NOT_ONE_PEER.addSubnet('ff00::', 8, 'ipv6');

/** driver.connect({ address, port, timeout, signal, mode }): `loaded` false where no driver can load. */
function wskConnect(spec, targets, { loaded }) {
  try {
    const o = optionsRecord(spec);
    const address = destination(o.address, targets, 'options.address');
    const ip = canonical(address);
    if (NOT_ONE_PEER.check(ip, net.isIPv4(ip) ? 'ipv4' : 'ipv6')) invalid('options.address: not unicast');
    const port = integerIn(o.port, targets, 1, 65535, 'options.port');
    const deadlineMs = o.timeout === undefined ? 10_000 : timeoutMs(o.timeout, 'options.timeout');
    if (deadlineMs < 1 || deadlineMs > 60_000) invalid('options.timeout: not 1..60000');
    const signal = signalKind(o.signal, 'options.signal');
    const mode = oneOf(o.mode, ['connect', 'socketConnect'], 'connect', 'options.mode');
    const effect = signalEffect(signal);
    if (!loaded && effect !== 'abort' && effect !== 'threw') {
      return { valid: true, allowed: new Set(['DriverServiceError']), mustResolve: false, why: 'no driver loaded' };
    }
    if (underWine && mode === 'socketConnect' && effect !== 'abort' && effect !== 'threw') {
      // Wine's netio.sys has no WskSocketConnect (README's divergence table).
      return { ...expectConnect({ canResolve: false, codes: ['STATUS_NOT_IMPLEMENTED'], deadlineMs, signal, timeoutCode: 'STATUS_IO_TIMEOUT' }),
        why: 'WskSocketConnect is a stub under Wine' };
    }
    if (underWine && address.includes(':') && effect !== 'abort' && effect !== 'threw') {
      // Wine's WskBind passes 16 bytes for any address: every IPv6 bind fails, with
      // STATUS_NO_MEMORY (measured on 8.0 and 10.0; DIVERGENCES.wskBindIpv6). A short
      // deadline may still pass first (a full-size run: 1 ms beat the failed bind).
      return { ...expectConnect({ canResolve: false, codes: ['STATUS_NO_MEMORY'], deadlineMs, signal, timeoutCode: 'STATUS_IO_TIMEOUT' }),
        why: 'IPv6 WskBind fails under Wine' };
    }
    const kind = tcpTarget(address, isTag(o.port, 'port') ? o.port.which : undefined);
    return expectConnect({
      canResolve: kind === 'live' || kind === 'zoned', codes: WSK_TARGET_CODES[kind], deadlineMs, signal,
      timeoutCode: 'STATUS_IO_TIMEOUT', hangs: kind === 'stalled',
    });
  } catch (error) {
    if (error instanceof InvalidSpec) return expectArgumentError(error.message);
    throw error;
  }
}

/**
 * Whether `outcome` (robust.classifyError's name, or 'resolved') is what
 * `expectation` allows. 'DriverServiceError' stands for that class with any code.
 */
function allows(expectation, outcome) {
  if (expectation.allowed.has(outcome)) return true;
  return expectation.allowed.has('DriverServiceError') && outcome.startsWith('DriverServiceError:');
}

module.exports = { ARGUMENT_OUTCOMES, wsaConnect, connectByName, connectByList, wskConnect, allows };
