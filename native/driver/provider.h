/*
 * provider.h - the WSK client: registration, the provider NPI, and one thin
 * function per provider call the driver makes. Each call takes an armed IRP and
 * returns what the provider returned; completion comes through the IRP.
 * Also remembers provider calls that turned out to be stubs.
 */
#ifndef WSKC_PROVIDER_H
#define WSKC_PROVIDER_H

#include "platform.h"

/* Provider calls that may be stubs which return without ever completing their
 * IRP (Wine's netio): once seen, later requests skip them. */
typedef enum _WSKC_STUB_CALL {
    WSKC_STUB_SOCKET_CONNECT = 0,
    WSKC_STUB_GET_LOCAL_ADDRESS,
    WSKC_STUB_GET_REMOTE_ADDRESS,
    WSKC_STUB_COUNT,
    WSKC_STUB_NONE = -1
} WSKC_STUB_CALL;

typedef struct _WSKC_PROVIDER {
    /* The client NPI lives here, not on DriverEntry's stack: Wine's netio keeps
     * the pointer for the life of the registration. */
    WSK_CLIENT_NPI ClientNpi;
    WSK_REGISTRATION Registration;
    BOOLEAN Registered;
    volatile LONG NpiState; /* WSKC_NPI_STATE (provider.c) */
    WSK_PROVIDER_NPI Npi;   /* valid once captured */
    volatile LONG StubStatus[WSKC_STUB_COUNT]; /* 0: not known to be a stub */
} WSKC_PROVIDER;

_Must_inspect_result_
_IRQL_requires_(PASSIVE_LEVEL)
NTSTATUS WskcProviderRegister(_Out_ WSKC_PROVIDER *provider);

/* Releases the NPI if captured, then WskDeregister (which waits until every
 * socket is closed and the NPI released). Call once nothing uses it. */
_IRQL_requires_(PASSIVE_LEVEL)
void WskcProviderDeregister(_Inout_ WSKC_PROVIDER *provider);

/* One non-blocking capture attempt (WSK_NO_WAIT). STATUS_DEVICE_NOT_READY while
 * the provider is not attached yet (Microsoft's WskCaptureProviderNPI page), or
 * another attempt is under way; STATUS_NOINTERFACE means the WSK version this
 * driver asks for is not supported, which no retry changes. */
_Must_inspect_result_
_IRQL_requires_(PASSIVE_LEVEL)
NTSTATUS WskcProviderTryCapture(_Inout_ WSKC_PROVIDER *provider);

_IRQL_requires_max_(DISPATCH_LEVEL)
BOOLEAN WskcProviderCaptured(_In_ const WSKC_PROVIDER *provider);

/* 0, or the status a stub returned when it was first called. */
_IRQL_requires_max_(DISPATCH_LEVEL)
NTSTATUS WskcProviderKnownStub(_In_ const WSKC_PROVIDER *provider, _In_ WSKC_STUB_CALL call);

_IRQL_requires_max_(DISPATCH_LEVEL)
void WskcProviderRememberStub(_Inout_ WSKC_PROVIDER *provider, _In_ WSKC_STUB_CALL call, _In_ NTSTATUS status);

/* The provider calls (all documented for IRQL <= DISPATCH_LEVEL). */
_IRQL_requires_max_(DISPATCH_LEVEL)
NTSTATUS WskcProviderSocket(_In_ WSKC_PROVIDER *provider, _In_ USHORT family, _Inout_ PIRP irp);
_IRQL_requires_max_(DISPATCH_LEVEL)
NTSTATUS WskcProviderSocketConnect(_In_ WSKC_PROVIDER *provider, _In_ PSOCKADDR local, _In_ PSOCKADDR remote, _Inout_ PIRP irp);
_IRQL_requires_max_(DISPATCH_LEVEL)
NTSTATUS WskcProviderBind(_In_ PWSK_SOCKET socket, _In_ PSOCKADDR local, _Inout_ PIRP irp);
_IRQL_requires_max_(DISPATCH_LEVEL)
NTSTATUS WskcProviderConnect(_In_ PWSK_SOCKET socket, _In_ PSOCKADDR remote, _Inout_ PIRP irp);
_IRQL_requires_max_(DISPATCH_LEVEL)
NTSTATUS WskcProviderLocalAddress(_In_ PWSK_SOCKET socket, _Out_ PSOCKADDR out, _Inout_ PIRP irp);
_IRQL_requires_max_(DISPATCH_LEVEL)
NTSTATUS WskcProviderRemoteAddress(_In_ PWSK_SOCKET socket, _Out_ PSOCKADDR out, _Inout_ PIRP irp);
_IRQL_requires_max_(DISPATCH_LEVEL)
NTSTATUS WskcProviderClose(_In_ PWSK_SOCKET socket, _Inout_ PIRP irp);

#endif /* WSKC_PROVIDER_H */
