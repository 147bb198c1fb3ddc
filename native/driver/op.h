/*
 * op.h - one WSK IRP of ours (WSKC_OP): allocated with one stack location,
 * re-armed for each provider call, and posted to the engine's mailbox by its
 * completion routine. Nothing ever waits on it.
 */
#ifndef WSKC_OP_H
#define WSKC_OP_H

#include "platform.h"
#include "mailbox.h"
#include "provider.h"

typedef union _WSKC_SOCKADDR {
    SOCKADDR Sa;
    SOCKADDR_IN In4;
    SOCKADDR_IN6 In6;
} WSKC_SOCKADDR;

typedef struct _WSKC_OP {
    WSKC_MAIL Mail;         /* posted when the IRP completes */
    PIRP Irp;
    PDEVICE_OBJECT Device;  /* for IoSetCompletionRoutineEx */
    WSKC_MAILBOX *Mailbox;
    PVOID Owner;            /* the request; NULL once abandoned */
    volatile LONG Completed; /* set by the completion routine of the current arm */
    volatile LONG InCall;    /* WSKC_IN_CALL_*: a completion during the provider call is the caller's */
    volatile LONG Orphan;    /* WSKC_ORPHAN_*: abandoned, and whether its returned socket is being closed */
    BOOLEAN OpensSocket;     /* the current call (WskSocket, WskSocketConnect) returns a socket */
    LIST_ENTRY AbandonedLink;
    WSKC_SOCKADDR Addr[2];  /* addresses handed to the provider with the IRP */
} WSKC_OP;

/* Once, in DriverEntry: the list of abandoned ops. */
_IRQL_requires_(PASSIVE_LEVEL)
void WskcOpInitModule(void);

_Must_inspect_result_
_IRQL_requires_max_(DISPATCH_LEVEL)
WSKC_OP *WskcOpAlloc(_In_ PDEVICE_OBJECT device, _In_ WSKC_MAILBOX *mailbox, _In_ PVOID owner);

/* Only for an op whose IRP is ours: never armed, or completed. */
_IRQL_requires_max_(DISPATCH_LEVEL)
void WskcOpFree(_In_ WSKC_OP *op);

/* Readies the IRP for one provider call. Fails only where setting the
 * completion routine allocates (IoSetCompletionRoutineEx on Windows). */
_Must_inspect_result_
_IRQL_requires_max_(DISPATCH_LEVEL)
NTSTATUS WskcOpArm(_Inout_ WSKC_OP *op, _Outptr_ PIRP *irp);

/* Around the provider call: a completion that comes before WskcOpEndCall (the
 * provider completed it synchronously, or very fast) is not posted: EndCall
 * returns TRUE and the caller handles it at once, saving the engine a wake-up.
 * A later one is posted to the mailbox. */
_IRQL_requires_max_(DISPATCH_LEVEL)
void WskcOpBeginCall(_Inout_ WSKC_OP *op);

_Must_inspect_result_
_IRQL_requires_max_(DISPATCH_LEVEL)
BOOLEAN WskcOpEndCall(_Inout_ WSKC_OP *op);

/* Whether the completion routine of the current arm has run. */
_IRQL_requires_max_(DISPATCH_LEVEL)
BOOLEAN WskcOpCompleted(_In_ const WSKC_OP *op);

/* The provider kept the IRP without completing it (a stub) or the driver gave
 * up on it: a late completion must find no owner and no freed memory, so the
 * op is kept until WskcOpFreeAbandoned, after WskDeregister. A socket its call
 * returns, then or already, is closed by the op itself: WskDeregister waits
 * for every socket, so one nobody closed would keep the driver from stopping. */
_IRQL_requires_max_(DISPATCH_LEVEL)
void WskcOpAbandon(_Inout_ WSKC_OP *op);

_IRQL_requires_max_(PASSIVE_LEVEL)
ULONG WskcOpFreeAbandoned(void);

/* Ops allocated and not freed (abandoned ones included); 0 after unload. */
LONG WskcOpLiveCount(void);

#endif /* WSKC_OP_H */
