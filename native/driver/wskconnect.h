/*
 * wskconnect.h - types shared by the driver's source files:
 *   wskconnect.c           driver object, device, IRP dispatch, request lifetime
 *   wskconnect_validate.c  checking a WSKCONNECT_REQUEST (pure, no I/O)
 *   wskconnect_op.c        one WSK IRP (WSKC_OP), bounded waits, deferred closes
 *   wskconnect_wsk.c       WSK provider calls: NPI capture, the connect sequence
 */
#ifndef WSKCONNECT_H
#define WSKCONNECT_H

#include "wskconnect_platform.h"
#include "../include/wskconnect_ioctl.h"

/* Bounds that do not come from the request. Each one keeps a worker from
 * waiting forever on a provider that never answers. */
#define WSKC_CANCEL_GRACE_MS 1000u  /* after IoCancelIrp found a cancel routine */
#define WSKC_CLOSE_BOUND_MS 5000u   /* WskCloseSocket, and reaping IRPs after it */
#define WSKC_ADDRESS_BOUND_MS 1000u /* WskGetLocalAddress / WskGetRemoteAddress */
#define WSKC_NPI_POLL_MS 50u        /* retry period while the WSK provider is not up */
#define WSKC_REAPER_PERIOD_MS 250u  /* how often the reaper looks at deferred closes */
#define WSKC_LINGER_MAX_MS 300000u  /* deferred close forced after this long (5 min) */

/* Provider calls that are remembered when the provider returns without ever
 * completing the IRP (Wine's netio stubs), so later requests do not feed
 * another IRP to a stub. */
typedef enum _WSKC_STUB_CALL {
    WSKC_STUB_SOCKET_CONNECT = 0,
    WSKC_STUB_GET_LOCAL_ADDRESS,
    WSKC_STUB_GET_REMOTE_ADDRESS,
    WSKC_STUB_COUNT
} WSKC_STUB_CALL;

typedef enum _WSKC_NPI_STATE { WSKC_NPI_NONE = 0, WSKC_NPI_CAPTURING, WSKC_NPI_CAPTURED } WSKC_NPI_STATE;

typedef union _WSKC_SOCKADDR {
    SOCKADDR Sa;
    SOCKADDR_IN In4;
    SOCKADDR_IN6 In6;
} WSKC_SOCKADDR;

/* One WSK IRP, the event its completion routine sets, and the socket
 * addresses handed to the provider with it. Allocated apart from the request
 * so that, if the provider keeps the IRP forever, everything a late
 * completion could touch (IRP, event, address buffers) outlives the request:
 * it goes on the device's abandoned list and is freed after WskDeregister. */
typedef struct _WSKC_OP {
    LIST_ENTRY Link; /* on WSKC_DEVICE.AbandonedList once abandoned */
    PIRP Irp;
    KEVENT Done; /* NotificationEvent, set by the completion routine */
    WSKC_SOCKADDR Addr[2];
} WSKC_OP;

typedef struct _WSKC_DEVICE {
    PDEVICE_OBJECT Device;

    /* WSK registration. The client NPI lives here, not on DriverEntry's stack:
     * Wine's netio keeps the pointer for the life of the registration. */
    WSK_CLIENT_NPI ClientNpi;
    WSK_REGISTRATION Registration;
    BOOLEAN Registered;
    volatile LONG NpiState; /* WSKC_NPI_STATE */
    WSK_PROVIDER_NPI Npi;   /* valid once NpiState == WSKC_NPI_CAPTURED */
    volatile LONG StubStatus[WSKC_STUB_COUNT]; /* 0 = not known to be a stub */

    /* Lock protects everything below. */
    KSPIN_LOCK Lock;
    LIST_ENTRY RequestList;   /* WSKC_REQUEST.Link, requests not yet completed */
    LIST_ENTRY AbandonedList; /* WSKC_OP.Link */
    LIST_ENTRY LingerList;    /* WSKC_LINGER.Link */
    BOOLEAN ReaperRunning;
    ULONG ActiveCount; /* requests not yet finished + the reaper if running */
    BOOLEAN Stopping;
    KEVENT Drained; /* NotificationEvent: Stopping && ActiveCount == 0 */

    KEVENT StopEvent; /* NotificationEvent, set when DriverUnload starts */
    PIO_WORKITEM ReaperItem;
} WSKC_DEVICE;

/* A socket whose pending IRP the provider could not cancel (IoCancelIrp
 * found no cancel routine: Wine's netio). Closing it right away is what WSK
 * documents, but Wine 8's netio has a use-after-free when sockets with a
 * pending ConnectEx are closed concurrently: winedevice.exe crashes in
 * dispatch_pending_io (measured: within ~3 rounds of 8 parallel timeouts).
 * So the IOCTL completes on time and the socket is parked here until its IRP
 * completes by itself (the TCP stack gives up: ~127 s on Linux), then closed
 * with nothing pending. A single reaper work item does the closing, so the
 * closes that still have to be forced (driver stop, WSKC_LINGER_MAX_MS) run
 * one at a time. */
typedef struct _WSKC_LINGER {
    LIST_ENTRY Link;
    PWSK_SOCKET Socket;
    WSKC_OP *Pending; /* the uncancellable IRP */
    WSKC_OP *CloseOp;
    LONGLONG QpcGiveUp;
} WSKC_LINGER;

/* Everything about one accepted IOCTL. Nonpaged: the cancel routine and
 * CLEANUP find it under the spin lock. */
typedef struct _WSKC_REQUEST {
    LIST_ENTRY Link;
    WSKC_DEVICE *Dev;
    PIRP Ioctl;
    PFILE_OBJECT FileObject;
    PIO_WORKITEM WorkItem;
    KEVENT Abort; /* NotificationEvent: cancel, CLEANUP/CLOSE or unload */

    WSKCONNECT_REQUEST In; /* private copy, taken before anything is written */
    WSKCONNECT_RESULT Out;

    WSKC_OP *Op;      /* reused (IoReuseIrp) for each step; NULL if abandoned */
    WSKC_OP *CloseOp; /* preallocated so closing never fails for lack of memory */
    PWSK_SOCKET Socket;

    LONGLONG QpcFrequency;
    LONGLONG QpcStart;
    LONGLONG QpcDeadline; /* start + TimeoutMs */
} WSKC_REQUEST;

typedef enum _WSKC_WAIT { WSKC_WAIT_DONE, WSKC_WAIT_ABORTED, WSKC_WAIT_EXPIRED } WSKC_WAIT;

/* wskconnect_validate.c */
NTSTATUS WskcValidateRequest(const WSKCONNECT_REQUEST *req);

/* wskconnect_op.c */
LONGLONG WskcQpcNow(void);
LONGLONG WskcQpcFrequency(void);
LONGLONG WskcTicksTo(LONGLONG freq, LONGLONG ticks, LONGLONG scale);
LONGLONG WskcQpcAfterMs(LONGLONG freq, ULONG ms);
WSKC_WAIT WskcWait(PKEVENT done, PKEVENT abort, LONGLONG freq, LONGLONG deadline);
WSKC_OP *WskcOpAlloc(void);
void WskcOpFree(WSKC_OP *op);
PIRP WskcOpArm(WSKC_OP *op);
BOOLEAN WskcPark(WSKC_DEVICE *dev, PWSK_SOCKET socket, WSKC_OP *pending, WSKC_OP *close_op);
WSKC_ROLE(IO_WORKITEM_ROUTINE, WskcReaper)
void NTAPI WskcReaper(PDEVICE_OBJECT device, PVOID context);

/* wskconnect_wsk.c */
NTSTATUS WskcNpiTryCapture(WSKC_DEVICE *dev);
void WskcRunRequest(WSKC_REQUEST *r);

/* wskconnect.c */
/* Requests, ops and parked sockets currently allocated; DriverUnload logs it
 * after teardown, where anything but 0 is a leak. */
extern volatile LONG WskcLiveObjects;
void WskcAbandonOp(WSKC_DEVICE *dev, WSKC_OP *op);
void WskcWorkDone(WSKC_DEVICE *dev);

#endif /* WSKCONNECT_H */
