/**
 * WskDriver: install, start and drive the WskConnect kernel driver (native/driver),
 * which connects from the kernel with WskSocket → WskBind → WskConnect.
 * @module
 */
import { performance } from 'node:perf_hooks';
import { DriverServiceError, NtStatus, ntStatusName, WskError } from './errors';
import { runJob } from './jobs';
import { loadBinding, type NativeAddress, type NativeBinding, type NativeIoctlResult, type NativeResult } from './native';
import type { AddressInfo } from './types';
import { outOfRange, validateIpAddress, validateName, validateObject, validateOneOf, validatePort, validateSignal, validateTimeout } from './validate';

/** Statuses inside a driver result that mean "this step did not run". */
export const WSK_STEP_NOT_ATTEMPTED = 0xe0a57001;
const TIMEOUT_MAX_MS = 60_000;
const DEFAULT_TIMEOUT_MS = 10_000;
const MODES = { connect: 0, socketConnect: 1 } as const;

/** One step the driver took, with its NTSTATUS. */
export interface WskStep {
  status: number;
  /** 'STATUS_SUCCESS', 'STATUS_CONNECTION_REFUSED', … or 'NOT_ATTEMPTED'. */
  code: string;
}

export interface WskConnectResult {
  /** The request's final NTSTATUS (STATUS_SUCCESS here; failures reject with WskError). */
  status: NtStatus;
  steps: { socket: WskStep; bind: WskStep; connect: WskStep; close: WskStep };
  /** Where the provider answered WskGetLocalAddress / WskGetRemoteAddress (Wine's are stubs). */
  localAddress?: AddressInfo;
  remoteAddress?: AddressInfo;
  /** Time inside the driver from the request's start to the end of the connect step, ms. */
  elapsedMs: number;
  /** Round trip of the IOCTL as seen from JavaScript, ms. */
  roundTripMs: number;
}

export interface WskConnectOptions {
  address: string;
  port: number;
  /** The driver's bound on socket + bind + connect, 1..60000 ms (default 10000); STATUS_IO_TIMEOUT when it passes. */
  timeout?: number;
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

export class WskDriver {
  /** The service name (default 'WskConnect'). */
  readonly name: string;
  private binding: NativeBinding | undefined;

  constructor(name = 'WskConnect') {
    this.name = validateName(name, 'name', 256);
  }

  /** Creates the SERVICE_KERNEL_DRIVER service (demand start) for `sysPath`. */
  static async install(options: { sysPath: string; name?: string }): Promise<WskDriver> {
    validateObject(options, 'options');
    const sysPath = validateName(options.sysPath, 'options.sysPath', 32767);
    const driver = new WskDriver(options.name);
    await driver.service('install', sysPath);
    return driver;
  }

  /** StartService: loads the driver (DriverEntry runs). */
  async start(): Promise<void> {
    await this.service('start');
  }

  /** ControlService(STOP), waiting until the driver has unloaded (DriverUnload ran). */
  async stop(): Promise<void> {
    await this.service('stop');
  }

  /** DeleteService. */
  async uninstall(): Promise<void> {
    await this.service('uninstall');
  }

  /** Checks that \\.\WskConnect answers; resolves with this driver. */
  async open(): Promise<this> {
    const binding = this.native();
    // An empty request with code 0: the device exists if the driver itself refuses it.
    const result = await runJob(binding, () => binding.wskRawIoctl(0, new Uint8Array(0), 0), { timeoutMs: 0 });
    if (result.syscall === 'CreateFile') throw new DriverServiceError(result.errno, 'CreateFile', { service: this.name });
    return this;
  }

  /** One kernel-mode connect. Resolves when the driver connected (and closed again). */
  async connect(options: WskConnectOptions): Promise<WskConnectResult> {
    validateObject(options, 'options');
    const address = validateIpAddress(options.address, 'options.address');
    const port = validatePort(options.port, 'options.port');
    const timeoutMs = options.timeout === undefined ? DEFAULT_TIMEOUT_MS : validateTimeout(options.timeout, 'options.timeout');
    if (timeoutMs < 1 || timeoutMs > TIMEOUT_MAX_MS) {
      throw outOfRange('options.timeout', `>= 1 and <= ${TIMEOUT_MAX_MS}`, options.timeout);
    }
    const signal = validateSignal(options.signal, 'options.signal');
    const mode = validateOneOf(options.mode, 'options.mode', ['connect', 'socketConnect'] as const, 'connect');
    const binding = this.native();
    const startedAt = performance.now();
    const result = await runJob(binding, () => binding.wskConnect({ address, port, timeoutMs, mode: MODES[mode] }), {
      timeoutMs: 0, // the driver enforces the deadline itself and reports STATUS_IO_TIMEOUT
      signal,
    }) as NativeIoctlResult;
    return this.interpret(result, { address, port }, performance.now() - startedAt);
  }

  private interpret(result: NativeIoctlResult, target: { address: string; port: number }, roundTripMs: number): WskConnectResult {
    if (result.errno !== 0 || !result.driver) {
      throw new DriverServiceError(result.errno || 13 /* ERROR_INVALID_DATA: short result */, result.syscall, { service: this.name });
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
