#!/usr/bin/env bash
# wine-e2e.sh [outdir] - build wskconnect.sys + wskctl.exe, load the driver in
# Wine's winedevice.exe as a kernel-driver service, run the loopback checks,
# then stop/delete the service and shut the Wine server down.
#
# Only loopback is ever contacted (listener.py and wskctl.exe both refuse
# anything else). Uses its own prefix: WINEPREFIX (default /tmp/wsk-prefix).
# Ports: WSK_TEST_PORT .. WSK_TEST_PORT+4 (default 47100).
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=${1:-/tmp/wskconnect-e2e}
LOGS=$OUT/logs
PORT=${WSK_TEST_PORT:-47100}
export WINEPREFIX=${WINEPREFIX:-/tmp/wsk-prefix}
export WINEDLLOVERRIDES="mscoree,mshtml="
command -v wine64 >/dev/null 2>&1 || export PATH=/usr/lib/wine:$PATH
command -v wine64 >/dev/null 2>&1 || { echo "wine64 not found" >&2; exit 1; }

"$HERE/../build.sh" "$OUT" || exit 1
mkdir -p "$LOGS"
rm -f "$LOGS"/*

LISTENER_PIDS=()
FAILED=0
pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; FAILED=1; }

cleanup() {
    wine64 "$OUT/wskctl.exe" stop >"$LOGS/cleanup-stop.out" 2>&1
    wine64 "$OUT/wskctl.exe" delete >"$LOGS/cleanup-delete.out" 2>&1
    for p in "${LISTENER_PIDS[@]}"; do kill "$p" 2>/dev/null; done
    wineserver -k 2>/dev/null
}
trap cleanup EXIT

# wskctl <logname> <args...>: Wine programs write to files, never pipes.
# Retries only Wine's own occasional process-start failure ("failed to map
# the shared user data"), where wskctl.exe never ran.
wskctl() {
    local name=$1 try; shift
    for try in 1 2 3; do
        wine64 "$OUT/wskctl.exe" "$@" >"$LOGS/$name.out" 2>&1
        echo $? >"$LOGS/$name.rc"
        grep -q "failed to map the shared user data" "$LOGS/$name.out" || break
        echo "INFO $name: Wine failed to start the process, retrying" >&2
    done
}
rc_of() { cat "$LOGS/$1.rc"; }
field() { grep -m1 " $2 " "$LOGS/$1.out" | awk '{print $2}'; }   # e.g. field x FinalStatus
wall_ms() { sed -n 's/.*wall=\([0-9.]*\) ms.*/\1/p' "$LOGS/$1.out" | head -1; }

listener() { # mode port [host]
    setsid python3 "$HERE/listener.py" "$@" >"$LOGS/listener-$2.log" 2>&1 </dev/null &
    LISTENER_PIDS+=($!)
    for _ in $(seq 50); do [ -s "$LOGS/listener-$2.log" ] && return 0; sleep 0.1; done
    fail "listener $* did not start"
}

# --- Wine: persistent server (services must outlive each wskctl run), win10 mode.
# The first process after the server starts services.exe/winedevice.exe, which
# inherit its stderr and WINEDEBUG: warn+debugstr shows the driver's DbgPrintEx.
wineserver -k 2>/dev/null; sleep 0.5
[ -d "$WINEPREFIX" ] || WINEDEBUG=-all wine64 wineboot -i >"$LOGS/wineboot.out" 2>&1
setsid wineserver -p -f </dev/null >"$LOGS/wineserver.log" 2>&1 &
sleep 0.5
WINEDEBUG=warn+debugstr,fixme-all wine64 winecfg /v win10 >"$LOGS/winecfg.out" 2>"$LOGS/winedevice.err"
export WINEDEBUG=fixme-all

listener accept $PORT
listener full $((PORT + 1))
listener refused $((PORT + 2))
listener accept $((PORT + 3)) ::1

# --- install + start
wine64 "$OUT/wskctl.exe" delete >/dev/null 2>&1   # leftovers of an earlier run
wskctl install install "Z:$(cd "$OUT" && pwd | tr / '\\')\\wskconnect.sys"   # Z: is / in every prefix
[ "$(rc_of install)" = 0 ] && pass install || fail install
T0=$(date +%s%N)
wskctl start start
wskctl first-connect connect 127.0.0.1 $PORT 5000
T1=$(date +%s%N)
[ "$(rc_of start)" = 0 ] && pass "start ($(cat "$LOGS/start.out"))" || fail start
if [ "$(rc_of first-connect)" = 0 ] && grep -q "accept #1" "$LOGS/listener-$PORT.log"; then
    pass "connect accepted; start+connect $(( (T1 - T0) / 1000000 )) ms, connect wall $(wall_ms first-connect) ms, driver elapsed $(field first-connect ElapsedMicroseconds) us"
else fail "connect to accepting listener"; fi

# --- refused
wskctl refused connect 127.0.0.1 $((PORT + 2)) 5000
[ "$(field refused FinalStatus)" = 0xC0000236 ] && pass "refused -> 0xC0000236 (wall $(wall_ms refused) ms)" || fail refused

# --- timeouts against a full accept queue
for t in 250 1000 3000; do
    wskctl timeout-$t connect 127.0.0.1 $((PORT + 1)) $t
    w=$(wall_ms timeout-$t)
    if [ "$(field timeout-$t FinalStatus)" = 0xC00000B5 ] &&
        awk -v w="$w" -v t="$t" 'BEGIN { exit !(w >= t && w <= t + 100) }'; then
        pass "timeout $t ms -> 0xC00000B5 after $w ms"
    else fail "timeout $t ms (status $(field timeout-$t FinalStatus), wall $w ms)"; fi
done

# --- malformed requests, then winedevice still serves a good one
wskctl malformed malformed 127.0.0.1 $PORT
[ "$(rc_of malformed)" = 0 ] && pass "malformed: all statuses as specified" || fail malformed
wskctl after-malformed connect 127.0.0.1 $PORT 5000
[ "$(rc_of after-malformed)" = 0 ] && pass "good connect after malformed" || fail "connect after malformed"

# --- WskSocketConnect mode: Wine stub -> STATUS_NOT_IMPLEMENTED, bounded
wskctl socket1 connect 127.0.0.1 $PORT 5000 socket
wskctl socket2 connect 127.0.0.1 $PORT 5000 socket
for n in socket1 socket2; do
    w=$(wall_ms $n)
    if [ "$(field $n FinalStatus)" = 0xC0000002 ] && awk -v w="$w" 'BEGIN { exit !(w < 100) }'; then
        pass "$n -> 0xC0000002 after $w ms ($(grep Flags "$LOGS/$n.out" | awk '{print $3, $4}'))"
    else fail "$n"; fi
done

# --- IPv6 (reported, not required: Wine 8's netio passes a 16-byte address length)
wskctl ipv6 connect ::1 $((PORT + 3)) 3000
echo "INFO ipv6 ::1 -> socket $(field ipv6 SocketStatus) bind $(field ipv6 BindStatus) final $(field ipv6 FinalStatus)"

# --- concurrency: 16 at once; and hanging connects do not delay fast ones
wskctl concurrent16 concurrent 16 127.0.0.1 $PORT 5000
grep -q "16/16 completed, 16 connected" "$LOGS/concurrent16.out" &&
    pass "concurrent: $(tail -1 "$LOGS/concurrent16.out")" || fail concurrent16
wskctl concurrent-hang concurrent 4 127.0.0.1 $((PORT + 1)) 2000 &
HANG=$!
sleep 0.7
wskctl concurrent-fast concurrent 4 127.0.0.1 $PORT 2000
wait $HANG
if grep -q "4/4 completed, 4 connected" "$LOGS/concurrent-fast.out" &&
    grep -q "4/4 completed, 0 connected" "$LOGS/concurrent-hang.out"; then
    pass "4 fast connects ($(tail -1 "$LOGS/concurrent-fast.out" | sed 's/.*wall/wall/')) while 4 hung until their timeout"
else fail "fast/hanging mix"; fi

# --- timeouts (parked sockets) racing with bursts of good connects: the
# pattern that crashed Wine 8's netio while timed-out sockets were closed
# with their connect still pending (it died within 3-14 rounds of this).
HOST0=$(for p in $(pgrep -f winedevice.exe); do grep -q wskconnect.sys /proc/$p/maps 2>/dev/null && echo $p; done | head -1)
for i in $(seq 10); do
    wskctl mix-timeouts-$i concurrent 8 127.0.0.1 $((PORT + 1)) 100
    wskctl mix-burst-$i concurrent 50 127.0.0.1 $PORT 5000
done
if [ -n "$HOST0" ] && [ -d /proc/$HOST0 ] && grep -q "50/50 completed, 50 connected" "$LOGS/mix-burst-10.out" &&
    ! grep -q "Unhandled page fault" "$LOGS/winedevice.err"; then
    pass "10 rounds of 8 parallel timeouts + 50 parallel connects; winedevice alive"
else fail "timeouts racing with connects (winedevice crashed?)"; fi

# --- no handle leak in winedevice.exe after 200 more connects. Handles grow
# while Wine's thread pool has extra threads, so compare once it is idle again.
handles_total() {
    wine64 "$OUT/wskctl.exe" handles >"$LOGS/handles.out" 2>&1
    awk '{ s += $5 } END { print s + 0 }' "$LOGS/handles.out"
}
H0=$(handles_total)
for i in 1 2 3 4; do wskctl burst-$i concurrent 50 127.0.0.1 $PORT 5000; done
H1=$H0
for _ in $(seq 30); do H1=$(handles_total); [ "$H1" -le "$H0" ] && break; sleep 1; done
if grep -q "50/50 completed, 50 connected" "$LOGS/burst-4.out" && [ "$H1" -le "$H0" ]; then
    pass "200 more connects (4 x 50 concurrent); winedevice handles $H0 -> $H1 once idle"
else fail "burst / handles $H0 -> $H1"; fi

# --- aborting in-flight connects
wskctl cancel cancel 127.0.0.1 $((PORT + 1)) 10000 300
[ "$(rc_of cancel)" = 0 ] && pass "CancelIoEx -> $(grep -m1 'req 0' "$LOGS/cancel.out" | sed 's/.*after/after/;s/connect=.*//')" || fail cancel
wskctl closeinflight closeinflight 127.0.0.1 $((PORT + 1)) 10000 300
[ "$(rc_of closeinflight)" = 0 ] && pass "CloseHandle mid-connect -> $(cat "$LOGS/closeinflight.out")" || fail closeinflight
wskctl stopinflight stopinflight 4 127.0.0.1 $((PORT + 1)) 20000 500
if [ "$(rc_of stopinflight)" = 0 ] && grep -q "wskconnect: unloaded.* 0 objects still allocated" "$LOGS/winedevice.err"; then
    pass "stop with 4 connects in flight: $(grep '^service' "$LOGS/stopinflight.out"); $(grep -c STATUS_CANCELLED "$LOGS/stopinflight.out") cancelled; $(grep -o 'reaper:.*' "$LOGS/winedevice.err" | tail -1); $(grep -o 'unloaded.*' "$LOGS/winedevice.err" | tail -1)"
else fail stopinflight; fi

# --- the driver loads again after that, and works
wskctl restart start
wskctl after-restart connect 127.0.0.1 $PORT 5000
[ "$(rc_of after-restart)" = 0 ] && pass "restart + connect" || fail "restart + connect"
wskctl stop stop
wskctl delete delete
[ "$(rc_of stop)" = 0 ] && [ "$(rc_of delete)" = 0 ] && pass "stop + delete" || fail "stop + delete"

echo "driver log:"; grep -a "wskconnect:" "$LOGS/winedevice.err" | sed 's/.*wskconnect:/  wskconnect:/'
[ $FAILED = 0 ] && echo "ALL PASSED (logs in $LOGS)" || echo "SOME CHECKS FAILED (logs in $LOGS)"
exit $FAILED
