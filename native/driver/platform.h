/*
 * platform.h - the only place that knows the driver is built from two header
 * sets: the WDK on Windows, and Wine's DDK headers (-DWSKCONNECT_WINE_DDK, set by
 * build.sh) on Linux with mingw-w64. Everything else in native/driver is written
 * against the names defined here, so the two builds share all sources.
 */
#ifndef WSKC_PLATFORM_H
#define WSKC_PLATFORM_H

#ifdef WSKCONNECT_WINE_DDK

/* Wine's DDK headers are layered on its Win32 headers, in this order.
 * winioctl.h (CTL_CODE, which the WDK has in wdm.h) must precede ddk/wdm.h:
 * both define DEVICE_TYPE, and only wdm.h checks whether it already exists. */
#include <ntstatus.h>
#define WIN32_NO_STATUS
#include <windef.h>
#include <winioctl.h>
#include <winternl.h>
#include <ddk/wdm.h>
#include <ddk/wsk.h>
#include <ws2ipdef.h>

/* Wine's headers do not declare it; Wine's hal.dll exports it (build.sh links
 * -lhal). On x64 Windows the WDK declares it and ntoskrnl exports it. */
LARGE_INTEGER WINAPI KeQueryPerformanceCounter(LARGE_INTEGER *frequency);

/* There is no wdmsec.h in Wine. Wine's ntoskrnl exports IoCreateDeviceSecure
 * itself, as a "semi-stub" that ignores the SDDL and GUID and calls
 * IoCreateDevice, so the call below is the same in both builds; only the SDDL
 * constant has to be spelled out here (same string as the WDK's
 * SDDL_DEVOBJ_SYS_ALL_ADM_ALL: generic-all for SYSTEM and Administrators). */
#define WSKC_SDDL_SYS_ALL_ADM_ALL_TEXT L"D:P(A;;GA;;;SY)(A;;GA;;;BA)"

/* Wine 8 has no ExAllocatePool2 and no NonPagedPoolNx; nothing to initialize. */
#define WSKC_INIT_DRIVER_RUNTIME() ((void)0)
#define WSKC_ALLOC_NONPAGED(size, tag) wskc_alloc_zeroed(NonPagedPool, (size), (tag))

/* The WDK's role types (DRIVER_DISPATCH ...) do not exist in Wine's headers: the
 * same function types, so the role declarations compile here too and a callback
 * whose signature or linkage disagrees with its role fails this build as well. */
typedef NTSTATUS WINAPI DRIVER_INITIALIZE(struct _DRIVER_OBJECT *, PUNICODE_STRING);
typedef NTSTATUS WINAPI DRIVER_DISPATCH(struct _DEVICE_OBJECT *, struct _IRP *);
typedef void WINAPI DRIVER_UNLOAD(struct _DRIVER_OBJECT *);
typedef void WINAPI DRIVER_CANCEL(struct _DEVICE_OBJECT *, struct _IRP *);
typedef NTSTATUS WINAPI IO_COMPLETION_ROUTINE(struct _DEVICE_OBJECT *, struct _IRP *, void *);
typedef void WINAPI KSTART_ROUTINE(void *);
#define WSKC_ROLE(role, name) role name;

/* No IoSetCompletionRoutineEx in Wine: the plain routine, which cannot fail.
 * (DriverUnload waits for every completion; see WSKC_WINE_UNLOAD_GRACE_MS.) */
#define WSKC_SET_COMPLETION(device, irp, routine, context) \
    (IoSetCompletionRoutine((irp), (routine), (context), TRUE, TRUE, TRUE), STATUS_SUCCESS)

#ifndef DPFLTR_IHVNETWORK_ID
#define DPFLTR_IHVNETWORK_ID 78 /* value of the WDK's dpfilter.h enum */
#endif

#else /* WDK */

/* Pool: POOL_ZERO_DOWN_LEVEL_SUPPORT makes a current WDK's ExAllocatePoolZero call
 * ExAllocatePool2 where the kernel has it (Windows 10 2004+) and
 * ExAllocatePoolWithTag elsewhere, so one binary loads on every supported Windows;
 * ExInitializeDriverRuntime(DrvRtPoolNxOptIn) in DriverEntry decides which. Must
 * precede the WDK's headers (Microsoft's echosrv sample does the same). */
#define POOL_ZERO_DOWN_LEVEL_SUPPORT
#define POOL_NX_OPTIN 1

/* The WDK's own headers use nameless structs and unions (C4201) and bit fields of
 * non-int type (C4214): not this driver's warnings under /W4 /WX. */
#pragma warning(push)
#pragma warning(disable: 4201 4214)
#include <ntddk.h>
#include <wdmsec.h> /* IoCreateDeviceSecure, SDDL_DEVOBJ_SYS_ALL_ADM_ALL (link wdmsec.lib) */
#include <wsk.h>
#include <ws2ipdef.h>
#pragma warning(pop)

#define WSKC_INIT_DRIVER_RUNTIME() ExInitializeDriverRuntime(DrvRtPoolNxOptIn)

#ifdef POOL_FLAG_NON_PAGED
/* A WDK of Windows 10 2004 or later: ExAllocatePoolZero, as above. */
#define WSKC_ALLOC_NONPAGED(size, tag) ExAllocatePoolZero(NonPagedPoolNx, (size), (tag))
#else
/* An older WDK (10.0.16299 has neither ExAllocatePool2 nor ExAllocatePoolZero):
 * non-executable non-paged pool (Windows 8+), zeroed below. */
#define WSKC_ALLOC_NONPAGED(size, tag) wskc_alloc_zeroed(NonPagedPoolNx, (size), (tag))
#endif

/* Role-type declarations let Code Analysis / SDV check the callbacks. */
#define WSKC_ROLE(role, name) role name;

/* A legacy (non-PnP) driver may be unloaded while a completion routine of its
 * own is still running: the Ex form keeps the device object, hence the image,
 * referenced until the routine has returned. It allocates, so it can fail. */
#define WSKC_SET_COMPLETION(device, irp, routine, context) \
    IoSetCompletionRoutineEx((device), (irp), (routine), (context), TRUE, TRUE, TRUE)

#endif

/* SAL and IRQL annotations: the WDK's sal.h/driverspecs.h define them for Code
 * Analysis; mingw-w64 and Wine lack most, so they read as nothing there. */
#ifndef _IRQL_requires_max_
#define _IRQL_requires_max_(irql)
#endif
#ifndef _IRQL_requires_
#define _IRQL_requires_(irql)
#endif
#ifndef _IRQL_requires_same_
#define _IRQL_requires_same_
#endif
#ifndef _Must_inspect_result_
#define _Must_inspect_result_
#endif
#ifndef _Use_decl_annotations_
#define _Use_decl_annotations_
#endif
#ifndef _Function_class_
#define _Function_class_(name)
#endif
#ifndef _Dispatch_type_
#define _Dispatch_type_(major)
#endif
#ifndef PAGED_CODE
#define PAGED_CODE() /* Wine's headers lack it: the check is the WDK's (checked builds) */
#endif
#ifndef _Requires_lock_held_
#define _Requires_lock_held_(lock)
#endif
#ifndef _Requires_lock_not_held_
#define _Requires_lock_not_held_(lock)
#endif
#ifndef _In_
#define _In_
#endif
#ifndef _In_opt_
#define _In_opt_
#endif
#ifndef _Inout_
#define _Inout_
#endif
#ifndef _Out_
#define _Out_
#endif
#ifndef _Outptr_
#define _Outptr_
#endif

/* ExAllocatePoolWithTag, zeroed: where neither ExAllocatePool2 nor ExAllocatePoolZero
 * exists (Wine's headers, a WDK older than Windows 10 2004). */
static __inline void *wskc_alloc_zeroed(POOL_TYPE type, SIZE_T size, ULONG tag)
{
    void *p = ExAllocatePoolWithTag(type, size, tag);
    if (p)
        RtlZeroMemory(p, size);
    return p;
}

#define WSKC_POOL_TAG 0x636B7357u /* 'cksW': shows as "Wskc" in pool dumps */
#define WSKC_FREE(p) ExFreePoolWithTag((p), WSKC_POOL_TAG)

/* Debug output: DbgPrintEx on both; Wine prints it on winedevice's stderr
 * when WINEDEBUG enables it (e.g. WINEDEBUG=+ntoskrnl or warn+all). */
#define WSKC_LOG(...) DbgPrintEx(DPFLTR_IHVNETWORK_ID, DPFLTR_ERROR_LEVEL, "wskconnect: " __VA_ARGS__)

#endif /* WSKC_PLATFORM_H */
