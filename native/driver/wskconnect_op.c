/*
 * wskconnect_op.c - the plumbing under every WSK call, kept apart from the
 * connect logic in wskconnect_wsk.c:
 *   - time: performance-counter deadlines turned into bounded kernel waits;
 *   - WSKC_OP: one IRP we own (IoAllocateIrp(1)), re-armed with IoReuseIrp
 *     for each call, whose completion routine only sets a KEVENT;
 *   - the reaper: closes sockets whose pending IRP the provider could not
 *     cancel, once that IRP has finished by itself (see WSKC_LINGER).
 */
#include "wskconnect.h"

WSKC_ROLE(static IO_COMPLETION_ROUTINE, op_completed)

/* ---------------------------------------------------------------------------
 * Time
 * ------------------------------------------------------------------------- */

LONGLONG WskcQpcNow(void)
{
    return KeQueryPerformanceCounter(NULL).QuadPart;
}

LONGLONG WskcQpcFrequency(void)
{
    LARGE_INTEGER freq;
    KeQueryPerformanceCounter(&freq);
    return freq.QuadPart;
}

/* Ticks -> units of 1/scale s, split to avoid 64-bit overflow. */
LONGLONG WskcTicksTo(LONGLONG freq, LONGLONG ticks, LONGLONG scale)
{
    return (ticks / freq) * scale + (ticks % freq) * scale / freq;
}

LONGLONG WskcQpcAfterMs(LONGLONG freq, ULONG ms)
{
    return WskcQpcNow() + (LONGLONG)ms * freq / 1000;
}

/* Wait for `done`, or `abort` (may be NULL), until an absolute QPC deadline.
 * Both events are notification events set only by KeSetEvent, so their
 * state is re-read after every wake-up: a return that is not backed by
 * KeSetEvent is treated as spurious and waited out (Wine backs KEVENTs
 * with handles created on demand; being strict costs nothing on Windows). */
WSKC_WAIT WskcWait(PKEVENT done, PKEVENT abort, LONGLONG freq, LONGLONG deadline)
{
    PVOID objects[2];

    objects[0] = done;
    objects[1] = abort;
    for (;;) {
        LONGLONG left = deadline - WskcQpcNow();
        LARGE_INTEGER timeout;
        NTSTATUS status;

        timeout.QuadPart = left > 0 ? -WskcTicksTo(freq, left, 10000000) : 0;
        /* Two objects fit the thread's built-in wait blocks: no KWAIT_BLOCK array. */
        status = KeWaitForMultipleObjects(abort ? 2 : 1, objects, WaitAny, Executive, KernelMode,
                                          FALSE, &timeout, NULL);
        if (KeReadStateEvent(done))
            return WSKC_WAIT_DONE;
        if (abort && KeReadStateEvent(abort))
            return WSKC_WAIT_ABORTED;
        if (status == STATUS_TIMEOUT || left <= 0)
            return WSKC_WAIT_EXPIRED;
    }
}

/* ---------------------------------------------------------------------------
 * WSKC_OP
 * ------------------------------------------------------------------------- */

/* May run at DISPATCH_LEVEL: only signal. The IRP is ours (we allocated it),
 * so completion processing must stop here. */
static NTSTATUS NTAPI op_completed(PDEVICE_OBJECT device, PIRP irp, PVOID context)
{
    WSKC_OP *op = (WSKC_OP *)context;
    UNREFERENCED_PARAMETER(device);
    UNREFERENCED_PARAMETER(irp);
    KeSetEvent(&op->Done, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

WSKC_OP *WskcOpAlloc(void)
{
    WSKC_OP *op = WSKC_ALLOC_NONPAGED(sizeof(*op), WSKC_POOL_TAG);
    if (!op)
        return NULL;
    op->Irp = IoAllocateIrp(1, FALSE); /* WSK needs one stack location */
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

/* Ready the op's IRP for one provider call. Only legal when the IRP is ours:
 * fresh, or completed (Done set). */
PIRP WskcOpArm(WSKC_OP *op)
{
    IoReuseIrp(op->Irp, STATUS_UNSUCCESSFUL);
    KeClearEvent(&op->Done);
    IoSetCompletionRoutine(op->Irp, op_completed, op, TRUE, TRUE, TRUE);
    return op->Irp;
}

/* Free an op whose IRP is back, or park it for good if it is not. */
static void op_release(WSKC_DEVICE *dev, WSKC_OP *op)
{
    if (KeReadStateEvent(&op->Done))
        WskcOpFree(op);
    else
        WskcAbandonOp(dev, op);
}

/* ---------------------------------------------------------------------------
 * Deferred close (WSKC_LINGER) and its reaper
 * ------------------------------------------------------------------------- */

/* Take over a socket whose IRP `pending` could not be cancelled. Returns
 * FALSE (nothing taken) if out of memory; the caller then closes at once. */
BOOLEAN WskcPark(WSKC_DEVICE *dev, PWSK_SOCKET socket, WSKC_OP *pending, WSKC_OP *close_op)
{
    WSKC_LINGER *l = WSKC_ALLOC_NONPAGED(sizeof(*l), WSKC_POOL_TAG);
    BOOLEAN start;
    KIRQL irql;

    if (!l)
        return FALSE;
    InterlockedIncrement(&WskcLiveObjects);
    l->Socket = socket;
    l->Pending = pending;
    l->CloseOp = close_op;
    l->QpcGiveUp = WskcQpcAfterMs(WskcQpcFrequency(), WSKC_LINGER_MAX_MS);

    /* The caller is a request still counted in ActiveCount, so even during
     * unload Drained cannot be set yet and counting the reaper is safe. */
    KeAcquireSpinLock(&dev->Lock, &irql);
    InsertTailList(&dev->LingerList, &l->Link);
    start = !dev->ReaperRunning;
    if (start) {
        dev->ReaperRunning = TRUE;
        dev->ActiveCount++;
    }
    KeReleaseSpinLock(&dev->Lock, irql);
    if (start)
        IoQueueWorkItem(dev->ReaperItem, WskcReaper, DelayedWorkQueue, dev);
    return TRUE;
}

/* Next parked socket that may be closed now: its IRP finished, it waited
 * WSKC_LINGER_MAX_MS, or the driver is stopping. When the list is empty the
 * reaper stops (decided under the lock, so WskcPark restarts it if needed). */
static WSKC_LINGER *next_closable(WSKC_DEVICE *dev, BOOLEAN stopping, BOOLEAN *empty)
{
    LONGLONG now = WskcQpcNow();
    WSKC_LINGER *found = NULL;
    LIST_ENTRY *e;
    KIRQL irql;

    KeAcquireSpinLock(&dev->Lock, &irql);
    for (e = dev->LingerList.Flink; e != &dev->LingerList; e = e->Flink) {
        WSKC_LINGER *l = CONTAINING_RECORD(e, WSKC_LINGER, Link);
        if (stopping || KeReadStateEvent(&l->Pending->Done) || now >= l->QpcGiveUp) {
            RemoveEntryList(&l->Link);
            found = l;
            break;
        }
    }
    *empty = !found && IsListEmpty(&dev->LingerList);
    if (*empty)
        dev->ReaperRunning = FALSE;
    KeReleaseSpinLock(&dev->Lock, irql);
    return found;
}

/* Close a parked socket. If its IRP is still pending this is the forced
 * close (stop or give-up), which makes the provider complete it. Returns
 * whether it was forced. */
static BOOLEAN close_parked(WSKC_DEVICE *dev, WSKC_LINGER *l)
{
    LONGLONG freq = WskcQpcFrequency();
    const WSK_PROVIDER_BASIC_DISPATCH *basic = (const WSK_PROVIDER_BASIC_DISPATCH *)l->Socket->Dispatch;
    BOOLEAN forced = !KeReadStateEvent(&l->Pending->Done);
    NTSTATUS call;

    call = basic->WskCloseSocket(l->Socket, WskcOpArm(l->CloseOp));
    if (call == STATUS_PENDING)
        WskcWait(&l->CloseOp->Done, NULL, freq, WskcQpcAfterMs(freq, WSKC_CLOSE_BOUND_MS));
    WskcWait(&l->Pending->Done, NULL, freq, WskcQpcAfterMs(freq, WSKC_CLOSE_BOUND_MS));
    op_release(dev, l->CloseOp);
    op_release(dev, l->Pending);
    WSKC_FREE(l);
    InterlockedDecrement(&WskcLiveObjects);
    return forced;
}

/* One reaper at a time. It polls (WSKC_REAPER_PERIOD_MS) rather than waiting
 * on every parked IRP's event, so any number of parked sockets costs one
 * thread; stop wakes it at once. */
void NTAPI WskcReaper(PDEVICE_OBJECT device, PVOID context)
{
    WSKC_DEVICE *dev = (WSKC_DEVICE *)context;
    ULONG closed = 0, forced = 0;
    UNREFERENCED_PARAMETER(device);

    for (;;) {
        BOOLEAN empty;
        WSKC_LINGER *l = next_closable(dev, KeReadStateEvent(&dev->StopEvent) != 0, &empty);
        LARGE_INTEGER period;

        if (l) {
            closed++;
            forced += close_parked(dev, l);
            continue;
        }
        if (empty)
            break;
        period.QuadPart = -(LONGLONG)WSKC_REAPER_PERIOD_MS * 10000;
        KeWaitForSingleObject(&dev->StopEvent, Executive, KernelMode, FALSE, &period);
    }
    WSKC_LOG("reaper: closed %lu deferred socket(s), %lu of them forced\n", closed, forced);
    WskcWorkDone(dev);
}
