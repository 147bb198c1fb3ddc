/*
 * mailbox.c - a spin-locked list and an event. Posting never allocates, so a
 * completion routine can always post.
 */
#include "mailbox.h"

_Use_decl_annotations_
void WskcMailboxInit(WSKC_MAILBOX *mailbox)
{
    KeInitializeSpinLock(&mailbox->Lock);
    InitializeListHead(&mailbox->Items);
    KeInitializeEvent(&mailbox->Wake, SynchronizationEvent, FALSE);
}

_Use_decl_annotations_
void WskcMailboxPost(WSKC_MAILBOX *mailbox, WSKC_MAIL *mail, WSKC_MAIL_KIND kind)
{
    KIRQL irql;

    mail->Kind = kind;
    KeAcquireSpinLock(&mailbox->Lock, &irql);
    InsertTailList(&mailbox->Items, &mail->Link);
    KeReleaseSpinLock(&mailbox->Lock, irql);
    KeSetEvent(&mailbox->Wake, IO_NO_INCREMENT, FALSE);
}

_Use_decl_annotations_
void WskcMailboxWake(WSKC_MAILBOX *mailbox)
{
    KeSetEvent(&mailbox->Wake, IO_NO_INCREMENT, FALSE);
}

_Use_decl_annotations_
void WskcMailboxTakeAll(WSKC_MAILBOX *mailbox, PLIST_ENTRY out)
{
    KIRQL irql;

    InitializeListHead(out);
    KeAcquireSpinLock(&mailbox->Lock, &irql);
    if (!IsListEmpty(&mailbox->Items)) {
        /* Splice: out takes the whole chain, Items becomes empty. */
        out->Flink = mailbox->Items.Flink;
        out->Blink = mailbox->Items.Blink;
        out->Flink->Blink = out;
        out->Blink->Flink = out;
        InitializeListHead(&mailbox->Items);
    }
    KeReleaseSpinLock(&mailbox->Lock, irql);
}
