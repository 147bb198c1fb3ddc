/**
 * WskDriver: install, start and drive the WskConnect kernel driver (native/driver),
 * which connects from the kernel with WskSocket → WskBind → WskConnect.
 * @module
 */
import { performance } from 'node:perf_hooks';
import { DriverServiceError, NtStatus, ntStatusName, Win32Error, WskError } from './errors';
import { runJob } from './jobs';
import { loadBinding, type NativeAddress, type NativeBinding, type NativeIoctlResult, type NativeResult } from './native';
import type { AddressInfo } from './types';
import { outOfRange, validateName, validateObject, validateOneOf, validateRemotePort, validateSignal, validateTimeout, validateUnicastAddress } from './validate';
import { WSKCONNECT_MODE_BIND_CONNECT, WSKCONNECT_MODE_SOCKET_CONNECT, WSKCONNECT_STATUS_NOT_ATTEMPTED, WSKCONNECT_TIMEOUT_MAX_MS, WSKCONNECT_TIMEOUT_MIN_MS } from './wskconnectIoctl';

/**
 * This process's IOCTLs in flight to the driver (any WskDriver instance: there is one
 * device), by job id, each with a promise that settles when its IOCTL has ended.
 */
const ioctlsInFlight = new Map<number, Promise<unknown>>();

/** Runs an IOCTL job, known to {@link interruptIoctlsInFlight} until it has ended. */
function trackedIoctl<T>(run: (onStart: (id: number) => void) => Promise<T>): Promise<T> {
  let jobId: number | undefined;
  const promise = run((id) => { jobId = id; });
  if (jobId !== undefined) {
    const id = jobId;
    ioctlsInFlight.set(id, promise.catch(() => {}));
    promise.then(() => ioctlsInFlight.delete(id), () => ioctlsInFlight.delete(id));
  }
  return promise;
}

/**
 * Internal (lib/testing.ts shows it to the tests).
 * Cancels this process's IOCTLs in flight (CancelIoEx reaches the driver's cancel
 * routine, which ends the request and completes it with its result) and waits until
 * each has come back. On Windows the I/O manager does not unload a driver while
 * handles to its device are open, and every IOCTL holds one.
 */
export async function interruptIoctlsInFlight(binding: NativeBinding): Promise<void> {
  const pending = [...ioctlsInFlight.entries()];
  for (const [id] of pending) binding.interrupt(id);
  await Promise.all(pending.map(([, settled]) => settled));
}

/** The status inside a driver result that means "this step did not run". */
export const WSK_STEP_NOT_ATTEMPTED = WSKCONNECT_STATUS_NOT_ATTEMPTED;
/** Shortest `timeout` the driver takes, ms (from native/include/wskconnect_ioctl.h). */
export const WSK_TIMEOUT_MIN_MS = WSKCONNECT_TIMEOUT_MIN_MS;
/** Longest `timeout` the driver takes, ms: it bounds every wait (from the same header). */
export const WSK_TIMEOUT_MAX_MS = WSKCONNECT_TIMEOUT_MAX_MS;
/** The driver's bound on a connect when `timeout` is not given, ms. */
export const WSK_DEFAULT_TIMEOUT_MS = 10_000;
const MODES = { connect: WSKCONNECT_MODE_BIND_CONNECT, socketConnect: WSKCONNECT_MODE_SOCKET_CONNECT } as const;

/** One step the driver took, with its NTSTATUS. */
export interface WskStep {
  /**
   * The step's NTSTATUS as an unsigned 32-bit number (`0` STATUS_SUCCESS,
   * `0xC0000236` STATUS_CONNECTION_REFUSED, …), or {@link WSK_STEP_NOT_ATTEMPTED}
   * when the step did not run. Compare with {@link NtStatus}.
   */
  status: number;
  /** 'STATUS_SUCCESS', 'STATUS_CONNECTION_REFUSED', … or 'NOT_ATTEMPTED'. */
  code: string;
}

/**
 * What {@link WskDriver.connect} resolves with: the kernel connected to the target
 * (and closed the socket again). A failed connect rejects with a {@link WskError}
 * instead, which carries the same `steps`.
 */
export interface WskConnectResult {
  /** The request's final NTSTATUS (STATUS_SUCCESS here; failures reject with WskError). */
  status: NtStatus;
  /**
   * Each WSK call's status, in order. Mode `'connect'`: WskSocket, WskBind (to the
   * wildcard address of the target's family), WskConnect, WskCloseSocket. Mode
   * `'socketConnect'`: `socket` and `bind` are `'NOT_ATTEMPTED'` and `connect` holds
   * WskSocketConnect's status.
   */
  steps: {
    /** WskSocket: creating the connection-oriented (SOCK_STREAM, IPPROTO_TCP) socket. */
    socket: WskStep;
    /** WskBind to the wildcard address (`0.0.0.0` or `::`, port 0). Under Wine 8 it fails for IPv6. */
    bind: WskStep;
    /** WskConnect (or WskSocketConnect) to the target, completed through an IRP. */
    connect: WskStep;
    /** WskCloseSocket after the connect; a close that fails does not fail the request. */
    close: WskStep;
  };
  /** Where the provider answered WskGetLocalAddress / WskGetRemoteAddress (Wine's are stubs). */
  localAddress?: AddressInfo;
  /**
   * The peer, from WskGetRemoteAddress, when the provider answered it. Absent
   * under Wine, whose WskGetRemoteAddress is a stub that never completes.
   */
  remoteAddress?: AddressInfo;
  /** Time inside the driver from the request's start to the end of the connect step, ms. */
  elapsedMs: number;
  /** Round trip of the IOCTL as seen from JavaScript, ms. */
  roundTripMs: number;
}

/**
 * Options of {@link WskDriver.connect}. Checked before the IOCTL is sent: a wrong
 * type is a TypeError (`ERR_INVALID_ARG_TYPE`), a bad value a TypeError
 * (`ERR_INVALID_ARG_VALUE`) or RangeError (`ERR_OUT_OF_RANGE`).
 */
export interface WskConnectOptions {
  /**
   * The target, an IPv4 or IPv6 literal (IPv6 zone ids numeric) naming one peer:
   * the unspecified address (`0.0.0.0`, `::`), 255.255.255.255 and multicast are
   * refused before the driver is asked (`ERR_INVALID_ARG_VALUE`), by the same rule
   * the driver applies to a raw IOCTL.
   */
  address: string;
  /** The target port, 1–65535 (port 0 is a RangeError, `ERR_OUT_OF_RANGE`). */
  port: number;
  /**
   * The driver's bound on socket + bind + connect, {@link WSK_TIMEOUT_MIN_MS} to
   * {@link WSK_TIMEOUT_MAX_MS} ms (default {@link WSK_DEFAULT_TIMEOUT_MS});
   * STATUS_IO_TIMEOUT when it passes.
   */
  timeout?: number;
  /**
   * Aborting rejects at once with an {@link AbortError}; the IOCTL is cancelled
   * with CancelIoEx and the driver completes it with STATUS_CANCELLED.
   */
  signal?: AbortSignal;
  /** 'connect' (default): WskSocket → WskBind → WskConnect; 'socketConnect': WskSocketConnect in one call. */
  mode?: keyof typeof MODES;
}

function step(status: number): WskStep {
  return { status, code: status === WSK_STEP_NOT_ATTEMPTED ? 'NOT_ATTEMPTED' : ntStatusName(status) };
}

function failingStep(steps: WskConnectResult['steps']): string {
  for (const name of ['socket', 'bind', 'connect', 'close'] as const) {
    const s = steps[name];
    if (s.status !== NtStatus.STATUS_SUCCESS && s.status !== WSK_STEP_NOT_ATTEMPTED) return name;
  }
  return 'connect';
}

/**
 * The WskConnect kernel driver (native/driver) as a Windows service: install and
 * start it through the Service Control Manager, then ask it over DeviceIoControl
 * to connect from the kernel (WskSocket → WskBind → WskConnect, with an IRP and a
 * completion routine), and stop and uninstall it again.
 *
 * On Windows loading the driver needs an elevated process and a driver Windows
 * will load: a test-signed build with test signing on, else StartService fails
 * with `ERROR_INVALID_IMAGE_HASH` (577) or `ERROR_DRIVER_BLOCKED` (1275). Under Wine
 * it loads in winedevice.exe with Wine's netio.sys, where WskSocketConnect,
 * WskGetLocalAddress and WskGetRemoteAddress are stubs and IPv6 WskBind fails.
 * Service Control Manager and device failures reject with {@link DriverServiceError};
 * a failed kernel connect with {@link WskError}.
 *
 * @example
 * Run elevated as `node wsk.mjs <path to wskconnect.sys>` (an ES module; under Wine
 * the build's `prebuilds/driver-x64/wskconnect.sys`), against a loopback server it
 * starts itself:
 * ```js
 * import net from 'node:net';
 * import path from 'node:path';
 * import { once } from 'node:events';
 * import { WskDriver } from 'winsock-connect';
 *
 * const server = net.createServer((peer) => peer.end()).listen(0, '127.0.0.1');
 * await once(server, 'listening');
 *
 * const driver = await WskDriver.install({ sysPath: path.resolve(process.argv[2]), name: 'WskConnectExample' });
 * try {
 *   await driver.start();
 *   const r = await driver.connect({ address: '127.0.0.1', port: server.address().port, timeout: 2000 });
 *   console.log(r.steps.connect.code, `${r.elapsedMs} ms inside the driver`); // STATUS_SUCCESS … ms inside the driver
 * } finally {
 *   await driver.stop().catch(() => {}); // fails only if start() did
 *   await driver.uninstall();
 *   server.close();
 * }
 * ```
 */
export class WskDriver {
  /** The service name (default 'WskConnect'). */
  readonly name: string;
  private binding: NativeBinding | undefined;

  /**
   * Refers to an installed driver service by name, without any Service Control
   * Manager call (use {@link WskDriver.install} to create one).
   * @param name - The service name, 1 to 256 characters, no NUL (default `'WskConnect'`).
   */
  constructor(name = 'WskConnect') {
    this.name = validateName(name, 'name', 256);
  }

  /**
   * CreateService: a SERVICE_KERNEL_DRIVER service, SERVICE_DEMAND_START, named (and
   * displayed as) `name` (default `'WskConnect'`), for the driver file `sysPath`
   * (a full path, 1 to 32767 characters; not checked until {@link WskDriver.start}).
   * Rejects with {@link DriverServiceError}, e.g. `ERROR_SERVICE_EXISTS` or
   * `ERROR_ACCESS_DENIED` (not elevated).
   */
  static async install(options: { sysPath: string; name?: string }): Promise<WskDriver> {
    validateObject(options, 'options');
    const sysPath = validateName(options.sysPath, 'options.sysPath', 32767);
    const driver = new WskDriver(options.name);
    await driver.service('install', sysPath);
    return driver;
  }

  /**
   * StartService: loads the driver; DriverEntry registers with WSK (WskRegister) and
   * creates the `\\.\WskConnect` device. Rejects with {@link DriverServiceError},
   * e.g. `ERROR_INVALID_IMAGE_HASH` (577, not signed so Windows will load it),
   * `ERROR_DRIVER_BLOCKED` (1275) or `ERROR_SERVICE_ALREADY_RUNNING`.
   */
  async start(): Promise<void> {
    await this.service('start');
  }

  /**
   * Stops the driver: first cancels this process's connects in flight and waits for
   * them (each settles as a {@link WskError} `STATUS_CANCELLED`), since Windows
   * unloads a driver only once no handle to its device is open; then
   * ControlService(STOP), waiting until DriverUnload has run. A driver still in
   * STOP_PENDING after 15 s rejects with {@link DriverServiceError}
   * `ERROR_SERVICE_REQUEST_TIMEOUT`: with nothing of ours in flight, another process
   * holds the device open. One not running rejects with `ERROR_SERVICE_NOT_ACTIVE`.
   */
  async stop(): Promise<void> {
    // Windows unloads a driver only once no handle to its device is open: cancel
    // ours first and wait for them. Wine unloads at once and its unload aborts every
    // request itself; cancelling first there exposes a Wine netio crash on
    // force-closed sockets (measured: docs/driver-developers.md), so it is not done.
    const binding = this.native();
    if (binding.platform().wine === null) await interruptIoctlsInFlight(binding);
    try {
      await this.service('stop');
    } catch (error) {
      if (error instanceof DriverServiceError && error.errno === Win32Error.ERROR_SERVICE_REQUEST_TIMEOUT) {
        error.message += ' (this process had no request in flight: another process holds the driver\'s device open, so Windows postpones the unload until it closes it)';
      }
      throw error;
    }
  }

  /**
   * DeleteService. The service goes away once the last handle to it is closed
   * (stop it first). Rejects with {@link DriverServiceError}, e.g.
   * `ERROR_SERVICE_DOES_NOT_EXIST` or `ERROR_SERVICE_MARKED_FOR_DELETE`.
   */
  async uninstall(): Promise<void> {
    await this.service('uninstall');
  }

  /**
   * Checks that the driver's device, `\\.\WskConnect` (one fixed name, whatever the
   * service is called), can be opened; resolves with this driver. Rejects with
   * {@link DriverServiceError} (`syscall: 'CreateFile'`), `ERROR_FILE_NOT_FOUND` when
   * the driver is not running.
   */
  async open(): Promise<this> {
    const binding = this.native();
    // An empty request with code 0: the device exists if the driver itself refuses it.
    const result = await trackedIoctl((onStart) => runJob(binding, () => binding.wskRawIoctl(0, new Uint8Array(0), 0), { timeoutMs: 0, onStart }));
    if (result.syscall === 'CreateFile') throw new DriverServiceError(result.errno, 'CreateFile', { service: this.name });
    return this;
  }

  /**
   * One kernel-mode connect: sends IOCTL_WSKCONNECT_CONNECT and resolves when the
   * driver connected (and closed the socket again), with every step's NTSTATUS.
   * There is no JavaScript deadline: the driver bounds the wait itself (`timeout`).
   *
   * Rejects with a {@link WskError} when the kernel connect failed: `code`
   * (`'STATUS_CONNECTION_REFUSED'`, `'STATUS_IO_TIMEOUT'`, `'STATUS_NOT_IMPLEMENTED'`
   * for Wine's WskSocketConnect, …), `step` (the first failing one), `wsaCode`, and
   * `steps` as in {@link WskConnectResult}. Rejects with a {@link DriverServiceError}
   * when the device cannot be opened (`'CreateFile'`: driver not running) or refuses
   * the request (`'DeviceIoControl'`, e.g. `ERROR_INVALID_PARAMETER`); with an
   * {@link AbortError} when `signal` aborts.
   */
  async connect(options: WskConnectOptions): Promise<WskConnectResult> {
    validateObject(options, 'options');
    const address = validateUnicastAddress(options.address, 'options.address');
    const port = validateRemotePort(options.port, 'options.port');
    const timeoutMs = options.timeout === undefined ? WSK_DEFAULT_TIMEOUT_MS : validateTimeout(options.timeout, 'options.timeout');
    if (timeoutMs < WSK_TIMEOUT_MIN_MS || timeoutMs > WSK_TIMEOUT_MAX_MS) {
      throw outOfRange('options.timeout', `>= ${WSK_TIMEOUT_MIN_MS} and <= ${WSK_TIMEOUT_MAX_MS}`, options.timeout);
    }
    const signal = validateSignal(options.signal, 'options.signal');
    const mode = validateOneOf(options.mode, 'options.mode', ['connect', 'socketConnect'] as const, 'connect');
    const binding = this.native();
    const startedAt = performance.now();
    const result = await trackedIoctl((onStart) => runJob(binding, () => binding.wskConnect({ address, port, timeoutMs, mode: MODES[mode] }), {
      timeoutMs: 0, // the driver enforces the deadline itself and reports STATUS_IO_TIMEOUT
      signal,
      onStart,
    })) as NativeIoctlResult;
    return this.interpret(result, { address, port }, performance.now() - startedAt);
  }

  private interpret(result: NativeIoctlResult, target: { address: string; port: number }, roundTripMs: number): WskConnectResult {
    if (result.errno !== 0 || !result.driver) {
      throw new DriverServiceError(result.errno || Win32Error.ERROR_INVALID_DATA, result.syscall, { service: this.name });
    }
    const d = result.driver;
    const steps = { socket: step(d.steps.socket), bind: step(d.steps.bind), connect: step(d.steps.connect), close: step(d.steps.close) };
    if (d.finalStatus !== NtStatus.STATUS_SUCCESS) {
      const error = new WskError(d.finalStatus, failingStep(steps), target);
      Object.assign(error, { steps });
      throw error;
    }
    const outcome: WskConnectResult = { status: NtStatus.STATUS_SUCCESS, steps, elapsedMs: d.elapsedMicroseconds / 1000, roundTripMs };
    if (d.localAddress) outcome.localAddress = d.localAddress as NativeAddress;
    if (d.remoteAddress) outcome.remoteAddress = d.remoteAddress as NativeAddress;
    return outcome;
  }

  private async service(action: 'install' | 'start' | 'stop' | 'uninstall', sysPath?: string): Promise<NativeResult> {
    const binding = this.native();
    const result = await runJob(binding, () => binding.wskService(action, this.name, sysPath), { timeoutMs: 0 });
    if (result.errno !== 0) throw new DriverServiceError(result.errno, result.syscall, { service: this.name });
    return result;
  }

  private native(): NativeBinding {
    this.binding ??= loadBinding();
    return this.binding;
  }
}
