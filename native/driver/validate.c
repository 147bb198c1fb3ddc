/*
 * validate.c - the rules a WSKCONNECT_REQUEST must satisfy before the driver
 * touches the network. Kept apart from the I/O code so the rules read as one
 * list (they mirror the contract at the top of wskconnect_ioctl.h). Buffer
 * lengths are checked by the dispatch routine, which owns the IRP.
 */
#include "validate.h"

static BOOLEAN all_zero(const UCHAR *bytes, ULONG count)
{
    ULONG i;
    for (i = 0; i < count; i++) {
        if (bytes[i] != 0)
            return FALSE;
    }
    return TRUE;
}

/* Addresses that cannot name one TCP peer: unspecified, broadcast, multicast. */
static BOOLEAN ipv4_usable(const UCHAR *a)
{
    if (all_zero(a, 4))
        return FALSE;
    if (a[0] == 255 && a[1] == 255 && a[2] == 255 && a[3] == 255)
        return FALSE;
    if ((a[0] & 0xF0) == 0xE0) /* 224.0.0.0/4 */
        return FALSE;
    return TRUE;
}

static BOOLEAN ipv6_usable(const UCHAR *a)
{
    if (all_zero(a, 16))
        return FALSE;
    if (a[0] == 0xFF) /* ff00::/8 */
        return FALSE;
    return TRUE;
}

static NTSTATUS validate_address(const WSKCONNECT_REQUEST *req)
{
    switch (req->Family) {
    case WSKCONNECT_AF_INET:
        /* Bytes past the IPv4 address and a scope id mean the caller built the
         * request wrong; refuse rather than guess. */
        if (!all_zero(req->Address + 4, 12) || req->ScopeId != 0)
            return STATUS_INVALID_PARAMETER;
        return ipv4_usable(req->Address) ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER;
    case WSKCONNECT_AF_INET6:
        return ipv6_usable(req->Address) ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER;
    default:
        return STATUS_INVALID_PARAMETER;
    }
}

_Use_decl_annotations_
NTSTATUS WskcValidateRequest(const WSKCONNECT_REQUEST *req)
{
    if (req->Version != WSKCONNECT_VERSION || req->Size != sizeof(WSKCONNECT_REQUEST))
        return STATUS_REVISION_MISMATCH;
    if (req->Mode != WSKCONNECT_MODE_BIND_CONNECT && req->Mode != WSKCONNECT_MODE_SOCKET_CONNECT)
        return STATUS_INVALID_PARAMETER;
    /* No "infinite": every wait in the driver must be bounded. */
    if (req->TimeoutMs < WSKCONNECT_TIMEOUT_MIN_MS || req->TimeoutMs > WSKCONNECT_TIMEOUT_MAX_MS)
        return STATUS_INVALID_PARAMETER;
    if (req->Port == 0)
        return STATUS_INVALID_PARAMETER;
    return validate_address(req);
}
