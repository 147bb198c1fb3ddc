/*
 * engine.c - the loop of the driver's thread. Each pass:
 *   1. delivers the mail: requests to start, IRP completions to their request;
 *   2. gives OnTime to each request with a deadline or an abort due;
 *   3. frees the requests that have finished, and finds the nearest deadline;
 *   4. waits for mail or that deadline.
 * Only this thread touches a request after it was admitted, except to set its
 * AbortRequested flag under the lock.
 */
#include "engine.h"
#include "clock.h"

WSKC_ROLE(static KSTART_ROUTINE, engine_thread)

static void deliver_mail(WSKC_ENGINE *e)
{
    LIST_ENTRY mail;

    WskcMailboxTakeAll(&e->Mailbox, &mail);
    while (!IsListEmpty(&mail)) {
        WSKC_MAIL *item = CONTAINING_RECORD(RemoveHeadList(&mail), WSKC_MAIL, Link);
        if (item->Kind == WSKC_MAIL_REQUEST_SUBMITTED) {
            WskcRequestStart(CONTAINING_RECORD(item, WSKC_REQUEST, Submitted));
        } else {
            WSKC_OP *op = CONTAINING_RECORD(item, WSKC_OP, Mail);
            if (op->Owner) /* an abandoned op's late completion is nobody's */
                WskcRequestOnCompletion((WSKC_REQUEST *)op->Owner, op);
        }
    }
}

/* The requests with something due, on `work` (their WorkLink). A wake-up for
 * mail alone (most of them: IRP completions) walks nothing here: no deadline is
 * due before NextDue, and an abort or a stop says so with AbortPending. */
static BOOLEAN collect_due(WSKC_ENGINE *e, LONGLONG now, PLIST_ENTRY work)
{
    BOOLEAN stopping;
    LIST_ENTRY *entry;
    KIRQL irql;

    InitializeListHead(work);
    KeAcquireSpinLock(&e->Lock, &irql);
    stopping = e->Stopping;
    if (!stopping && !e->AbortPending && now < e->NextDue) {
        KeReleaseSpinLock(&e->Lock, irql);
        return FALSE;
    }
    e->AbortPending = FALSE;
    for (entry = e->Requests.Flink; entry != &e->Requests; entry = entry->Flink) {
        WSKC_REQUEST *r = CONTAINING_RECORD(entry, WSKC_REQUEST, Link);
        if (stopping)
            r->AbortRequested = TRUE;
        if (stopping || (r->AbortRequested && !r->AbortSeen) || WskcRequestNextWake(r) <= now)
            InsertTailList(work, &r->WorkLink);
    }
    KeReleaseSpinLock(&e->Lock, irql);
    return stopping;
}

/* Frees finished requests; returns the nearest wake-up of the others and
 * whether any remain. */
static LONGLONG free_finished(WSKC_ENGINE *e, BOOLEAN *any_left)
{
    LONGLONG next = MAXLONGLONG;
    LIST_ENTRY finished, *entry, *following;
    KIRQL irql;

    InitializeListHead(&finished);
    KeAcquireSpinLock(&e->Lock, &irql);
    for (entry = e->Requests.Flink; entry != &e->Requests; entry = following) {
        WSKC_REQUEST *r = CONTAINING_RECORD(entry, WSKC_REQUEST, Link);
        LONGLONG wake = WskcRequestNextWake(r);
        following = entry->Flink;
        if (WskcRequestFinished(r)) {
            RemoveEntryList(&r->Link);
            InsertTailList(&finished, &r->Link);
        } else if (wake < next) {
            next = wake;
        }
    }
    *any_left = !IsListEmpty(&e->Requests);
    e->NextDue = next;
    KeReleaseSpinLock(&e->Lock, irql);
    while (!IsListEmpty(&finished))
        WskcRequestFree(CONTAINING_RECORD(RemoveHeadList(&finished), WSKC_REQUEST, Link));
    return next;
}

/* A stop that outlasted WSKC_STOP_BOUND_MS: what the provider still holds is
 * abandoned, so that unload can go on. */
static void give_up_all(WSKC_ENGINE *e)
{
    LIST_ENTRY left;
    ULONG count = 0;
    KIRQL irql;

    InitializeListHead(&left);
    KeAcquireSpinLock(&e->Lock, &irql);
    while (!IsListEmpty(&e->Requests))
        InsertTailList(&left, RemoveHeadList(&e->Requests));
    KeReleaseSpinLock(&e->Lock, irql);
    while (!IsListEmpty(&left)) {
        WSKC_REQUEST *r = CONTAINING_RECORD(RemoveHeadList(&left), WSKC_REQUEST, Link);
        WskcRequestGiveUp(r);
        WskcRequestFree(r);
        count++;
    }
    WSKC_LOG("stop: gave up on %lu request(s) whose IRPs the provider kept\n", count);
}

_Use_decl_annotations_
static VOID NTAPI engine_thread(PVOID context)
{
    WSKC_ENGINE *e = (WSKC_ENGINE *)context;
    LONGLONG stop_deadline = 0;

    for (;;) {
        LIST_ENTRY work;
        BOOLEAN stopping, any_left;
        LONGLONG now, next;
        LARGE_INTEGER timeout;

        deliver_mail(e);
        now = WskcClockNow();
        stopping = collect_due(e, now, &work);
        while (!IsListEmpty(&work))
            WskcRequestOnTime(CONTAINING_RECORD(RemoveHeadList(&work), WSKC_REQUEST, WorkLink), now, stopping);
        deliver_mail(e);
        next = free_finished(e, &any_left);
        if (stopping) {
            if (!any_left)
                break;
            if (!stop_deadline)
                stop_deadline = WskcClockAfterMs(WSKC_STOP_BOUND_MS);
            if (WskcClockNow() >= stop_deadline) {
                give_up_all(e);
                break;
            }
            now = WskcClockAfterMs(WSKC_STOP_POLL_MS);
            next = next < now ? next : now;
        }
        if (next == MAXLONGLONG) {
            KeWaitForSingleObject(&e->Mailbox.Wake, Executive, KernelMode, FALSE, NULL);
        } else {
            timeout = WskcClockTimeoutUntil(next);
            KeWaitForSingleObject(&e->Mailbox.Wake, Executive, KernelMode, FALSE, &timeout);
        }
    }
    PsTerminateSystemThread(STATUS_SUCCESS);
}

_Use_decl_annotations_
NTSTATUS WskcEngineStart(WSKC_ENGINE *e, PDEVICE_OBJECT device, WSKC_PROVIDER *provider)
{
    OBJECT_ATTRIBUTES attributes;

    RtlZeroMemory(e, sizeof(*e));
    WskcMailboxInit(&e->Mailbox);
    KeInitializeSpinLock(&e->Lock);
    InitializeListHead(&e->Requests);
    e->Context.Device = device;
    e->Context.Mailbox = &e->Mailbox;
    e->Context.Provider = provider;
    InitializeObjectAttributes(&attributes, NULL, OBJ_KERNEL_HANDLE, NULL, NULL);
    return PsCreateSystemThread(&e->Thread, THREAD_ALL_ACCESS, &attributes, NULL, NULL, engine_thread, e);
}

_Use_decl_annotations_
NTSTATUS WskcEngineAdmit(WSKC_ENGINE *e, PIRP ioctl, const WSKCONNECT_REQUEST *in, WSKC_REQUEST **request)
{
    WSKC_REQUEST *r = WskcRequestCreate(&e->Context, ioctl, in);
    BOOLEAN admitted;
    KIRQL irql;

    *request = NULL;
    if (!r)
        return STATUS_INSUFFICIENT_RESOURCES;
    KeAcquireSpinLock(&e->Lock, &irql);
    admitted = !e->Stopping;
    if (admitted)
        InsertTailList(&e->Requests, &r->Link);
    KeReleaseSpinLock(&e->Lock, irql);
    if (!admitted) {
        WskcRequestFree(r);
        return STATUS_DELETE_PENDING;
    }
    *request = r;
    return STATUS_SUCCESS;
}

_Use_decl_annotations_
void WskcEngineRun(WSKC_ENGINE *e, WSKC_REQUEST *r)
{
    WskcMailboxPost(&e->Mailbox, &r->Submitted, WSKC_MAIL_REQUEST_SUBMITTED);
}

_Use_decl_annotations_
void WskcEngineAbort(WSKC_ENGINE *e, PIRP ioctl, PFILE_OBJECT file)
{
    LIST_ENTRY *entry;
    KIRQL irql;

    KeAcquireSpinLock(&e->Lock, &irql);
    for (entry = e->Requests.Flink; entry != &e->Requests; entry = entry->Flink) {
        WSKC_REQUEST *r = CONTAINING_RECORD(entry, WSKC_REQUEST, Link);
        if (WskcRequestMatches(r, ioctl, file)) {
            r->AbortRequested = TRUE;
            e->AbortPending = TRUE;
        }
    }
    KeReleaseSpinLock(&e->Lock, irql);
    WskcMailboxWake(&e->Mailbox);
}

_Use_decl_annotations_
void WskcEngineStop(WSKC_ENGINE *e)
{
    KIRQL irql;

    if (!e->Thread)
        return;
    KeAcquireSpinLock(&e->Lock, &irql);
    e->Stopping = TRUE;
    KeReleaseSpinLock(&e->Lock, irql);
    WskcMailboxWake(&e->Mailbox);
    /* The thread handle is signalled once the thread has left this image. */
    ZwWaitForSingleObject(e->Thread, FALSE, NULL);
    ZwClose(e->Thread);
    e->Thread = NULL;
}
