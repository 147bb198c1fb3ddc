/*
 * op.c - WSK IRPs that the driver owns. The completion routine runs at any
 * IRQL up to DISPATCH_LEVEL, on the provider's thread: it only marks the op
 * complete and posts it to the engine (unless the engine is still inside the
 * provider call, see WskcOpBeginCall), and keeps the IRP ours
 * (STATUS_MORE_PROCESSING_REQUIRED) so it can be re-armed or freed.
 */
#include "op.h"

enum { WSKC_IN_CALL_NO = 0, WSKC_IN_CALL_YES, WSKC_IN_CALL_COMPLETED };
enum { WSKC_ORPHAN_NO = 0, WSKC_ORPHAN_ABANDONED, WSKC_ORPHAN_CLOSING };

static volatile LONG live_ops;
static KSPIN_LOCK abandoned_lock;
static LIST_ENTRY abandoned_ops;

WSKC_ROLE(static IO_COMPLETION_ROUTINE, op_completed)
WSKC_ROLE(static IO_COMPLETION_ROUTINE, orphan_close_done)

_Use_decl_annotations_
static NTSTATUS NTAPI orphan_close_done(PDEVICE_OBJECT device, PIRP irp, PVOID context)
{
    UNREFERENCED_PARAMETER(device);
    UNREFERENCED_PARAMETER(context);
    IoFreeIrp(irp);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

/* An abandoned op's call returned a socket: close it with an IRP of its own (the
 * op's may be inside its completion routine). Plain IoSetCompletionRoutine is
 * enough here: WskDeregister, before unload, waits for this close. */
static void close_orphan_socket(WSKC_OP *op)
{
    PIRP irp;

    if (!op->OpensSocket || !NT_SUCCESS(op->Irp->IoStatus.Status) || !op->Irp->IoStatus.Information)
        return;
    irp = IoAllocateIrp(1, FALSE);
    if (!irp)
        return; /* out of memory at DISPATCH_LEVEL: nothing else can close it */
    IoSetCompletionRoutine(irp, orphan_close_done, NULL, TRUE, TRUE, TRUE);
    (void)WskcProviderClose((PWSK_SOCKET)op->Irp->IoStatus.Information, irp);
}

/* Exactly one of the completion routine and WskcOpAbandon closes an orphan's socket. */
static void claim_orphan_close(WSKC_OP *op)
{
    if (InterlockedCompareExchange(&op->Orphan, WSKC_ORPHAN_CLOSING, WSKC_ORPHAN_ABANDONED) == WSKC_ORPHAN_ABANDONED)
        close_orphan_socket(op);
}

_Use_decl_annotations_
static NTSTATUS NTAPI op_completed(PDEVICE_OBJECT device, PIRP irp, PVOID context)
{
    WSKC_OP *op = (WSKC_OP *)context;
    UNREFERENCED_PARAMETER(device);
    UNREFERENCED_PARAMETER(irp);
    InterlockedExchange(&op->Completed, 1);
    if (InterlockedCompareExchange(&op->Orphan, 0, 0) != WSKC_ORPHAN_NO) {
        claim_orphan_close(op);
        return STATUS_MORE_PROCESSING_REQUIRED;
    }
    if (InterlockedCompareExchange(&op->InCall, WSKC_IN_CALL_COMPLETED, WSKC_IN_CALL_YES) != WSKC_IN_CALL_YES)
        WskcMailboxPost(op->Mailbox, &op->Mail, WSKC_MAIL_OP_COMPLETED);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

_Use_decl_annotations_
void WskcOpInitModule(void)
{
    KeInitializeSpinLock(&abandoned_lock);
    InitializeListHead(&abandoned_ops);
}

_Use_decl_annotations_
WSKC_OP *WskcOpAlloc(PDEVICE_OBJECT device, WSKC_MAILBOX *mailbox, PVOID owner)
{
    WSKC_OP *op = WSKC_ALLOC_NONPAGED(sizeof(*op), WSKC_POOL_TAG);
    if (!op)
        return NULL;
    op->Irp = IoAllocateIrp(1, FALSE); /* WSK needs one stack location */
    if (!op->Irp) {
        WSKC_FREE(op);
        return NULL;
    }
    op->Device = device;
    op->Mailbox = mailbox;
    op->Owner = owner;
    InterlockedIncrement(&live_ops);
    return op;
}

_Use_decl_annotations_
void WskcOpFree(WSKC_OP *op)
{
    IoFreeIrp(op->Irp);
    WSKC_FREE(op);
    InterlockedDecrement(&live_ops);
}

_Use_decl_annotations_
NTSTATUS WskcOpArm(WSKC_OP *op, PIRP *irp)
{
    NTSTATUS status;

    IoReuseIrp(op->Irp, STATUS_UNSUCCESSFUL);
    InterlockedExchange(&op->Completed, 0);
    status = WSKC_SET_COMPLETION(op->Device, op->Irp, op_completed, op);
    *irp = op->Irp;
    return status;
}

_Use_decl_annotations_
void WskcOpBeginCall(WSKC_OP *op)
{
    InterlockedExchange(&op->InCall, WSKC_IN_CALL_YES);
}

_Use_decl_annotations_
BOOLEAN WskcOpEndCall(WSKC_OP *op)
{
    return InterlockedExchange(&op->InCall, WSKC_IN_CALL_NO) == WSKC_IN_CALL_COMPLETED;
}

_Use_decl_annotations_
BOOLEAN WskcOpCompleted(const WSKC_OP *op)
{
    return InterlockedCompareExchange((volatile LONG *)&op->Completed, 0, 0) != 0;
}

_Use_decl_annotations_
void WskcOpAbandon(WSKC_OP *op)
{
    KIRQL irql;

    op->Owner = NULL;
    KeAcquireSpinLock(&abandoned_lock, &irql);
    InsertTailList(&abandoned_ops, &op->AbandonedLink);
    KeReleaseSpinLock(&abandoned_lock, irql);
    InterlockedExchange(&op->Orphan, WSKC_ORPHAN_ABANDONED);
    /* Completed already, its mail undelivered (the engine gave up): closed here. */
    if (WskcOpCompleted(op))
        claim_orphan_close(op);
}

_Use_decl_annotations_
ULONG WskcOpFreeAbandoned(void)
{
    ULONG n = 0;

    while (!IsListEmpty(&abandoned_ops)) {
        LIST_ENTRY *e = RemoveHeadList(&abandoned_ops);
        WskcOpFree(CONTAINING_RECORD(e, WSKC_OP, AbandonedLink));
        n++;
    }
    return n;
}

LONG WskcOpLiveCount(void)
{
    return InterlockedCompareExchange(&live_ops, 0, 0);
}
