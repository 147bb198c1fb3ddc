'use strict';
// The WSK driver against hostile input: random IOCTLs (codes, input and output
// lengths, every field of a WSKCONNECT_REQUEST) and stop/start with connects in
// flight. Each IOCTL's outcome must be exactly what the contract in
// native/include/wskconnect_ioctl.h says; winedevice (or the kernel) must survive
// and the driver must still connect afterwards.
//
// CI size: 1,000 IOCTLs and 10 stop/starts. WINSOCK_CONNECT_FULL=1: 10,000 and 100.
// The fast-check seed is printed; WINSOCK_CONNECT_FUZZ_SEED=<n> replays a run.
//
// Only loopback: a random request that the driver would accept is first pointed
// at a loopback address (keepOnLoopback), so no IOCTL can reach any other host.
const assert = require('node:assert/strict');
const net = require('node:net');
const fc = require('fast-check');
const { WskDriver, WskError, DriverServiceError, NtStatus } = require('../../dist/index.js');
const { loadBinding } = require('../../dist/native.js');
const { runJob } = require('../../dist/jobs.js');
const lo = require('../support/loopback');

const FULL = process.env.WINSOCK_CONNECT_FULL === '1';
const IOCTL_RUNS = FULL ? 10_000 : 1_000;
const STOP_START_CYCLES = FULL ? 100 : 10;
const SEED = process.env.WINSOCK_CONNECT_FUZZ_SEED ? Number(process.env.WINSOCK_CONNECT_FUZZ_SEED) : Date.now() % 2 ** 31;

const { installFresh, removeDriver, skipUnlessDriverLoads } = require('../support/driver');
const NAME = 'WskConnectFuzz';

// The contract (native/include/wskconnect_ioctl.h, generated into lib/wskconnectIoctl.ts).
const {
  WSKCONNECT_REQUEST_SIZE: REQUEST_SIZE, WSKCONNECT_RESULT_SIZE: RESULT_SIZE, WSKCONNECT_VERSION: VERSION,
  WSKCONNECT_AF_INET: AF_INET, WSKCONNECT_AF_INET6: AF_INET6, WSKCONNECT_TIMEOUT_MAX_MS: TIMEOUT_MAX_MS,
  WSKCONNECT_MODE_BIND_CONNECT, WSKCONNECT_MODE_SOCKET_CONNECT,
} = require('../../dist/wskconnectIoctl.js');
const MODES = [WSKCONNECT_MODE_BIND_CONNECT, WSKCONNECT_MODE_SOCKET_CONNECT];
// Win32 errors DeviceIoControl reports for the driver's NTSTATUS.
const ERROR_INVALID_FUNCTION = 1;          // STATUS_INVALID_DEVICE_REQUEST
const ERROR_INVALID_PARAMETER = 87;        // STATUS_INVALID_PARAMETER
const ERROR_INSUFFICIENT_BUFFER = 122;     // STATUS_BUFFER_TOO_SMALL
const ERROR_REVISION_MISMATCH = 1306;      // STATUS_REVISION_MISMATCH
// A well-formed request that still runs long under Wine (WskSocketConnect is a
// stub the driver waits out): their timeout is kept short.
const MAX_FUZZ_TIMEOUT_MS = 300;

function rawIoctl(code, input, outputLength) {
  const binding = loadBinding();
  return runJob(binding, () => binding.wskRawIoctl(code, input, outputLength), { timeoutMs: 0 });
}

// ---------------------------------------------------------------------------
// The request layout and the driver's rules, read from the bytes
// ---------------------------------------------------------------------------

function fields(buf) {
  return {
    version: buf.readUInt32LE(0),
    size: buf.readUInt32LE(4),
    mode: buf.readUInt32LE(8),
    timeoutMs: buf.readUInt32LE(12),
    family: buf.readUInt16LE(16),
    port: buf.readUInt16LE(18),
    scopeId: buf.readUInt32LE(20),
    address: buf.subarray(24, 40),
  };
}

const allZero = (bytes) => bytes.every((b) => b === 0);

/** Mirrors native/driver/validate.c: may this address name one TCP peer? */
function addressAccepted(f) {
  if (f.family === AF_INET) {
    if (!allZero(f.address.subarray(4)) || f.scopeId !== 0) return false;
    const a = f.address;
    if (allZero(a.subarray(0, 4))) return false;
    if (a[0] === 255 && a[1] === 255 && a[2] === 255 && a[3] === 255) return false;
    return (a[0] & 0xf0) !== 0xe0;
  }
  if (f.family === AF_INET6) return !allZero(f.address) && f.address[0] !== 0xff;
  return false;
}

/** The Win32 error the contract promises for this IOCTL, or 0 for a well-formed request. */
function expectedError(code, input, outputLength, connectCode) {
  if (code !== connectCode) return ERROR_INVALID_FUNCTION;
  if (input.length !== REQUEST_SIZE) return ERROR_INVALID_PARAMETER;
  if (outputLength < RESULT_SIZE) return ERROR_INSUFFICIENT_BUFFER;
  if (outputLength !== RESULT_SIZE) return ERROR_INVALID_PARAMETER;
  const f = fields(input);
  if (f.version !== VERSION || f.size !== REQUEST_SIZE) return ERROR_REVISION_MISMATCH;
  if (!MODES.includes(f.mode)) return ERROR_INVALID_PARAMETER;
  if (f.timeoutMs < 1 || f.timeoutMs > TIMEOUT_MAX_MS) return ERROR_INVALID_PARAMETER;
  if (f.port === 0) return ERROR_INVALID_PARAMETER;
  return addressAccepted(f) ? 0 : ERROR_INVALID_PARAMETER;
}

/**
 * A request the driver would accept is made to connect to loopback only: its
 * address becomes 127.x.y.z (IPv4) or ::1 (IPv6), its port one of ours, its
 * timeout short. Requests the driver refuses are left exactly as generated.
 */
function keepOnLoopback(input, outputLength, code, connectCode, ports) {
  if (expectedError(code, input, outputLength, connectCode) !== 0) return input;
  const safe = Buffer.from(input);
  const f = fields(safe);
  if (f.family === AF_INET) {
    safe[24] = 127;
  } else {
    safe.fill(0, 24, 40);
    safe[39] = 1; // ::1
  }
  safe.writeUInt16LE(ports[f.port % ports.length], 18);
  safe.writeUInt32LE(1 + (f.timeoutMs % MAX_FUZZ_TIMEOUT_MS), 12);
  return safe;
}

// ---------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------

const u32 = fc.oneof(fc.constantFrom(0, 1, 2, 23, 40, 112, 0x7fffffff, 0x80000000, 0xffffffff), fc.nat({ max: 0xffffffff }));
const u16 = fc.oneof(fc.constantFrom(0, 1, 2, 17, 23, 80, 0xffff), fc.integer({ min: 0, max: 0xffff }));
const interestingAddress = fc.oneof(
  fc.constant([127, 0, 0, 1]),
  fc.constant([0, 0, 0, 0]),
  fc.constant([255, 255, 255, 255]),
  fc.constant([224, 0, 0, 1]),
  fc.constant([...Array(15).fill(0), 1]),     // ::1
  fc.constant([0xff, 2, ...Array(13).fill(0), 1]), // ff02::1
  fc.uint8Array({ minLength: 16, maxLength: 16 }).map((a) => [...a]),
);

/** A well-formed request (before keepOnLoopback), as fields. */
const validFields = fc.record({
  version: fc.constant(VERSION),
  size: fc.constant(REQUEST_SIZE),
  mode: fc.constantFrom(...MODES),
  timeoutMs: fc.integer({ min: 1, max: TIMEOUT_MAX_MS }),
  family: fc.constantFrom(AF_INET, AF_INET6),
  port: fc.integer({ min: 1, max: 0xffff }),
  scopeId: fc.constant(0),
  address: fc.constantFrom([127, 0, 0, 1], [...Array(15).fill(0), 1]),
});

/** Random or edge values for each field. */
const anyValue = {
  version: u32, size: u32, mode: u32, timeoutMs: u32, family: u16, port: u16, scopeId: u32, address: interestingAddress,
};

function encode(r) {
  const buf = Buffer.alloc(REQUEST_SIZE);
  buf.writeUInt32LE(r.version, 0);
  buf.writeUInt32LE(r.size, 4);
  buf.writeUInt32LE(r.mode, 8);
  buf.writeUInt32LE(r.timeoutMs, 12);
  buf.writeUInt16LE(r.family, 16);
  buf.writeUInt16LE(r.port, 18);
  buf.writeUInt32LE(r.scopeId, 20);
  Buffer.from(r.address).copy(buf, 24);
  return buf;
}

/** A well-formed request with none, one or a few fields replaced by random or edge values. */
const mutatedRequest = fc.tuple(validFields, fc.subarray(Object.keys(anyValue), { maxLength: 3 }))
  .chain(([valid, broken]) => fc.record(Object.fromEntries(broken.map((name) => [name, anyValue[name]])))
    .map((replaced) => encode({ ...valid, ...replaced })));

const input = fc.oneof(
  { weight: 5, arbitrary: mutatedRequest },
  { weight: 2, arbitrary: fc.uint8Array({ minLength: REQUEST_SIZE, maxLength: REQUEST_SIZE }).map((a) => Buffer.from(a)) },
  { weight: 2, arbitrary: fc.uint8Array({ minLength: 0, maxLength: 128 }).map((a) => Buffer.from(a)) },
  { weight: 1, arbitrary: fc.integer({ min: 129, max: 65536 }).map((n) => Buffer.alloc(n, 0x5a)) },
);

const outputLength = fc.oneof(
  { weight: 5, arbitrary: fc.constant(RESULT_SIZE) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: RESULT_SIZE - 1 }) },
  { weight: 2, arbitrary: fc.integer({ min: RESULT_SIZE + 1, max: 4096 }) },
  { weight: 1, arbitrary: fc.constantFrom(0, 1 << 16, 1 << 20) },
);

function ioctlCode(connectCode) {
  const deviceType = connectCode >>> 16;
  const access = (connectCode >>> 14) & 3;
  const make = (type, acc, fn, method) => (((type << 16) | (acc << 14) | (fn << 2) | method) >>> 0);
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant(connectCode) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 3 }).map((method) => make(deviceType, access, 0x801, method)) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xfff }).map((fn) => make(deviceType, access, fn, 0)) },
    { weight: 1, arbitrary: fc.nat({ max: 0xffffffff }) },
    { weight: 1, arbitrary: fc.constantFrom(0, 1, 0x22, 0x00220000) },
  );
}

// ---------------------------------------------------------------------------

describe('WskDriver under hostile input', function () {
  this.timeout(FULL ? 30 * 60_000 : 120_000);
  let driver;
  let server;

  before(async function () {
    skipUnlessDriverLoads(this);
    driver = await installFresh(NAME);
    server = net.createServer((s) => { s.on('error', () => {}); s.destroy(); });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  after(async () => {
    if (server) server.close();
    await removeDriver(driver);
  });

  async function connectsFine() {
    const result = await driver.connect({ address: '127.0.0.1', port: server.address().port });
    assert.equal(result.status, NtStatus.STATUS_SUCCESS);
  }

  it(`${IOCTL_RUNS} random IOCTLs: each gets the contract's answer, and the driver still connects`, async () => {
    const connectCode = loadBinding().wskIoctlConnectCode;
    const ports = [server.address().port, await lo.refusedPort()];
    const seen = new Map();
    console.log(`      (fast-check seed ${SEED}; replay with WINSOCK_CONNECT_FUZZ_SEED=${SEED})`);
    await fc.assert(
      fc.asyncProperty(ioctlCode(connectCode), input, outputLength, async (code, generated, outLength) => {
        const bytes = keepOnLoopback(generated, outLength, code, connectCode, ports);
        const want = expectedError(code, bytes, outLength, connectCode);
        const result = await rawIoctl(code, bytes, outLength);
        seen.set(result.errno, (seen.get(result.errno) ?? 0) + 1);
        assert.equal(result.syscall, 'DeviceIoControl', `the device did not answer (winedevice gone?): ${result.syscall} ${result.errno}`);
        assert.equal(result.errno, want, `code 0x${code.toString(16)}, ${bytes.length} bytes in, ${outLength} out`);
        if (want !== 0) {
          assert.equal(result.bytesReturned, 0, 'no output on a refused request');
          return;
        }
        assert.equal(result.bytesReturned, RESULT_SIZE);
        assert.equal(result.driver.version, VERSION);
        const f = fields(bytes);
        assert.ok(f.family === AF_INET ? f.address[0] === 127 : bytes.subarray(24, 40).equals(Buffer.from([...Array(15).fill(0), 1])),
          'a request the driver accepts names loopback only');
      }),
      { numRuns: IOCTL_RUNS, seed: SEED, endOnFailure: true },
    );
    console.log(`      (Win32 outcomes: ${[...seen].sort((a, b) => a[0] - b[0]).map(([e, n]) => `${e}×${n}`).join(', ')})`);
    for (const e of [0, ERROR_INVALID_FUNCTION, ERROR_INVALID_PARAMETER, ERROR_INSUFFICIENT_BUFFER, ERROR_REVISION_MISMATCH]) {
      assert.ok(seen.get(e) > 0, `the generators never produced an IOCTL answered with ${e}`);
    }
    await connectsFine();
  });

  it(`stop/start ${STOP_START_CYCLES} times with connects in flight; every connect settles, the driver connects after each start`, async () => {
    const stalled = await lo.stalledServer();
    const refused = await lo.refusedPort();
    const outcomes = new Map();
    const count = (key) => outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
    try {
      for (let cycle = 0; cycle < STOP_START_CYCLES; cycle++) {
        const inFlight = [
          ...[0, 1, 2].map(() => ({ hangs: true, p: driver.connect({ address: '127.0.0.1', port: stalled.port, timeout: 30_000 }) })),
          ...[0, 1].map(() => ({ hangs: false, p: driver.connect({ address: '127.0.0.1', port: server.address().port }) })),
          { hangs: false, p: driver.connect({ address: '127.0.0.1', port: refused }) },
        ].map(({ hangs, p }) => p.then((r) => ({ hangs, r }), (e) => ({ hangs, e })));
        await new Promise((resolve) => setTimeout(resolve, cycle % 4 === 0 ? 0 : 30 + (cycle % 3) * 40));
        await driver.stop(); // resolves once the service is STOPPED: DriverUnload has run
        for (const { hangs, r, e } of await Promise.all(inFlight)) {
          if (r) {
            assert.ok(!hangs, 'a connect to a full accept queue cannot succeed');
            count('connected');
            continue;
          }
          const known = (e instanceof WskError && ['STATUS_CANCELLED', 'STATUS_DELETE_PENDING', 'STATUS_CONNECTION_REFUSED'].includes(e.code)) ||
            e instanceof DriverServiceError;
          assert.ok(known, `cycle ${cycle}: unexpected outcome ${e.name} ${e.code} ${e.message}`);
          count(e instanceof WskError ? e.code : `${e.code} (${e.syscall})`);
        }
        await driver.start();
        await connectsFine();
      }
    } finally {
      stalled.close();
    }
    console.log(`      (in-flight outcomes: ${[...outcomes].map(([k, n]) => `${k}×${n}`).join(', ')})`);
  });
});
