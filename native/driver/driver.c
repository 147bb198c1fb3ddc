/*
 * driver.c - WskConnect, a WDM sample driver that makes one outgoing TCP
 * connection per IOCTL through Winsock Kernel and reports what each WSK step
 * returned. This file only orders loading and unloading; the parts, each in its
 * own file, call one way:
 *
 *   device.c   (dispatch, cancel)  ->  engine.c  (the driver's one thread)
 *   engine.c  ->  request.c  (a request's state machine)  ->  provider.c (WSK calls)
 *   request.c ->  op.c (our WSK IRPs)  ->  mailbox.c (what wakes the engine)
 *   validate.c and clock.c are leaves.
 */
#include "device.h"
#include "op.h"
#include "request.h"

WSKC_ROLE(DRIVER_INITIALIZE, DriverEntry)
WSKC_ROLE(static DRIVER_UNLOAD, WskcUnload)

/* As Microsoft's samples place them: DriverEntry runs once (INIT is discarded
 * after it), the unload routine at PASSIVE_LEVEL (pageable). */
#ifdef ALLOC_PRAGMA
#pragma alloc_text(INIT, DriverEntry)
#pragma alloc_text(PAGE, WskcUnload)
#endif

#ifdef WSKCONNECT_WINE_DDK
/* Wine's ntoskrnl frees the driver image as soon as DriverUnload returns. A WSK
 * completion routine of ours that has just posted its IRP (the engine is then
 * free to finish) still has to return through this image, on the provider's
 * thread; if that thread is descheduled right there, it wakes in unmapped code
 * (it crashed winedevice.exe: docs/performance.md, "The driver under hostile
 * input"). A moment's wait before returning lets those instructions run. On
 * Windows IoSetCompletionRoutineEx keeps the image instead. */
#define WSKC_WINE_UNLOAD_GRACE_MS 100
#endif

/* Teardown shared by a failing DriverEntry and DriverUnload. Order matters: the
 * engine first (it completes every IOCTL and closes every socket), then the NPI
 * and WskDeregister (which waits for both), then the IRPs the provider never
 * gave back (safe to free only once it has let go of this client). */
static void teardown(_Inout_ WSKC_DEVICE *dev)
{
    ULONG abandoned;

    WskcDeviceClose(dev);
    if (dev->EngineStarted)
        WskcEngineStop(&dev->Engine);
    WskcProviderDeregister(&dev->Provider);
    abandoned = WskcOpFreeAbandoned();
    WSKC_LOG("unloaded (freed %lu abandoned WSK IRP(s); %ld op(s) and %ld request(s) still allocated)\n", abandoned,
             WskcOpLiveCount(), WskcRequestLiveCount());
    WskcDeviceDelete(dev); /* dev is gone after this */
}

_Use_decl_annotations_
static VOID NTAPI WskcUnload(PDRIVER_OBJECT driver)
{
    PAGED_CODE();
    teardown((WSKC_DEVICE *)driver->DeviceObject->DeviceExtension);
#ifdef WSKC_WINE_UNLOAD_GRACE_MS
    {
        LARGE_INTEGER grace;
        grace.QuadPart = -10000LL * WSKC_WINE_UNLOAD_GRACE_MS; /* relative, 100 ns units */
        KeDelayExecutionThread(KernelMode, FALSE, &grace);
    }
#endif
}

_Use_decl_annotations_
NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT driver, PUNICODE_STRING registry_path)
{
    WSKC_DEVICE *dev;
    NTSTATUS status;

    UNREFERENCED_PARAMETER(registry_path);
    WSKC_INIT_DRIVER_RUNTIME(); /* first: every pool allocation depends on it */
    WskcOpInitModule();
    status = WskcDeviceCreate(driver, &dev);
    if (!NT_SUCCESS(status)) {
        WSKC_LOG("IoCreateDeviceSecure failed 0x%08lx\n", (ULONG)status);
        return status;
    }
    status = WskcProviderRegister(&dev->Provider);
    if (!NT_SUCCESS(status)) {
        WSKC_LOG("WskRegister failed 0x%08lx\n", (ULONG)status);
        teardown(dev);
        return status;
    }
    status = WskcEngineStart(&dev->Engine, dev->Device, &dev->Provider);
    if (!NT_SUCCESS(status)) {
        WSKC_LOG("PsCreateSystemThread failed 0x%08lx\n", (ULONG)status);
        teardown(dev);
        return status;
    }
    dev->EngineStarted = TRUE;
    /* If the provider is not attached yet (STATUS_DEVICE_NOT_READY early in boot),
     * the first request captures it within its own deadline. */
    status = WskcProviderTryCapture(&dev->Provider);
    if (!NT_SUCCESS(status))
        WSKC_LOG("provider NPI not captured yet (0x%08lx); deferred to the first request\n", (ULONG)status);
    status = WskcDeviceOpen(driver, dev);
    if (!NT_SUCCESS(status)) {
        WSKC_LOG("IoCreateSymbolicLink failed 0x%08lx\n", (ULONG)status);
        teardown(dev);
        return status;
    }
    driver->DriverUnload = WskcUnload;
    WSKC_LOG("loaded\n");
    return STATUS_SUCCESS;
}
