/**
 * winsock-connect: connect sockets the Windows way from Node.js.
 *
 * - {@link connectByName}: WSAConnectByNameW
 * - {@link connectByList}: WSAConnectByList, or a Happy-Eyeballs race of WSAConnect attempts
 * - {@link wsaConnect}: WSAConnect (TCP with caller data and QoS; UDP)
 *
 * Every result is a typed promise; every OS failure a {@link WinsockError}.
 * @packageDocumentation
 */
export { connectByName } from './WSAConnectByName';
export type { ConnectByNameOptions, NameFamily } from './WSAConnectByName';
export { connectByList, DEFAULT_ATTEMPT_DELAY_MS } from './WSAConnectByList';
export type { ConnectByListOptions } from './WSAConnectByList';
export { wsaConnect } from './WSAConnect';
export type { WsaConnectOptions } from './WSAConnect';
export { connect, createConnection, WinsockSocket, WinsockSocketClass } from './createConnection';
export type { CreateConnectionOptions, WinsockEndpoint, WinsockFunction, WinsockOptions, WinsockSocketOptions } from './createConnection';
export { undiciConnector, WinsockAgent, WinsockHttpsAgent } from './agents';
export type { UndiciConnectCallback, UndiciConnectOptions, UndiciConnectorOptions, WinsockAgentOptions, WinsockHttpsAgentOptions } from './agents';
export { DatagramConnection } from './DatagramConnection';
export type { DatagramInfo } from './DatagramConnection';
export { ServiceType, QOS_NOT_SPECIFIED } from './qos';
export type { Flowspec, QualityOfService } from './qos';
export type { AddressInfo, ConnectAttempt, Connection, ConnectSyscall, ListStrategy } from './types';
export { WskDriver, WSK_DEFAULT_TIMEOUT_MS, WSK_STEP_NOT_ATTEMPTED, WSK_TIMEOUT_MAX_MS, WSK_TIMEOUT_MIN_MS } from './WskDriver';
export type { WskConnectOptions, WskConnectResult, WskStep } from './WskDriver';
export { isSupported, platformInfo } from './platform';
export type { PlatformInfo } from './platform';
export { diagnostics } from './diagnostics';
export type { BlockingCallCounts, Diagnostics, MultiplexedConnectCounts } from './diagnostics';
export {
  AbortError, DriverServiceError, NtStatus, Win32Error, WIN32_ERROR_MESSAGES, NT_STATUS_MESSAGES, NT_STATUS_TO_WSA, WinsockError, WinsockPlatformError, WsaError,
  WSA_ERROR_MESSAGES, WskError, ntStatusMessage, ntStatusName, ntStatusToWsa, wsaErrorMessage, wsaErrorName,
} from './errors';
export type { PlatformErrorCode } from './errors';
export { MAX_ADDRESSES, MAX_CALLER_DATA, MAX_HOST_LENGTH, MAX_SERVICE_LENGTH, MAX_TIMEOUT_MS } from './validate';
