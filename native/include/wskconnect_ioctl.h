/*
 * wskconnect_ioctl.h - the one contract between the WskConnect kernel driver
 * (native/driver) and its user-mode callers (the Node-API addon, wskctl.exe).
 *
 * Include it AFTER the platform headers of the side you are on:
 *   kernel mode : <ntddk.h>/<wdm.h> (WDK) or Wine's <ddk/wdm.h>
 *   user mode   : <windows.h>        (C or C++)
 * Only Windows base types (ULONG, USHORT, UCHAR, LONG, ULONGLONG) are used, so
 * the same text compiles against the WDK, the Windows SDK, mingw-w64 and Wine.
 *
 * ---------------------------------------------------------------------------
 * Contract (version 1)
 * ---------------------------------------------------------------------------
 * Device      : user mode opens \\.\WskConnect (WSKCONNECT_USER_PATH_W) with
 *               GENERIC_READ | GENERIC_WRITE (the IOCTL requires both).
 *               The device ACL is SDDL_DEVOBJ_SYS_ALL_ADM_ALL: SYSTEM and
 *               Administrators only (not enforced under Wine).
 * IOCTL       : IOCTL_WSKCONNECT_CONNECT = 0xA57CE004 (device type 0xA57C,
 *               function 0x801, METHOD_BUFFERED, FILE_READ_DATA|FILE_WRITE_DATA).
 *               Input  = exactly sizeof(WSKCONNECT_REQUEST) (40 bytes).
 *               Output = exactly sizeof(WSKCONNECT_RESULT) (112 bytes).
 * Modes       : Request.Mode selects the WSK path (one IOCTL code, a mode
 *               field, so the validation and result layout are shared):
 *               WSKCONNECT_MODE_BIND_CONNECT   WskSocket -> WskBind(wildcard)
 *                                              -> WskConnect -> WskCloseSocket
 *               WSKCONNECT_MODE_SOCKET_CONNECT WskSocketConnect -> WskCloseSocket
 *
 * How outcomes are reported (read this before writing a caller):
 *  1. MALFORMED request -> the IOCTL itself fails with that NTSTATUS and no
 *     output is written (Information = 0):
 *        wrong input length                        STATUS_INVALID_PARAMETER
 *        output shorter than WSKCONNECT_RESULT     STATUS_BUFFER_TOO_SMALL
 *        output longer than WSKCONNECT_RESULT      STATUS_INVALID_PARAMETER
 *        Version/Size not this header's            STATUS_REVISION_MISMATCH
 *        bad family, mode, timeout, zero port,
 *        unusable address (see below)              STATUS_INVALID_PARAMETER
 *        unknown IOCTL code                        STATUS_INVALID_DEVICE_REQUEST
 *        driver is unloading                       STATUS_DELETE_PENDING
 *     DeviceIoControl maps these to Win32 errors (87, 122, 1306, 1, ...).
 *  2. WELL-FORMED request -> the IOCTL ALWAYS completes with STATUS_SUCCESS and
 *     Information = sizeof(WSKCONNECT_RESULT), whatever happened on the network
 *     (refused, timed out, cancelled, provider stub...). The outcome is in
 *     Result.FinalStatus and the per-step statuses. Reason: for METHOD_BUFFERED
 *     the I/O manager does not copy the output buffer back when the IRP fails
 *     with an NT error status, so a failing IOCTL could not carry the per-step
 *     detail; and the Win32 error mapping loses NTSTATUS detail anyway.
 *     Callers MUST check Result.FinalStatus, not just DeviceIoControl's BOOL.
 *
 * FinalStatus:
 *   STATUS_SUCCESS              connected (then closed again; CloseStatus says
 *                               how the close went)
 *   STATUS_CONNECTION_REFUSED   0xC0000236, RST from the peer
 *   STATUS_IO_TIMEOUT           0xC00000B5, TimeoutMs elapsed. Never
 *                               STATUS_TIMEOUT (0x102), which is a success code.
 *   STATUS_CANCELLED            0xC0000120, the IOCTL was cancelled (CancelIoEx),
 *                               its handle was closed, or the driver was stopped
 *   STATUS_NOT_IMPLEMENTED      0xC0000002, the provider does not implement the
 *                               call (Wine's WskSocketConnect)
 *   anything else               the NTSTATUS of the first failing step
 * A step that never ran reports WSKCONNECT_STATUS_NOT_ATTEMPTED.
 *
 * Timeout: Request.TimeoutMs (1..60000) bounds socket + bind + connect
 * together, measured from the moment the driver starts the request. Closing
 * the socket afterwards has its own fixed bound inside the driver.
 *
 * Address rules: Family is WSKCONNECT_AF_INET (2) or WSKCONNECT_AF_INET6 (23).
 * Address holds the address bytes in network order, exactly as in
 * IN_ADDR / IN6_ADDR; for AF_INET only bytes 0..3 are used and bytes 4..15
 * and ScopeId must be zero. The unspecified address (0.0.0.0 / ::), IPv4
 * broadcast 255.255.255.255 and multicast (224.0.0.0/4, ff00::/8) are rejected.
 * Port is in HOST byte order and must not be 0.
 *
 * Versioning: a caller fills Version = WSKCONNECT_VERSION and Size =
 * sizeof(WSKCONNECT_REQUEST); the driver fills the same two fields of the
 * result. Any layout change bumps WSKCONNECT_VERSION.
 */
#ifndef WSKCONNECT_IOCTL_H
#define WSKCONNECT_IOCTL_H

/* CTL_CODE lives in wdm.h for the WDK, but in winioctl.h for user mode and
 * for Wine's DDK headers; windows.h may have skipped it (WIN32_LEAN_AND_MEAN). */
#ifndef CTL_CODE
#include <winioctl.h>
#endif

#define WSKCONNECT_VERSION 1u

/* Names. The user path is what CreateFileW takes. */
#define WSKCONNECT_SERVICE_NAME_W L"WskConnect"
#define WSKCONNECT_NT_DEVICE_NAME_W L"\\Device\\WskConnect"
#define WSKCONNECT_DOS_DEVICE_NAME_W L"\\DosDevices\\WskConnect"
#define WSKCONNECT_USER_PATH_W L"\\\\.\\WskConnect"

/* Vendor device types are 0x8000-0xFFFF, vendor function codes 0x800-0xFFF. */
#define FILE_DEVICE_WSKCONNECT 0xA57Cu
#define IOCTL_WSKCONNECT_CONNECT \
    CTL_CODE(FILE_DEVICE_WSKCONNECT, 0x801, METHOD_BUFFERED, FILE_READ_DATA | FILE_WRITE_DATA)

#define WSKCONNECT_MODE_BIND_CONNECT 0u
#define WSKCONNECT_MODE_SOCKET_CONNECT 1u

#define WSKCONNECT_AF_INET 2
#define WSKCONNECT_AF_INET6 23

#define WSKCONNECT_TIMEOUT_MIN_MS 1u
#define WSKCONNECT_TIMEOUT_MAX_MS 60000u

/* Custom NTSTATUS (severity error + customer bit) for "this step did not run". */
#define WSKCONNECT_STATUS_NOT_ATTEMPTED ((LONG)0xE0A57001L)

/* Result.Flags: how the request went, for diagnostics. */
#define WSKCONNECT_FLAG_TIMED_OUT 0x00000001u   /* a wait hit its bound (normally TimeoutMs) */
#define WSKCONNECT_FLAG_ABORTED 0x00000002u     /* cancel / handle close / unload */
#define WSKCONNECT_FLAG_CANCEL_SENT 0x00000004u /* IoCancelIrp issued on a WSK IRP */
#define WSKCONNECT_FLAG_CLOSE_FORCED 0x00000008u /* socket closed to force a stuck IRP home */
#define WSKCONNECT_FLAG_IRP_ABANDONED 0x00000010u /* provider never completed an IRP; the
                                                     driver keeps it until unload */
#define WSKCONNECT_FLAG_NPI_DEFERRED 0x00000020u /* provider NPI captured by this request,
                                                    not in DriverEntry */
#define WSKCONNECT_FLAG_CLOSE_DEFERRED 0x00000080u /* the provider could not cancel a pending
                                                      IRP (Wine): the IOCTL completed on time and
                                                      the socket is closed by the driver once that
                                                      IRP finishes by itself, or at driver stop;
                                                      CloseStatus is then NOT_ATTEMPTED */
#define WSKCONNECT_FLAG_STUB_SKIPPED 0x00000040u /* a provider call an earlier request found
                                                    never completes its IRP (a Wine stub) was
                                                    not made again; its status is the one it
                                                    returned then */

#if defined(__cplusplus)
#define WSKCONNECT_STATIC_ASSERT(expr, msg) static_assert(expr, msg)
#else
/* C_ASSERT exists in winnt.h (user mode, Wine) and ntdef.h (WDK); old MSVC C
 * compilers have no _Static_assert. */
#define WSKCONNECT_STATIC_ASSERT(expr, msg) C_ASSERT(expr)
#endif

/* Every field is naturally aligned with no implicit padding; the pack pragma
 * only guards against a caller compiled with a smaller /Zp or -fpack-struct. */
#pragma pack(push, 8)

typedef struct _WSKCONNECT_REQUEST {
    ULONG Version;     /*  0: WSKCONNECT_VERSION */
    ULONG Size;        /*  4: sizeof(WSKCONNECT_REQUEST) */
    ULONG Mode;        /*  8: WSKCONNECT_MODE_* */
    ULONG TimeoutMs;   /* 12: WSKCONNECT_TIMEOUT_MIN_MS..WSKCONNECT_TIMEOUT_MAX_MS */
    USHORT Family;     /* 16: WSKCONNECT_AF_INET or WSKCONNECT_AF_INET6 */
    USHORT Port;       /* 18: HOST byte order, non-zero */
    ULONG ScopeId;     /* 20: IPv6 scope id; 0 for IPv4 */
    UCHAR Address[16]; /* 24: network byte order; IPv4 uses bytes 0..3 */
} WSKCONNECT_REQUEST;  /* 40 bytes */

typedef struct _WSKCONNECT_SOCKADDR {
    USHORT Family;     /*  0: 0 when the provider gave no address */
    USHORT Port;       /*  2: HOST byte order */
    ULONG ScopeId;     /*  4 */
    UCHAR Address[16]; /*  8: network byte order */
} WSKCONNECT_SOCKADDR; /* 24 bytes */

typedef struct _WSKCONNECT_RESULT {
    ULONG Version;                     /*   0: WSKCONNECT_VERSION */
    ULONG Size;                        /*   4: sizeof(WSKCONNECT_RESULT) */
    LONG SocketStatus;                 /*   8: WskSocket (BIND_CONNECT mode) */
    LONG BindStatus;                   /*  12: WskBind (BIND_CONNECT mode) */
    LONG ConnectStatus;                /*  16: WskConnect, or WskSocketConnect in
                                                SOCKET_CONNECT mode */
    LONG CloseStatus;                  /*  20: WskCloseSocket */
    LONG LocalAddressStatus;           /*  24: WskGetLocalAddress */
    LONG RemoteAddressStatus;          /*  28: WskGetRemoteAddress */
    LONG FinalStatus;                  /*  32: the outcome, see the top of this file */
    ULONG Flags;                       /*  36: WSKCONNECT_FLAG_* */
    ULONG Mode;                        /*  40: echo of Request.Mode */
    ULONG Reserved;                    /*  44: 0 */
    ULONGLONG ElapsedMicroseconds;     /*  48: request start -> connect step finished */
    ULONGLONG TotalMicroseconds;       /*  56: request start -> result written (incl. close) */
    WSKCONNECT_SOCKADDR LocalAddress;  /*  64: from WskGetLocalAddress, if it answered */
    WSKCONNECT_SOCKADDR RemoteAddress; /*  88: from WskGetRemoteAddress, if it answered */
} WSKCONNECT_RESULT;                   /* 112 bytes */

#pragma pack(pop)

WSKCONNECT_STATIC_ASSERT(sizeof(WSKCONNECT_REQUEST) == 40, "WSKCONNECT_REQUEST layout");
WSKCONNECT_STATIC_ASSERT(FIELD_OFFSET(WSKCONNECT_REQUEST, Family) == 16, "Request.Family offset");
WSKCONNECT_STATIC_ASSERT(FIELD_OFFSET(WSKCONNECT_REQUEST, Address) == 24, "Request.Address offset");
WSKCONNECT_STATIC_ASSERT(sizeof(WSKCONNECT_SOCKADDR) == 24, "WSKCONNECT_SOCKADDR layout");
WSKCONNECT_STATIC_ASSERT(sizeof(WSKCONNECT_RESULT) == 112, "WSKCONNECT_RESULT layout");
WSKCONNECT_STATIC_ASSERT(FIELD_OFFSET(WSKCONNECT_RESULT, ElapsedMicroseconds) == 48,
                         "Result.ElapsedMicroseconds offset");
WSKCONNECT_STATIC_ASSERT(FIELD_OFFSET(WSKCONNECT_RESULT, RemoteAddress) == 88,
                         "Result.RemoteAddress offset");

#endif /* WSKCONNECT_IOCTL_H */
