// The one clock of the addon: QueryPerformanceCounter, which needs no system call
// (GetTickCount64's 10-16 ms steps are too coarse for the waits it times).
#pragma once

#include <windows.h>

#include <cstdint>

namespace wsc {

inline int64_t ClockNow() {
  LARGE_INTEGER now;
  QueryPerformanceCounter(&now);
  return now.QuadPart;
}

inline int64_t ClockFrequency() {
  static const int64_t frequency = [] {
    LARGE_INTEGER f;
    QueryPerformanceFrequency(&f);
    return f.QuadPart;
  }();
  return frequency;
}

inline int64_t ClockFromMs(int64_t ms) { return ms * ClockFrequency() / 1000; }
inline int64_t ClockToMs(int64_t ticks) { return ticks * 1000 / ClockFrequency(); }
inline double ClockToMicroseconds(int64_t ticks) { return static_cast<double>(ticks) * 1e6 / ClockFrequency(); }

}  // namespace wsc
