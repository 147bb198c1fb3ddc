/*
 * clock.c - QPC deadlines. Ticks are split before scaling so that no product
 * overflows 64 bits whatever the counter's frequency.
 */
#include "clock.h"

static LONGLONG frequency(void)
{
    LARGE_INTEGER freq;
    KeQueryPerformanceCounter(&freq);
    return freq.QuadPart;
}

static LONGLONG ticks_to(LONGLONG freq, LONGLONG ticks, LONGLONG scale)
{
    return (ticks / freq) * scale + (ticks % freq) * scale / freq;
}

_Use_decl_annotations_
LONGLONG WskcClockNow(void)
{
    return KeQueryPerformanceCounter(NULL).QuadPart;
}

_Use_decl_annotations_
LONGLONG WskcClockAfterMs(ULONG ms)
{
    return WskcClockNow() + (LONGLONG)ms * frequency() / 1000;
}

_Use_decl_annotations_
ULONGLONG WskcClockMicroseconds(LONGLONG from, LONGLONG to)
{
    return to > from ? (ULONGLONG)ticks_to(frequency(), to - from, 1000000) : 0;
}

_Use_decl_annotations_
LARGE_INTEGER WskcClockTimeoutUntil(LONGLONG deadline)
{
    LONGLONG left = deadline - WskcClockNow();
    LARGE_INTEGER timeout;
    timeout.QuadPart = left > 0 ? -ticks_to(frequency(), left, 10000000) : 0;
    return timeout;
}
