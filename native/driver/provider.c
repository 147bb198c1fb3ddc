/*
 * provider.c - Winsock Kernel as the driver uses it: version 1.0 of the NPI, no
 * client-level event callbacks, connection-oriented TCP sockets only.
 */
#include "provider.h"

typedef enum _WSKC_NPI_STATE { WSKC_NPI_NONE = 0, WSKC_NPI_CAPTURING, WSKC_NPI_CAPTURED } WSKC_NPI_STATE;

static const WSK_CLIENT_DISPATCH client_dispatch = { MAKE_WSK_VERSION(1, 0), 0, NULL };

static const WSK_PROVIDER_CONNECTION_DISPATCH *connection(PWSK_SOCKET socket)
{
    return (const WSK_PROVIDER_CONNECTION_DISPATCH *)socket->Dispatch;
}

_Use_decl_annotations_
NTSTATUS WskcProviderRegister(WSKC_PROVIDER *provider)
{
    NTSTATUS status;

    RtlZeroMemory(provider, sizeof(*provider));
    provider->ClientNpi.ClientContext = provider;
    provider->ClientNpi.Dispatch = &client_dispatch;
    status = WskRegister(&provider->ClientNpi, &provider->Registration);
    provider->Registered = NT_SUCCESS(status);
    return status;
}

_Use_decl_annotations_
void WskcProviderDeregister(WSKC_PROVIDER *provider)
{
    if (!provider->Registered)
        return;
    if (InterlockedCompareExchange(&provider->NpiState, WSKC_NPI_NONE, WSKC_NPI_CAPTURED) == WSKC_NPI_CAPTURED)
        WskReleaseProviderNPI(&provider->Registration);
    WskDeregister(&provider->Registration);
    provider->Registered = FALSE;
}

_Use_decl_annotations_
NTSTATUS WskcProviderTryCapture(WSKC_PROVIDER *provider)
{
    LONG state = InterlockedCompareExchange(&provider->NpiState, WSKC_NPI_CAPTURING, WSKC_NPI_NONE);
    NTSTATUS status;

    if (state == WSKC_NPI_CAPTURED)
        return STATUS_SUCCESS;
    if (state == WSKC_NPI_CAPTURING)
        return STATUS_DEVICE_NOT_READY; /* another attempt is under way: as "not yet" */
    /* Never wait here: DriverEntry calls this too, early in boot the provider
     * may not be attached yet, and the engine thread serves every request. */
    status = WskCaptureProviderNPI(&provider->Registration, WSK_NO_WAIT, &provider->Npi);
    /* The interlocked store publishes Npi before the state says so. */
    InterlockedExchange(&provider->NpiState, NT_SUCCESS(status) ? WSKC_NPI_CAPTURED : WSKC_NPI_NONE);
    return status;
}

_Use_decl_annotations_
BOOLEAN WskcProviderCaptured(const WSKC_PROVIDER *provider)
{
    return InterlockedCompareExchange((volatile LONG *)&provider->NpiState, 0, 0) == WSKC_NPI_CAPTURED;
}

_Use_decl_annotations_
NTSTATUS WskcProviderKnownStub(const WSKC_PROVIDER *provider, WSKC_STUB_CALL call)
{
    if (call == WSKC_STUB_NONE)
        return STATUS_SUCCESS;
    return InterlockedCompareExchange((volatile LONG *)&provider->StubStatus[call], 0, 0);
}

_Use_decl_annotations_
void WskcProviderRememberStub(WSKC_PROVIDER *provider, WSKC_STUB_CALL call, NTSTATUS status)
{
    if (call != WSKC_STUB_NONE && !NT_SUCCESS(status))
        InterlockedCompareExchange(&provider->StubStatus[call], status, 0);
}

_Use_decl_annotations_
NTSTATUS WskcProviderSocket(WSKC_PROVIDER *provider, USHORT family, PIRP irp)
{
    const WSK_PROVIDER_NPI *npi = &provider->Npi;
    return npi->Dispatch->WskSocket(npi->Client, family, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_CONNECTION_SOCKET,
                                    NULL, NULL, NULL, NULL, NULL, irp);
}

_Use_decl_annotations_
NTSTATUS WskcProviderSocketConnect(WSKC_PROVIDER *provider, PSOCKADDR local, PSOCKADDR remote, PIRP irp)
{
    const WSK_PROVIDER_NPI *npi = &provider->Npi;
    return npi->Dispatch->WskSocketConnect(npi->Client, SOCK_STREAM, IPPROTO_TCP, local, remote, 0, NULL, NULL,
                                           NULL, NULL, NULL, irp);
}

_Use_decl_annotations_
NTSTATUS WskcProviderBind(PWSK_SOCKET socket, PSOCKADDR local, PIRP irp)
{
    return connection(socket)->WskBind(socket, local, 0, irp);
}

_Use_decl_annotations_
NTSTATUS WskcProviderConnect(PWSK_SOCKET socket, PSOCKADDR remote, PIRP irp)
{
    return connection(socket)->WskConnect(socket, remote, 0, irp);
}

_Use_decl_annotations_
NTSTATUS WskcProviderLocalAddress(PWSK_SOCKET socket, PSOCKADDR out, PIRP irp)
{
    return connection(socket)->WskGetLocalAddress(socket, out, irp);
}

_Use_decl_annotations_
NTSTATUS WskcProviderRemoteAddress(PWSK_SOCKET socket, PSOCKADDR out, PIRP irp)
{
    return connection(socket)->WskGetRemoteAddress(socket, out, irp);
}

_Use_decl_annotations_
NTSTATUS WskcProviderClose(PWSK_SOCKET socket, PIRP irp)
{
    /* Every provider dispatch table starts with the basic one. The WDK's wsk.h
     * embeds it unnamed in C (Wine's names it Basic), so it is reached by this
     * cast, as Microsoft's echosrv sample does. */
    return ((const WSK_PROVIDER_BASIC_DISPATCH *)socket->Dispatch)->WskCloseSocket(socket, irp);
}
