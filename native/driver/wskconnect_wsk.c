/*
 * wskconnect_wsk.c - the Winsock Kernel side of a request: capturing the
 * provider NPI, then WskSocket -> WskBind -> WskConnect (or WskSocketConnect),
 * the optional address queries, and WskCloseSocket on every path.
 *
 * Every provider call follows one pattern (settle()):
 *   - the request's WSKC_OP IRP is re-armed (wskconnect_op.c: IoReuseIrp, a
 *     completion routine that only sets a KEVENT and returns
 *     STATUS_MORE_PROCESSING_REQUIRED);
 *   - we wait only if the call returned STATUS_PENDING, and never unboundedly:
 *     until completion, the request's Abort event, or a deadline;
 *   - on abort/deadline: IoCancelIrp. If that ran a cancel routine, wait a
 *     grace period, and if the IRP is still out close the socket (WSK
 *     documents that WskCloseSocket cancels and completes what is pending)
 *     and wait for the IRP again before reusing or freeing it;
 *   - if IoCancelIrp found no cancel routine (Wine's netio sets none), the
 *     step reports its timeout/cancel at once and the socket is handed to the
 *     reaper (wskconnect_op.c), which closes it after the IRP has completed
 *     by itself: closing sockets with a pending connect crashes Wine 8's netio
 *     when it happens concurrently (see WSKC_LINGER in wskconnect.h);
 *   - an IRP the provider never gives back is abandoned, never freed early.
 */
#include "wskconnect.h"

typedef enum _OP_FATE {
    OP_DONE,         /* completed; IRP is ours again, IoStatus is valid */
    OP_ABANDONED,    /* provider returned without completing; it may keep the IRP */
    OP_STUCK,        /* pending after IoCancelIrp ran a cancel routine + grace */
    OP_UNCANCELLABLE /* pending, and the provider set no cancel routine */
} OP_FATE;

/* ---------------------------------------------------------------------------
 * Request-relative helpers
 * ------------------------------------------------------------------------- */

static LONGLONG after_ms(const WSKC_REQUEST *r, ULONG ms)
{
    return WskcQpcAfterMs(r->QpcFrequency, ms);
}

static ULONGLONG elapsed_us(const WSKC_REQUEST *r)
{
    return (ULONGLONG)WskcTicksTo(r->QpcFrequency, WskcQpcNow() - r->QpcStart, 1000000);
}

static WSKC_WAIT wait_op(WSKC_REQUEST *r, WSKC_OP *op, LONGLONG deadline, BOOLEAN abortable)
{
    return WskcWait(&op->Done, abortable ? &r->Abort : NULL, r->QpcFrequency, deadline);
}

/* The request's step op, reallocated if an earlier step had to give it up. */
static WSKC_OP *step_op(WSKC_REQUEST *r)
{
    if (!r->Op)
        r->Op = WskcOpAlloc();
    return r->Op;
}

/* What became of one provider call that returned `call`. */
static OP_FATE settle(WSKC_REQUEST *r, WSKC_OP *op, NTSTATUS call, LONGLONG deadline,
                      BOOLEAN abortable, NTSTATUS *status)
{
    NTSTATUS why;
    BOOLEAN cancellable;

    if (call != STATUS_PENDING) {
        /* WSK completes the IRP before returning a non-pending status, so the
         * event is already set. Wine's stubs return STATUS_NOT_IMPLEMENTED
         * without completing: the IRP is then not provably ours again. */
        if (KeReadStateEvent(&op->Done)) {
            *status = op->Irp->IoStatus.Status;
            return OP_DONE;
        }
        *status = call;
        return OP_ABANDONED;
    }

    switch (wait_op(r, op, deadline, abortable)) {
    case WSKC_WAIT_DONE:
        *status = op->Irp->IoStatus.Status;
        return OP_DONE;
    case WSKC_WAIT_ABORTED:
        why = STATUS_CANCELLED;
        r->Out.Flags |= WSKCONNECT_FLAG_ABORTED;
        break;
    default:
        /* STATUS_IO_TIMEOUT, never STATUS_TIMEOUT: 0x102 is a success code. */
        why = STATUS_IO_TIMEOUT;
        r->Out.Flags |= WSKCONNECT_FLAG_TIMED_OUT;
        break;
    }

    /* IoCancelIrp returns FALSE when the IRP has no cancel routine (Wine's
     * netio never sets one): waiting for the cancel is then pointless. */
    r->Out.Flags |= WSKCONNECT_FLAG_CANCEL_SENT;
    cancellable = IoCancelIrp(op->Irp);
    if (wait_op(r, op, after_ms(r, cancellable ? WSKC_CANCEL_GRACE_MS : 0), FALSE) == WSKC_WAIT_DONE) {
        /* It may have succeeded just as we gave up: then it did not fail. */
        *status = NT_SUCCESS(op->Irp->IoStatus.Status) ? op->Irp->IoStatus.Status : why;
        return OP_DONE;
    }
    *status = why;
    return cancellable ? OP_STUCK : OP_UNCANCELLABLE;
}

static void abandon(WSKC_REQUEST *r, WSKC_OP *op)
{
    r->Out.Flags |= WSKCONNECT_FLAG_IRP_ABANDONED;
    WskcAbandonOp(r->Dev, op);
}

/* Wait for an IRP that closing its socket should have brought home, then
 * free it; abandon it if even that did not happen. */
static void reap(WSKC_REQUEST *r, WSKC_OP *op)
{
    if (wait_op(r, op, after_ms(r, WSKC_CLOSE_BOUND_MS), FALSE) == WSKC_WAIT_DONE)
        WskcOpFree(op);
    else
        abandon(r, op);
}

static const WSK_PROVIDER_CONNECTION_DISPATCH *conn_dispatch(PWSK_SOCKET s)
{
    return (const WSK_PROVIDER_CONNECTION_DISPATCH *)s->Dispatch;
}

/* WskCloseSocket, on every path that created a socket (unless the socket
 * was handed to the reaper). Not abortable: an abort is exactly when the
 * socket must be closed. */
static void close_socket(WSKC_REQUEST *r)
{
    PWSK_SOCKET s = r->Socket;
    WSKC_OP *op = r->CloseOp;
    NTSTATUS call, status;
    OP_FATE fate;

    if (!s)
        return;
    r->Socket = NULL;
    call = conn_dispatch(s)->Basic.WskCloseSocket(s, WskcOpArm(op));
    fate = settle(r, op, call, after_ms(r, WSKC_CLOSE_BOUND_MS), FALSE, &status);
    r->Out.CloseStatus = status;
    if (fate != OP_DONE) {
        r->CloseOp = NULL;
        abandon(r, op);
    }
}

/* An IRP the provider cannot cancel: give the socket to the reaper, which
 * closes it once that IRP has completed on its own (WSKC_LINGER explains why
 * not now). Falls back to closing now if that is impossible. */
static void defer_close(WSKC_REQUEST *r, WSKC_OP *op)
{
    if (r->CloseOp && WskcPark(r->Dev, r->Socket, op, r->CloseOp)) {
        r->Out.Flags |= WSKCONNECT_FLAG_CLOSE_DEFERRED;
        r->Socket = NULL;
        r->CloseOp = NULL;
        return;
    }
    r->Out.Flags |= WSKCONNECT_FLAG_CLOSE_FORCED;
    close_socket(r);
    reap(r, op);
}

/* Deal with the step op after a call. `stub` names calls whose provider may
 * be a never-completing stub, so later requests skip them. */
static void dispose(WSKC_REQUEST *r, OP_FATE fate, int stub, NTSTATUS status)
{
    WSKC_OP *op = r->Op;

    if (fate == OP_DONE)
        return;
    r->Op = NULL;
    if (fate == OP_ABANDONED) {
        if (stub >= 0 && !NT_SUCCESS(status))
            InterlockedCompareExchange(&r->Dev->StubStatus[stub], status, 0);
        abandon(r, op);
        return;
    }
    if (!r->Socket) {
        /* Nothing to close that would force it home (WskSocket or
         * WskSocketConnect itself is stuck): keep the IRP until unload. */
        abandon(r, op);
    } else if (fate == OP_UNCANCELLABLE) {
        defer_close(r, op);
    } else {
        /* OP_STUCK: WskCloseSocket cancels and completes what is pending on
         * the socket before the close completes. */
        r->Out.Flags |= WSKCONNECT_FLAG_CLOSE_FORCED;
        close_socket(r);
        reap(r, op);
    }
}

/* Between steps: stop early on abort or when the deadline has passed. */
static NTSTATUS gate(WSKC_REQUEST *r)
{
    if (KeReadStateEvent(&r->Abort)) {
        r->Out.Flags |= WSKCONNECT_FLAG_ABORTED;
        return STATUS_CANCELLED;
    }
    if (WskcQpcNow() >= r->QpcDeadline) {
        r->Out.Flags |= WSKCONNECT_FLAG_TIMED_OUT;
        return STATUS_IO_TIMEOUT;
    }
    return STATUS_SUCCESS;
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
 * Provider NPI
 * ------------------------------------------------------------------------- */

/* One non-blocking attempt; safe to call from DriverEntry and concurrently
 * from workers (only one of them calls the provider at a time). Returns
 * STATUS_NOINTERFACE while the provider is not attached (or another thread
 * is mid-attempt). */
NTSTATUS WskcNpiTryCapture(WSKC_DEVICE *dev)
{
    LONG state = InterlockedCompareExchange(&dev->NpiState, WSKC_NPI_CAPTURING, WSKC_NPI_NONE);
    NTSTATUS status;

    if (state == WSKC_NPI_CAPTURED)
        return STATUS_SUCCESS;
    if (state == WSKC_NPI_CAPTURING)
        return STATUS_NOINTERFACE;
    status = WskCaptureProviderNPI(&dev->Registration, WSK_NO_WAIT, &dev->Npi);
    /* The interlocked store publishes dev->Npi before the state says so. */
    InterlockedExchange(&dev->NpiState, NT_SUCCESS(status) ? WSKC_NPI_CAPTURED : WSKC_NPI_NONE);
    return status;
}

/* Poll for the NPI within the request's own deadline, abortable. */
static NTSTATUS ensure_npi(WSKC_REQUEST *r)
{
    NTSTATUS status;

    if (InterlockedCompareExchange(&r->Dev->NpiState, 0, 0) != WSKC_NPI_CAPTURED)
        r->Out.Flags |= WSKCONNECT_FLAG_NPI_DEFERRED;
    for (;;) {
        LONGLONG wake;

        status = WskcNpiTryCapture(r->Dev);
        if (status != STATUS_NOINTERFACE)
            return status;
        status = gate(r);
        if (!NT_SUCCESS(status))
            return status;
        /* Sleep one poll period (less if the deadline is nearer); an abort
         * ends the sleep and the next gate() reports it. */
        wake = after_ms(r, WSKC_NPI_POLL_MS);
        WskcWait(&r->Abort, NULL, r->QpcFrequency, wake < r->QpcDeadline ? wake : r->QpcDeadline);
    }
}

/* ---------------------------------------------------------------------------
 * Steps
 * ------------------------------------------------------------------------- */

/* The new socket is in IoStatus.Information of a successful WskSocket /
 * WskSocketConnect IRP. */
static NTSTATUS take_socket(WSKC_REQUEST *r, OP_FATE fate, NTSTATUS status)
{
    if (!NT_SUCCESS(status))
        return status;
    if (fate != OP_DONE)
        return STATUS_UNSUCCESSFUL; /* "success" without an IRP to read it from */
    r->Socket = (PWSK_SOCKET)r->Op->Irp->IoStatus.Information;
    return r->Socket ? STATUS_SUCCESS : STATUS_UNSUCCESSFUL;
}

static NTSTATUS step_socket(WSKC_REQUEST *r)
{
    const WSK_PROVIDER_NPI *npi = &r->Dev->Npi;
    NTSTATUS call, status = gate(r);
    WSKC_OP *op;
    OP_FATE fate;

    if (!NT_SUCCESS(status))
        return status;
    op = step_op(r);
    if (!op)
        return STATUS_INSUFFICIENT_RESOURCES;
    call = npi->Dispatch->WskSocket(npi->Client, r->In.Family, SOCK_STREAM, IPPROTO_TCP,
                                    WSK_FLAG_CONNECTION_SOCKET, NULL, NULL, NULL, NULL, NULL,
                                    WskcOpArm(op));
    fate = settle(r, op, call, r->QpcDeadline, TRUE, &status);
    status = take_socket(r, fate, status);
    dispose(r, fate, -1, status);
    return status;
}

static NTSTATUS step_bind(WSKC_REQUEST *r)
{
    NTSTATUS call, status = gate(r);
    WSKC_OP *op;
    OP_FATE fate;

    if (!NT_SUCCESS(status))
        return status;
    op = step_op(r);
    if (!op)
        return STATUS_INSUFFICIENT_RESOURCES;
    /* WskConnect needs a bound socket; bind to the wildcard address and an
     * ephemeral port of the target's family. */
    fill_wildcard(r->In.Family, &op->Addr[0]);
    call = conn_dispatch(r->Socket)->WskBind(r->Socket, &op->Addr[0].Sa, 0, WskcOpArm(op));
    fate = settle(r, op, call, r->QpcDeadline, TRUE, &status);
    dispose(r, fate, -1, status);
    return status;
}

static NTSTATUS step_connect(WSKC_REQUEST *r)
{
    NTSTATUS call, status = gate(r);
    WSKC_OP *op;
    OP_FATE fate;

    if (!NT_SUCCESS(status))
        return status;
    op = step_op(r);
    if (!op)
        return STATUS_INSUFFICIENT_RESOURCES;
    fill_remote(&r->In, &op->Addr[0]);
    call = conn_dispatch(r->Socket)->WskConnect(r->Socket, &op->Addr[0].Sa, 0, WskcOpArm(op));
    fate = settle(r, op, call, r->QpcDeadline, TRUE, &status);
    dispose(r, fate, -1, status);
    return status;
}

static NTSTATUS run_bind_connect(WSKC_REQUEST *r)
{
    NTSTATUS status = step_socket(r);

    r->Out.SocketStatus = status;
    if (!NT_SUCCESS(status))
        return status;
    status = step_bind(r);
    r->Out.BindStatus = status;
    if (!NT_SUCCESS(status))
        return status;
    status = step_connect(r);
    r->Out.ConnectStatus = status;
    return status;
}

/* WskSocketConnect: socket + bind + connect in one call. Wine 8's netio
 * returns STATUS_NOT_IMPLEMENTED and never completes the IRP; settle()
 * reports that status at once and abandons the IRP, and the stub is
 * remembered so later requests do not hand it another IRP. */
static NTSTATUS run_socket_connect(WSKC_REQUEST *r)
{
    const WSK_PROVIDER_NPI *npi = &r->Dev->Npi;
    LONG known = r->Dev->StubStatus[WSKC_STUB_SOCKET_CONNECT];
    NTSTATUS call, status;
    WSKC_OP *op;
    OP_FATE fate;

    if (known) {
        r->Out.Flags |= WSKCONNECT_FLAG_STUB_SKIPPED;
        r->Out.ConnectStatus = known;
        return known;
    }
    status = gate(r);
    if (!NT_SUCCESS(status)) {
        r->Out.ConnectStatus = status;
        return status;
    }
    op = step_op(r);
    if (!op) {
        r->Out.ConnectStatus = STATUS_INSUFFICIENT_RESOURCES;
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    fill_wildcard(r->In.Family, &op->Addr[0]);
    fill_remote(&r->In, &op->Addr[1]);
    call = npi->Dispatch->WskSocketConnect(npi->Client, SOCK_STREAM, IPPROTO_TCP, &op->Addr[0].Sa,
                                           &op->Addr[1].Sa, 0, NULL, NULL, NULL, NULL, NULL,
                                           WskcOpArm(op));
    fate = settle(r, op, call, r->QpcDeadline, TRUE, &status);
    status = take_socket(r, fate, status);
    dispose(r, fate, WSKC_STUB_SOCKET_CONNECT, status);
    r->Out.ConnectStatus = status;
    return status;
}

/* WskGetLocalAddress / WskGetRemoteAddress on the connected socket. Wine's
 * are never-completing stubs: the first request finds out, later ones skip. */
static void query_address(WSKC_REQUEST *r, WSKC_STUB_CALL which, LONG *status_out,
                          WSKCONNECT_SOCKADDR *out)
{
    LONG known = r->Dev->StubStatus[which];
    NTSTATUS call, status;
    WSKC_OP *op;
    OP_FATE fate;
    PIRP irp;

    if (known) {
        r->Out.Flags |= WSKCONNECT_FLAG_STUB_SKIPPED;
        *status_out = known;
        return;
    }
    if (!r->Socket)
        return; /* a forced close on an earlier query: stays NOT_ATTEMPTED */
    op = step_op(r);
    if (!op) {
        *status_out = STATUS_INSUFFICIENT_RESOURCES;
        return;
    }
    RtlZeroMemory(&op->Addr[0], sizeof(op->Addr[0]));
    irp = WskcOpArm(op);
    if (which == WSKC_STUB_GET_LOCAL_ADDRESS)
        call = conn_dispatch(r->Socket)->WskGetLocalAddress(r->Socket, &op->Addr[0].Sa, irp);
    else
        call = conn_dispatch(r->Socket)->WskGetRemoteAddress(r->Socket, &op->Addr[0].Sa, irp);
    fate = settle(r, op, call, after_ms(r, WSKC_ADDRESS_BOUND_MS), TRUE, &status);
    if (fate == OP_DONE && NT_SUCCESS(status))
        to_result_address(&op->Addr[0], out);
    *status_out = status;
    dispose(r, fate, which, status);
}

static void init_result(WSKC_REQUEST *r)
{
    WSKCONNECT_RESULT *o = &r->Out;

    RtlZeroMemory(o, sizeof(*o));
    o->Version = WSKCONNECT_VERSION;
    o->Size = sizeof(*o);
    o->Mode = r->In.Mode;
    o->SocketStatus = o->BindStatus = o->ConnectStatus = o->CloseStatus = WSKCONNECT_STATUS_NOT_ATTEMPTED;
    o->LocalAddressStatus = o->RemoteAddressStatus = WSKCONNECT_STATUS_NOT_ATTEMPTED;
    o->FinalStatus = WSKCONNECT_STATUS_NOT_ATTEMPTED;
}

void WskcRunRequest(WSKC_REQUEST *r)
{
    NTSTATUS status;

    init_result(r);
    status = ensure_npi(r);
    if (NT_SUCCESS(status)) {
        if (r->In.Mode == WSKCONNECT_MODE_SOCKET_CONNECT)
            status = run_socket_connect(r);
        else
            status = run_bind_connect(r);
    }
    r->Out.ElapsedMicroseconds = elapsed_us(r);
    r->Out.FinalStatus = status;

    if (NT_SUCCESS(status)) {
        query_address(r, WSKC_STUB_GET_LOCAL_ADDRESS, &r->Out.LocalAddressStatus, &r->Out.LocalAddress);
        query_address(r, WSKC_STUB_GET_REMOTE_ADDRESS, &r->Out.RemoteAddressStatus, &r->Out.RemoteAddress);
    }
    close_socket(r);
}
