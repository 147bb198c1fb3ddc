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

// ---------------------------------------------------------------------------
// Windows Sockets error codes
// ---------------------------------------------------------------------------

/**
 * Every Windows Sockets error code, with the names and values of `winerror.h` /
 * `winsock2.h` as listed on Microsoft's "Windows Sockets Error Codes" page.
 *
 * The first six members are Win32 error codes that Winsock re-exports under a
 * `WSA_` name (for example `WSA_IO_PENDING` is `ERROR_IO_PENDING`, 997).
 *
 * The human-readable meaning of each code is in {@link WSA_ERROR_MESSAGES}.
 */
export enum WsaError {
  /** 6 — Specified event object handle is invalid. */
  WSA_INVALID_HANDLE = 6,
  /** 8 — Insufficient memory available. */
  WSA_NOT_ENOUGH_MEMORY = 8,
  /** 87 — One or more parameters are invalid. */
  WSA_INVALID_PARAMETER = 87,
  /** 995 — Overlapped operation aborted. */
  WSA_OPERATION_ABORTED = 995,
  /** 996 — Overlapped I/O event object not in signaled state. */
  WSA_IO_INCOMPLETE = 996,
  /** 997 — Overlapped operations will complete later. */
  WSA_IO_PENDING = 997,

  /** 10004 — Interrupted function call. */
  WSAEINTR = 10004,
  /** 10009 — File handle is not valid. */
  WSAEBADF = 10009,
  /** 10013 — Permission denied. */
  WSAEACCES = 10013,
  /** 10014 — Bad address. */
  WSAEFAULT = 10014,
  /** 10022 — Invalid argument. */
  WSAEINVAL = 10022,
  /** 10024 — Too many open files. */
  WSAEMFILE = 10024,
  /** 10035 — Resource temporarily unavailable. */
  WSAEWOULDBLOCK = 10035,
  /** 10036 — Operation now in progress. */
  WSAEINPROGRESS = 10036,
  /** 10037 — Operation already in progress. */
  WSAEALREADY = 10037,
  /** 10038 — Socket operation on nonsocket. */
  WSAENOTSOCK = 10038,
  /** 10039 — Destination address required. */
  WSAEDESTADDRREQ = 10039,
  /** 10040 — Message too long. */
  WSAEMSGSIZE = 10040,
  /** 10041 — Protocol wrong type for socket. */
  WSAEPROTOTYPE = 10041,
  /** 10042 — Bad protocol option. */
  WSAENOPROTOOPT = 10042,
  /** 10043 — Protocol not supported. */
  WSAEPROTONOSUPPORT = 10043,
  /** 10044 — Socket type not supported. */
  WSAESOCKTNOSUPPORT = 10044,
  /** 10045 — Operation not supported. */
  WSAEOPNOTSUPP = 10045,
  /** 10046 — Protocol family not supported. */
  WSAEPFNOSUPPORT = 10046,
  /** 10047 — Address family not supported by protocol family. */
  WSAEAFNOSUPPORT = 10047,
  /** 10048 — Address already in use. */
  WSAEADDRINUSE = 10048,
  /** 10049 — Cannot assign requested address. */
  WSAEADDRNOTAVAIL = 10049,
  /** 10050 — Network is down. */
  WSAENETDOWN = 10050,
  /** 10051 — Network is unreachable. */
  WSAENETUNREACH = 10051,
  /** 10052 — Network dropped connection on reset. */
  WSAENETRESET = 10052,
  /** 10053 — Software caused connection abort. */
  WSAECONNABORTED = 10053,
  /** 10054 — Connection reset by peer. */
  WSAECONNRESET = 10054,
  /** 10055 — No buffer space available. */
  WSAENOBUFS = 10055,
  /** 10056 — Socket is already connected. */
  WSAEISCONN = 10056,
  /** 10057 — Socket is not connected. */
  WSAENOTCONN = 10057,
  /** 10058 — Cannot send after socket shutdown. */
  WSAESHUTDOWN = 10058,
  /** 10059 — Too many references. */
  WSAETOOMANYREFS = 10059,
  /** 10060 — Connection timed out. */
  WSAETIMEDOUT = 10060,
  /** 10061 — Connection refused. */
  WSAECONNREFUSED = 10061,
  /** 10062 — Cannot translate name. */
  WSAELOOP = 10062,
  /** 10063 — Name too long. */
  WSAENAMETOOLONG = 10063,
  /** 10064 — Host is down. */
  WSAEHOSTDOWN = 10064,
  /** 10065 — No route to host. */
  WSAEHOSTUNREACH = 10065,
  /** 10066 — Directory not empty. */
  WSAENOTEMPTY = 10066,
  /** 10067 — Too many processes. */
  WSAEPROCLIM = 10067,
  /** 10068 — User quota exceeded. */
  WSAEUSERS = 10068,
  /** 10069 — Disk quota exceeded. */
  WSAEDQUOT = 10069,
  /** 10070 — Stale file handle reference. */
  WSAESTALE = 10070,
  /** 10071 — Item is remote. */
  WSAEREMOTE = 10071,
  /** 10091 — Network subsystem is unavailable. */
  WSASYSNOTREADY = 10091,
  /** 10092 — Winsock.dll version out of range. */
  WSAVERNOTSUPPORTED = 10092,
  /** 10093 — Successful WSAStartup not yet performed. */
  WSANOTINITIALISED = 10093,
  /** 10101 — Graceful shutdown in progress. */
  WSAEDISCON = 10101,
  /** 10102 — No more results. */
  WSAENOMORE = 10102,
  /** 10103 — Call has been canceled. */
  WSAECANCELLED = 10103,
  /** 10104 — Procedure call table is invalid. */
  WSAEINVALIDPROCTABLE = 10104,
  /** 10105 — Service provider is invalid. */
  WSAEINVALIDPROVIDER = 10105,
  /** 10106 — Service provider failed to initialize. */
  WSAEPROVIDERFAILEDINIT = 10106,
  /** 10107 — System call failure. */
  WSASYSCALLFAILURE = 10107,
  /** 10108 — Service not found. */
  WSASERVICE_NOT_FOUND = 10108,
  /** 10109 — Class type not found. */
  WSATYPE_NOT_FOUND = 10109,
  /** 10110 — No more results. */
  WSA_E_NO_MORE = 10110,
  /** 10111 — Call was canceled. */
  WSA_E_CANCELLED = 10111,
  /** 10112 — Database query was refused. */
  WSAEREFUSED = 10112,

  /** 11001 — Host not found. */
  WSAHOST_NOT_FOUND = 11001,
  /** 11002 — Nonauthoritative host not found. */
  WSATRY_AGAIN = 11002,
  /** 11003 — This is a nonrecoverable error. */
  WSANO_RECOVERY = 11003,
  /** 11004 — Valid name, no data record of requested type. */
  WSANO_DATA = 11004,

  /** 11005 — QoS receivers. */
  WSA_QOS_RECEIVERS = 11005,
  /** 11006 — QoS senders. */
  WSA_QOS_SENDERS = 11006,
  /** 11007 — No QoS senders. */
  WSA_QOS_NO_SENDERS = 11007,
  /** 11008 — QoS no receivers. */
  WSA_QOS_NO_RECEIVERS = 11008,
  /** 11009 — QoS request confirmed. */
  WSA_QOS_REQUEST_CONFIRMED = 11009,
  /** 11010 — QoS admission error. */
  WSA_QOS_ADMISSION_FAILURE = 11010,
  /** 11011 — QoS policy failure. */
  WSA_QOS_POLICY_FAILURE = 11011,
  /** 11012 — QoS bad style. */
  WSA_QOS_BAD_STYLE = 11012,
  /** 11013 — QoS bad object. */
  WSA_QOS_BAD_OBJECT = 11013,
  /** 11014 — QoS traffic control error. */
  WSA_QOS_TRAFFIC_CTRL_ERROR = 11014,
  /** 11015 — QoS generic error. */
  WSA_QOS_GENERIC_ERROR = 11015,
  /** 11016 — QoS service type error. */
  WSA_QOS_ESERVICETYPE = 11016,
  /** 11017 — QoS flowspec error. */
  WSA_QOS_EFLOWSPEC = 11017,
  /** 11018 — Invalid QoS provider buffer. */
  WSA_QOS_EPROVSPECBUF = 11018,
  /** 11019 — Invalid QoS filter style. */
  WSA_QOS_EFILTERSTYLE = 11019,
  /** 11020 — Invalid QoS filter type. */
  WSA_QOS_EFILTERTYPE = 11020,
  /** 11021 — Incorrect QoS filter count. */
  WSA_QOS_EFILTERCOUNT = 11021,
  /** 11022 — Invalid QoS object length. */
  WSA_QOS_EOBJLENGTH = 11022,
  /** 11023 — Incorrect QoS flow count. */
  WSA_QOS_EFLOWCOUNT = 11023,
  /**
   * 11024 — Unrecognized QoS object. The misspelling ("UNKOWN") is Microsoft's own
   * and is the name the Windows SDK and the documentation use.
   */
  WSA_QOS_EUNKOWNPSOBJ = 11024,
  /** 11025 — Invalid QoS policy object. */
  WSA_QOS_EPOLICYOBJ = 11025,
  /** 11026 — Invalid QoS flow descriptor. */
  WSA_QOS_EFLOWDESC = 11026,
  /** 11027 — Invalid QoS provider-specific flowspec. */
  WSA_QOS_EPSFLOWSPEC = 11027,
  /** 11028 — Invalid QoS provider-specific filterspec. */
  WSA_QOS_EPSFILTERSPEC = 11028,
  /** 11029 — Invalid QoS shape discard mode object. */
  WSA_QOS_ESDMODEOBJ = 11029,
  /** 11030 — Invalid QoS shaping rate object. */
  WSA_QOS_ESHAPERATEOBJ = 11030,
  /** 11031 — Reserved policy QoS element type. */
  WSA_QOS_RESERVED_PETYPE = 11031,
}

/** Completeness is checked by the compiler: every {@link WsaError} member needs a message. */
const wsaErrorMessageTable: { readonly [K in WsaError]: string } = {
  [WsaError.WSA_INVALID_HANDLE]:
    'Specified event object handle is invalid. An application attempted to use an event object, but the specified handle is not valid.',
  [WsaError.WSA_NOT_ENOUGH_MEMORY]:
    'Insufficient memory available. A Windows Sockets function that maps directly to a Windows function reported a lack of required memory resources.',
  [WsaError.WSA_INVALID_PARAMETER]:
    'One or more parameters are invalid. A Windows Sockets function that maps directly to a Windows function reported a problem with one or more parameters.',
  [WsaError.WSA_OPERATION_ABORTED]:
    'Overlapped operation aborted. An overlapped operation was canceled because the socket was closed or SIO_FLUSH was executed in WSAIoctl.',
  [WsaError.WSA_IO_INCOMPLETE]:
    'Overlapped I/O event object not in signaled state. The application tried to determine the status of an overlapped operation that is not yet completed.',
  [WsaError.WSA_IO_PENDING]:
    'Overlapped operations will complete later. The application initiated an overlapped operation that cannot be completed immediately; a completion indication will be given later.',

  [WsaError.WSAEINTR]:
    'Interrupted function call. A blocking operation was interrupted by a call to WSACancelBlockingCall.',
  [WsaError.WSAEBADF]: 'File handle is not valid. The file handle supplied is not valid.',
  [WsaError.WSAEACCES]:
    'Permission denied. An attempt was made to access a socket in a way forbidden by its access permissions.',
  [WsaError.WSAEFAULT]:
    'Bad address. The system detected an invalid pointer address in attempting to use a pointer argument of a call.',
  [WsaError.WSAEINVAL]:
    'Invalid argument. Some invalid argument was supplied, or the socket is in a state in which the call is not valid (for example, accept on a socket that is not listening).',
  [WsaError.WSAEMFILE]:
    'Too many open files. Too many open sockets; each implementation may have a maximum number of socket handles available.',
  [WsaError.WSAEWOULDBLOCK]:
    'Resource temporarily unavailable. A nonblocking socket operation could not be completed immediately (normal for connect on a nonblocking stream socket, since the connection takes time to establish).',
  [WsaError.WSAEINPROGRESS]:
    'Operation now in progress. A blocking operation is currently executing; only one blocking operation per task or thread may be outstanding.',
  [WsaError.WSAEALREADY]:
    'Operation already in progress. An operation was attempted on a nonblocking socket with an operation already in progress, such as calling connect a second time before the first attempt completed.',
  [WsaError.WSAENOTSOCK]:
    'Socket operation on nonsocket. An operation was attempted on something that is not a socket, or the socket handle does not reference a valid socket.',
  [WsaError.WSAEDESTADDRREQ]:
    'Destination address required. A required address was omitted from an operation on a socket (for example, sendto with the remote address ADDR_ANY).',
  [WsaError.WSAEMSGSIZE]:
    'Message too long. A datagram was larger than the internal message buffer or some other network limit, or the receive buffer was smaller than the datagram.',
  [WsaError.WSAEPROTOTYPE]:
    'Protocol wrong type for socket. The protocol specified in the socket call does not support the semantics of the requested socket type.',
  [WsaError.WSAENOPROTOOPT]:
    'Bad protocol option. An unknown, invalid or unsupported option or level was specified in a getsockopt or setsockopt call.',
  [WsaError.WSAEPROTONOSUPPORT]:
    'Protocol not supported. The requested protocol has not been configured into the system, or no implementation for it exists.',
  [WsaError.WSAESOCKTNOSUPPORT]:
    'Socket type not supported. Support for the specified socket type does not exist in this address family.',
  [WsaError.WSAEOPNOTSUPP]:
    'Operation not supported. The attempted operation is not supported for the type of object referenced.',
  [WsaError.WSAEPFNOSUPPORT]:
    'Protocol family not supported. The protocol family has not been configured into the system or no implementation for it exists.',
  [WsaError.WSAEAFNOSUPPORT]:
    'Address family not supported by protocol family. An address incompatible with the requested protocol was used, for example an address of the wrong family for the socket.',
  [WsaError.WSAEADDRINUSE]:
    'Address already in use. Only one usage of each socket address (protocol/IP address/port) is normally permitted.',
  [WsaError.WSAEADDRNOTAVAIL]:
    'Cannot assign requested address. The requested address is not valid in its context, for example a local address that is not on this computer or a remote address or port of 0.',
  [WsaError.WSAENETDOWN]:
    'Network is down. A socket operation encountered a dead network: a serious failure of the network system, the network interface, or the local network itself.',
  [WsaError.WSAENETUNREACH]:
    'Network is unreachable. A socket operation was attempted to an unreachable network; the local software knows no route to reach the remote host.',
  [WsaError.WSAENETRESET]:
    'Network dropped connection on reset. The connection was broken because keep-alive activity detected a failure while the operation was in progress.',
  [WsaError.WSAECONNABORTED]:
    'Software caused connection abort. An established connection was aborted by the software in your host computer, possibly due to a data transmission time-out or protocol error.',
  [WsaError.WSAECONNRESET]:
    'Connection reset by peer. An existing connection was forcibly closed by the remote host.',
  [WsaError.WSAENOBUFS]:
    'No buffer space available. An operation on a socket could not be performed because the system lacked sufficient buffer space or because a queue was full.',
  [WsaError.WSAEISCONN]: 'Socket is already connected. A connect request was made on an already-connected socket.',
  [WsaError.WSAENOTCONN]:
    'Socket is not connected. A request to send or receive data was disallowed because the socket is not connected and no address was supplied.',
  [WsaError.WSAESHUTDOWN]:
    'Cannot send after socket shutdown. A request to send or receive data was disallowed because the socket had already been shut down in that direction.',
  [WsaError.WSAETOOMANYREFS]: 'Too many references. Too many references to some kernel object.',
  [WsaError.WSAETIMEDOUT]:
    'Connection timed out. A connection attempt failed because the connected party did not properly respond after a period of time, or the established connection failed because the connected host has failed to respond.',
  [WsaError.WSAECONNREFUSED]:
    'Connection refused. No connection could be made because the target computer actively refused it.',
  [WsaError.WSAELOOP]: 'Cannot translate name. A name could not be translated.',
  [WsaError.WSAENAMETOOLONG]: 'Name too long. A name component or a name was too long.',
  [WsaError.WSAEHOSTDOWN]: 'Host is down. A socket operation failed because the destination host is down.',
  [WsaError.WSAEHOSTUNREACH]: 'No route to host. A socket operation was attempted to an unreachable host.',
  [WsaError.WSAENOTEMPTY]: 'Directory not empty. Cannot remove a directory that is not empty.',
  [WsaError.WSAEPROCLIM]:
    'Too many processes. The Windows Sockets implementation limits the number of applications that can use it simultaneously, and that limit has been reached.',
  [WsaError.WSAEUSERS]: 'User quota exceeded. Ran out of user quota.',
  [WsaError.WSAEDQUOT]: 'Disk quota exceeded. Ran out of disk quota.',
  [WsaError.WSAESTALE]: 'Stale file handle reference. The file handle reference is no longer available.',
  [WsaError.WSAEREMOTE]: 'Item is remote. The item is not available locally.',
  [WsaError.WSASYSNOTREADY]:
    'Network subsystem is unavailable. WSAStartup cannot function at this time because the underlying system it uses to provide network services is currently unavailable.',
  [WsaError.WSAVERNOTSUPPORTED]:
    'Winsock.dll version out of range. The Windows Sockets implementation does not support the Windows Sockets specification version requested by the application.',
  [WsaError.WSANOTINITIALISED]:
    'Successful WSAStartup not yet performed. Either the application has not called WSAStartup or WSAStartup failed.',
  [WsaError.WSAEDISCON]:
    'Graceful shutdown in progress. The remote party has initiated a graceful shutdown sequence.',
  [WsaError.WSAENOMORE]: 'No more results. WSALookupServiceNext cannot return any more results.',
  [WsaError.WSAECANCELLED]:
    'Call has been canceled. WSALookupServiceEnd was called while this call was still processing.',
  [WsaError.WSAEINVALIDPROCTABLE]: 'Procedure call table is invalid. The service provider procedure call table is invalid.',
  [WsaError.WSAEINVALIDPROVIDER]: 'Service provider is invalid. The requested service provider is invalid.',
  [WsaError.WSAEPROVIDERFAILEDINIT]:
    'Service provider failed to initialize. The requested service provider could not be loaded or initialized.',
  [WsaError.WSASYSCALLFAILURE]: 'System call failure. A system call that should never fail has failed.',
  [WsaError.WSASERVICE_NOT_FOUND]:
    'Service not found. No such service is known; it cannot be found in the specified name space.',
  [WsaError.WSATYPE_NOT_FOUND]: 'Class type not found. The specified class was not found.',
  [WsaError.WSA_E_NO_MORE]: 'No more results. WSALookupServiceNext cannot return any more results.',
  [WsaError.WSA_E_CANCELLED]:
    'Call was canceled. WSALookupServiceEnd was called while this call was still processing.',
  [WsaError.WSAEREFUSED]: 'Database query was refused. A database query failed because it was actively refused.',

  [WsaError.WSAHOST_NOT_FOUND]:
    'Host not found. No such host is known; the name is not an official host name or alias, or it cannot be found in the database(s) being queried.',
  [WsaError.WSATRY_AGAIN]:
    'Nonauthoritative host not found. Usually a temporary error during host name resolution: the local server did not receive a response from an authoritative server. A retry later may succeed.',
  [WsaError.WSANO_RECOVERY]:
    'This is a nonrecoverable error. A nonrecoverable error occurred during a database lookup, for example because the database files could not be found or a DNS request returned a severe error.',
  [WsaError.WSANO_DATA]:
    'Valid name, no data record of requested type. The requested name is valid and was found in the database, but it does not have the associated data being resolved for.',

  [WsaError.WSA_QOS_RECEIVERS]: 'QoS receivers. At least one QoS reserve has arrived.',
  [WsaError.WSA_QOS_SENDERS]: 'QoS senders. At least one QoS send path has arrived.',
  [WsaError.WSA_QOS_NO_SENDERS]: 'No QoS senders. There are no QoS senders.',
  [WsaError.WSA_QOS_NO_RECEIVERS]: 'QoS no receivers. There are no QoS receivers.',
  [WsaError.WSA_QOS_REQUEST_CONFIRMED]: 'QoS request confirmed. The QoS reserve request has been confirmed.',
  [WsaError.WSA_QOS_ADMISSION_FAILURE]: 'QoS admission error. A QoS error occurred due to lack of resources.',
  [WsaError.WSA_QOS_POLICY_FAILURE]:
    'QoS policy failure. The QoS request was rejected because the policy system could not allocate the requested resource within the existing policy.',
  [WsaError.WSA_QOS_BAD_STYLE]: 'QoS bad style. An unknown or conflicting QoS style was encountered.',
  [WsaError.WSA_QOS_BAD_OBJECT]:
    'QoS bad object. A problem was encountered with some part of the filterspec or the provider-specific buffer in general.',
  [WsaError.WSA_QOS_TRAFFIC_CTRL_ERROR]:
    'QoS traffic control error. An error occurred in the underlying traffic control (TC) API while the generic QoS request was converted for local enforcement.',
  [WsaError.WSA_QOS_GENERIC_ERROR]: 'QoS generic error. A general QoS error.',
  [WsaError.WSA_QOS_ESERVICETYPE]:
    'QoS service type error. An invalid or unrecognized service type was found in the QoS flowspec.',
  [WsaError.WSA_QOS_EFLOWSPEC]: 'QoS flowspec error. An invalid or inconsistent flowspec was found in the QOS structure.',
  [WsaError.WSA_QOS_EPROVSPECBUF]: 'Invalid QoS provider buffer. An invalid QoS provider-specific buffer was supplied.',
  [WsaError.WSA_QOS_EFILTERSTYLE]: 'Invalid QoS filter style. An invalid QoS filter style was used.',
  [WsaError.WSA_QOS_EFILTERTYPE]: 'Invalid QoS filter type. An invalid QoS filter type was used.',
  [WsaError.WSA_QOS_EFILTERCOUNT]:
    'Incorrect QoS filter count. An incorrect number of QoS FILTERSPECs were specified in the FLOWDESCRIPTOR.',
  [WsaError.WSA_QOS_EOBJLENGTH]:
    'Invalid QoS object length. An object with an invalid ObjectLength field was specified in the QoS provider-specific buffer.',
  [WsaError.WSA_QOS_EFLOWCOUNT]:
    'Incorrect QoS flow count. An incorrect number of flow descriptors was specified in the QoS structure.',
  [WsaError.WSA_QOS_EUNKOWNPSOBJ]:
    'Unrecognized QoS object. An unrecognized object was found in the QoS provider-specific buffer.',
  [WsaError.WSA_QOS_EPOLICYOBJ]:
    'Invalid QoS policy object. An invalid policy object was found in the QoS provider-specific buffer.',
  [WsaError.WSA_QOS_EFLOWDESC]:
    'Invalid QoS flow descriptor. An invalid QoS flow descriptor was found in the flow descriptor list.',
  [WsaError.WSA_QOS_EPSFLOWSPEC]:
    'Invalid QoS provider-specific flowspec. An invalid or inconsistent flowspec was found in the QoS provider-specific buffer.',
  [WsaError.WSA_QOS_EPSFILTERSPEC]:
    'Invalid QoS provider-specific filterspec. An invalid FILTERSPEC was found in the QoS provider-specific buffer.',
  [WsaError.WSA_QOS_ESDMODEOBJ]:
    'Invalid QoS shape discard mode object. An invalid shape discard mode object was found in the QoS provider-specific buffer.',
  [WsaError.WSA_QOS_ESHAPERATEOBJ]:
    'Invalid QoS shaping rate object. An invalid shaping rate object was found in the QoS provider-specific buffer.',
  [WsaError.WSA_QOS_RESERVED_PETYPE]:
    'Reserved policy QoS element type. A reserved policy element was found in the QoS provider-specific buffer.',
};

/**
 * The documented meaning of every {@link WsaError} code, keyed by its number
 * (Microsoft's wording from "Windows Sockets Error Codes", lightly paraphrased).
 *
 * Prefer {@link wsaErrorMessage}, which also handles codes that are not in the table.
 *
 * @example
 * ```ts
 * WSA_ERROR_MESSAGES[10061];
 * // 'Connection refused. No connection could be made because the target computer actively refused it.'
 * ```
 */
export const WSA_ERROR_MESSAGES: Readonly<Record<number, string>> = Object.freeze(wsaErrorMessageTable);

// ---------------------------------------------------------------------------
// NTSTATUS values (WSK kernel driver)
// ---------------------------------------------------------------------------

/**
 * The NTSTATUS values that the project's WSK (Winsock Kernel) driver, WSK itself
 * and the service control manager path report, as unsigned 32-bit numbers
 * (`0xC0000236`, not the signed `-1073741258` a C `NTSTATUS` reads as).
 *
 * Values are those of the Windows SDK `ntstatus.h`. Use {@link ntStatusName} and
 * {@link ntStatusMessage}, which accept signed values too.
 */
export enum NtStatus {
  /** 0x00000000 — The operation completed successfully. */
  STATUS_SUCCESS = 0x00000000,
  /** 0x00000102 — The wait timed out (a success-class status, not an error). */
  STATUS_TIMEOUT = 0x00000102,
  /** 0x00000103 — The operation that was requested is pending completion. */
  STATUS_PENDING = 0x00000103,
  /** 0xC0000001 — The requested operation was unsuccessful. */
  STATUS_UNSUCCESSFUL = 0xc0000001,
  /** 0xC0000002 — The requested operation is not implemented. */
  STATUS_NOT_IMPLEMENTED = 0xc0000002,
  /** 0xC0000008 — An invalid HANDLE was specified. */
  STATUS_INVALID_HANDLE = 0xc0000008,
  /** 0xC000000D — An invalid parameter was passed to a service or function. */
  STATUS_INVALID_PARAMETER = 0xc000000d,
  /** 0xC0000010 — The request is not a valid operation for the target device. */
  STATUS_INVALID_DEVICE_REQUEST = 0xc0000010,
  /** 0xC0000016 — The IRP cannot be disposed of because the I/O operation is not complete. */
  STATUS_MORE_PROCESSING_REQUIRED = 0xc0000016,
  /** 0xC0000017 — Not enough virtual memory or paging file quota. */
  STATUS_NO_MEMORY = 0xc0000017,
  /** 0xC0000022 — Access denied. */
  STATUS_ACCESS_DENIED = 0xc0000022,
  /** 0xC0000023 — The buffer is too small to contain the entry. */
  STATUS_BUFFER_TOO_SMALL = 0xc0000023,
  /** 0xC0000034 — The object name is not found. */
  STATUS_OBJECT_NAME_NOT_FOUND = 0xc0000034,
  /** 0xC000009A — Insufficient system resources exist to complete the API. */
  STATUS_INSUFFICIENT_RESOURCES = 0xc000009a,
  /** 0xC00000A3 — The device is not ready (AFD/WSK: the operation would block). */
  STATUS_DEVICE_NOT_READY = 0xc00000a3,
  /** 0xC00000B5 — The I/O operation was not completed before the time-out period expired. */
  STATUS_IO_TIMEOUT = 0xc00000b5,
  /** 0xC00000BB — The request is not supported. */
  STATUS_NOT_SUPPORTED = 0xc00000bb,
  /** 0xC00000BF — The network is busy. */
  STATUS_NETWORK_BUSY = 0xc00000bf,
  /** 0xC00000C0 — This device does not exist. */
  STATUS_DEVICE_DOES_NOT_EXIST = 0xc00000c0,
  /** 0xC0000120 — The I/O request was canceled. */
  STATUS_CANCELLED = 0xc0000120,
  /** 0xC0000141 — The address handle given to the transport was invalid. */
  STATUS_INVALID_ADDRESS = 0xc0000141,
  /** 0xC0000184 — The device is not in a valid state to perform this request. */
  STATUS_INVALID_DEVICE_STATE = 0xc0000184,
  /** 0xC0000207 — The transport rejected the network address specified as invalid. */
  STATUS_INVALID_ADDRESS_COMPONENT = 0xc0000207,
  /** 0xC0000209 — All the available transport addresses are in use. */
  STATUS_TOO_MANY_ADDRESSES = 0xc0000209,
  /** 0xC000020A — The transport address could not be opened because it already exists. */
  STATUS_ADDRESS_ALREADY_EXISTS = 0xc000020a,
  /** 0xC000020C — The transport connection is now disconnected. */
  STATUS_CONNECTION_DISCONNECTED = 0xc000020c,
  /** 0xC000020D — The transport connection has been reset. */
  STATUS_CONNECTION_RESET = 0xc000020d,
  /** 0xC0000225 — The object was not found. */
  STATUS_NOT_FOUND = 0xc0000225,
  /** 0xC0000236 — The transport connection attempt was refused by the remote system. */
  STATUS_CONNECTION_REFUSED = 0xc0000236,
  /** 0xC0000237 — The transport connection was gracefully closed. */
  STATUS_GRACEFUL_DISCONNECT = 0xc0000237,
  /** 0xC0000238 — The transport endpoint already has an address associated with it. */
  STATUS_ADDRESS_ALREADY_ASSOCIATED = 0xc0000238,
  /** 0xC0000239 — No address has yet been associated with the transport endpoint. */
  STATUS_ADDRESS_NOT_ASSOCIATED = 0xc0000239,
  /** 0xC000023A — An operation was attempted on a nonexistent transport connection. */
  STATUS_CONNECTION_INVALID = 0xc000023a,
  /** 0xC000023B — An invalid operation was attempted on an active transport connection. */
  STATUS_CONNECTION_ACTIVE = 0xc000023b,
  /** 0xC000023C — The remote network is not reachable by the transport. */
  STATUS_NETWORK_UNREACHABLE = 0xc000023c,
  /** 0xC000023D — The remote system is not reachable by the transport. */
  STATUS_HOST_UNREACHABLE = 0xc000023d,
  /** 0xC000023E — The remote system does not support the transport protocol. */
  STATUS_PROTOCOL_UNREACHABLE = 0xc000023e,
  /** 0xC000023F — No service is operating at the destination port on the remote system. */
  STATUS_PORT_UNREACHABLE = 0xc000023f,
  /** 0xC0000240 — The request was aborted. */
  STATUS_REQUEST_ABORTED = 0xc0000240,
  /** 0xC0000241 — The transport connection was aborted by the local system. */
  STATUS_CONNECTION_ABORTED = 0xc0000241,
  /** 0xC000026C — The device driver could not be loaded. */
  STATUS_DRIVER_UNABLE_TO_LOAD = 0xc000026c,
  /** 0xC0000428 — The image's hash is not in the system catalogs (unsigned or tampered driver). */
  STATUS_INVALID_IMAGE_HASH = 0xc0000428,
  /** 0xC000A012 — An ICMP hop limit exceeded error was received. */
  STATUS_HOPLIMIT_EXCEEDED = 0xc000a012,
}

/** Completeness is checked by the compiler: every {@link NtStatus} member needs a message. */
const ntStatusMessageTable: { readonly [K in NtStatus]: string } = {
  [NtStatus.STATUS_SUCCESS]: 'The operation completed successfully.',
  [NtStatus.STATUS_TIMEOUT]:
    'The given time-out interval expired. This is a success-class status returned by kernel waits, not an error.',
  [NtStatus.STATUS_PENDING]: 'The operation that was requested is pending completion.',
  [NtStatus.STATUS_UNSUCCESSFUL]: 'Operation failed. The requested operation was unsuccessful.',
  [NtStatus.STATUS_NOT_IMPLEMENTED]: 'Not implemented. The requested operation is not implemented.',
  [NtStatus.STATUS_INVALID_HANDLE]: 'An invalid HANDLE was specified.',
  [NtStatus.STATUS_INVALID_PARAMETER]: 'An invalid parameter was passed to a service or function.',
  [NtStatus.STATUS_INVALID_DEVICE_REQUEST]: 'The specified request is not a valid operation for the target device.',
  [NtStatus.STATUS_MORE_PROCESSING_REQUIRED]:
    'Still busy. The specified I/O request packet (IRP) cannot be disposed of because the I/O operation is not complete.',
  [NtStatus.STATUS_NO_MEMORY]:
    'Not enough quota. Not enough virtual memory or paging file quota is available to complete the specified operation.',
  [NtStatus.STATUS_ACCESS_DENIED]:
    'Access denied. A process has requested access to an object but has not been granted those access rights.',
  [NtStatus.STATUS_BUFFER_TOO_SMALL]:
    'Buffer too small. The buffer is too small to contain the entry; no information has been written to the buffer.',
  [NtStatus.STATUS_OBJECT_NAME_NOT_FOUND]: 'The object name is not found.',
  [NtStatus.STATUS_INSUFFICIENT_RESOURCES]: 'Insufficient system resources exist to complete the API.',
  [NtStatus.STATUS_DEVICE_NOT_READY]:
    'Device not ready. The device is not ready for use; network transports also report this when an operation cannot complete without blocking.',
  [NtStatus.STATUS_IO_TIMEOUT]:
    'Device timeout. The specified I/O operation was not completed before the time-out period expired.',
  [NtStatus.STATUS_NOT_SUPPORTED]: 'The request is not supported.',
  [NtStatus.STATUS_NETWORK_BUSY]: 'Network busy. The network is busy.',
  [NtStatus.STATUS_DEVICE_DOES_NOT_EXIST]: 'This device does not exist.',
  [NtStatus.STATUS_CANCELLED]: 'The I/O request was canceled.',
  [NtStatus.STATUS_INVALID_ADDRESS]: 'The address handle that was given to the transport was invalid.',
  [NtStatus.STATUS_INVALID_DEVICE_STATE]: 'The device is not in a valid state to perform this request.',
  [NtStatus.STATUS_INVALID_ADDRESS_COMPONENT]: 'The transport rejected the network address specified as invalid.',
  [NtStatus.STATUS_TOO_MANY_ADDRESSES]:
    'The transport address could not be opened because all the available addresses are in use.',
  [NtStatus.STATUS_ADDRESS_ALREADY_EXISTS]: 'The transport address could not be opened because it already exists.',
  [NtStatus.STATUS_CONNECTION_DISCONNECTED]: 'The transport connection is now disconnected.',
  [NtStatus.STATUS_CONNECTION_RESET]: 'The transport connection has been reset.',
  [NtStatus.STATUS_NOT_FOUND]: 'The object was not found.',
  [NtStatus.STATUS_CONNECTION_REFUSED]: 'The transport connection attempt was refused by the remote system.',
  [NtStatus.STATUS_GRACEFUL_DISCONNECT]: 'The transport connection was gracefully closed.',
  [NtStatus.STATUS_ADDRESS_ALREADY_ASSOCIATED]: 'The transport endpoint already has an address associated with it.',
  [NtStatus.STATUS_ADDRESS_NOT_ASSOCIATED]: 'An address has not yet been associated with the transport endpoint.',
  [NtStatus.STATUS_CONNECTION_INVALID]: 'An operation was attempted on a nonexistent transport connection.',
  [NtStatus.STATUS_CONNECTION_ACTIVE]: 'An invalid operation was attempted on an active transport connection.',
  [NtStatus.STATUS_NETWORK_UNREACHABLE]: 'The remote network is not reachable by the transport.',
  [NtStatus.STATUS_HOST_UNREACHABLE]: 'The remote system is not reachable by the transport.',
  [NtStatus.STATUS_PROTOCOL_UNREACHABLE]: 'The remote system does not support the transport protocol.',
  [NtStatus.STATUS_PORT_UNREACHABLE]:
    'No service is operating at the destination port of the transport on the remote system.',
  [NtStatus.STATUS_REQUEST_ABORTED]: 'The request was aborted.',
  [NtStatus.STATUS_CONNECTION_ABORTED]: 'The transport connection was aborted by the local system.',
  [NtStatus.STATUS_DRIVER_UNABLE_TO_LOAD]: 'Unable to load device driver. The device driver could not be loaded.',
  [NtStatus.STATUS_INVALID_IMAGE_HASH]:
    'The hash for the image cannot be found in the system catalogs. The image is likely corrupt or the victim of tampering (for a driver: unsigned, or test-signed while test signing is off).',
  [NtStatus.STATUS_HOPLIMIT_EXCEEDED]: 'An ICMP hop limit exceeded error was received.',
};

/**
 * The documented meaning of every {@link NtStatus} value, keyed by its unsigned
 * 32-bit number (Microsoft's `ntstatus.h` message text, lightly paraphrased).
 *
 * Prefer {@link ntStatusMessage}, which normalizes signed values and handles
 * statuses that are not in the table.
 */
export const NT_STATUS_MESSAGES: Readonly<Record<number, string>> = Object.freeze(ntStatusMessageTable);

/**
 * Internal, compiler-checked form of the mapping: keys must be {@link NtStatus} members.
 *
 * Sources: the NTSTATUS → Winsock translation in the user-mode socket layer
 * (`mswsock`/`msafd`), as reproduced by Wine (`NtStatusToWSAError` in
 * `dlls/ws2_32/socket.c`, which follows Windows' observable behaviour) and libuv
 * (`uv_ntstatus_to_winsock_error`). An entry is present only where those agree, or
 * where one lists it explicitly and the other's fallback gives the same code.
 */
const ntStatusToWsaTable: { readonly [K in NtStatus]?: WsaError } = {
  [NtStatus.STATUS_PENDING]: WsaError.WSA_IO_PENDING,
  [NtStatus.STATUS_TIMEOUT]: WsaError.WSAETIMEDOUT,
  [NtStatus.STATUS_NOT_IMPLEMENTED]: WsaError.WSAEOPNOTSUPP,
  [NtStatus.STATUS_INVALID_HANDLE]: WsaError.WSAENOTSOCK,
  [NtStatus.STATUS_INVALID_PARAMETER]: WsaError.WSAEINVAL,
  [NtStatus.STATUS_NO_MEMORY]: WsaError.WSAENOBUFS,
  [NtStatus.STATUS_ACCESS_DENIED]: WsaError.WSAEACCES,
  [NtStatus.STATUS_BUFFER_TOO_SMALL]: WsaError.WSAEFAULT,
  [NtStatus.STATUS_OBJECT_NAME_NOT_FOUND]: WsaError.WSAENETDOWN,
  [NtStatus.STATUS_INSUFFICIENT_RESOURCES]: WsaError.WSAENOBUFS,
  [NtStatus.STATUS_DEVICE_NOT_READY]: WsaError.WSAEWOULDBLOCK,
  [NtStatus.STATUS_IO_TIMEOUT]: WsaError.WSAETIMEDOUT,
  [NtStatus.STATUS_NOT_SUPPORTED]: WsaError.WSAEOPNOTSUPP,
  [NtStatus.STATUS_NETWORK_BUSY]: WsaError.WSAENETDOWN,
  [NtStatus.STATUS_CANCELLED]: WsaError.WSA_OPERATION_ABORTED,
  [NtStatus.STATUS_INVALID_ADDRESS]: WsaError.WSAEADDRNOTAVAIL,
  [NtStatus.STATUS_INVALID_ADDRESS_COMPONENT]: WsaError.WSAEADDRNOTAVAIL,
  [NtStatus.STATUS_TOO_MANY_ADDRESSES]: WsaError.WSAENOBUFS,
  [NtStatus.STATUS_ADDRESS_ALREADY_EXISTS]: WsaError.WSAEADDRINUSE,
  [NtStatus.STATUS_CONNECTION_DISCONNECTED]: WsaError.WSAECONNRESET,
  [NtStatus.STATUS_CONNECTION_RESET]: WsaError.WSAECONNRESET,
  [NtStatus.STATUS_CONNECTION_REFUSED]: WsaError.WSAECONNREFUSED,
  [NtStatus.STATUS_GRACEFUL_DISCONNECT]: WsaError.WSAEDISCON,
  [NtStatus.STATUS_CONNECTION_ACTIVE]: WsaError.WSAEISCONN,
  [NtStatus.STATUS_NETWORK_UNREACHABLE]: WsaError.WSAENETUNREACH,
  [NtStatus.STATUS_HOST_UNREACHABLE]: WsaError.WSAEHOSTUNREACH,
  [NtStatus.STATUS_PROTOCOL_UNREACHABLE]: WsaError.WSAENETUNREACH,
  [NtStatus.STATUS_PORT_UNREACHABLE]: WsaError.WSAECONNRESET,
  [NtStatus.STATUS_REQUEST_ABORTED]: WsaError.WSAEINTR,
  [NtStatus.STATUS_CONNECTION_ABORTED]: WsaError.WSAECONNABORTED,
  [NtStatus.STATUS_HOPLIMIT_EXCEEDED]: WsaError.WSAECONNRESET,
};

/**
 * The one NTSTATUS → Winsock error mapping, keyed by unsigned NTSTATUS.
 *
 * It reproduces the translation Windows' user-mode socket layer applies to the
 * status AFD completes a request with — so a WSK driver failure reads the same as
 * the equivalent user-mode Winsock failure (`STATUS_CONNECTION_REFUSED` →
 * `WSAECONNREFUSED`, `STATUS_IO_TIMEOUT` → `WSAETIMEDOUT`, `STATUS_CANCELLED` →
 * `WSA_OPERATION_ABORTED`, …). Note that this is *not* `RtlNtStatusToDosError`,
 * which yields generic Win32 codes such as `ERROR_CONNECTION_REFUSED` (1225).
 *
 * Statuses with no established socket-layer equivalent are deliberately absent
 * (for example `STATUS_UNSUCCESSFUL`, `STATUS_INVALID_DEVICE_STATE`,
 * `STATUS_INVALID_DEVICE_REQUEST`, `STATUS_CONNECTION_INVALID`, the
 * `STATUS_ADDRESS_*_ASSOCIATED` pair, and the driver-loading statuses);
 * {@link ntStatusToWsa} returns `undefined` for them. `STATUS_SUCCESS` is absent too.
 */
export const NT_STATUS_TO_WSA: Readonly<Record<number, WsaError>> = Object.freeze(
  ntStatusToWsaTable as Record<number, WsaError>,
);

// ---------------------------------------------------------------------------
// Lookup helpers
// ---------------------------------------------------------------------------

/** Own-property lookup in a number-keyed table (never walks the prototype chain). */
function lookup<T>(table: Readonly<Record<number, T>>, key: number): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/** Reverse lookup of a numeric enum member's name. */
function enumName(enumObject: object, value: number): string | undefined {
  if (!Number.isInteger(value)) return undefined;
  const name: unknown = (enumObject as Record<number, unknown>)[value];
  return typeof name === 'string' ? name : undefined;
}

/**
 * Normalizes a signed (int32) or unsigned (uint32) NTSTATUS to its unsigned form;
 * `undefined` for anything that is not a 32-bit integer.
 */
function normalizeNtStatus(status: number): number | undefined {
  if (!Number.isInteger(status) || status < -0x80000000 || status > 0xffffffff) return undefined;
  return status >>> 0;
}

/** `0xC0000236` style: upper-case hex digits, padded to eight. */
function hex32(value: number): string {
  return `0x${value.toString(16).toUpperCase().padStart(8, '0')}`;
}

/** `host:port`, bracketing IPv6 literals (`[::1]:80`); just `host` when there is no port. */
function hostPort(host: string, port: number | undefined): string {
  if (port === undefined) return host;
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The "where" part of an error message: host, address, or both. */
function describeTarget(host: string | undefined, address: string | undefined, port: number | undefined): string {
  if (host !== undefined) {
    const named = hostPort(host, port);
    return address !== undefined && address !== host ? `${named} (${hostPort(address, port)})` : named;
  }
  if (address !== undefined) return hostPort(address, port);
  return port !== undefined ? `port ${port}` : '';
}

/** The options for `Error`'s constructor: `{ cause }` only when a cause was given. */
function errorOptions(cause: unknown): ErrorOptions | undefined {
  return cause === undefined ? undefined : { cause };
}

/** Makes `name` a non-enumerable prototype property, as on the built-in error classes. */
function setPrototypeName(ctor: { prototype: object }, name: string): void {
  Object.defineProperty(ctor.prototype, 'name', {
    value: name,
    writable: true,
    enumerable: false,
    configurable: true,
  });
}

/**
 * The symbolic name of a Winsock error code.
 *
 * @param errno - A Winsock error code as returned by `WSAGetLastError()`.
 * @returns The {@link WsaError} member name (`'WSAECONNREFUSED'` for 10061), or
 *   `'UNKNOWN'` for any number that is not a Windows Sockets error code.
 */
export function wsaErrorName(errno: number): string {
  return enumName(WsaError, errno) ?? 'UNKNOWN';
}

/**
 * The documented meaning of a Winsock error code.
 *
 * @param errno - A Winsock error code as returned by `WSAGetLastError()`.
 * @returns The text from {@link WSA_ERROR_MESSAGES}; for a negative number an
 *   explanation that the provider returned a non-Winsock code (Wine 8 can leak a
 *   raw glibc `EAI_*` value such as -9 from `WSAConnectByNameW` on a dual-stack
 *   socket); otherwise `Unknown Winsock error <errno>`.
 */
export function wsaErrorMessage(errno: number): string {
  const message = Number.isInteger(errno) ? lookup(WSA_ERROR_MESSAGES, errno) : undefined;
  if (message !== undefined) return message;
  if (errno < 0) {
    return `Non-Winsock error code ${errno} returned by the Windows Sockets provider (Wine leaks raw getaddrinfo EAI codes here)`;
  }
  return `Unknown Winsock error ${errno}`;
}

/**
 * The symbolic name of an NTSTATUS.
 *
 * @param status - The status, signed (`-1073741258`) or unsigned (`0xC0000236`).
 * @returns The {@link NtStatus} member name (`'STATUS_CONNECTION_REFUSED'`), or
 *   `NTSTATUS_0xC0000001`-style text for a status not in the enum.
 */
export function ntStatusName(status: number): string {
  const unsigned = normalizeNtStatus(status);
  if (unsigned === undefined) return `NTSTATUS_${String(status)}`;
  return enumName(NtStatus, unsigned) ?? `NTSTATUS_${hex32(unsigned)}`;
}

/**
 * The documented meaning of an NTSTATUS.
 *
 * @param status - The status, signed or unsigned.
 * @returns The text from {@link NT_STATUS_MESSAGES}, or `Unknown NTSTATUS 0x…`.
 */
export function ntStatusMessage(status: number): string {
  const unsigned = normalizeNtStatus(status);
  if (unsigned === undefined) return `Invalid NTSTATUS ${String(status)} (not a 32-bit integer)`;
  return lookup(NT_STATUS_MESSAGES, unsigned) ?? `Unknown NTSTATUS ${hex32(unsigned)}`;
}

/**
 * The Winsock error a given NTSTATUS corresponds to, from {@link NT_STATUS_TO_WSA}.
 *
 * @param status - The status, signed or unsigned.
 * @returns The {@link WsaError}, or `undefined` when the table has no entry.
 */
export function ntStatusToWsa(status: number): WsaError | undefined {
  const unsigned = normalizeNtStatus(status);
  return unsigned === undefined ? undefined : lookup(NT_STATUS_TO_WSA, unsigned);
}

// ---------------------------------------------------------------------------
// Error classes
// ---------------------------------------------------------------------------

/**
 * A Windows Sockets call failed.
 *
 * Shaped like Node's own system errors (`connect ECONNREFUSED 127.0.0.1:5000`):
 * `code`, `errno`, `syscall` and — when known — `address`, `port`, `host` and
 * `attempts` are own enumerable properties, so `util.inspect` and `JSON.stringify`
 * show them. Properties that were not provided are absent, not `undefined`.
 *
 * @example
 * ```ts
 * const err = new WinsockError(10061, 'WSAConnect', { address: '127.0.0.1', port: 5000 });
 * err.message; // 'WSAConnect WSAECONNREFUSED 127.0.0.1:5000 — Connection refused. No connection …'
 * err.code;    // 'WSAECONNREFUSED'
 * ```
 */
export class WinsockError extends Error {
  /** Symbolic name of the error ({@link wsaErrorName}), e.g. `'WSAECONNREFUSED'`, or `'UNKNOWN'`. */
  declare readonly code: string;
  /** The Winsock error number, e.g. `10061`. */
  declare readonly errno: number;
  /**
   * The call that failed: `'WSAConnectByName'`, `'WSAConnectByList'`, `'WSAConnect'`,
   * `'ConnectEx'`, `'socket'`, `'bind'`, …
   */
  declare readonly syscall: string;
  /** The numeric address involved, when known. */
  declare readonly address?: string;
  /** The port involved, when known. */
  declare readonly port?: number;
  /** The host name involved (name-based connects), when known. */
  declare readonly host?: string;
  /** Per-address attempt records, filled by the caller (e.g. for `WSAConnectByList`). */
  declare attempts?: unknown[];

  static {
    setPrototypeName(this, 'WinsockError');
  }

  /**
   * @param errno - The Winsock error number (`WSAGetLastError()`).
   * @param syscall - The name of the call that failed.
   * @param details - Optional context; `cause` becomes the standard `Error.cause`.
   */
  constructor(
    errno: number,
    syscall: string,
    details?: { address?: string; port?: number; host?: string; attempts?: unknown[]; cause?: unknown },
  ) {
    const code = wsaErrorName(errno);
    const target = describeTarget(details?.host, details?.address, details?.port);
    super(
      `${syscall} ${code}${target === '' ? '' : ` ${target}`} — ${wsaErrorMessage(errno)}`,
      errorOptions(details?.cause),
    );
    this.code = code;
    this.errno = errno;
    this.syscall = syscall;
    if (details?.address !== undefined) this.address = details.address;
    if (details?.port !== undefined) this.port = details.port;
    if (details?.host !== undefined) this.host = details.host;
    if (details?.attempts !== undefined) this.attempts = details.attempts;
  }
}

/**
 * A step performed by the WSK kernel driver failed with an NTSTATUS.
 *
 * `code` is the status name, `ntstatus` the unsigned value, and — when
 * {@link NT_STATUS_TO_WSA} has an entry — `wsaError`/`wsaCode` give the Winsock error
 * the same failure would have produced in user mode. All are own enumerable
 * properties; the optional ones are absent when unknown.
 *
 * @example
 * ```ts
 * const err = new WskError(0xC0000236, 'connect', { address: '10.0.0.1', port: 80 });
 * err.code;    // 'STATUS_CONNECTION_REFUSED'
 * err.wsaCode; // 'WSAECONNREFUSED'
 * ```
 */
export class WskError extends Error {
  /** Symbolic status name ({@link ntStatusName}), e.g. `'STATUS_CONNECTION_REFUSED'`. */
  declare readonly code: string;
  /** The NTSTATUS as an unsigned 32-bit number, e.g. `0xC0000236`. */
  declare readonly ntstatus: number;
  /** The driver step that failed: `'socket'`, `'bind'`, `'connect'`, `'close'`, `'ioctl'`, `'scm'`, … */
  declare readonly step: string;
  /** The equivalent Winsock error, from {@link NT_STATUS_TO_WSA}; absent when unmapped. */
  declare readonly wsaError?: WsaError;
  /** The name of {@link WskError.wsaError}, e.g. `'WSAECONNREFUSED'`; absent when unmapped. */
  declare readonly wsaCode?: string;
  /** The numeric address involved, when known. */
  declare readonly address?: string;
  /** The port involved, when known. */
  declare readonly port?: number;

  static {
    setPrototypeName(this, 'WskError');
  }

  /**
   * @param ntstatus - The status the driver reported, signed or unsigned.
   * @param step - The driver step that failed.
   * @param details - Optional context; `cause` becomes the standard `Error.cause`.
   */
  constructor(ntstatus: number, step: string, details?: { address?: string; port?: number; cause?: unknown }) {
    const unsigned = normalizeNtStatus(ntstatus) ?? ntstatus;
    const code = ntStatusName(unsigned);
    const wsaError = ntStatusToWsa(unsigned);
    const wsaCode = wsaError === undefined ? undefined : wsaErrorName(wsaError);
    const target = describeTarget(undefined, details?.address, details?.port);
    const statusText = Number.isInteger(unsigned) ? hex32(unsigned) : String(unsigned);
    super(
      `${step} ${code}${target === '' ? '' : ` ${target}`} — ${ntStatusMessage(unsigned)} ` +
        `(NTSTATUS ${statusText}${wsaCode === undefined ? '' : `, Winsock ${wsaCode}`})`,
      errorOptions(details?.cause),
    );
    this.code = code;
    this.ntstatus = unsigned;
    this.step = step;
    if (wsaError !== undefined) this.wsaError = wsaError;
    if (wsaCode !== undefined) this.wsaCode = wsaCode;
    if (details?.address !== undefined) this.address = details.address;
    if (details?.port !== undefined) this.port = details.port;
  }
}

/**
 * The `code` of a {@link WinsockPlatformError}:
 *
 * - `'ERR_WINSOCK_UNSUPPORTED_PLATFORM'` — not running on Windows.
 * - `'ERR_WINSOCK_FUNCTION_UNAVAILABLE'` — the running `ws2_32.dll` does not export
 *   the function (for example under Wine, which lacks some of them).
 * - `'ERR_WINSOCK_ADOPTION_UNAVAILABLE'` — the connected `SOCKET` cannot be handed to
 *   a `net.Socket`, e.g. under Node's permission model, where `process.binding`
 *   throws `ERR_ACCESS_DENIED`.
 * - `'ERR_WINSOCK_ADDON_LOAD_FAILED'` — the native addon could not be loaded.
 */
export type PlatformErrorCode =
  | 'ERR_WINSOCK_UNSUPPORTED_PLATFORM'
  | 'ERR_WINSOCK_FUNCTION_UNAVAILABLE'
  | 'ERR_WINSOCK_ADOPTION_UNAVAILABLE'
  | 'ERR_WINSOCK_ADDON_LOAD_FAILED';

/**
 * A condition of the environment, not of the network, prevents the operation
 * (wrong platform, missing `ws2_32` export, socket adoption blocked, addon not
 * loadable). `code` is a {@link PlatformErrorCode}; `function` names the missing
 * Winsock function for `'ERR_WINSOCK_FUNCTION_UNAVAILABLE'`.
 *
 * The message is supplied by the caller; for a missing function it should name the
 * function and, when known, say that Wine does not implement it.
 */
export class WinsockPlatformError extends Error {
  /** Which environmental condition occurred. */
  declare readonly code: PlatformErrorCode;
  /** The Winsock function concerned (for `'ERR_WINSOCK_FUNCTION_UNAVAILABLE'`); absent otherwise. */
  declare readonly function?: string;

  static {
    setPrototypeName(this, 'WinsockPlatformError');
  }

  /**
   * @param code - The condition.
   * @param message - Human-readable explanation.
   * @param details - `function` names the missing export; `cause` becomes `Error.cause`.
   */
  constructor(code: PlatformErrorCode, message: string, details?: { function?: string; cause?: unknown }) {
    super(message, errorOptions(details?.cause));
    this.code = code;
    if (details?.function !== undefined) this.function = details.function;
  }
}

/**
 * The operation was aborted through an `AbortSignal`.
 *
 * Shaped exactly like Node's internal `AbortError` (what `fs`, `timers/promises`,
 * `events.once` … reject with): `name` `'AbortError'` and `code` `'ABORT_ERR'` as
 * own properties, default message `'The operation was aborted'`, and the standard
 * `cause` option (pass `signal.reason`).
 */
export class AbortError extends Error {
  /** Always `'ABORT_ERR'`. */
  declare readonly code: 'ABORT_ERR';
  /** Always `'AbortError'`. */
  declare name: 'AbortError';

  /**
   * @param message - Defaults to `'The operation was aborted'`.
   * @param options - `cause` becomes the standard `Error.cause` (typically `signal.reason`).
   */
  constructor(message = 'The operation was aborted', options: { cause?: unknown } | undefined = undefined) {
    if (options !== undefined && (typeof options !== 'object' || options === null)) {
      throw Object.assign(
        new TypeError(`The "options" argument must be of type object. Received ${String(options)}`),
        { code: 'ERR_INVALID_ARG_TYPE' },
      );
    }
    super(message, options);
    this.code = 'ABORT_ERR';
    this.name = 'AbortError';
  }
}

/**
 * Win32 errors the Service Control Manager and the driver's device produce while
 * installing, starting, stopping and opening the WSK driver.
 */
export enum Win32Error {
  /** 1 — Incorrect function: the device rejected the IOCTL code (STATUS_INVALID_DEVICE_REQUEST). */
  ERROR_INVALID_FUNCTION = 1,
  /** 2 — Not found: no `\\.\WskConnect` device (the driver is not running), or the .sys file is missing at StartService. */
  ERROR_FILE_NOT_FOUND = 2,
  /** 3 — The path to the driver file was not found (StartService). */
  ERROR_PATH_NOT_FOUND = 3,
  /** 5 — Access denied: installing, starting, stopping or opening the driver needs an elevated (Administrator) process. */
  ERROR_ACCESS_DENIED = 5,
  /** 13 — The data is invalid: the driver's result was shorter than its contract's. */
  ERROR_INVALID_DATA = 13,
  /** 87 — The driver refused the request as malformed (STATUS_INVALID_PARAMETER): e.g. port 0, or an unspecified, broadcast or multicast address. */
  ERROR_INVALID_PARAMETER = 87,
  /** 122 — The output buffer is too small for the driver's result (STATUS_BUFFER_TOO_SMALL). */
  ERROR_INSUFFICIENT_BUFFER = 122,
  /** 127 — The procedure was not found: this ws2_32.dll does not export the function (WSAConnectByList under Wine). */
  ERROR_PROC_NOT_FOUND = 127,
  /** 577 — Bad signature: Windows refused the driver image; sign it with a trusted test certificate and turn test signing on (StartService). */
  ERROR_INVALID_IMAGE_HASH = 577,
  /** 995 — The request was cancelled (its I/O aborted). */
  ERROR_OPERATION_ABORTED = 995,
  /** 1053 — The driver did not stop in time: still in STOP_PENDING (DriverUnload has not returned). */
  ERROR_SERVICE_REQUEST_TIMEOUT = 1053,
  /** 1056 — StartService: the driver is already running. */
  ERROR_SERVICE_ALREADY_RUNNING = 1056,
  /** 1058 — The driver service is disabled. */
  ERROR_SERVICE_DISABLED = 1058,
  /** 1060 — No driver service of that name is installed. */
  ERROR_SERVICE_DOES_NOT_EXIST = 1060,
  /** 1062 — ControlService(STOP): the driver is not running. */
  ERROR_SERVICE_NOT_ACTIVE = 1062,
  /** 1072 — The service is marked for deletion; it goes away when the last handle to it closes (or at reboot). */
  ERROR_SERVICE_MARKED_FOR_DELETE = 1072,
  /** 1073 — CreateService: a service of that name is already installed. */
  ERROR_SERVICE_EXISTS = 1073,
  /** 1275 — Driver blocked by a Windows policy (HVCI/memory integrity, the vulnerable-driver blocklist, …) (StartService). */
  ERROR_DRIVER_BLOCKED = 1275,
  /** 1306 — The driver speaks another version of the IOCTL contract (STATUS_REVISION_MISMATCH). */
  ERROR_REVISION_MISMATCH = 1306,
}

/** What each {@link Win32Error} means for someone loading a test-signed driver. */
export const WIN32_ERROR_MESSAGES: Readonly<Record<Win32Error, string>> = Object.freeze({
  [Win32Error.ERROR_INVALID_FUNCTION]: 'Incorrect function: the device rejected the request code.',
  [Win32Error.ERROR_FILE_NOT_FOUND]: 'Not found: the driver is not loaded (no \\\\.\\WskConnect device) or the .sys file is missing.',
  [Win32Error.ERROR_PATH_NOT_FOUND]: 'The path to the driver file was not found.',
  [Win32Error.ERROR_ACCESS_DENIED]: 'Access denied: installing, starting or opening the driver needs an elevated (Administrator) process.',
  [Win32Error.ERROR_INVALID_DATA]: 'The data is invalid: the driver answered with less than a whole result.',
  [Win32Error.ERROR_INVALID_PARAMETER]: 'The driver rejected the request as malformed (STATUS_INVALID_PARAMETER).',
  [Win32Error.ERROR_PROC_NOT_FOUND]: 'The procedure was not found: this ws2_32.dll does not export the function.',
  [Win32Error.ERROR_INSUFFICIENT_BUFFER]: 'The output buffer is too small for the driver\'s result (STATUS_BUFFER_TOO_SMALL).',
  [Win32Error.ERROR_INVALID_IMAGE_HASH]: 'Bad signature: Windows refused the driver image. Sign it with a trusted test certificate and enable test signing (bcdedit /set testsigning on, then reboot).',
  [Win32Error.ERROR_OPERATION_ABORTED]: 'The request was cancelled.',
  [Win32Error.ERROR_SERVICE_REQUEST_TIMEOUT]: 'The driver did not stop in time: it is stuck in STOP_PENDING (DriverUnload has not returned).',
  [Win32Error.ERROR_SERVICE_ALREADY_RUNNING]: 'The driver is already running.',
  [Win32Error.ERROR_SERVICE_DISABLED]: 'The driver service is disabled.',
  [Win32Error.ERROR_SERVICE_DOES_NOT_EXIST]: 'No such driver service is installed.',
  [Win32Error.ERROR_SERVICE_NOT_ACTIVE]: 'The driver is not running.',
  [Win32Error.ERROR_SERVICE_MARKED_FOR_DELETE]: 'The driver service is marked for deletion; it goes away when the last handle to it closes (or after a reboot).',
  [Win32Error.ERROR_SERVICE_EXISTS]: 'A service of that name is already installed.',
  [Win32Error.ERROR_DRIVER_BLOCKED]: 'Driver blocked: a Windows policy (HVCI/memory integrity, the vulnerable-driver blocklist, or another driver block policy) prevents this driver from loading.',
  [Win32Error.ERROR_REVISION_MISMATCH]: 'The driver speaks another version of the IOCTL contract (STATUS_REVISION_MISMATCH).',
});

/**
 * A Service Control Manager or device call for the WSK driver failed.
 * `code` is the Win32 name ('ERROR_DRIVER_BLOCKED'), `errno` the number (1275),
 * `syscall` the call ('StartService', 'CreateService', 'CreateFile', …).
 */
export class DriverServiceError extends Error {
  /** The {@link Win32Error} name, e.g. `'ERROR_DRIVER_BLOCKED'`, or `'WIN32_ERROR_<n>'` for a number not in it. */
  declare readonly code: string;
  /** The Win32 error number (GetLastError), e.g. `1275`. */
  declare readonly errno: number;
  /**
   * The call that failed: `'OpenSCManager'`, `'CreateService'`, `'OpenService'`,
   * `'StartService'`, `'ControlService'`, `'DeleteService'`, `'CreateFile'` (opening
   * the device) or `'DeviceIoControl'`.
   */
  declare readonly syscall: string;
  /** The service name involved. */
  declare readonly service?: string;

  static {
    setPrototypeName(this, 'DriverServiceError');
  }

  constructor(errno: number, syscall: string, details?: { service?: string; cause?: unknown }) {
    const code = Win32Error[errno] ?? `WIN32_ERROR_${errno}`;
    const meaning = (WIN32_ERROR_MESSAGES as Record<number, string>)[errno] ?? `Win32 error ${errno}.`;
    super(`${syscall} ${code}${details?.service ? ` (${details.service})` : ''} — ${meaning}`, errorOptions(details?.cause));
    this.code = code;
    this.errno = errno;
    this.syscall = syscall;
    if (details?.service !== undefined) this.service = details.service;
  }
}
