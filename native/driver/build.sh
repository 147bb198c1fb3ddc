#!/usr/bin/env bash
# build.sh <outdir> - cross-build wskconnect.sys (and the wskctl.exe test tool)
# with mingw-w64 against Wine's DDK headers ONLY (mingw's own ddk headers have
# no wsk.h and do not mix with Wine's). Fails loudly on any error.
#
# Needs (Debian): gcc-mingw-w64-x86-64-posix, libwine-dev, wine64-tools.
# Overridable: CC, WINE_INCLUDE, WINE_LIBDIR.
set -euo pipefail

usage() { echo "usage: $0 <outdir>" >&2; exit 2; }
die() { echo "build.sh: error: $*" >&2; exit 1; }

[ $# -eq 1 ] || usage
OUT=$1
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

CC=${CC:-x86_64-w64-mingw32-gcc-posix}
command -v "$CC" >/dev/null 2>&1 || CC=x86_64-w64-mingw32-gcc
command -v "$CC" >/dev/null 2>&1 || die "no x86_64-w64-mingw32-gcc (apt-get install gcc-mingw-w64-x86-64-posix)"

WINE_INCLUDE=${WINE_INCLUDE:-/usr/include/wine/wine}
WINE_LIBDIR=${WINE_LIBDIR:-/usr/lib/x86_64-linux-gnu/wine/x86_64-windows}
[ -f "$WINE_INCLUDE/windows/ddk/wsk.h" ] || die "$WINE_INCLUDE/windows/ddk/wsk.h missing (apt-get install libwine-dev)"
for lib in ntoskrnl netio hal; do
    [ -f "$WINE_LIBDIR/lib$lib.a" ] || die "$WINE_LIBDIR/lib$lib.a missing (apt-get install libwine-dev wine64-tools)"
done

GCC_INCLUDE=$("$CC" -print-file-name=include)
[ -d "$GCC_INCLUDE" ] || die "cannot find $CC's own include directory"

mkdir -p "$OUT"

# Kernel driver: every .c file of this directory (the .vcxproj takes the same
# *.c), no CRT, no stack protector (no __security_cookie in a driver
# without the CRT), no builtins (they would emit calls to absent CRT code),
# native subsystem, DriverEntry as the image entry point.
# -lhal: Wine exports KeQueryPerformanceCounter from hal.dll, not ntoskrnl.
"$CC" -std=gnu11 -O2 -Wall -Wextra -Werror -Wno-unused-parameter \
    -DWSKCONNECT_WINE_DDK \
    -nostdinc -isystem "$GCC_INCLUDE" \
    -I"$WINE_INCLUDE/msvcrt" -I"$WINE_INCLUDE/windows" \
    -fno-stack-protector -fno-builtin \
    -nostdlib -shared -Wl,--subsystem,native -Wl,--entry,DriverEntry \
    -o "$OUT/wskconnect.sys" \
    "$HERE"/*.c \
    -L"$WINE_LIBDIR" -lntoskrnl -lnetio -lhal

# User-mode test tool (mingw's own Windows headers, static so no DLLs needed).
"$CC" -std=gnu11 -O2 -Wall -Wextra -Werror -municode -static \
    -o "$OUT/wskctl.exe" "$HERE/test/wskctl.c" -lws2_32 -ladvapi32

for f in wskconnect.sys wskctl.exe; do
    [ -s "$OUT/$f" ] || die "$OUT/$f was not produced"
done
echo "build.sh: built $OUT/wskconnect.sys and $OUT/wskctl.exe"
