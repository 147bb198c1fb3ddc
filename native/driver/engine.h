/*
 * engine.h - the driver's one thread. It starts submitted requests, delivers
 * IRP completions to them, and acts on their deadlines and aborts; requests
 * never wait, so one thread serves any number of them and no system worker
 * thread is ever held by a connect (tcpip and afd share those).
 */
#ifndef WSKC_ENGINE_H
#define WSKC_ENGINE_H

#include "platform.h"
#include "mailbox.h"
#include "provider.h"
#include "request.h"

/* How long a stop waits for requests whose IRPs the provider still holds
 * after everything was cancelled and closed; then they are abandoned. */
#define WSKC_STOP_BOUND_MS 10000u
/* How often a stopping engine looks again at parked sockets to force-close. */
#define WSKC_STOP_POLL_MS 50u

typedef struct _WSKC_ENGINE {
    WSKC_MAILBOX Mailbox;
    WSKC_REQUEST_CONTEXT Context;
    KSPIN_LOCK Lock;        /* everything below, and each request's AbortRequested */
    LIST_ENTRY Requests;    /* WSKC_REQUEST.Link: admitted and not yet freed */
    BOOLEAN Stopping;
    BOOLEAN AbortPending;   /* a request's AbortRequested was set since the last walk */
    LONGLONG NextDue;       /* the nearest request wake-up, as of the last walk */
    HANDLE Thread;
} WSKC_ENGINE;

_Must_inspect_result_
_IRQL_requires_(PASSIVE_LEVEL)
NTSTATUS WskcEngineStart(_Out_ WSKC_ENGINE *engine, _In_ PDEVICE_OBJECT device, _In_ WSKC_PROVIDER *provider);

/* Takes a validated request for `ioctl` in (not started yet): STATUS_DELETE_PENDING
 * once the driver is stopping, STATUS_INSUFFICIENT_RESOURCES without memory. */
_Must_inspect_result_
_IRQL_requires_max_(DISPATCH_LEVEL)
NTSTATUS WskcEngineAdmit(_Inout_ WSKC_ENGINE *engine, _In_ PIRP ioctl, _In_ const WSKCONNECT_REQUEST *in,
                         _Outptr_ WSKC_REQUEST **request);

/* Starts an admitted request; from here the engine owns it and its IOCTL. */
_IRQL_requires_max_(DISPATCH_LEVEL)
void WskcEngineRun(_Inout_ WSKC_ENGINE *engine, _Inout_ WSKC_REQUEST *request);

/* Aborts the pending requests of that IOCTL, or of that file object (both
 * NULL: all). Never waits; any IRQL up to DISPATCH_LEVEL (cancel routines). */
_IRQL_requires_max_(DISPATCH_LEVEL)
void WskcEngineAbort(_Inout_ WSKC_ENGINE *engine, _In_opt_ PIRP ioctl, _In_opt_ PFILE_OBJECT file);

/* Aborts everything, force-closes parked sockets, and returns once the thread
 * has ended (every IOCTL completed, every socket closed or abandoned). */
_IRQL_requires_(PASSIVE_LEVEL)
void WskcEngineStop(_Inout_ WSKC_ENGINE *engine);

#endif /* WSKC_ENGINE_H */
