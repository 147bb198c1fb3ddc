/*
 * wskconnect_wsk.c - the Winsock Kernel side of a request: capturing the
 * provider NPI, then WskSocket -> WskBind -> WskConnect (or WskSocketConnect),
 * the optional address queries, and WskCloseSocket on every path.
 *
 * Every provider call follows one pattern (settle()):
 *   - the request's WSKC_OP IRP is re-armed with IoReuseIrp and a completion
 *     routine that only sets a KEVENT and returns STATUS_MORE_PROCESSING_REQUIRED
 *     (it may run at DISPATCH_LEVEL, and the IRP is ours, not the I/O manager's);
 *   - we wait only if the call returned STATUS_PENDING, and never unboundedly:
 *     until completion, the request's Abort event, or a deadline;
 *   - on abort/deadline: IoCancelIrp, and if that found a cancel routine wait
 *     a grace period; if the IRP is still out (Wine's netio sets no cancel
 *     routine, so IoCancelIrp does nothing there), close the socket, which
 *     makes the provider complete everything pending on it (documented for
 *     WskCloseSocket; Wine does it too), then wait for the IRP again before
 *     reusing or freeing it;
 *   - an IRP the provider never gives back is abandoned, never freed early.
 */
#include "wskconnect.h"

WSKC_ROLE(static IO_COMPLETION_ROUTINE, op_completed)

typedef enum _OP_FATE {
    OP_DONE,      /* completed; IRP is ours again, IoStatus is valid */
    OP_ABANDONED, /* provider returned without completing; it may keep the IRP */
    OP_STUCK      /* still pending after IoCancelIrp + grace */
} OP_FATE;

typedef enum _WAIT_RESULT { WAIT_DONE, WAIT_ABORTED, WAIT_EXPIRED } WAIT_RESULT;

/* ---------------------------------------------------------------------------
 * Time (performance counter ticks)
 * ------------------------------------------------------------------------- */

static LONGLONG qpc_after_ms(const WSKC_REQUEST *r, ULONG ms)
{
    return WskcQpcNow() + (LONGLONG)ms * r->QpcFrequency / 1000;
}

/* Ticks -> units of 1/scale s, split to avoid 64-bit overflow. */
static LONGLONG ticks_to(const WSKC_REQUEST *r, LONGLONG ticks, LONGLONG scale)
{
    return (ticks / r->QpcFrequency) * scale + (ticks % r->QpcFrequency) * scale / r->QpcFrequency;
}

static ULONGLONG elapsed_us(const WSKC_REQUEST *r)
{
    return (ULONGLONG)ticks_to(r, WskcQpcNow() - r->QpcStart, 1000000);
}

/* Relative kernel timeout (negative, 100 ns) until an absolute deadline;
 * zero (= just poll) once it has passed. */
static LARGE_INTEGER timeout_until(const WSKC_REQUEST *r, LONGLONG deadline)
{
    LARGE_INTEGER t;
    LONGLONG left = deadline - WskcQpcNow();
    t.QuadPart = left > 0 ? -ticks_to(r, left, 10000000) : 0;
    return t;
}

/* ---------------------------------------------------------------------------
 * WSKC_OP: one reusable WSK IRP
 * ------------------------------------------------------------------------- */

static NTSTATUS NTAPI op_completed(PDEVICE_OBJECT device, PIRP irp, PVOID context)
{
    WSKC_OP *op = (WSKC_OP *)context;
    UNREFERENCED_PARAMETER(device);
    UNREFERENCED_PARAMETER(irp);
    KeSetEvent(&op->Done, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED; /* we free or reuse the IRP ourselves */
}

WSKC_OP *WskcOpAlloc(void)
{
    WSKC_OP *op = WSKC_ALLOC_NONPAGED(sizeof(*op), WSKC_POOL_TAG);
    if (!op)
        return NULL;
    op->Irp = IoAllocateIrp(1, FALSE);
    if (!op->Irp) {
        WSKC_FREE(op);
        return NULL;
    }
    KeInitializeEvent(&op->Done, NotificationEvent, FALSE);
    InterlockedIncrement(&WskcLiveObjects);
    return op;
}

void WskcOpFree(WSKC_OP *op)
{
    IoFreeIrp(op->Irp);
    WSKC_FREE(op);
    InterlockedDecrement(&WskcLiveObjects);
}

static PIRP op_arm(WSKC_OP *op)
{
    IoReuseIrp(op->Irp, STATUS_UNSUCCESSFUL);
    KeClearEvent(&op->Done);
    IoSetCompletionRoutine(op->Irp, op_completed, op, TRUE, TRUE, TRUE);
    return op->Irp;
}

/* The request's step op, reallocated if an earlier step had to abandon it. */
static WSKC_OP *step_op(WSKC_REQUEST *r)
{
    if (!r->Op)
        r->Op = WskcOpAlloc();
    return r->Op;
}

static WAIT_RESULT wait_op(WSKC_REQUEST *r, WSKC_OP *op, LONGLONG deadline, BOOLEAN abortable)
{
    PVOID objects[2];
    LARGE_INTEGER timeout = timeout_until(r, deadline);
    NTSTATUS status;

    objects[0] = &op->Done;
    objects[1] = &r->Abort;
    /* Two objects fit the thread's built-in wait blocks: no KWAIT_BLOCK array. */
    status = KeWaitForMultipleObjects(abortable ? 2 : 1, objects, WaitAny, Executive, KernelMode,
                                      FALSE, &timeout, NULL);
    if (status == STATUS_WAIT_0)
        return WAIT_DONE;
    if (status == STATUS_WAIT_1)
        return WAIT_ABORTED;
    return WAIT_EXPIRED;
}

/* What became of one provider call that returned `call`. */
static OP_FATE settle(WSKC_REQUEST *r, WSKC_OP *op, NTSTATUS call, LONGLONG deadline,
                      BOOLEAN abortable, NTSTATUS *status)
{
    NTSTATUS why;
    ULONG grace;

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
    case WAIT_DONE:
        *status = op->Irp->IoStatus.Status;
        return OP_DONE;
    case WAIT_ABORTED:
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
     * netio never sets one): then waiting for the cancel is pointless and
     * the caller goes straight to closing the socket. */
    r->Out.Flags |= WSKCONNECT_FLAG_CANCEL_SENT;
    grace = IoCancelIrp(op->Irp) ? WSKC_CANCEL_GRACE_MS : 0;
    if (wait_op(r, op, qpc_after_ms(r, grace), FALSE) == WAIT_DONE) {
        /* It may have succeeded just as we gave up: then it did not fail. */
        *status = NT_SUCCESS(op->Irp->IoStatus.Status) ? op->Irp->IoStatus.Status : why;
        return OP_DONE;
    }
    *status = why;
    return OP_STUCK;
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
    if (wait_op(r, op, qpc_after_ms(r, WSKC_CLOSE_BOUND_MS), FALSE) == WAIT_DONE)
        WskcOpFree(op);
    else
        abandon(r, op);
}

static const WSK_PROVIDER_CONNECTION_DISPATCH *conn_dispatch(PWSK_SOCKET s)
{
    return (const WSK_PROVIDER_CONNECTION_DISPATCH *)s->Dispatch;
}

/* WskCloseSocket, on every path that created a socket. Not abortable: an
 * abort is exactly when the socket must be closed. */
static void close_socket(WSKC_REQUEST *r)
{
    PWSK_SOCKET s = r->Socket;
    WSKC_OP *op = r->CloseOp;
    NTSTATUS call, status;
    OP_FATE fate;

    if (!s)
        return;
    r->Socket = NULL;
    call = conn_dispatch(s)->Basic.WskCloseSocket(s, op_arm(op));
    fate = settle(r, op, call, qpc_after_ms(r, WSKC_CLOSE_BOUND_MS), FALSE, &status);
    r->Out.CloseStatus = status;
    if (fate != OP_DONE) {
        r->CloseOp = NULL;
        abandon(r, op);
    }
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
    /* OP_STUCK: closing the socket makes the provider complete what is
     * pending on it (Wine completes it with STATUS_CANCELLED). */
    if (r->Socket) {
        r->Out.Flags |= WSKCONNECT_FLAG_CLOSE_FORCED;
        close_socket(r);
        reap(r, op);
    } else {
        abandon(r, op);
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
        LARGE_INTEGER timeout;

        status = WskcNpiTryCapture(r->Dev);
        if (status != STATUS_NOINTERFACE)
            return status;
        status = gate(r);
        if (!NT_SUCCESS(status))
            return status;
        wake = qpc_after_ms(r, WSKC_NPI_POLL_MS);
        timeout = timeout_until(r, wake < r->QpcDeadline ? wake : r->QpcDeadline);
        KeWaitForSingleObject(&r->Abort, Executive, KernelMode, FALSE, &timeout);
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
    if (!(op = step_op(r)))
        return STATUS_INSUFFICIENT_RESOURCES;
    call = npi->Dispatch->WskSocket(npi->Client, r->In.Family, SOCK_STREAM, IPPROTO_TCP,
                                    WSK_FLAG_CONNECTION_SOCKET, NULL, NULL, NULL, NULL, NULL,
                                    op_arm(op));
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
    if (!(op = step_op(r)))
        return STATUS_INSUFFICIENT_RESOURCES;
    /* WskConnect needs a bound socket; bind to the wildcard address and an
     * ephemeral port of the target's family. */
    fill_wildcard(r->In.Family, &op->Addr[0]);
    call = conn_dispatch(r->Socket)->WskBind(r->Socket, &op->Addr[0].Sa, 0, op_arm(op));
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
    if (!(op = step_op(r)))
        return STATUS_INSUFFICIENT_RESOURCES;
    fill_remote(&r->In, &op->Addr[0]);
    call = conn_dispatch(r->Socket)->WskConnect(r->Socket, &op->Addr[0].Sa, 0, op_arm(op));
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
    if (!(op = step_op(r))) {
        r->Out.ConnectStatus = STATUS_INSUFFICIENT_RESOURCES;
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    fill_wildcard(r->In.Family, &op->Addr[0]);
    fill_remote(&r->In, &op->Addr[1]);
    call = npi->Dispatch->WskSocketConnect(npi->Client, SOCK_STREAM, IPPROTO_TCP, &op->Addr[0].Sa,
                                           &op->Addr[1].Sa, 0, NULL, NULL, NULL, NULL, NULL,
                                           op_arm(op));
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
    if (!(op = step_op(r))) {
        *status_out = STATUS_INSUFFICIENT_RESOURCES;
        return;
    }
    RtlZeroMemory(&op->Addr[0], sizeof(op->Addr[0]));
    irp = op_arm(op);
    if (which == WSKC_STUB_GET_LOCAL_ADDRESS)
        call = conn_dispatch(r->Socket)->WskGetLocalAddress(r->Socket, &op->Addr[0].Sa, irp);
    else
        call = conn_dispatch(r->Socket)->WskGetRemoteAddress(r->Socket, &op->Addr[0].Sa, irp);
    fate = settle(r, op, call, qpc_after_ms(r, WSKC_ADDRESS_BOUND_MS), TRUE, &status);
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
