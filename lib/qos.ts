/**
 * FLOWSPEC quality-of-service for WSAConnect. GQoS/RSVP is deprecated since Windows
 * Vista: current Windows either ignores a FLOWSPEC or fails with WSAEOPNOTSUPP, and
 * Wine ignores it. The types are here so the request is exact and checked.
 * @module
 */
import { invalidArgValue, validateInteger, validateObject } from './validate';
import type { NativeFlowspec } from './native';

/**
 * The SERVICETYPE values of qos.h, for {@link Flowspec.serviceType}: the level of
 * service to negotiate for one direction of the flow. The meanings are those of
 * Microsoft's FLOWSPEC reference (learn.microsoft.com/windows/win32/api/qos/ns-qos-flowspec).
 * Only these values are accepted; anything else is a TypeError
 * (`ERR_INVALID_ARG_VALUE`). The SERVICE_* flags of qos.h (SERVICE_NO_TRAFFIC_CONTROL,
 * SERVICE_NO_QOS_SIGNALING, …) are not accepted.
 *
 * By priority on a congested device, highest first: NetworkControl, Guaranteed,
 * ControlledLoad, BestEffort, Qualitative, then non-conforming traffic.
 */
export enum ServiceType {
  /**
   * SERVICETYPE_NOTRAFFIC (0): no traffic will be sent in this direction; on
   * duplex media it asks for a one-way connection. What a direction you leave out
   * of {@link QualityOfService}, or a {@link Flowspec} without `serviceType`, gets.
   */
  NoTraffic = 0x00000000,
  /**
   * SERVICETYPE_BESTEFFORT (1): the RSVP provider takes no action; traffic control
   * handles the flow like other best-effort traffic.
   */
  BestEffort = 0x00000001,
  /**
   * SERVICETYPE_CONTROLLEDLOAD (2): end-to-end service close to best effort on an
   * unloaded network: loss near the medium's error rate, delay near the minimum
   * transit delay for nearly all packets.
   */
  ControlledLoad = 0x00000002,
  /**
   * SERVICETYPE_GUARANTEED (3): datagrams arrive within the guaranteed delivery
   * time and are not dropped for queue overflow, as long as the flow stays within
   * its traffic parameters. Needs {@link Flowspec.tokenRate}.
   */
  Guaranteed = 0x00000003,
  /** SERVICETYPE_NETWORK_UNAVAILABLE (4): used to notify network changes. */
  NetworkUnavailable = 0x00000004,
  /** SERVICETYPE_GENERAL_INFORMATION (5): all service types are supported for the flow; sender side only. */
  GeneralInformation = 0x00000005,
  /**
   * SERVICETYPE_NOCHANGE (6): keep this direction's quality of service as it is
   * (to change one direction only).
   */
  NoChange = 0x00000006,
  /** SERVICETYPE_NONCONFORMING (9): marks non-conforming traffic. */
  NonConforming = 0x00000009,
  /**
   * SERVICETYPE_NETWORK_CONTROL (0x0A): only for control packets such as RSVP
   * signalling; the highest priority.
   */
  NetworkControl = 0x0000000a,
  /**
   * SERVICETYPE_QUALITATIVE (0x0D): better than best effort, for applications
   * that cannot quantify their needs; traffic control gives it best-effort
   * priority on the local computer.
   */
  Qualitative = 0x0000000d,
}

/** "No value" for any FLOWSPEC number (QOS_NOT_SPECIFIED). */
export const QOS_NOT_SPECIFIED = 0xffffffff;

/**
 * One direction's FLOWSPEC (qos.h), field for field. Every number is an integer
 * from 0 to 2³²−1 (else a RangeError, `ERR_OUT_OF_RANGE`); pass
 * {@link QOS_NOT_SPECIFIED} yourself to ask for the provider's default. Numbers you
 * leave out are sent as QOS_NOT_SPECIFIED; a left-out `serviceType` is sent as
 * {@link ServiceType.NoTraffic}. Meanings and units are those of Microsoft's FLOWSPEC
 * reference; whether anything honours them is another matter (see {@link QualityOfService}).
 */
export interface Flowspec {
  /**
   * TokenRate, in bytes per second: the rate at which transmission credit accrues
   * over the life of the flow (the token-bucket rate). Microsoft: it cannot be 0,
   * and a sending FLOWSPEC cannot leave it unspecified.
   */
  tokenRate?: number;
  /**
   * TokenBucketSize, in bytes: the most credit this direction can accrue,
   * whatever the time (for video, typically the largest average frame).
   */
  tokenBucketSize?: number;
  /**
   * PeakBandwidth, in bytes per second: the ceiling on bursts, even with credit
   * accrued. If given, Microsoft requires it to be at least {@link Flowspec.tokenRate}.
   */
  peakBandwidth?: number;
  /**
   * Latency, in microseconds: the most acceptable delay between the sender
   * sending a bit and the receiver(s) getting it.
   */
  latency?: number;
  /**
   * DelayVariation, in microseconds: the difference between the largest and the
   * smallest delay a packet may see (what the receiver must buffer for).
   */
  delayVariation?: number;
  /** ServiceType: the level of service for this direction; one of {@link ServiceType}. */
  serviceType?: ServiceType;
  /** MaxSduSize, in bytes: the largest packet permitted or used in the flow. */
  maxSduSize?: number;
  /**
   * MinimumPolicedSize, in bytes: the smallest packet size the service is given
   * for; smaller packets count as this size. Microsoft: not 0 with RSVP.
   */
  minimumPolicedSize?: number;
}

/**
 * The QOS structure given to WSAConnect as `lpSQOS` (the socket's FLOWSPECs; the
 * group QOS `lpGQOS` is always NULL and ProviderSpecific is empty). Passing `qos`
 * at all, even `{}`, passes a QOS structure; leaving it out passes NULL (no
 * application-supplied QoS).
 *
 * GQoS/RSVP is deprecated since Windows Vista: current Windows ignores the request
 * or fails with WSAEOPNOTSUPP (WSAConnect's code for FLOWSPECs that cannot be
 * satisfied), which rejects as a {@link WinsockError}. Wine ignores it and connects.
 */
export interface QualityOfService {
  /** SendingFlowspec: the FLOWSPEC for data this socket sends. Absent: all unspecified, {@link ServiceType.NoTraffic}. */
  sending?: Flowspec;
  /** ReceivingFlowspec: the FLOWSPEC for data this socket receives. Absent: all unspecified, {@link ServiceType.NoTraffic}. */
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
