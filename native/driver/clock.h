/*
 * clock.h - time for deadlines: the performance counter (QPC ticks), turned
 * into the relative timeouts kernel waits take.
 */
#ifndef WSKC_CLOCK_H
#define WSKC_CLOCK_H

#include "platform.h"

/* Now, in QPC ticks. */
_IRQL_requires_max_(DISPATCH_LEVEL)
LONGLONG WskcClockNow(void);

/* `ms` from now, in QPC ticks. */
_IRQL_requires_max_(DISPATCH_LEVEL)
LONGLONG WskcClockAfterMs(_In_ ULONG ms);

/* Microseconds from one QPC reading to another. */
_IRQL_requires_max_(DISPATCH_LEVEL)
ULONGLONG WskcClockMicroseconds(_In_ LONGLONG from, _In_ LONGLONG to);

/* A relative kernel timeout (negative, 100 ns units) that ends at `deadline`;
 * 0 once it has passed. */
_IRQL_requires_max_(DISPATCH_LEVEL)
LARGE_INTEGER WskcClockTimeoutUntil(_In_ LONGLONG deadline);

#endif /* WSKC_CLOCK_H */
