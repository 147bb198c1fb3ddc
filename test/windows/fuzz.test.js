'use strict';
// Property-based fuzzing (fast-check) of every public function's options, with
// valid and invalid values mixed: wrong types, out-of-range ports, NaN, huge
// strings, odd families, negative timeouts, aborted and fake signals, getters and
// proxies that throw. test/support/fuzzOracle.js derives from each spec what the
// call must do: an invalid spec rejects with an argument error (ERR_*) or the very
// error a planted getter threw; a valid one reaches Winsock and ends as its target
// decides (a live echo server: connected and echoing, unless a deadline or an abort
// may come first; a refused or stalled one: its own codes). Nothing may crash, hang,
// or leave an unhandled rejection, an open SOCKET or an abandoned call behind.
//
// Loopback only. The arbitraries build a *spec* of plain data; materialize()
// turns it into options at call time. Every valid address in a spec is a
// loopback literal (127.0.0.0/8, ::1 in its spellings) or "localhost"; every valid
// port is one of this file's own servers (or 0); every other string or number in
// an address, host or port field fails validation. assertLoopbackOnly() checks
// each spec before it is used.
//
// Sizes: 300 inputs per property in CI; WINSOCK_CONNECT_FULL=1 (npm run fuzz)
// raises it (WINSOCK_CONNECT_FUZZ_RUNS overrides both). WINSOCK_CONNECT_FUZZ_SEED
// replays a run; the seed is printed.
const assert = require('node:assert/strict');
const dgram = require('node:dgram');
const net = require('node:net');
const fc = require('fast-check');
const api = require('../../dist/index.js');
const lo = require('../support/loopback');
const robust = require('../support/robust');
const oracle = require('../support/fuzzOracle');
const { underWine, DIVERGENCES } = require('../support/wine');

const RUNS = Number(process.env.WINSOCK_CONNECT_FUZZ_RUNS) || robust.size(300, 100_000);
const SEED = Number(process.env.WINSOCK_CONNECT_FUZZ_SEED) || (Date.now() % 2 ** 31);
const CALL_WATCHDOG_MS = 20_000;
const { canLoadDriver, endParkedConnects, installFresh, removeDriver } = require('../support/driver');

// ---------------------------------------------------------------------------
// Arbitraries: specs of plain data. Tags ({ $: … }) stand for values made at call time.
// ---------------------------------------------------------------------------

/** Mostly `valid` (weight `validWeight`), sometimes one of the `invalid` arbitraries (weight 1 each). */
function field(valid, invalid, validWeight = 30) {
  return fc.oneof({ weight: validWeight, arbitrary: valid }, ...invalid.map((arbitrary) => ({ weight: 1, arbitrary })));
}

/**
 * A record of `fields`: usually every key present (values may still be
 * undefined), sometimes with keys left out.
 */
function recordOf(fields) {
  return fc.oneof({ weight: 9, arbitrary: fc.record(fields) }, { weight: 1, arbitrary: fc.record(fields, { requiredKeys: [] }) });
}

/** Numbers that are never a valid port (so never a stranger's listener). */
const notAPortNumber = fc.oneof(
  fc.integer({ min: -(2 ** 31), max: -1 }),
  fc.integer({ min: 65536, max: 2 ** 40 }),
  fc.double({ noNaN: false }).filter((d) => !(Number.isInteger(d) && d >= 0 && d <= 65535)),
  fc.constantFrom(NaN, Infinity, -Infinity, 65535.5, 0.5, 2 ** 53, Number.MAX_VALUE, Number.MIN_VALUE),
);

/** Values of the wrong type for any field (no strings; numbers only where never a port). */
const wrongType = fc.oneof(
  fc.constantFrom(undefined, null, true, false),
  notAPortNumber,
  fc.constantFrom({ $: 'bigint' }, { $: 'symbol' }, { $: 'fn' }, { $: 'date' }, { $: 'emptyObject' }, { $: 'emptyArray' }, { $: 'throwingProxy' }),
);

/** A getter planted in the parent object that throws PlantedGetterError. */
const throwingGetter = fc.constant({ $: 'throws' });

/** A long string: huge, and always beyond any name limit (>255). */
const hugeString = fc.record({ $: fc.constant('huge'), length: fc.integer({ min: 256, max: 1 << 20 }), char: fc.constantFrom('a', '1', '.', ':', '\u00e9', '\ud83d\ude00') });

/** Spellings of loopback addresses only. */
const loopbackIp = fc.oneof(
  { weight: 5, arbitrary: fc.constant('127.0.0.1') },
  { weight: 2, arbitrary: fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255)).map(([a, b, c]) => `127.${a}.${b}.${c}`) },
  { weight: 3, arbitrary: fc.constantFrom('::1', '0:0:0:0:0:0:0:1', '0::1', '::0:1', '0000:0000:0000:0000:0000:0000:0000:0001') },
  { weight: 2, arbitrary: fc.constantFrom('::ffff:127.0.0.1', '::FFFF:7F00:1', '::ffff:127.0.0.2', '::ffff:7f00:0001') },
  { weight: 1, arbitrary: fc.constantFrom('::1%0', '::1%1', '::1%4294967296', '::1%99999999999999999999') },
);

/** Strings that are no IP literal (filtered, so never another address). */
const notAnIp = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }).filter((s) => net.isIP(s.replace(/%.*$/, '')) === 0),
  fc.constantFrom('', '127.0.0.256', '::1%eth0', '::1%', '127.1', '0x7f.0.0.1', '2130706433', ' 127.0.0.1', '127.0.0.1 ', '[::1]', 'localhost', '127.0.0.1\0', '::1\0'),
  hugeString,
);

const addressField = field(loopbackIp, [notAnIp, wrongType, throwingGetter]);

const OUR_PORTS = ['echo4', 'echo6', 'refused', 'stalled', 'zero'];
// Echo listeners weigh most, so that many calls connect for real.
const PORT_WEIGHTS = { echo4: 4, echo6: 2, udp: 4, refused: 1, stalled: 1, zero: 1 };
const portTag = (names = OUR_PORTS) => fc.oneof(...names.map((which) => ({ weight: PORT_WEIGHTS[which], arbitrary: fc.constant({ $: 'port', which }) })));

/** A numeric port field: one of ours, or invalid. */
const portField = (names) => field(portTag(names), [
  notAPortNumber,
  // Strings are never a port here; digits are left out all the same (see assertLoopbackOnly).
  fc.string({ maxLength: 6 }).filter((s) => !/^\s*\d+\s*$/.test(s)),
  wrongType,
  throwingGetter,
]);

const timeoutField = field(fc.oneof(
  { weight: 4, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.constantFrom(0, -0, 2 ** 31 - 1) },
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 300 }) },
  { weight: 1, arbitrary: fc.double({ min: 0, max: 300, noNaN: true }) },
), [
  fc.constantFrom(-1, -0.5, NaN, Infinity, -Infinity, 2 ** 31, 1e300),
  fc.constantFrom('5', '', {}, null, true, { $: 'bigint' }),
  throwingGetter,
], 12);

const SIGNAL_KINDS = ['aborted', 'abortLater', 'timeoutSignal', 'never', 'fakeNever', 'fakeAborted', 'fakeThrowAdd',
  'fakeThrowRemove', 'fakeAbortedGetterThrows', 'fakeFiresOnSubscribe', 'notASignal'];
const signalField = field(fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: fc.record({ $: fc.constant('signal'), kind: fc.constantFrom(...SIGNAL_KINDS), ms: fc.integer({ min: 0, max: 120 }), reason: fc.oneof(fc.constant(undefined), fc.string({ maxLength: 5 }), fc.integer()) }) },
), [wrongType, throwingGetter]);

/** A value for an enum-like string option: allowed ones, odd ones, wrong types. */
const oneOfField = (allowed, odd) => field(fc.constantFrom(undefined, ...allowed), [
  fc.constantFrom(...odd),
  fc.string({ maxLength: 8 }),
  wrongType,
  throwingGetter,
]);

/** Options that are no options object at all. */
const notOptions = fc.oneof(wrongType, fc.string({ maxLength: 10 }), fc.constant({ $: 'throwingProxy' }));

/** A record with optional keys, sometimes wrapped in a transparent Proxy. */
function optionsOf(fields) {
  const record = recordOf(fields);
  return fc.oneof(
    { weight: 30, arbitrary: record },
    { weight: 1, arbitrary: record.map((of) => ({ $: 'proxy', of })) },
    { weight: 1, arbitrary: notOptions },
  );
}

// connectByName: hosts are loopback literals or "localhost" (any case), or invalid
// names (empty, NUL, >255): no other name is ever resolved.
const hostField = field(fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('localhost', 'LocalHost', '127.0.0.1', '::1', '127.0.0.2', '::ffff:127.0.0.1') },
  { weight: 1, arbitrary: loopbackIp },
), [
  fc.constantFrom('', '\0', 'localhost\0', '\x00127.0.0.1'),
  fc.string({ maxLength: 10 }).map((s) => `${s}\0${s}`),
  hugeString,
  wrongType,
  throwingGetter,
]);
// Service strings: our ports as digits, or names no services file has ('~' prefix).
const serviceField = field(fc.oneof(
  { weight: 2, arbitrary: portTag() },
  { weight: 1, arbitrary: fc.constantFrom(...OUR_PORTS.filter((p) => p !== 'zero')).map((which) => ({ $: 'service', which })) },
), [
  fc.string({ maxLength: 12 }).map((s) => `~${s}`),
  // No digits at all: a resolver may read ' 80', '0x50' or '-1' as a port number.
  fc.constantFrom('', 'ht\0tp', '~http', 'no such service'),
  hugeString,
  notAPortNumber,
  wrongType,
  throwingGetter,
]);
const byNameSpec = optionsOf({
  host: hostField,
  port: serviceField,
  family: oneOfField(['dual', 'ipv4', 'ipv6'], ['ipx', 'IPv4', 'inet6', '', 'dual\0', 'ipv4 ']),
  timeout: timeoutField,
  signal: signalField,
});

// Endpoints inside a list: invalid ones rarer still, as one spoils the whole list.
const endpointSpec = field(fc.record({ address: field(loopbackIp, [notAnIp, wrongType, throwingGetter], 60), port: field(portTag(), [notAPortNumber, wrongType, throwingGetter], 60) }), [
  fc.record({ address: addressField, port: portField() }, { requiredKeys: [] }),
  wrongType,
  fc.string({ maxLength: 10 }),
], 30);
const addressesField = field(fc.array(endpointSpec, { minLength: 1, maxLength: 4 }), [
  fc.array(endpointSpec, { minLength: 60, maxLength: 70 }),
  fc.constant([]),
  fc.record({ $: fc.constant('holes'), length: fc.integer({ min: 1, max: 5 }), items: fc.array(endpointSpec, { maxLength: 3 }) }),
  wrongType,
  throwingGetter,
]);
const byListSpec = (strategy) => optionsOf({
  addresses: addressesField,
  strategy,
  attemptDelay: timeoutField,
  timeout: timeoutField,
  signal: signalField,
});

const flowspecNumber = field(fc.oneof(fc.nat(), fc.constant(0xffffffff)), [fc.constantFrom(2 ** 32, -1, 1.5, NaN), wrongType, fc.constant('fast'), throwingGetter], 40);
const flowspec = fc.record({
  tokenRate: flowspecNumber,
  tokenBucketSize: flowspecNumber,
  peakBandwidth: flowspecNumber,
  latency: flowspecNumber,
  delayVariation: flowspecNumber,
  serviceType: field(fc.constantFrom(0, 1, 2, 3, 4, 5, 6, 9, 10, 13), [fc.integer({ min: -5, max: 20 }), wrongType], 30),
  maxSduSize: flowspecNumber,
  minimumPolicedSize: flowspecNumber,
}, { requiredKeys: [] });

const bytesField = field(fc.oneof(
  { weight: 1, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.record({ $: fc.constantFrom('buffer', 'uint8array'), length: fc.integer({ min: 0, max: 300 }) }) },
  { weight: 1, arbitrary: fc.record({ $: fc.constant('buffer'), length: fc.constant(65535) }) },
), [
  fc.record({ $: fc.constant('buffer'), length: fc.constantFrom(65536, 1 << 20) }),
  fc.constantFrom({ $: 'fakeUint8Array' }, { $: 'uint16array' }, { $: 'dataview' }, { $: 'arraybuffer' }),
  fc.string({ maxLength: 10 }),
  wrongType,
  throwingGetter,
]);

// A local address to bind: the destination family's wildcard ({}), a loopback
// address or a wildcard (binding is not connecting; a family unlike the
// destination's is an argument error). Port 0 only (the system picks): a fixed
// port could take one another program wants.
const localPort = field(fc.constantFrom(0, undefined), [notAPortNumber, wrongType, throwingGetter]);
const localField = field(fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: fc.record({ port: localPort }, { requiredKeys: [] }) },
  { weight: 1, arbitrary: fc.record({ address: field(fc.oneof(loopbackIp, fc.constantFrom('0.0.0.0', '::')), [notAnIp, wrongType]), port: localPort }, { requiredKeys: [] }) },
), [wrongType, fc.string({ maxLength: 5 })]);

const wsaSpec = (protocol, portNames, broadcast) => optionsOf({
  address: addressField,
  port: portField(portNames),
  protocol,
  local: localField,
  callerData: bytesField,
  qos: field(fc.oneof(fc.constant(undefined), fc.record({ sending: field(flowspec, [wrongType]), receiving: field(flowspec, [wrongType]) }, { requiredKeys: [] })), [wrongType]),
  broadcast,
  timeout: timeoutField,
  signal: signalField,
});

const datagramData = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 100 }) },
  { weight: 3, arbitrary: fc.record({ $: fc.constantFrom('buffer', 'uint8array'), length: fc.integer({ min: 0, max: 2000 }) }) },
  { weight: 1, arbitrary: fc.record({ $: fc.constant('buffer'), length: fc.constantFrom(65507, 65508, 70000) }) },
  { weight: 1, arbitrary: fc.constantFrom({ $: 'fakeUint8Array' }, { $: 'uint16array' }, { $: 'dataview' }, { $: 'arraybuffer' }) },
  { weight: 1, arbitrary: wrongType },
);
const datagramAction = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('send'), data: datagramData }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('connect'), address: addressField, port: portField(['udp', 'refused', 'zero']) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constantFrom('ref', 'unref', 'close') }) },
);

const wskSpec = optionsOf({
  address: addressField,
  port: portField(),
  timeout: fc.oneof(timeoutField, fc.constantFrom(60_000, 60_001)),
  signal: signalField,
  mode: oneOfField(['connect', 'socketConnect'], ['kernel', 'Connect', '']),
});

// ---------------------------------------------------------------------------
// Keeping every call loopback and finite.
// ---------------------------------------------------------------------------

function hugeText(tag) {
  return tag.char.repeat(tag.length);
}

/** Fails when a spec holds anything that could connect somewhere other than loopback. */
function assertLoopbackOnly(spec, key = '', inLocal = false) {
  if (typeof spec === 'string') {
    const ip = spec.replace(/%.*$/, '');
    const wildcard = inLocal && (ip === '0.0.0.0' || ip === '::'); // a local address to bind, not a destination
    // Only where a string is used as a destination: elsewhere ('::B' as a signal's
    // reason or a datagram's text) an address-like string is just text.
    const destination = key === 'address' || key === 'host';
    if (destination && net.isIP(ip) !== 0 && !wildcard) assert.ok(robust.isLoopbackIp(spec), `spec holds a non-loopback address ${spec}`);
    if (key === 'host' && spec.length > 0 && spec.length <= 255 && !spec.includes('\0') && net.isIP(ip) === 0) {
      assert.ok(spec.toLowerCase() === 'localhost', `spec holds a host name other than localhost: ${JSON.stringify(spec)}`);
    }
    if (key === 'port' && spec.length <= 255 && /^\s*\d+\s*$/.test(spec)) assert.fail(`spec holds a numeric service ${spec} that is not one of ours`);
    return;
  }
  if (typeof spec === 'number' && key === 'port') {
    assert.ok(!(Number.isInteger(spec) && spec > 0 && spec <= 65535), `spec holds a literal port ${spec}`);
    return;
  }
  if (spec === null || typeof spec !== 'object') return;
  if (spec.$ === 'huge') return assertLoopbackOnly(hugeText(spec), key, inLocal);
  for (const [k, v] of Object.entries(spec)) {
    assertLoopbackOnly(v, Array.isArray(spec) || k === 'of' || k === 'items' ? key : k, inLocal || k === 'local');
  }
}

function containsStalled(spec) {
  if (spec === null || typeof spec !== 'object') return false;
  if ((spec.$ === 'port' || spec.$ === 'service') && spec.which === 'stalled') return true;
  return Object.values(spec).some(containsStalled);
}

/** What validateTimeout would accept; anything else rejects before connecting. */
function isAcceptedTimeout(value) {
  return value === undefined || (typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 2 ** 31 - 1);
}

/**
 * A connect to the stalled listener hangs, rightly, until a deadline or an abort.
 * When a spec may reach it without one, give it a short deadline (`boundMs`).
 * Returns the spec (repaired in place on its record).
 */
function boundStalled(spec, boundMs, { defaultTimeoutMs = 0 } = {}) {
  const record = spec && spec.$ === 'proxy' ? spec.of : spec;
  if (!record || typeof record !== 'object' || record.$ || Array.isArray(record) || !containsStalled(record)) return spec;
  const t = record.timeout;
  const effective = t === undefined ? defaultTimeoutMs : t;
  const bounded = typeof effective === 'number' && effective > 0 && effective <= 300;
  if (isAcceptedTimeout(t) && !bounded) record.timeout = boundMs;
  return spec;
}

// ---------------------------------------------------------------------------
// Materializing a spec into real values, fresh for every call.
// ---------------------------------------------------------------------------

function makeSignal(tag, timers) {
  const planted = () => new robust.PlantedGetterError('signal');
  switch (tag.kind) {
    case 'aborted': return AbortSignal.abort(tag.reason);
    case 'abortLater': {
      const controller = new AbortController();
      timers.push(setTimeout(() => controller.abort(tag.reason), tag.ms));
      return controller.signal;
    }
    case 'timeoutSignal': return AbortSignal.timeout(tag.ms);
    case 'never': return new AbortController().signal;
    case 'fakeNever': return { aborted: false, addEventListener() {}, removeEventListener() {} };
    case 'fakeAborted': return { aborted: true, reason: tag.reason, addEventListener() {}, removeEventListener() {} };
    case 'fakeThrowAdd': return { aborted: false, addEventListener() { throw planted(); }, removeEventListener() {} };
    case 'fakeThrowRemove': return { aborted: false, addEventListener() {}, removeEventListener() { throw planted(); } };
    case 'fakeAbortedGetterThrows': return { get aborted() { throw planted(); }, addEventListener() {}, removeEventListener() {} };
    case 'fakeFiresOnSubscribe': return { aborted: false, reason: tag.reason, addEventListener(type, listener) { listener(); }, removeEventListener() {} };
    case 'notASignal': return { aborted: false };
    default: throw new Error(`unknown signal kind ${tag.kind}`);
  }
}

/** Turns a spec into the value a call receives. `timers` collects timers to clear after. */
function materialize(spec, targets, timers) {
  if (Array.isArray(spec)) return spec.map((item) => materialize(item, targets, timers));
  if (spec === null || typeof spec !== 'object') return spec;
  switch (spec.$) {
    case undefined: break;
    case 'port': return targets[spec.which];
    case 'service': return String(targets[spec.which]);
    case 'huge': return hugeText(spec);
    case 'bigint': return 80n;
    case 'symbol': return Symbol('fuzz');
    case 'fn': return function port() { return 80; };
    case 'date': return new Date(0);
    case 'emptyObject': return {};
    case 'emptyArray': return [];
    case 'throws': // a planted getter where there is no parent object (a positional argument)
    case 'throwingProxy': return new Proxy({}, { get(_, key) { throw new robust.PlantedGetterError(String(key)); } });
    case 'proxy': return new Proxy(materialize(spec.of, targets, timers), {});
    case 'holes': {
      const list = new Array(spec.length);
      spec.items.forEach((item, i) => { if (i % 2 === 1 && i < spec.length) list[i] = materialize(item, targets, timers); });
      return list;
    }
    case 'signal': return makeSignal(spec, timers);
    case 'buffer': return Buffer.alloc(spec.length, 0x5a);
    case 'uint8array': return new Uint8Array(spec.length).fill(0xa5);
    case 'fakeUint8Array': return Object.create(Uint8Array.prototype);
    case 'uint16array': return new Uint16Array(4);
    case 'dataview': return new DataView(new ArrayBuffer(4));
    case 'arraybuffer': return new ArrayBuffer(4);
    default: throw new Error(`unknown tag ${spec.$}`);
  }
  const object = {};
  for (const [key, value] of Object.entries(spec)) {
    if (value && value.$ === 'throws') {
      Object.defineProperty(object, key, { enumerable: true, get() { throw new robust.PlantedGetterError(key); } });
    } else {
      object[key] = materialize(value, targets, timers);
    }
  }
  return object;
}

// ---------------------------------------------------------------------------
// Running one input and a whole property.
// ---------------------------------------------------------------------------

/** Settles `promise` or fails naming the input after CALL_WATCHDOG_MS (a hang is a bug). */
async function withWatchdog(promise, spec) {
  let timer;
  const watchdog = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new assert.AssertionError({ message: `call did not settle in ${CALL_WATCHDOG_MS} ms: ${fc.stringify(spec)}` })), CALL_WATCHDOG_MS);
  });
  try {
    return await Promise.race([promise, watchdog]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Calls `call(value)` for a promise-returning API: it must not throw synchronously,
 * and must settle with a value or an acceptable error. Returns the outcome name
 * and the value.
 */
async function callOnce(call, value, spec) {
  let promise;
  try {
    promise = call(value);
  } catch (error) {
    assert.fail(`threw synchronously instead of rejecting: ${error?.stack ?? error} for ${fc.stringify(spec)}`);
  }
  assert.ok(promise instanceof Promise, 'returns a promise');
  try {
    return { outcome: 'resolved', value: await withWatchdog(promise, spec) };
  } catch (error) {
    if (error instanceof assert.AssertionError) throw error;
    return { outcome: robust.classifyError(error) };
  }
}

/**
 * Fails unless `outcome` is what `expectation` (fuzzOracle) allows for `spec`.
 * Returns whether the spec was valid, for the tally.
 */
function checkOutcome(expectation, outcome, spec) {
  if (oracle.allows(expectation, outcome)) return;
  const wanted = [...expectation.allowed].join(' | ');
  const kind = expectation.valid ? `a valid spec${expectation.why ? ` (${expectation.why})` : ''}` : `an invalid spec (${expectation.why})`;
  assert.fail(`${kind} ended as ${outcome}, expected ${wanted}: ${fc.stringify(spec)}`);
}

/**
 * fc.assert over `arbitrary`; `run(spec)` performs one input and returns its
 * outcome name, checked against `expect(spec)` (fuzzOracle). After each input the
 * addon's SOCKETs and abandoned calls are back to the baseline; at the end no
 * rejection went unhandled and (on Windows) the handle count is back. Prints a
 * tally; asserts that valid specs were drawn and that some connected. `live`, a spec
 * that must connect, runs first as an explicit example (fast-check's `examples`),
 * so no seed can draw a property without one.
 */
async function fuzz(name, arbitrary, expect, run, { mustConnect = true, live } = {}) {
  const tally = {};
  const drawn = { valid: 0, invalid: 0, mustResolve: 0 };
  const handles = robust.handleCountCheck();
  const baseline = lo.stats().openSockets;
  const startedAt = Date.now();
  handles.start();
  await fc.assert(fc.asyncProperty(arbitrary, async (spec) => {
    assertLoopbackOnly(spec);
    const expectation = expect(spec);
    const outcome = await run(spec, expectation);
    checkOutcome(expectation, outcome, spec);
    tally[outcome] = (tally[outcome] || 0) + 1;
    drawn[expectation.valid ? 'valid' : 'invalid'] += 1;
    if (expectation.mustResolve) drawn.mustResolve += 1;
    await lo.expectNoLeaks(baseline);
  }), { numRuns: RUNS, seed: SEED, endOnFailure: true, examples: live ? [[live]] : [] });
  const seconds = (Date.now() - startedAt) / 1000;
  const sorted = Object.fromEntries(Object.entries(tally).sort((a, b) => b[1] - a[1]));
  console.log(`      (${name}: ${RUNS} inputs in ${seconds.toFixed(1)} s; ${JSON.stringify(drawn)}; outcomes ${JSON.stringify(sorted)})`);
  assert.ok(drawn.valid >= RUNS * 0.1, `only ${drawn.valid} of ${RUNS} specs were valid`);
  assert.ok(drawn.invalid > 0, 'no invalid spec was drawn');
  if (mustConnect) assert.ok((tally.resolved ?? 0) > 0 && drawn.mustResolve > 0, `no input connected (${tally.resolved ?? 0} resolved)`);
  handles.check(32, `${RUNS} fuzzed ${name} calls`);
}

/**
 * Materializes, calls, checks what came back (a live TCP target echoes), closes
 * it, clears the spec's timers.
 */
async function runCall(call, spec, targets, expectation) {
  const timers = [];
  try {
    const value = materialize(spec, targets, timers);
    const { outcome, value: result } = await callOnce(call, value, spec);
    if (outcome === 'resolved') {
      if (expectation.mustResolve && result?.socket instanceof net.Socket) {
        assert.equal(await lo.echoRoundTrip(result.socket, 'fuzz'), 'fuzz', `no echo from ${fc.stringify(spec)}`);
      }
      await robust.closeResult(result);
    }
    return outcome;
  } finally {
    timers.forEach(clearTimeout);
  }
}

/** A UDP peer that echoes each datagram back to its sender. */
async function udpEcho(port = 0) {
  const socket = dgram.createSocket('udp4');
  socket.on('message', (msg, rinfo) => socket.send(msg, rinfo.port, rinfo.address));
  socket.on('error', () => {});
  await new Promise((resolve, reject) => socket.once('error', reject).bind(port, '127.0.0.1', resolve));
  return { port: socket.address().port, close: () => new Promise((resolve) => socket.close(resolve)) };
}

// ---------------------------------------------------------------------------

describe(`fuzz: every public function's options (fast-check, ${RUNS} inputs each, seed ${SEED})`, function () {
  this.timeout(0); // each input has its own watchdog; sizes differ between CI and full
  const targets = {};
  let echo4;
  let echo6;
  let stalled;
  let udp;
  const unhandled = robust.unhandledRejectionWatcher();

  before(async () => {
    console.log(`      (replay with WINSOCK_CONNECT_FUZZ_SEED=${SEED})`);
    // Every port a spec can name is outside the ephemeral ranges and free on both
    // loopback families: the other family's connect to it is refused, never met by
    // its own end (loopbackFixtures.js).
    const ourPort = () => lo.portOutsideEphemeral(['127.0.0.1', '::1']);
    echo4 = await lo.echoServer('127.0.0.1', await ourPort());
    echo6 = await lo.echoServer('::1', await ourPort());
    stalled = await lo.stalledServer('127.0.0.1', { port: await ourPort() });
    udp = await udpEcho(await ourPort());
    Object.assign(targets, { echo4: echo4.port, echo6: echo6.port, refused: await lo.refusedPort(), stalled: stalled.port, zero: 0, udp: udp.port });
    unhandled.install();
  });
  after(async () => {
    unhandled.uninstall();
    stalled?.close();
    await echo4?.close();
    await echo6?.close();
    await udp?.close();
  });
  afterEach(() => unhandled.check());
  robust.printRuntimes();

  it('connectByName', async () => {
    const arbitrary = fc.tuple(byNameSpec, fc.integer({ min: 1, max: 60 })).map(([spec, bound]) => boundStalled(spec, bound));
    await fuzz('connectByName', arbitrary, (spec) => oracle.connectByName(spec, targets),
      (spec, expectation) => runCall(api.connectByName, spec, targets, expectation),
      { live: { host: '::1', port: { $: 'port', which: 'echo6' }, family: 'ipv6' } });
  });

  for (const [label, strategy, liveStrategy] of [
    ["strategy 'system'", fc.constant('system'), 'system'],
    ["strategy 'race'", fc.constant('race'), 'race'],
    ["strategy 'auto', absent or invalid", oneOfField(['auto'], ['System', 'RACE', 'fastest', '']), 'auto'],
  ]) {
    it(`connectByList, ${label}`, async () => {
      const arbitrary = fc.tuple(byListSpec(strategy), fc.integer({ min: 1, max: 60 })).map(([spec, bound]) => boundStalled(spec, bound));
      const system = { hasConnectByList: api.platformInfo().connectByList };
      if (!system.hasConnectByList && label.includes('system')) console.log(`      (${DIVERGENCES.connectByList}: every valid spec must reject with ERR_WINSOCK_FUNCTION_UNAVAILABLE)`);
      await fuzz(`connectByList ${label}`, arbitrary, (spec) => oracle.connectByList(spec, targets, system),
        (spec, expectation) => runCall(api.connectByList, spec, targets, expectation), {
          mustConnect: system.hasConnectByList || liveStrategy !== 'system',
          live: { addresses: [{ address: '127.0.0.1', port: { $: 'port', which: 'echo4' } }], strategy: liveStrategy },
        });
    });
  }

  it('wsaConnect, TCP (local, qos, callerData)', async () => {
    const protocol = oneOfField(['tcp'], ['TCP', 'sctp', 'tcp6', '']);
    // broadcast: true is an argument error for TCP, so mostly absent or false here.
    const broadcast = field(fc.constantFrom(undefined, false), [fc.constant(true), fc.constantFrom('yes', 1, 0, null)]);
    const arbitrary = fc.tuple(wsaSpec(protocol, OUR_PORTS, broadcast), fc.integer({ min: 1, max: 60 })).map(([spec, bound]) => boundStalled(spec, bound));
    await fuzz('wsaConnect tcp', arbitrary, (spec) => oracle.wsaConnect(spec, targets),
      (spec, expectation) => runCall(api.wsaConnect, spec, targets, expectation),
      { live: { address: '127.0.0.1', port: { $: 'port', which: 'echo4' } } });
  });

  it('wsaConnect, UDP (broadcast, local, callerData) and every DatagramConnection method', async () => {
    const broadcast = field(fc.constantFrom(undefined, true, false), [fc.constantFrom('yes', 1, 0, null)]);
    const options = wsaSpec(fc.constant('udp'), ['udp', 'refused', 'zero'], broadcast);
    const arbitrary = fc.record({ options, actions: fc.array(datagramAction, { maxLength: 8 }) });
    await fuzz('wsaConnect udp + DatagramConnection', arbitrary, (spec) => oracle.wsaConnect(spec.options, targets), async (spec) => {
      const timers = [];
      try {
        const { outcome, value } = await callOnce(api.wsaConnect, materialize(spec.options, targets, timers), spec.options);
        if (outcome !== 'resolved') return outcome;
        if (!(value instanceof api.DatagramConnection)) {
          await robust.closeResult(value); // protocol 'udp' through a planted proxy still gives UDP; anything else fails below
          assert.fail(`protocol 'udp' resolved with ${value?.constructor?.name}`);
        }
        await exerciseDatagram(value, spec.actions, targets);
        return 'resolved';
      } finally {
        timers.forEach(clearTimeout);
      }
    }, { live: { options: { address: '127.0.0.1', port: { $: 'port', which: 'udp' }, protocol: 'udp' }, actions: [] } });
  });

  describe('WskDriver.connect', () => {
    let driver;
    let loaded = false;
    before(async function () {
      if (!canLoadDriver) {
        console.log('      (driver not loaded on Windows without WSKCONNECT_SYS: every valid call must reject with DriverServiceError)');
        driver = new api.WskDriver('WskConnectFuzz');
        return;
      }
      driver = await installFresh('WskConnectFuzz');
      await driver.open();
      loaded = true;
    });
    after(async () => {
      if (!loaded) return;
      await endParkedConnects(stalled); // the stalled targets' parked connects end before the stop
      await removeDriver(driver);
    });

    it('options (address, port, timeout, signal, mode)', async () => {
      // The driver's own bound is 10 s by default: stalled targets get a short one.
      // WskSocketConnect is a stub under Wine that never completes: bounded the same way.
      const arbitrary = fc.tuple(wskSpec, fc.integer({ min: 1, max: 60 })).map(([spec, bound]) => {
        const record = spec && spec.$ === 'proxy' ? spec.of : spec;
        const stub = underWine && record && typeof record === 'object' && !record.$ && record.mode === 'socketConnect';
        if (stub && isAcceptedTimeout(record.timeout) && !(record.timeout >= 1 && record.timeout <= 300)) record.timeout = bound;
        return boundStalled(spec, bound, { defaultTimeoutMs: 10_000 });
      });
      await fuzz('WskDriver.connect', arbitrary, (spec) => oracle.wskConnect(spec, targets, { loaded }),
        (spec, expectation) => runCall((o) => driver.connect(o), spec, targets, expectation),
        { mustConnect: loaded, live: { address: '127.0.0.1', port: { $: 'port', which: 'echo4' } } });
    });
  });
});

/** Runs fuzzed actions on a DatagramConnection, each with its acceptable outcomes, then closes it. */
async function exerciseDatagram(conn, actions, targets) {
  const errors = [];
  conn.on('error', (error) => errors.push(error));
  const timers = [];
  try {
    for (const action of actions) {
      switch (action.op) {
        case 'send': {
          const data = materialize(action.data, targets, timers);
          await conn.send(data).catch((error) => {
            if (robust.isLibuvSendError(error) || error.code === 'ERR_SOCKET_DGRAM_NOT_RUNNING') return;
            robust.classifyError(error);
          });
          break;
        }
        case 'connect': {
          const address = materialize(action.address, targets, timers);
          const port = materialize(action.port, targets, timers);
          const before = conn.remoteAddress;
          await conn.connect(address, port).then(
            () => assert.ok(robust.isLoopbackIp(conn.remoteAddress.address)),
            (error) => {
              robust.classifyError(error);
              assert.deepEqual(conn.remoteAddress, before, 'a failed connect() keeps the old peer');
            },
          );
          break;
        }
        case 'ref': assert.equal(conn.ref(), conn); break;
        case 'unref': assert.equal(conn.unref(), conn); break;
        case 'close': await conn.close(); break;
        default: throw new Error(`unknown action ${action.op}`);
      }
    }
  } finally {
    timers.forEach(clearTimeout);
    await conn.close();
  }
  // Receive errors (an ICMP port unreachable from a send to a closed port) are libuv errors, like dgram's.
  for (const error of errors) assert.ok(/^E[A-Z]+$/.test(String(error.code)), `unexpected 'error' event: ${error.stack}`);
}
