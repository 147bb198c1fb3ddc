/**
 * FLOWSPEC quality-of-service for WSAConnect. GQoS/RSVP is deprecated since Windows
 * Vista: current Windows either ignores a FLOWSPEC or fails with WSAEOPNOTSUPP, and
 * Wine ignores it. The types are here so the request is exact and checked.
 * @module
 */
import { invalidArgValue, validateInteger, validateObject } from './validate';
import type { NativeFlowspec } from './native';

/** SERVICETYPE values of qos.h. */
export enum ServiceType {
  NoTraffic = 0x00000000,
  BestEffort = 0x00000001,
  ControlledLoad = 0x00000002,
  Guaranteed = 0x00000003,
  NetworkUnavailable = 0x00000004,
  GeneralInformation = 0x00000005,
  NoChange = 0x00000006,
  NonConforming = 0x00000009,
  NetworkControl = 0x0000000a,
  Qualitative = 0x0000000d,
}

/** "No value" for any FLOWSPEC number (QOS_NOT_SPECIFIED). */
export const QOS_NOT_SPECIFIED = 0xffffffff;

/** One direction's FLOWSPEC. Absent numbers are sent as QOS_NOT_SPECIFIED. */
export interface Flowspec {
  /** Bytes per second. */
  tokenRate?: number;
  tokenBucketSize?: number;
  peakBandwidth?: number;
  /** Microseconds. */
  latency?: number;
  delayVariation?: number;
  serviceType?: ServiceType;
  maxSduSize?: number;
  minimumPolicedSize?: number;
}

export interface QualityOfService {
  sending?: Flowspec;
  receiving?: Flowspec;
}

const NUMERIC_FIELDS = ['tokenRate', 'tokenBucketSize', 'peakBandwidth', 'latency', 'delayVariation', 'maxSduSize', 'minimumPolicedSize'] as const;
const SERVICE_TYPES = new Set(Object.values(ServiceType).filter((v): v is number => typeof v === 'number'));

function validateFlowspec(value: unknown, name: string): NativeFlowspec | undefined {
  if (value === undefined) return undefined;
  validateObject(value, name);
  const spec: NativeFlowspec = {};
  for (const field of NUMERIC_FIELDS) {
    if (value[field] !== undefined) spec[field] = validateInteger(value[field], `${name}.${field}`, 0, QOS_NOT_SPECIFIED);
  }
  if (value.serviceType !== undefined) {
    const type = validateInteger(value.serviceType, `${name}.serviceType`, 0, QOS_NOT_SPECIFIED);
    if (!SERVICE_TYPES.has(type)) throw invalidArgValue(`${name}.serviceType`, type, 'must be a ServiceType value');
    spec.serviceType = type;
  }
  return spec;
}

export function validateQos(value: unknown, name: string): { sending?: NativeFlowspec; receiving?: NativeFlowspec } | undefined {
  if (value === undefined) return undefined;
  validateObject(value, name);
  const qos: { sending?: NativeFlowspec; receiving?: NativeFlowspec } = {};
  const sending = validateFlowspec(value.sending, `${name}.sending`);
  const receiving = validateFlowspec(value.receiving, `${name}.receiving`);
  if (sending) qos.sending = sending;
  if (receiving) qos.receiving = receiving;
  return qos;
}
