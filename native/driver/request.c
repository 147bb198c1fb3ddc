/*
 * request.c - one connect request as a state machine (see request.h). Every
 * function here runs on the engine thread, at PASSIVE_LEVEL, and returns at once:
 * a provider call is issued with an armed IRP and its completion comes back
 * through the mailbox; a deadline or an abort comes back through OnTime.
 *
 * Stopping a step (deadline or abort) is IoCancelIrp on its IRP:
 *   - it found a cancel routine (Windows): the IRP comes back, cancelled, and the
 *     request goes on to close; if it is not back after WSKC_CANCEL_GRACE_MS the
 *     socket is closed, which WSK documents as completing what is pending;
 *   - it found none (Wine's netio sets none): the step reports its timeout or
 *     cancel now and the IOCTL completes on time; the socket is "parked" until the
 *     IRP finishes by itself, then closed (closing it now crashes Wine 8's netio
 *     when it happens concurrently: docs/driver-developers.md). A parked socket is
 *     force-closed, one at a time, at driver stop or after WSKC_LINGER_MAX_MS.
 * An IRP that finishes after its IOCTL completed still has its socket closed,
 * whichever step it was (a late WskSocket or WskSocketConnect included).
 */
#include "request.h"
#include "clock.h"

static volatile LONG live_requests;

/* ---------------------------------------------------------------------------
 * Steps and their result fields
 * ------------------------------------------------------------------------- */

static BOOLEAN is_address_step(WSKC_STEP step)
{
    return step == WSKC_STEP_LOCAL_ADDRESS || step == WSKC_STEP_REMOTE_ADDRESS;
}

static BOOLEAN opens_socket(WSKC_STEP step)
{
    return step == WSKC_STEP_SOCKET || step == WSKC_STEP_SOCKET_CONNECT;
}

static WSKC_STUB_CALL stub_of(WSKC_STEP step)
{
    switch (step) {
    case WSKC_STEP_SOCKET_CONNECT: return WSKC_STUB_SOCKET_CONNECT;
    case WSKC_STEP_LOCAL_ADDRESS: return WSKC_STUB_GET_LOCAL_ADDRESS;
    case WSKC_STEP_REMOTE_ADDRESS: return WSKC_STUB_GET_REMOTE_ADDRESS;
    default: return WSKC_STUB_NONE;
    }
}

static void set_step_status(WSKC_REQUEST *r, WSKC_STEP step, NTSTATUS status)
{
    switch (step) {
    case WSKC_STEP_SOCKET: r->Out.SocketStatus = status; break;
    case WSKC_STEP_BIND: r->Out.BindStatus = status; break;
    case WSKC_STEP_CONNECT:
    case WSKC_STEP_SOCKET_CONNECT: r->Out.ConnectStatus = status; break;
    case WSKC_STEP_LOCAL_ADDRESS: r->Out.LocalAddressStatus = status; break;
    case WSKC_STEP_REMOTE_ADDRESS: r->Out.RemoteAddressStatus = status; break;
    default: break;
    }
}

static void init_result(WSKCONNECT_RESULT *o, ULONG mode)
{
    RtlZeroMemory(o, sizeof(*o));
    o->Version = WSKCONNECT_VERSION;
    o->Size = sizeof(*o);
    o->Mode = mode;
    o->SocketStatus = o->BindStatus = o->ConnectStatus = o->CloseStatus = WSKCONNECT_STATUS_NOT_ATTEMPTED;
    o->LocalAddressStatus = o->RemoteAddressStatus = WSKCONNECT_STATUS_NOT_ATTEMPTED;
    o->FinalStatus = WSKCONNECT_STATUS_NOT_ATTEMPTED;
}

/* Request start to the end of the connect step (or to the failure before it). */
static void mark_elapsed(WSKC_REQUEST *r)
{
    if (r->ElapsedSet)
        return;
    r->ElapsedSet = TRUE;
    r->Out.ElapsedMicroseconds = WskcClockMicroseconds(r->QpcStart, WskcClockNow());
}

/* ---------------------------------------------------------------------------
 * Socket addresses
 * ------------------------------------------------------------------------- */

static void fill_wildcard(USHORT family, WSKC_SOCKADDR *a)
{
    RtlZeroMemory(a, sizeof(*a));
    a->Sa.sa_family = family;
}

static void fill_remote(const WSKCONNECT_REQUEST *in, WSKC_SOCKADDR *a)
{
    RtlZeroMemory(a, sizeof(*a));
    if (in->Family == WSKCONNECT_AF_INET) {
        a->In4.sin_family = AF_INET;
        a->In4.sin_port = RtlUshortByteSwap(in->Port);
        RtlCopyMemory(&a->In4.sin_addr, in->Address, 4);
    } else {
        a->In6.sin6_family = AF_INET6;
        a->In6.sin6_port = RtlUshortByteSwap(in->Port);
        RtlCopyMemory(&a->In6.sin6_addr, in->Address, 16);
        a->In6.sin6_scope_id = in->ScopeId;
    }
}

static void to_result_address(const WSKC_SOCKADDR *a, WSKCONNECT_SOCKADDR *out)
{
    RtlZeroMemory(out, sizeof(*out));
    if (a->Sa.sa_family == AF_INET) {
        out->Family = WSKCONNECT_AF_INET;
        out->Port = RtlUshortByteSwap(a->In4.sin_port);
        RtlCopyMemory(out->Address, &a->In4.sin_addr, 4);
    } else if (a->Sa.sa_family == AF_INET6) {
        out->Family = WSKCONNECT_AF_INET6;
        out->Port = RtlUshortByteSwap(a->In6.sin6_port);
        out->ScopeId = a->In6.sin6_scope_id;
        RtlCopyMemory(out->Address, &a->In6.sin6_addr, 16);
    }
}

/* ---------------------------------------------------------------------------
 * The IOCTL
 * ------------------------------------------------------------------------- */

/* Completes the IOCTL with the result so far. A well-formed request always
 * completes with STATUS_SUCCESS so the I/O manager copies the result back; the
 * outcome is in Out.FinalStatus (wskconnect_ioctl.h). */
static void complete_ioctl(WSKC_REQUEST *r)
{
    PIRP irp = r->Ioctl;
    KIRQL irql;

    if (!irp)
        return;
    r->Ioctl = NULL;
    /* Take the cancel routine back. If it is already gone, IoCancelIrp has
     * claimed the IRP and may be running it right now: acquiring the cancel
     * spin lock waits until the routine has released it, i.e. has finished
     * reading the IRP (after that it only compares pointers). */
    if (IoSetCancelRoutine(irp, NULL) == NULL) {
        IoAcquireCancelSpinLock(&irql);
        IoReleaseCancelSpinLock(irql);
    }
    r->Out.TotalMicroseconds = WskcClockMicroseconds(r->QpcStart, WskcClockNow());
    RtlCopyMemory(irp->AssociatedIrp.SystemBuffer, &r->Out, sizeof(r->Out));
    irp->IoStatus.Status = STATUS_SUCCESS;
    irp->IoStatus.Information = sizeof(r->Out);
    IoCompleteRequest(irp, IO_NO_INCREMENT);
}

/* Nothing of the request is with the provider, and no socket is left to close. */
static BOOLEAN quiet(const WSKC_REQUEST *r)
{
    return !r->OpOut && !r->CloseOut && !r->Socket && !r->CloseRetry;
}

/* The IOCTL completes once the request is quiet. */
static void complete_when_quiet(WSKC_REQUEST *r)
{
    if (quiet(r))
        complete_ioctl(r);
}

/* ---------------------------------------------------------------------------
 * Closing
 * ------------------------------------------------------------------------- */

static BOOLEAN take_forced_close_slot(WSKC_REQUEST *r)
{
    if (r->ForcedCloseSlot)
        return TRUE;
    r->ForcedCloseSlot = InterlockedCompareExchange(&r->Context->ForcedCloses, 1, 0) == 0;
    return r->ForcedCloseSlot;
}

static void release_forced_close_slot(WSKC_REQUEST *r)
{
    if (!r->ForcedCloseSlot)
        return;
    r->ForcedCloseSlot = FALSE;
    InterlockedExchange(&r->Context->ForcedCloses, 0);
}

/* Closes the socket `ms` from now (on the engine's next pass after that). */
static void close_later(WSKC_REQUEST *r, ULONG ms)
{
    r->CloseRetry = TRUE;
    r->QpcNextPoll = WskcClockAfterMs(ms);
}

/* WskCloseSocket on every path that opened a socket. Arming can fail only on
 * Windows (IoSetCompletionRoutineEx allocates): then it is retried. */
static void start_close(WSKC_REQUEST *r)
{
    PWSK_SOCKET socket = r->Socket;
    WSKC_OP *op = r->CloseOp;
    NTSTATUS call;
    PIRP irp;

    if (!op || !NT_SUCCESS(WskcOpArm(op, &irp))) {
        close_later(r, WSKC_NPI_POLL_MS);
        return;
    }
    r->CloseRetry = FALSE;
    r->Closing = TRUE;
    r->Socket = NULL;
    r->CloseOut = TRUE;
    r->QpcCloseDeadline = WskcClockAfterMs(WSKC_CLOSE_BOUND_MS);
    WskcOpBeginCall(op);
    call = WskcProviderClose(socket, irp);
    if (WskcOpEndCall(op)) {
        WskcRequestOnCompletion(r, op);
        return;
    }
    if (call != STATUS_PENDING && !WskcOpCompleted(op)) {
        /* Returned without completing its IRP: not provably ours again. */
        r->CloseOut = FALSE;
        r->CloseOp = NULL;
        r->Out.Flags |= WSKCONNECT_FLAG_IRP_ABANDONED;
        if (r->Ioctl)
            r->Out.CloseStatus = call;
        WskcOpAbandon(op);
        release_forced_close_slot(r);
        complete_when_quiet(r);
    }
}

/* The outcome is known: close the socket if there is one, then complete. */
static void finish(WSKC_REQUEST *r, NTSTATUS final)
{
    r->Out.FinalStatus = final;
    mark_elapsed(r);
    if (r->Socket)
        start_close(r);
    else
        complete_when_quiet(r);
}

/* ---------------------------------------------------------------------------
 * Issuing steps
 * ------------------------------------------------------------------------- */

static void step_finished(WSKC_REQUEST *r, WSKC_STEP step, NTSTATUS status, ULONG_PTR information);

/* Between steps: stop early on an abort or once the deadline has passed. */
static NTSTATUS gate(WSKC_REQUEST *r)
{
    if (r->AbortRequested) {
        r->Out.Flags |= WSKCONNECT_FLAG_ABORTED;
        return STATUS_CANCELLED;
    }
    if (WskcClockNow() >= r->QpcDeadline) {
        r->Out.Flags |= WSKCONNECT_FLAG_TIMED_OUT;
        return STATUS_IO_TIMEOUT;
    }
    return STATUS_SUCCESS;
}

static NTSTATUS call_provider(WSKC_REQUEST *r, WSKC_STEP step, WSKC_OP *op, PIRP irp)
{
    WSKC_PROVIDER *provider = r->Context->Provider;

    switch (step) {
    case WSKC_STEP_SOCKET:
        return WskcProviderSocket(provider, r->In.Family, irp);
    case WSKC_STEP_BIND:
        /* WskConnect needs a bound socket: the wildcard address of the target's
         * family and an ephemeral port. */
        fill_wildcard(r->In.Family, &op->Addr[0]);
        return WskcProviderBind(r->Socket, &op->Addr[0].Sa, irp);
    case WSKC_STEP_CONNECT:
        fill_remote(&r->In, &op->Addr[0]);
        return WskcProviderConnect(r->Socket, &op->Addr[0].Sa, irp);
    case WSKC_STEP_SOCKET_CONNECT:
        fill_wildcard(r->In.Family, &op->Addr[0]);
        fill_remote(&r->In, &op->Addr[1]);
        return WskcProviderSocketConnect(provider, &op->Addr[0].Sa, &op->Addr[1].Sa, irp);
    case WSKC_STEP_LOCAL_ADDRESS:
        RtlZeroMemory(&op->Addr[0], sizeof(op->Addr[0]));
        return WskcProviderLocalAddress(r->Socket, &op->Addr[0].Sa, irp);
    case WSKC_STEP_REMOTE_ADDRESS:
        RtlZeroMemory(&op->Addr[0], sizeof(op->Addr[0]));
        return WskcProviderRemoteAddress(r->Socket, &op->Addr[0].Sa, irp);
    default:
        return STATUS_INTERNAL_ERROR;
    }
}

/* Issues `step`'s provider call. A completion within the call is handled at
 * once (the next step is issued from here: at most one per step, so the depth
 * is bounded); a later one comes back through the mailbox. */
static void issue(WSKC_REQUEST *r, WSKC_STEP step)
{
    WSKC_PROVIDER *provider = r->Context->Provider;
    NTSTATUS status, call;
    PIRP irp;

    r->Step = step;
    status = is_address_step(step) ? STATUS_SUCCESS : gate(r);
    if (!NT_SUCCESS(status)) {
        step_finished(r, step, status, 0);
        return;
    }
    status = WskcProviderKnownStub(provider, stub_of(step));
    if (status != STATUS_SUCCESS) {
        r->Out.Flags |= WSKCONNECT_FLAG_STUB_SKIPPED;
        {
            step_finished(r, step, status, 0);
            return;
        }
    }
    if (!r->Op)
        r->Op = WskcOpAlloc(r->Context->Device, r->Context->Mailbox, r);
    if (!r->Op) {
        step_finished(r, step, STATUS_INSUFFICIENT_RESOURCES, 0);
        return;
    }
    status = WskcOpArm(r->Op, &irp);
    if (!NT_SUCCESS(status)) {
        step_finished(r, step, status, 0);
        return;
    }

    r->QpcStepDeadline = is_address_step(step) ? WskcClockAfterMs(WSKC_ADDRESS_BOUND_MS) : r->QpcDeadline;
    r->Op->OpensSocket = opens_socket(step);
    r->OpOut = TRUE;
    WskcOpBeginCall(r->Op);
    call = call_provider(r, step, r->Op, irp);
    if (WskcOpEndCall(r->Op)) {
        /* Completed within the call (WSK often completes synchronously). */
        r->OpOut = FALSE;
        step_finished(r, step, irp->IoStatus.Status, irp->IoStatus.Information);
        return;
    }
    if (call != STATUS_PENDING && !WskcOpCompleted(r->Op)) {
        /* A stub: it returned without completing the IRP, which is then not
         * provably ours again. Remembered, so later requests skip the call. */
        r->OpOut = FALSE;
        r->Out.Flags |= WSKCONNECT_FLAG_IRP_ABANDONED;
        WskcOpAbandon(r->Op);
        r->Op = NULL;
        WskcProviderRememberStub(provider, stub_of(step), call);
        step_finished(r, step, call, 0);
    }
}

static void begin_connect(WSKC_REQUEST *r)
{
    issue(r, r->In.Mode == WSKCONNECT_MODE_SOCKET_CONNECT ? WSKC_STEP_SOCKET_CONNECT : WSKC_STEP_SOCKET);
}

/* The provider NPI, captured without waiting; retried every WSKC_NPI_POLL_MS
 * within the request's deadline while the provider is not attached
 * (STATUS_DEVICE_NOT_READY). Any other failure, STATUS_NOINTERFACE (an
 * unsupported WSK version) included, finishes the request with it. */
static void try_npi(WSKC_REQUEST *r)
{
    NTSTATUS status = WskcProviderTryCapture(r->Context->Provider);
    LONGLONG next;

    if (NT_SUCCESS(status)) {

        begin_connect(r);

        return;

    }
    if (status == STATUS_DEVICE_NOT_READY) {
        status = gate(r);
        if (NT_SUCCESS(status)) {
            r->Step = WSKC_STEP_NPI;
            next = WskcClockAfterMs(WSKC_NPI_POLL_MS);
            r->QpcNextPoll = next < r->QpcDeadline ? next : r->QpcDeadline;
            return;
        }
    }
    finish(r, status);
}

/* A step's outcome: record it and go on, or finish. */
static void step_finished(WSKC_REQUEST *r, WSKC_STEP step, NTSTATUS status, ULONG_PTR information)
{
    if (opens_socket(step) && NT_SUCCESS(status)) {
        r->Socket = (PWSK_SOCKET)information;
        if (!r->Socket)
            status = STATUS_UNSUCCESSFUL; /* "success" without a socket */
    }
    if (!r->Ioctl || r->Closing) {
        /* The IOCTL has its answer already (a parked or abandoned step), or a
         * forced close is under way: only close what is open. */
        if (r->Ioctl)
            set_step_status(r, step, status);
        if (r->Socket && !r->Ioctl)
            close_later(r, WSKC_PARKED_CLOSE_DELAY_MS);
        else if (r->Socket)
            start_close(r);
        else
            complete_when_quiet(r);
        return;
    }
    set_step_status(r, step, status);
    if (step == WSKC_STEP_CONNECT || step == WSKC_STEP_SOCKET_CONNECT)
        mark_elapsed(r);
    if (is_address_step(step)) {
        if (NT_SUCCESS(status) && r->Op)
            to_result_address(&r->Op->Addr[0], step == WSKC_STEP_LOCAL_ADDRESS ? &r->Out.LocalAddress : &r->Out.RemoteAddress);
        if (step == WSKC_STEP_LOCAL_ADDRESS)
            issue(r, WSKC_STEP_REMOTE_ADDRESS);
        else
            finish(r, STATUS_SUCCESS);
        return;
    }
    if (!NT_SUCCESS(status)) {
        finish(r, status);
        return;
    }
    switch (step) {
    case WSKC_STEP_SOCKET: issue(r, WSKC_STEP_BIND); break;
    case WSKC_STEP_BIND: issue(r, WSKC_STEP_CONNECT); break;
    default: issue(r, WSKC_STEP_LOCAL_ADDRESS); break; /* connected */
    }
}

/* A deadline or an abort reached a step whose IRP is with the provider. */
static void stop_step(WSKC_REQUEST *r, NTSTATUS why)
{
    /* The IRP has completed already (its mail is on the way to the engine): its
     * outcome decides, so a connect that succeeded just before the deadline is
     * not reported as timed out, and no socket is parked for a cancel that has
     * nothing left to cancel. */
    if (WskcOpCompleted(r->Op))
        return;
    r->Why = why;
    r->Out.Flags |= (why == STATUS_CANCELLED ? WSKCONNECT_FLAG_ABORTED : WSKCONNECT_FLAG_TIMED_OUT) |
                    WSKCONNECT_FLAG_CANCEL_SENT;
    if (IoCancelIrp(r->Op->Irp)) {
        r->Cancelling = TRUE;
        r->QpcGrace = WskcClockAfterMs(WSKC_CANCEL_GRACE_MS);
        return;
    }
    /* No cancel routine: answer now, park the socket (see the top of this file). */
    if (!r->Ioctl)
        return;
    set_step_status(r, r->Step, why);
    r->Out.FinalStatus = is_address_step(r->Step) ? STATUS_SUCCESS : why;
    mark_elapsed(r);
    if (r->Socket) {
        r->Out.Flags |= WSKCONNECT_FLAG_CLOSE_DEFERRED;
        r->QpcGiveUp = WskcClockAfterMs(WSKC_LINGER_MAX_MS);
    }
    complete_ioctl(r);
}

/* ---------------------------------------------------------------------------
 * The engine's entry points
 * ------------------------------------------------------------------------- */

_Use_decl_annotations_
WSKC_REQUEST *WskcRequestCreate(WSKC_REQUEST_CONTEXT *context, PIRP ioctl, const WSKCONNECT_REQUEST *in)
{
    WSKC_REQUEST *r = WSKC_ALLOC_NONPAGED(sizeof(*r), WSKC_POOL_TAG);

    if (!r)
        return NULL;
    InterlockedIncrement(&live_requests);
    r->Context = context;
    r->Ioctl = ioctl;
    r->FileObject = IoGetCurrentIrpStackLocation(ioctl)->FileObject;
    r->In = *in;
    init_result(&r->Out, in->Mode);
    r->Op = WskcOpAlloc(context->Device, context->Mailbox, r);
    r->CloseOp = WskcOpAlloc(context->Device, context->Mailbox, r);
    if (!r->Op || !r->CloseOp) {
        WskcRequestFree(r);
        return NULL;
    }
    return r;
}

_Use_decl_annotations_
void WskcRequestFree(WSKC_REQUEST *r)
{
    if (r->Op)
        WskcOpFree(r->Op);
    if (r->CloseOp)
        WskcOpFree(r->CloseOp);
    WSKC_FREE(r);
    InterlockedDecrement(&live_requests);
}

_Use_decl_annotations_
void WskcRequestStart(WSKC_REQUEST *r)
{
    r->QpcStart = WskcClockNow();
    r->QpcDeadline = WskcClockAfterMs(r->In.TimeoutMs);
    if (!WskcProviderCaptured(r->Context->Provider))
        r->Out.Flags |= WSKCONNECT_FLAG_NPI_DEFERRED;
    try_npi(r);
}

_Use_decl_annotations_
void WskcRequestOnCompletion(WSKC_REQUEST *r, WSKC_OP *op)
{
    NTSTATUS status = op->Irp->IoStatus.Status;
    ULONG_PTR information = op->Irp->IoStatus.Information;

    if (op == r->CloseOp) {
        r->CloseOut = FALSE;
        if (r->Ioctl)
            r->Out.CloseStatus = status;
        release_forced_close_slot(r);
        complete_when_quiet(r);
        return;
    }
    r->OpOut = FALSE;
    if (r->Why) {
        /* Stopped by us: it failed for that reason, unless it succeeded just
         * as we gave up. */
        if (!NT_SUCCESS(status))
            status = r->Why;
        r->Why = 0;
        r->Cancelling = FALSE;
    }
    step_finished(r, r->Step, status, information);
}

_Use_decl_annotations_
void WskcRequestOnTime(WSKC_REQUEST *r, LONGLONG now, BOOLEAN stopping)
{
    BOOLEAN abort = r->AbortRequested;

    r->AbortSeen = abort;
    if (r->Step == WSKC_STEP_NEW)
        return;
    if (r->Step == WSKC_STEP_NPI && !r->OpOut) {
        if (abort || now >= r->QpcNextPoll)
            try_npi(r);
        return;
    }
    if (r->CloseRetry && now >= r->QpcNextPoll)
        start_close(r);
    if (r->OpOut && !r->Why) {
        NTSTATUS why = abort ? STATUS_CANCELLED : (now >= r->QpcStepDeadline ? STATUS_IO_TIMEOUT : 0);
        if (why)
            stop_step(r, why);
    } else if (r->OpOut && r->Cancelling && now >= r->QpcGrace) {
        /* The cancel routine ran but the IRP stays out: answer with the reason
         * and close the socket, which completes what is pending on it. */
        r->Cancelling = FALSE;
        if (r->Ioctl) {
            set_step_status(r, r->Step, r->Why);
            r->Out.FinalStatus = is_address_step(r->Step) ? STATUS_SUCCESS : r->Why;
            mark_elapsed(r);
        }
        if (r->Socket) {
            r->Out.Flags |= WSKCONNECT_FLAG_CLOSE_FORCED;
            start_close(r);
        } else {
            complete_ioctl(r); /* nothing to close: the request waits for the IRP */
        }
    } else if (r->OpOut && !r->Cancelling && !r->Ioctl && r->Socket && (stopping || now >= r->QpcGiveUp)) {
        /* A parked socket: forced close at stop or after WSKC_LINGER_MAX_MS. When
         * the one slot is busy, try again a poll interval later (not at once:
         * the engine would spin on a zero wait). */
        if (take_forced_close_slot(r))
            start_close(r);
        else
            r->QpcGiveUp = WskcClockAfterMs(WSKC_FORCED_CLOSE_POLL_MS);
    }
    if (r->Ioctl && r->Closing && now >= r->QpcCloseDeadline && (r->CloseOut || r->OpOut)) {
        /* A close that did not bring everything back in time: the IOCTL answers
         * without it; the request stays until the provider lets go. */
        if (r->CloseOut)
            r->Out.CloseStatus = STATUS_IO_TIMEOUT;
        r->Out.Flags |= WSKCONNECT_FLAG_TIMED_OUT;
        complete_ioctl(r);
    }
}

static LONGLONG earlier(LONGLONG a, LONGLONG b)
{
    return a < b ? a : b;
}

_Use_decl_annotations_
LONGLONG WskcRequestNextWake(const WSKC_REQUEST *r)
{
    LONGLONG next = MAXLONGLONG;

    if (WskcRequestFinished(r))
        return 0;
    if (r->Step == WSKC_STEP_NEW)
        return MAXLONGLONG;
    if (r->Step == WSKC_STEP_NPI && !r->OpOut)
        return r->QpcNextPoll;
    if (r->CloseRetry)
        next = earlier(next, r->QpcNextPoll);
    if (r->OpOut && !r->Why)
        next = earlier(next, r->QpcStepDeadline);
    else if (r->OpOut && r->Cancelling)
        next = earlier(next, r->QpcGrace);
    else if (r->OpOut && !r->Ioctl && r->Socket)
        next = earlier(next, r->QpcGiveUp);
    if (r->Ioctl && r->Closing && (r->CloseOut || r->OpOut))
        next = earlier(next, r->QpcCloseDeadline);
    return next;
}

_Use_decl_annotations_
BOOLEAN WskcRequestFinished(const WSKC_REQUEST *r)
{
    return r->Step != WSKC_STEP_NEW && !r->Ioctl && quiet(r);
}

_Use_decl_annotations_
void WskcRequestGiveUp(WSKC_REQUEST *r)
{
    PIRP irp;

    if (r->Ioctl) {
        if (r->Out.FinalStatus == WSKCONNECT_STATUS_NOT_ATTEMPTED)
            r->Out.FinalStatus = STATUS_CANCELLED;
        r->Out.Flags |= WSKCONNECT_FLAG_ABORTED;
        complete_ioctl(r);
    }
    if (r->Socket && r->CloseOp && !r->CloseOut && NT_SUCCESS(WskcOpArm(r->CloseOp, &irp))) {
        /* Closed without waiting: WskDeregister waits for every socket. */
        (void)WskcProviderClose(r->Socket, irp);
        r->CloseOut = TRUE;
    }
    r->Socket = NULL;
    r->CloseRetry = FALSE;
    if (r->OpOut) {
        WskcOpAbandon(r->Op);
        r->Op = NULL;
        r->OpOut = FALSE;
    }
    if (r->CloseOut) {
        WskcOpAbandon(r->CloseOp);
        r->CloseOp = NULL;
        r->CloseOut = FALSE;
    }
    release_forced_close_slot(r);
    r->Step = r->Step == WSKC_STEP_NEW ? WSKC_STEP_CLOSING : r->Step;
}

_Use_decl_annotations_
BOOLEAN WskcRequestMatches(const WSKC_REQUEST *r, PIRP ioctl, PFILE_OBJECT file)
{
    if (!r->Ioctl)
        return FALSE;
    if (!ioctl && !file)
        return TRUE;
    return (ioctl && r->Ioctl == ioctl) || (file && r->FileObject == file);
}

LONG WskcRequestLiveCount(void)
{
    return InterlockedCompareExchange(&live_requests, 0, 0);
}
