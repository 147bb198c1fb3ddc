/*
 * wskconnect.h - types shared by the three driver source files:
 *   wskconnect.c           driver object, device, IRP dispatch, request lifetime
 *   wskconnect_validate.c  checking a WSKCONNECT_REQUEST (pure, no I/O)
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
    ULONG ActiveCount;
    BOOLEAN Stopping;
    KEVENT Drained; /* NotificationEvent: Stopping && ActiveCount == 0 */
} WSKC_DEVICE;

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

/* wskconnect_validate.c */
NTSTATUS WskcValidateRequest(const WSKCONNECT_REQUEST *req);

/* wskconnect_wsk.c */
NTSTATUS WskcNpiTryCapture(WSKC_DEVICE *dev);
void WskcRunRequest(WSKC_REQUEST *r);
WSKC_OP *WskcOpAlloc(void);
void WskcOpFree(WSKC_OP *op);

/* wskconnect.c */
/* Requests + ops currently allocated; DriverUnload logs it after teardown,
 * where anything but 0 is a leak. */
extern volatile LONG WskcLiveObjects;
void WskcAbandonOp(WSKC_DEVICE *dev, WSKC_OP *op);
LONGLONG WskcQpcNow(void);

#endif /* WSKCONNECT_H */
