/**
 * The project's single definition of error codes and error classes.
 *
 * Everything that turns an OS status into something a JavaScript caller sees goes
 * through this module: the Windows Sockets error codes ({@link WsaError}) with their
 * documented meanings, the NTSTATUS values a WSK kernel driver reports
 * ({@link NtStatus}), the one NTSTATUS → Winsock mapping table
 * ({@link NT_STATUS_TO_WSA}), and the error classes thrown by the public API.
 * No other file may define its own copy of these tables.
 *
 * @packageDocumentation
 */

export { WsaError, WSA_ERROR_MESSAGES } from './errors/wsa';
export { NtStatus, NT_STATUS_MESSAGES, NT_STATUS_TO_WSA } from './errors/ntstatus';
export { Win32Error, WIN32_ERROR_MESSAGES } from './errors/win32';
export { ntStatusMessage, ntStatusName, ntStatusToWsa, wsaErrorMessage, wsaErrorName } from './errors/format';
export { AbortError, DriverServiceError, WinsockError, WinsockPlatformError, WskError } from './errors/classes';
export type { PlatformErrorCode } from './errors/classes';
