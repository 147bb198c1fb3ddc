/*
 * wskconnect.c - WskConnect, a WDM sample driver that makes one outgoing TCP
 * connection per IOCTL through Winsock Kernel and reports what each WSK step
 * returned. This file: DriverEntry/DriverUnload, the device, IRP dispatch and
 * the lifetime of a request (queue, cancel, complete). The WSK calls are in
 * wskconnect_wsk.c; the IRP plumbing and the deferred-close reaper in
 * wskconnect_op.c.
 *
 * Why requests run on a work item: a connect may legitimately take up to the
 * request's timeout (60 s max). Waiting that long in the dispatch routine
 * would block the caller's thread on Windows, and under Wine it would stall
 * every other IRP, because winedevice.exe dispatches all IRPs from ONE thread.
 * So the dispatch routine validates, marks the IRP pending and queues an
 * IO_WORKITEM (which also keeps the device, hence the driver, referenced while
 * it runs); the worker does the WSK calls with bounded waits and completes the
 * IRP. Concurrent IOCTLs therefore run concurrently on system worker threads
 * (Wine: its thread pool).
 */
#include "wskconnect.h"

WSKC_ROLE(DRIVER_INITIALIZE, DriverEntry)
WSKC_ROLE(DRIVER_UNLOAD, WskcUnload)
WSKC_ROLE(DRIVER_DISPATCH, WskcDispatchCreate)
WSKC_ROLE(DRIVER_DISPATCH, WskcDispatchCleanupClose)
WSKC_ROLE(DRIVER_DISPATCH, WskcDispatchDeviceControl)
WSKC_ROLE(DRIVER_CANCEL, WskcCancelIoctl)
WSKC_ROLE(IO_WORKITEM_ROUTINE, WskcWorker)

/* Version 1.0 of the WSK NPI, and no client-level event callbacks. */
static const WSK_CLIENT_DISPATCH wskc_client_dispatch = { MAKE_WSK_VERSION(1, 0), 0, NULL };

/* {5B0F5B8C-3C8E-4E0B-9D61-0A57C0000001}: device class GUID for
 * IoCreateDeviceSecure, so an administrator could override the ACL in the
 * registry without touching the other devices of the system. */
static const GUID wskc_device_class = { 0x5b0f5b8c, 0x3c8e, 0x4e0b, { 0x9d, 0x61, 0x0a, 0x57, 0xc0, 0x00, 0x00, 0x01 } };

volatile LONG WskcLiveObjects;

static WSKC_DEVICE *dev_of(PDEVICE_OBJECT device)
{
    return (WSKC_DEVICE *)device->DeviceExtension;
}

static NTSTATUS complete_irp(PIRP irp, NTSTATUS status, ULONG_PTR information)
{
    irp->IoStatus.Status = status;
    irp->IoStatus.Information = information;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return status;
}

/* ---------------------------------------------------------------------------
 * Abandoned WSK IRPs
 * ------------------------------------------------------------------------- */

/* Called when the provider owns an IRP it may never complete (Wine's netio
 * stubs return STATUS_NOT_IMPLEMENTED without completing the IRP; or a pending
 * IRP that neither IoCancelIrp nor closing the socket brought back). Freeing
 * it would be unsafe: a late completion would write into freed memory and run
 * our completion routine on a freed event. So it is parked, and freed only in
 * DriverUnload after WskDeregister, when the provider has let go of this
 * client. Under Wine this leaks at most one IRP per stub call (see
 * WSKC_STUB_CALL) for the life of the driver, not one per request. */
void WskcAbandonOp(WSKC_DEVICE *dev, WSKC_OP *op)
{
    KIRQL irql;
    KeAcquireSpinLock(&dev->Lock, &irql);
    InsertTailList(&dev->AbandonedList, &op->Link);
    KeReleaseSpinLock(&dev->Lock, irql);
}

static ULONG free_abandoned_ops(WSKC_DEVICE *dev)
{
    ULONG n = 0;
    while (!IsListEmpty(&dev->AbandonedList)) {
        LIST_ENTRY *e = RemoveHeadList(&dev->AbandonedList);
        WskcOpFree(CONTAINING_RECORD(e, WSKC_OP, Link));
        n++;
    }
    return n;
}

/* ---------------------------------------------------------------------------
 * Aborting requests (cancel routine, CLEANUP/CLOSE, unload)
 * ------------------------------------------------------------------------- */

/* Aborting only sets the request's Abort event: the worker that owns the
 * request sees it in its wait and runs the cancel/close/reap sequence itself.
 * Nobody but the worker touches the request's WSK IRPs, so there is no race
 * between an aborter and a completing IRP. Caller holds dev->Lock. */
static void abort_matching_locked(WSKC_DEVICE *dev, PIRP ioctl, PFILE_OBJECT file, BOOLEAN all)
{
    LIST_ENTRY *e;
    for (e = dev->RequestList.Flink; e != &dev->RequestList; e = e->Flink) {
        WSKC_REQUEST *r = CONTAINING_RECORD(e, WSKC_REQUEST, Link);
        if (all || (ioctl && r->Ioctl == ioctl) || (file && r->FileObject == file))
            KeSetEvent(&r->Abort, IO_NO_INCREMENT, FALSE);
    }
}

/* Cancel routine of a pending IOCTL (CancelIoEx, thread exit; under Wine also
 * the server cancelling the async). It never completes the IRP and never
 * dereferences it after releasing the cancel lock: it only looks the request
 * up by the IRP's address, under the lock that also guards the request's
 * removal before it is freed. */
void NTAPI WskcCancelIoctl(PDEVICE_OBJECT device, PIRP irp)
{
    WSKC_DEVICE *dev = dev_of(device);
    KIRQL irql;

    IoReleaseCancelSpinLock(irp->CancelIrql);
    KeAcquireSpinLock(&dev->Lock, &irql);
    abort_matching_locked(dev, irp, NULL, FALSE);
    KeReleaseSpinLock(&dev->Lock, irql);
}

/* ---------------------------------------------------------------------------
 * Request lifetime
 * ------------------------------------------------------------------------- */

static void free_request(WSKC_REQUEST *r)
{
    if (r->Op)
        WskcOpFree(r->Op);
    if (r->CloseOp)
        WskcOpFree(r->CloseOp);
    if (r->WorkItem)
        IoFreeWorkItem(r->WorkItem);
    WSKC_FREE(r);
    InterlockedDecrement(&WskcLiveObjects);
}

static WSKC_REQUEST *alloc_request(WSKC_DEVICE *dev, PIRP irp, const WSKCONNECT_REQUEST *in)
{
    WSKC_REQUEST *r = WSKC_ALLOC_NONPAGED(sizeof(*r), WSKC_POOL_TAG);
    LARGE_INTEGER freq;

    if (!r)
        return NULL;
    InterlockedIncrement(&WskcLiveObjects);
    r->Dev = dev;
    r->Ioctl = irp;
    r->FileObject = IoGetCurrentIrpStackLocation(irp)->FileObject;
    r->In = *in;
    KeInitializeEvent(&r->Abort, NotificationEvent, FALSE);
    r->WorkItem = IoAllocateWorkItem(dev->Device);
    r->Op = WskcOpAlloc();
    r->CloseOp = WskcOpAlloc();
    if (!r->WorkItem || !r->Op || !r->CloseOp) {
        free_request(r);
        return NULL;
    }
    r->QpcStart = KeQueryPerformanceCounter(&freq).QuadPart;
    r->QpcFrequency = freq.QuadPart;
    r->QpcDeadline = r->QpcStart + (LONGLONG)in->TimeoutMs * freq.QuadPart / 1000;
    return r;
}

/* Put the request on the active list unless the driver is going away. */
static BOOLEAN track_request(WSKC_DEVICE *dev, WSKC_REQUEST *r)
{
    BOOLEAN ok;
    KIRQL irql;

    KeAcquireSpinLock(&dev->Lock, &irql);
    ok = !dev->Stopping;
    if (ok) {
        InsertTailList(&dev->RequestList, &r->Link);
        dev->ActiveCount++;
    }
    KeReleaseSpinLock(&dev->Lock, irql);
    return ok;
}

/* Last thing a worker (or the reaper) does: once the count reaches zero
 * DriverUnload may proceed. On Windows the work item's device reference keeps
 * the image loaded until the worker returns; Wine's FreeLibrary does not wait
 * for it, which leaves a window of a few instructions (the returns below):
 * WskcUnload waits WSKC_WINE_UNLOAD_GRACE_MS under Wine for them. */
void WskcWorkDone(WSKC_DEVICE *dev)
{
    KIRQL irql;

    KeAcquireSpinLock(&dev->Lock, &irql);
    if (--dev->ActiveCount == 0 && dev->Stopping)
        KeSetEvent(&dev->Drained, IO_NO_INCREMENT, FALSE);
    KeReleaseSpinLock(&dev->Lock, irql);
}

static void complete_request(WSKC_REQUEST *r)
{
    WSKC_DEVICE *dev = r->Dev;
    PIRP irp = r->Ioctl;
    KIRQL irql;

    /* Take the cancel routine back. If it is already gone, IoCancelIrp has
     * claimed it and may be running it right now: acquiring the cancel spin
     * lock waits until that routine has released it, i.e. has finished
     * reading the IRP; after that it only compares pointers under dev->Lock. */
    if (IoSetCancelRoutine(irp, NULL) == NULL) {
        IoAcquireCancelSpinLock(&irql);
        IoReleaseCancelSpinLock(irql);
    }

    KeAcquireSpinLock(&dev->Lock, &irql);
    RemoveEntryList(&r->Link);
    KeReleaseSpinLock(&dev->Lock, irql);

    /* Documented choice (wskconnect_ioctl.h): a well-formed request always
     * completes with STATUS_SUCCESS so the I/O manager copies the result back;
     * the outcome is in Out.FinalStatus. */
    r->Out.TotalMicroseconds =
        (ULONGLONG)WskcTicksTo(r->QpcFrequency, WskcQpcNow() - r->QpcStart, 1000000);
    RtlCopyMemory(irp->AssociatedIrp.SystemBuffer, &r->Out, sizeof(r->Out));
    complete_irp(irp, STATUS_SUCCESS, sizeof(r->Out));

    free_request(r); /* also frees the work item: allowed from its own routine */
    WskcWorkDone(dev);
}

void NTAPI WskcWorker(PDEVICE_OBJECT device, PVOID context)
{
    WSKC_REQUEST *r = (WSKC_REQUEST *)context;
    UNREFERENCED_PARAMETER(device);

    WskcRunRequest(r);
    complete_request(r);
}

/* ---------------------------------------------------------------------------
 * IRP dispatch
 * ------------------------------------------------------------------------- */

NTSTATUS NTAPI WskcDispatchCreate(PDEVICE_OBJECT device, PIRP irp)
{
    WSKC_DEVICE *dev = dev_of(device);
    return complete_irp(irp, dev->Stopping ? STATUS_DELETE_PENDING : STATUS_SUCCESS, 0);
}

/* CLEANUP (last handle closed; Windows) and CLOSE (last reference gone; Wine
 * sends only this one) both abort the requests issued on that file object.
 * They do not wait: the workers complete those IRPs within their bounds. */
NTSTATUS NTAPI WskcDispatchCleanupClose(PDEVICE_OBJECT device, PIRP irp)
{
    WSKC_DEVICE *dev = dev_of(device);
    PFILE_OBJECT file = IoGetCurrentIrpStackLocation(irp)->FileObject;
    KIRQL irql;

    if (file) {
        KeAcquireSpinLock(&dev->Lock, &irql);
        abort_matching_locked(dev, NULL, file, FALSE);
        KeReleaseSpinLock(&dev->Lock, irql);
    }
    return complete_irp(irp, STATUS_SUCCESS, 0);
}

/* Lengths first (they decide whether SystemBuffer may be read at all), then
 * a private copy of the input, then its contents. Output is only written at
 * completion, long after the copy. */
static NTSTATUS take_request(PIRP irp, WSKCONNECT_REQUEST *copy)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(irp);
    ULONG in_len = stack->Parameters.DeviceIoControl.InputBufferLength;
    ULONG out_len = stack->Parameters.DeviceIoControl.OutputBufferLength;

    if (in_len != sizeof(WSKCONNECT_REQUEST))
        return STATUS_INVALID_PARAMETER;
    if (out_len < sizeof(WSKCONNECT_RESULT))
        return STATUS_BUFFER_TOO_SMALL;
    if (out_len != sizeof(WSKCONNECT_RESULT))
        return STATUS_INVALID_PARAMETER;
    if (!irp->AssociatedIrp.SystemBuffer)
        return STATUS_INVALID_PARAMETER;
    RtlCopyMemory(copy, irp->AssociatedIrp.SystemBuffer, sizeof(*copy));
    return WskcValidateRequest(copy);
}

NTSTATUS NTAPI WskcDispatchDeviceControl(PDEVICE_OBJECT device, PIRP irp)
{
    WSKC_DEVICE *dev = dev_of(device);
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(irp);
    WSKCONNECT_REQUEST in;
    WSKC_REQUEST *r;
    NTSTATUS status;

    if (stack->Parameters.DeviceIoControl.IoControlCode != IOCTL_WSKCONNECT_CONNECT)
        return complete_irp(irp, STATUS_INVALID_DEVICE_REQUEST, 0);

    status = take_request(irp, &in);
    if (!NT_SUCCESS(status))
        return complete_irp(irp, status, 0);

    r = alloc_request(dev, irp, &in);
    if (!r)
        return complete_irp(irp, STATUS_INSUFFICIENT_RESOURCES, 0);
    if (!track_request(dev, r)) {
        free_request(r);
        return complete_irp(irp, STATUS_DELETE_PENDING, 0);
    }

    IoMarkIrpPending(irp);
    IoSetCancelRoutine(irp, WskcCancelIoctl);
    /* Cancelled before the routine was in place: IoCancelIrp found nothing to
     * call, so raise the abort ourselves. Harmless if the routine runs too. */
    if (irp->Cancel)
        KeSetEvent(&r->Abort, IO_NO_INCREMENT, FALSE);

    /* From here the worker owns r and the IRP; do not touch either again. */
    IoQueueWorkItem(r->WorkItem, WskcWorker, DelayedWorkQueue, r);
    return STATUS_PENDING;
}

/* ---------------------------------------------------------------------------
 * Load / unload
 * ------------------------------------------------------------------------- */

/* Teardown shared by a failing DriverEntry and DriverUnload. Order matters:
 * no request may be using the NPI when it is released, the NPI must be
 * released before WskDeregister (which waits for that on Windows), and
 * abandoned IRPs are only safe to free once the provider has let go. */
static ULONG teardown(WSKC_DEVICE *dev)
{
    ULONG abandoned;

    if (dev->Registered) {
        if (InterlockedCompareExchange(&dev->NpiState, WSKC_NPI_NONE, WSKC_NPI_CAPTURED) ==
            WSKC_NPI_CAPTURED)
            WskReleaseProviderNPI(&dev->Registration);
        WskDeregister(&dev->Registration);
        dev->Registered = FALSE;
    }
    abandoned = free_abandoned_ops(dev);
    if (dev->ReaperItem)
        IoFreeWorkItem(dev->ReaperItem);
    IoDeleteDevice(dev->Device); /* dev is gone after this */
    return abandoned;
}

/* Abort every request still running and wait until each worker has completed
 * its IOCTL. Each worker's remaining waits are bounded (cancel grace + close
 * bound + reap bound), so this ends; the loop only reports a slow drain. */
static void drain_requests(WSKC_DEVICE *dev)
{
    LARGE_INTEGER period;
    ULONG pending;
    KIRQL irql;

    KeSetEvent(&dev->StopEvent, IO_NO_INCREMENT, FALSE); /* the reaper forces what is left */
    KeAcquireSpinLock(&dev->Lock, &irql);
    dev->Stopping = TRUE;
    abort_matching_locked(dev, NULL, NULL, TRUE);
    pending = dev->ActiveCount;
    if (pending == 0)
        KeSetEvent(&dev->Drained, IO_NO_INCREMENT, FALSE);
    KeReleaseSpinLock(&dev->Lock, irql);

    if (pending)
        WSKC_LOG("unload: aborting %lu request(s)/deferred close(s) in flight\n", pending);
    period.QuadPart = -50000000LL; /* 5 s */
    while (KeWaitForSingleObject(&dev->Drained, Executive, KernelMode, FALSE, &period) == STATUS_TIMEOUT)
        WSKC_LOG("unload: still waiting for requests to finish\n");
}

#ifdef WSKCONNECT_WINE_DDK
/* Wine's ntoskrnl frees the driver image as soon as DriverUnload returns; it
 * does not wait for work items that still hold a device reference (Windows
 * does: that reference keeps the image loaded until the routine returns). A
 * worker that has just set Drained still runs a few instructions of this image
 * (KeSetEvent's return into WskcWorkDone, the returns out of complete_request
 * and WskcWorker), and if it is descheduled there, it wakes up in unmapped
 * code: measured, 2 of 100 stop/start cycles with connects in flight crashed
 * winedevice.exe at the return address after KeSetEvent(Drained)
 * (test/windows/wskDriverFuzz.test.js). Waiting a moment before returning lets
 * those instructions run; it costs one stop this long, and nothing on Windows. */
#define WSKC_WINE_UNLOAD_GRACE_MS 100
#endif

void NTAPI WskcUnload(PDRIVER_OBJECT driver)
{
    WSKC_DEVICE *dev = dev_of(driver->DeviceObject);
    UNICODE_STRING link;
    ULONG abandoned;

    RtlInitUnicodeString(&link, WSKCONNECT_DOS_DEVICE_NAME_W);
    IoDeleteSymbolicLink(&link); /* no new opens */
    drain_requests(dev);
    abandoned = teardown(dev);
    WSKC_LOG("unloaded (freed %lu abandoned WSK IRP(s); %ld objects still allocated)\n", abandoned,
             WskcLiveObjects);
#ifdef WSKC_WINE_UNLOAD_GRACE_MS
    {
        LARGE_INTEGER grace;
        grace.QuadPart = -10000LL * WSKC_WINE_UNLOAD_GRACE_MS; /* relative, 100 ns units */
        KeDelayExecutionThread(KernelMode, FALSE, &grace);
    }
#endif
}

static void init_device(WSKC_DEVICE *dev, PDEVICE_OBJECT device)
{
    RtlZeroMemory(dev, sizeof(*dev));
    dev->Device = device;
    KeInitializeSpinLock(&dev->Lock);
    InitializeListHead(&dev->RequestList);
    InitializeListHead(&dev->AbandonedList);
    InitializeListHead(&dev->LingerList);
    KeInitializeEvent(&dev->Drained, NotificationEvent, FALSE);
    KeInitializeEvent(&dev->StopEvent, NotificationEvent, FALSE);
    dev->ClientNpi.ClientContext = dev;
    dev->ClientNpi.Dispatch = &wskc_client_dispatch;
}

static NTSTATUS create_device(PDRIVER_OBJECT driver, PDEVICE_OBJECT *out)
{
    UNICODE_STRING name;
#ifdef WSKCONNECT_WINE_DDK
    UNICODE_STRING sddl;
    RtlInitUnicodeString(&sddl, WSKC_SDDL_SYS_ALL_ADM_ALL_TEXT);
#define WSKC_DEVICE_SDDL (&sddl)
#else
#define WSKC_DEVICE_SDDL (&SDDL_DEVOBJ_SYS_ALL_ADM_ALL)
#endif

    RtlInitUnicodeString(&name, WSKCONNECT_NT_DEVICE_NAME_W);
    /* FILE_DEVICE_SECURE_OPEN: the ACL also covers opens of \Device\WskConnect\anything. */
    return IoCreateDeviceSecure(driver, sizeof(WSKC_DEVICE), &name, FILE_DEVICE_WSKCONNECT,
                                FILE_DEVICE_SECURE_OPEN, FALSE, WSKC_DEVICE_SDDL,
                                &wskc_device_class, out);
#undef WSKC_DEVICE_SDDL
}

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT driver, PUNICODE_STRING registry_path)
{
    PDEVICE_OBJECT device = NULL;
    WSKC_DEVICE *dev;
    UNICODE_STRING link, target;
    NTSTATUS status;

    UNREFERENCED_PARAMETER(registry_path);

    status = create_device(driver, &device);
    if (!NT_SUCCESS(status)) {
        WSKC_LOG("IoCreateDeviceSecure failed 0x%08lx\n", (ULONG)status);
        return status;
    }
    dev = dev_of(device);
    init_device(dev, device);
    dev->ReaperItem = IoAllocateWorkItem(device);
    if (!dev->ReaperItem) {
        teardown(dev);
        return STATUS_INSUFFICIENT_RESOURCES;
    }

    status = WskRegister(&dev->ClientNpi, &dev->Registration);
    if (!NT_SUCCESS(status)) {
        WSKC_LOG("WskRegister failed 0x%08lx\n", (ULONG)status);
        teardown(dev);
        return status;
    }
    dev->Registered = TRUE;

    /* Never wait here: WSK_NO_WAIT. If the provider is not attached yet
     * (STATUS_NOINTERFACE early in boot), the first IOCTL captures it, polling
     * within its own timeout (wskconnect_wsk.c). */
    status = WskcNpiTryCapture(dev);
    if (!NT_SUCCESS(status))
        WSKC_LOG("provider NPI not captured yet (0x%08lx); deferred to first request\n", (ULONG)status);

    RtlInitUnicodeString(&link, WSKCONNECT_DOS_DEVICE_NAME_W);
    RtlInitUnicodeString(&target, WSKCONNECT_NT_DEVICE_NAME_W);
    status = IoCreateSymbolicLink(&link, &target);
    if (!NT_SUCCESS(status)) {
        WSKC_LOG("IoCreateSymbolicLink failed 0x%08lx\n", (ULONG)status);
        teardown(dev);
        return status;
    }

    driver->MajorFunction[IRP_MJ_CREATE] = WskcDispatchCreate;
    driver->MajorFunction[IRP_MJ_CLEANUP] = WskcDispatchCleanupClose;
    driver->MajorFunction[IRP_MJ_CLOSE] = WskcDispatchCleanupClose;
    driver->MajorFunction[IRP_MJ_DEVICE_CONTROL] = WskcDispatchDeviceControl;
    driver->DriverUnload = WskcUnload;
    device->Flags |= DO_BUFFERED_IO;
    device->Flags &= ~DO_DEVICE_INITIALIZING;
    WSKC_LOG("loaded\n");
    return STATUS_SUCCESS;
}
