/*
 * request.h - one IOCTL_WSKCONNECT_CONNECT as a state machine: NPI → WskSocket →
 * WskBind → WskConnect (or WskSocketConnect) → WskGetLocalAddress →
 * WskGetRemoteAddress → WskCloseSocket → the IOCTL completes. Each step issues
 * its provider call and returns; the engine thread moves the request on when
 * the call's IRP completes (WskcRequestOnCompletion) or a deadline or an abort
 * comes due (WskcRequestOnTime). Nothing in here waits.
 *
 * A request outlives its IOCTL when the provider still holds one of its IRPs:
 * the IOCTL completes on time, and the request stays until every IRP is back
 * and any socket the provider returned (late) is closed.
 */
#ifndef WSKC_REQUEST_H
#define WSKC_REQUEST_H

#include "platform.h"
#include "../include/wskconnect_ioctl.h"
#include "mailbox.h"
#include "op.h"
#include "provider.h"

/* Bounds that do not come from the request (history: docs/driver-developers.md). */
#define WSKC_CANCEL_GRACE_MS 1000u  /* after IoCancelIrp found a cancel routine */
#define WSKC_CLOSE_BOUND_MS 5000u   /* WskCloseSocket, before the IOCTL completes without it */
#define WSKC_ADDRESS_BOUND_MS 1000u /* WskGetLocalAddress / WskGetRemoteAddress */
#define WSKC_NPI_POLL_MS 50u        /* retry period while the WSK provider is not attached */
#define WSKC_LINGER_MAX_MS 300000u  /* a parked socket is force-closed after this long (5 min) */
#define WSKC_PARKED_CLOSE_DELAY_MS 250u /* a parked socket's close, after its IRP came back */
#define WSKC_FORCED_CLOSE_POLL_MS 50u   /* retry period while the forced-close slot is busy */

typedef enum _WSKC_STEP {
    WSKC_STEP_NEW = 0,
    WSKC_STEP_NPI,
    WSKC_STEP_SOCKET,
    WSKC_STEP_BIND,
    WSKC_STEP_CONNECT,
    WSKC_STEP_SOCKET_CONNECT,
    WSKC_STEP_LOCAL_ADDRESS,
    WSKC_STEP_REMOTE_ADDRESS,
    WSKC_STEP_CLOSING
} WSKC_STEP;

/* What the engine shares with every request. */
typedef struct _WSKC_REQUEST_CONTEXT {
    PDEVICE_OBJECT Device;
    WSKC_MAILBOX *Mailbox;
    WSKC_PROVIDER *Provider;
    /* Forced closes of sockets whose IRP could not be cancelled, in flight.
     * They run one at a time: Wine 8's netio crashes winedevice when sockets
     * with a pending connect are closed concurrently (native/driver/README.md). */
    volatile LONG ForcedCloses;
} WSKC_REQUEST_CONTEXT;

typedef struct _WSKC_REQUEST {
    LIST_ENTRY Link;      /* the engine's list of live requests */
    LIST_ENTRY WorkLink;  /* the engine's list for one pass */
    WSKC_MAIL Submitted;
    WSKC_REQUEST_CONTEXT *Context;

    PIRP Ioctl;           /* NULL once completed */
    PFILE_OBJECT FileObject;
    BOOLEAN AbortRequested; /* under the engine's lock: cancel, CLEANUP/CLOSE, unload */
    BOOLEAN AbortSeen;      /* the engine thread has acted on it */

    WSKCONNECT_REQUEST In; /* private copy, taken before anything is written */
    WSKCONNECT_RESULT Out;

    WSKC_STEP Step;
    WSKC_OP *Op;          /* the step's IRP; NULL once abandoned */
    WSKC_OP *CloseOp;     /* preallocated, so closing never fails for lack of memory */
    BOOLEAN OpOut;        /* Op's IRP is with the provider */
    BOOLEAN CloseOut;     /* CloseOp's IRP is with the provider */
    BOOLEAN ElapsedSet;
    BOOLEAN ForcedCloseSlot; /* holds one of Context->ForcedCloses */
    BOOLEAN Closing;      /* WskCloseSocket issued: no further step */
    BOOLEAN CloseRetry;   /* close at QpcNextPoll (a parked socket, or arming failed) */
    PWSK_SOCKET Socket;   /* open and not yet handed to WskCloseSocket */
    NTSTATUS Why;         /* STATUS_CANCELLED / STATUS_IO_TIMEOUT once the step was stopped */
    BOOLEAN Cancelling;   /* IoCancelIrp found a cancel routine: the IRP comes back */

    LONGLONG QpcStart;
    LONGLONG QpcDeadline;     /* start + TimeoutMs: socket, bind, connect */
    LONGLONG QpcStepDeadline; /* the running step's own bound */
    LONGLONG QpcGrace;        /* while Cancelling */
    LONGLONG QpcCloseDeadline;
    LONGLONG QpcGiveUp;       /* a parked socket's forced close */
    LONGLONG QpcNextPoll;     /* WSKC_STEP_NPI */
} WSKC_REQUEST;

/* A request for `ioctl`, not yet started. */
_Must_inspect_result_
_IRQL_requires_max_(DISPATCH_LEVEL)
WSKC_REQUEST *WskcRequestCreate(_In_ WSKC_REQUEST_CONTEXT *context, _In_ PIRP ioctl, _In_ const WSKCONNECT_REQUEST *in);

/* Frees a finished request (or one never started, before anything was issued). */
_IRQL_requires_max_(DISPATCH_LEVEL)
void WskcRequestFree(_In_ WSKC_REQUEST *request);

/* The engine thread, only: */
_IRQL_requires_(PASSIVE_LEVEL)
void WskcRequestStart(_Inout_ WSKC_REQUEST *request);

_IRQL_requires_(PASSIVE_LEVEL)
void WskcRequestOnCompletion(_Inout_ WSKC_REQUEST *request, _In_ WSKC_OP *op);

/* Deadlines, aborts (AbortRequested) and, when `stopping`, the forced close of
 * a parked socket. */
_IRQL_requires_(PASSIVE_LEVEL)
void WskcRequestOnTime(_Inout_ WSKC_REQUEST *request, _In_ LONGLONG now, _In_ BOOLEAN stopping);

/* When OnTime next has something to do (0: at once; MAXLONGLONG: never). */
LONGLONG WskcRequestNextWake(_In_ const WSKC_REQUEST *request);

/* IOCTL completed, every IRP back, every socket closed. */
BOOLEAN WskcRequestFinished(_In_ const WSKC_REQUEST *request);

/* The driver is going away and the provider still holds this request's IRPs:
 * complete the IOCTL if it is pending, hand the IRPs to WskcOpAbandon, and let
 * the request be freed. */
_IRQL_requires_(PASSIVE_LEVEL)
void WskcRequestGiveUp(_Inout_ WSKC_REQUEST *request);

/* Whether the IOCTL is pending and matches: that IRP, or that file object. */
BOOLEAN WskcRequestMatches(_In_ const WSKC_REQUEST *request, _In_opt_ PIRP ioctl, _In_opt_ PFILE_OBJECT file);

/* Requests allocated and not freed; 0 after unload. */
LONG WskcRequestLiveCount(void);

#endif /* WSKC_REQUEST_H */
