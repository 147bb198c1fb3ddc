/*
 * device.h - the \Device\WskConnect device object and its IRP dispatch: the
 * front door. A connect IOCTL is validated and handed to the engine; CLEANUP and
 * CLOSE abort that file's requests; the cancel routine aborts its IOCTL.
 */
#ifndef WSKC_DEVICE_H
#define WSKC_DEVICE_H

#include "platform.h"
#include "engine.h"
#include "provider.h"

/* The device extension: everything the driver has, in one place. */
typedef struct _WSKC_DEVICE {
    PDEVICE_OBJECT Device;
    WSKC_PROVIDER Provider;
    WSKC_ENGINE Engine;
    BOOLEAN EngineStarted;
    BOOLEAN LinkCreated;
    volatile LONG Stopping; /* DriverUnload started: new opens are refused */
} WSKC_DEVICE;

/* IoCreateDeviceSecure (SYSTEM and Administrators only) with a zeroed extension. */
_Must_inspect_result_
_IRQL_requires_(PASSIVE_LEVEL)
NTSTATUS WskcDeviceCreate(_In_ PDRIVER_OBJECT driver, _Outptr_ WSKC_DEVICE **device);

/* \DosDevices\WskConnect, and the dispatch routines; the device accepts IRPs after this. */
_Must_inspect_result_
_IRQL_requires_(PASSIVE_LEVEL)
NTSTATUS WskcDeviceOpen(_In_ PDRIVER_OBJECT driver, _Inout_ WSKC_DEVICE *device);

/* No new opens (the symbolic link goes, CREATE fails). */
_IRQL_requires_(PASSIVE_LEVEL)
void WskcDeviceClose(_Inout_ WSKC_DEVICE *device);

/* IoDeleteDevice: `device` is gone after this. */
_IRQL_requires_(PASSIVE_LEVEL)
void WskcDeviceDelete(_In_ WSKC_DEVICE *device);

#endif /* WSKC_DEVICE_H */
