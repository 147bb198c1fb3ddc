/*
 * mailbox.h - what wakes the driver's engine thread: WSK IRP completions and
 * newly submitted requests, posted from any IRQL up to DISPATCH_LEVEL (a
 * completion routine, a dispatch routine) and taken by the engine in one go.
 * It knows nothing of what it carries.
 */
#ifndef WSKC_MAILBOX_H
#define WSKC_MAILBOX_H

#include "platform.h"

typedef enum _WSKC_MAIL_KIND { WSKC_MAIL_OP_COMPLETED = 1, WSKC_MAIL_REQUEST_SUBMITTED } WSKC_MAIL_KIND;

/* Embedded in what is posted; each is posted at most once until taken. */
typedef struct _WSKC_MAIL {
    LIST_ENTRY Link;
    WSKC_MAIL_KIND Kind;
} WSKC_MAIL;

typedef struct _WSKC_MAILBOX {
    KSPIN_LOCK Lock;
    LIST_ENTRY Items; /* WSKC_MAIL.Link, oldest first */
    KEVENT Wake;      /* SynchronizationEvent: set by a post or WskcMailboxWake */
} WSKC_MAILBOX;

_IRQL_requires_max_(PASSIVE_LEVEL)
void WskcMailboxInit(_Out_ WSKC_MAILBOX *mailbox);

_IRQL_requires_max_(DISPATCH_LEVEL)
void WskcMailboxPost(_Inout_ WSKC_MAILBOX *mailbox, _Inout_ WSKC_MAIL *mail, _In_ WSKC_MAIL_KIND kind);

/* Wakes the engine with nothing posted (an abort to look at, a stop). */
_IRQL_requires_max_(DISPATCH_LEVEL)
void WskcMailboxWake(_Inout_ WSKC_MAILBOX *mailbox);

/* Moves every posted item onto `out` (initialized here), oldest first. */
_IRQL_requires_max_(DISPATCH_LEVEL)
void WskcMailboxTakeAll(_Inout_ WSKC_MAILBOX *mailbox, _Out_ PLIST_ENTRY out);

#endif /* WSKC_MAILBOX_H */
