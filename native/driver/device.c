/*
 * device.c - the device object and the IRP dispatch routines. Dispatch never
 * waits: a connect IOCTL is validated, admitted, marked pending and handed to
 * the engine thread, which completes it.
 */
#include "device.h"
#include "validate.h"

/* Role types (Code Analysis checks each callback against its role); the definitions
 * take their annotations from these declarations (_Use_decl_annotations_). */
/* _Dispatch_type_ names the IRP_MJ_ codes each routine serves (Code Analysis
 * C28169, and what SDV reads). */
_Dispatch_type_(IRP_MJ_CREATE) WSKC_ROLE(static DRIVER_DISPATCH, WskcDispatchCreate)
_Dispatch_type_(IRP_MJ_CLEANUP) _Dispatch_type_(IRP_MJ_CLOSE) WSKC_ROLE(static DRIVER_DISPATCH, WskcDispatchCleanupClose)
_Dispatch_type_(IRP_MJ_DEVICE_CONTROL) WSKC_ROLE(static DRIVER_DISPATCH, WskcDispatchDeviceControl)
WSKC_ROLE(static DRIVER_CANCEL, WskcCancelIoctl)

/* {5B0F5B8C-3C8E-4E0B-9D61-0A57C0000001}: device class GUID for
 * IoCreateDeviceSecure, so an administrator could override the ACL in the
 * registry without touching the other devices of the system. */
static const GUID device_class = { 0x5b0f5b8c, 0x3c8e, 0x4e0b, { 0x9d, 0x61, 0x0a, 0x57, 0xc0, 0x00, 0x00, 0x01 } };

static WSKC_DEVICE *device_of(PDEVICE_OBJECT device)
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

_Use_decl_annotations_
static NTSTATUS NTAPI WskcDispatchCreate(PDEVICE_OBJECT device, PIRP irp)
{
    BOOLEAN stopping = InterlockedCompareExchange(&device_of(device)->Stopping, 0, 0) != 0;
    return complete_irp(irp, stopping ? STATUS_DELETE_PENDING : STATUS_SUCCESS, 0);
}

/* CLEANUP (last handle closed; Windows) and CLOSE (last reference gone; Wine
 * sends only this one) both abort the requests issued on that file object.
 * They do not wait: the engine completes those IOCTLs at once. */
_Use_decl_annotations_
static NTSTATUS NTAPI WskcDispatchCleanupClose(PDEVICE_OBJECT device, PIRP irp)
{
    PFILE_OBJECT file = IoGetCurrentIrpStackLocation(irp)->FileObject;

    if (file)
        WskcEngineAbort(&device_of(device)->Engine, NULL, file);
    return complete_irp(irp, STATUS_SUCCESS, 0);
}

/* Cancel routine of a pending IOCTL (CancelIoEx, thread exit; under Wine also
 * the server cancelling the async). It never completes the IRP. The engine finds
 * the request by the IRP's address, so it looks while still holding the cancel
 * spin lock: the engine completes an IOCTL whose cancel routine is already taken
 * only after acquiring that lock (complete_ioctl), so until the lock is released
 * the IRP cannot complete and come back, from a lookaside list, as another
 * IOCTL that the lookup would then abort instead. */
_Use_decl_annotations_
static VOID NTAPI WskcCancelIoctl(PDEVICE_OBJECT device, PIRP irp)
{
    WskcEngineAbort(&device_of(device)->Engine, irp, NULL);
    IoReleaseCancelSpinLock(irp->CancelIrql);
}

/* Lengths first (they decide whether SystemBuffer may be read at all), then a
 * private copy of the input, then its contents. Output is written only when the
 * request completes, long after the copy. */
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

_Use_decl_annotations_
static NTSTATUS NTAPI WskcDispatchDeviceControl(PDEVICE_OBJECT device, PIRP irp)
{
    WSKC_ENGINE *engine = &device_of(device)->Engine;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(irp);
    WSKCONNECT_REQUEST in;
    WSKC_REQUEST *request;
    NTSTATUS status;

    if (stack->Parameters.DeviceIoControl.IoControlCode != IOCTL_WSKCONNECT_CONNECT)
        return complete_irp(irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    status = take_request(irp, &in);
    if (!NT_SUCCESS(status))
        return complete_irp(irp, status, 0);
    status = WskcEngineAdmit(engine, irp, &in, &request);
    if (!NT_SUCCESS(status))
        return complete_irp(irp, status, 0);

    IoMarkIrpPending(irp);
    IoSetCancelRoutine(irp, WskcCancelIoctl);
    /* Cancelled before the routine was in place: IoCancelIrp found nothing to
     * call, so abort it ourselves. Harmless if the routine runs too. */
    if (irp->Cancel)
        WskcEngineAbort(engine, irp, NULL);
    /* From here the engine owns the request and the IRP. */
    WskcEngineRun(engine, request);
    return STATUS_PENDING;
}

_Use_decl_annotations_
NTSTATUS WskcDeviceCreate(PDRIVER_OBJECT driver, WSKC_DEVICE **out)
{
    PDEVICE_OBJECT device = NULL;
    UNICODE_STRING name;
    NTSTATUS status;
#ifdef WSKCONNECT_WINE_DDK
    UNICODE_STRING sddl;
    RtlInitUnicodeString(&sddl, WSKC_SDDL_SYS_ALL_ADM_ALL_TEXT);
#define WSKC_DEVICE_SDDL (&sddl)
#else
#define WSKC_DEVICE_SDDL (&SDDL_DEVOBJ_SYS_ALL_ADM_ALL)
#endif

    *out = NULL;
    RtlInitUnicodeString(&name, WSKCONNECT_NT_DEVICE_NAME_W);
    /* FILE_DEVICE_SECURE_OPEN: the ACL also covers opens of \Device\WskConnect\anything. */
    status = IoCreateDeviceSecure(driver, sizeof(WSKC_DEVICE), &name, FILE_DEVICE_WSKCONNECT,
                                  FILE_DEVICE_SECURE_OPEN, FALSE, WSKC_DEVICE_SDDL, &device_class, &device);
#undef WSKC_DEVICE_SDDL
    if (!NT_SUCCESS(status))
        return status;
    RtlZeroMemory(device->DeviceExtension, sizeof(WSKC_DEVICE));
    *out = device_of(device);
    (*out)->Device = device;
    return STATUS_SUCCESS;
}

_Use_decl_annotations_
NTSTATUS WskcDeviceOpen(PDRIVER_OBJECT driver, WSKC_DEVICE *dev)
{
    UNICODE_STRING link, target;
    NTSTATUS status;

    /* Everything a caller can reach is in place before the link makes the device
     * openable from user mode. */
    driver->MajorFunction[IRP_MJ_CREATE] = WskcDispatchCreate;
    driver->MajorFunction[IRP_MJ_CLEANUP] = WskcDispatchCleanupClose;
    driver->MajorFunction[IRP_MJ_CLOSE] = WskcDispatchCleanupClose;
    driver->MajorFunction[IRP_MJ_DEVICE_CONTROL] = WskcDispatchDeviceControl;
    dev->Device->Flags |= DO_BUFFERED_IO;
    dev->Device->Flags &= ~DO_DEVICE_INITIALIZING;
    RtlInitUnicodeString(&link, WSKCONNECT_DOS_DEVICE_NAME_W);
    RtlInitUnicodeString(&target, WSKCONNECT_NT_DEVICE_NAME_W);
    status = IoCreateSymbolicLink(&link, &target);
    if (!NT_SUCCESS(status))
        return status;
    dev->LinkCreated = TRUE;
    return STATUS_SUCCESS;
}

_Use_decl_annotations_
void WskcDeviceClose(WSKC_DEVICE *dev)
{
    UNICODE_STRING link;

    InterlockedExchange(&dev->Stopping, 1);
    if (!dev->LinkCreated)
        return;
    RtlInitUnicodeString(&link, WSKCONNECT_DOS_DEVICE_NAME_W);
    IoDeleteSymbolicLink(&link);
    dev->LinkCreated = FALSE;
}

_Use_decl_annotations_
void WskcDeviceDelete(WSKC_DEVICE *dev)
{
    IoDeleteDevice(dev->Device);
}
