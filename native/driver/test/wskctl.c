/*
 * wskctl.c - user-mode test tool for the WskConnect driver (mingw-built .exe,
 * run under Wine or on Windows as Administrator). It talks to the driver only
 * through wskconnect_ioctl.h, like the Node-API addon will.
 *
 *   wskctl install <path-to-wskconnect.sys>   CreateServiceW, kernel driver, demand start
 *   wskctl start | stop | delete | status
 *   wskctl handles                            handle count of each winedevice.exe
 *   wskctl connect <addr> <port> [timeoutMs] [bind|socket]
 *   wskctl concurrent <n> <addr> <port> [timeoutMs] [bind|socket]
 *   wskctl malformed <addr> <port>            raw bad buffers; checks each NTSTATUS
 *   wskctl cancel <addr> <port> <timeoutMs> <delayMs>         CancelIoEx mid-connect
 *   wskctl closeinflight <addr> <port> <timeoutMs> <delayMs>  CloseHandle mid-connect
 *   wskctl stopinflight <n> <addr> <port> <timeoutMs> <delayMs>  stop the service mid-connect
 *
 * Safety: targets must be loopback (127.0.0.0/8, ::1, ::ffff:127.x.x.x); the
 * tool refuses anything else. Exit code 0 = the command did what it checks.
 */
#define WIN32_LEAN_AND_MEAN
#define WIN32_NO_STATUS
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#undef WIN32_NO_STATUS
#include <ntstatus.h>
#include <winternl.h>
#include <winioctl.h>
#include <tlhelp32.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "../../include/wskconnect_ioctl.h"

typedef NTSTATUS(NTAPI *NtDeviceIoControlFile_t)(HANDLE, HANDLE, PIO_APC_ROUTINE, PVOID,
                                                   PIO_STATUS_BLOCK, ULONG, PVOID, ULONG, PVOID, ULONG);

/* ------------------------------------------------------------------------- */

static double now_ms(void)
{
    static LARGE_INTEGER freq;
    LARGE_INTEGER t;
    if (!freq.QuadPart)
        QueryPerformanceFrequency(&freq);
    QueryPerformanceCounter(&t);
    return (double)t.QuadPart * 1000.0 / (double)freq.QuadPart;
}

static const char *status_name(LONG s)
{
    switch ((ULONG)s) {
    case 0x00000000: return "STATUS_SUCCESS";
    case 0x00000102: return "STATUS_TIMEOUT";
    case 0xC0000001: return "STATUS_UNSUCCESSFUL";
    case 0xC0000002: return "STATUS_NOT_IMPLEMENTED";
    case 0xC0000010: return "STATUS_INVALID_DEVICE_REQUEST";
    case 0xC0000017: return "STATUS_NO_MEMORY";
    case 0xC000000D: return "STATUS_INVALID_PARAMETER";
    case 0xC0000023: return "STATUS_BUFFER_TOO_SMALL";
    case 0xC0000056: return "STATUS_DELETE_PENDING";
    case 0xC0000059: return "STATUS_REVISION_MISMATCH";
    case 0xC00000B5: return "STATUS_IO_TIMEOUT";
    case 0xC0000120: return "STATUS_CANCELLED";
    case 0xC0000184: return "STATUS_INVALID_DEVICE_STATE";
    case 0xC000020C: return "STATUS_CONNECTION_DISCONNECTED";
    case 0xC000020D: return "STATUS_CONNECTION_RESET";
    case 0xC0000236: return "STATUS_CONNECTION_REFUSED";
    case 0xC0000241: return "STATUS_CONNECTION_ABORTED";
    case 0xC000023C: return "STATUS_NETWORK_UNREACHABLE";
    case 0xC000009A: return "STATUS_INSUFFICIENT_RESOURCES";
    case 0xC00002B9: return "STATUS_NOINTERFACE";
    case 0xE0A57001: return "NOT_ATTEMPTED";
    default: return "?";
    }
}

static void print_status(const char *label, LONG s)
{
    printf("  %-20s 0x%08lX %s\n", label, (unsigned long)(ULONG)s, status_name(s));
}

static void print_sockaddr(const char *label, const WSKCONNECT_SOCKADDR *a)
{
    char text[64] = "-";
    if (a->Family == WSKCONNECT_AF_INET)
        inet_ntop(AF_INET, (void *)a->Address, text, sizeof(text));
    else if (a->Family == WSKCONNECT_AF_INET6)
        inet_ntop(AF_INET6, (void *)a->Address, text, sizeof(text));
    printf("  %-20s family=%u addr=%s port=%u scope=%lu\n", label, a->Family, text, a->Port,
           (unsigned long)a->ScopeId);
}

static void print_flags(ULONG f)
{
    printf("  %-20s 0x%08lX", "Flags", (unsigned long)f);
    if (f & WSKCONNECT_FLAG_TIMED_OUT) printf(" TIMED_OUT");
    if (f & WSKCONNECT_FLAG_ABORTED) printf(" ABORTED");
    if (f & WSKCONNECT_FLAG_CANCEL_SENT) printf(" CANCEL_SENT");
    if (f & WSKCONNECT_FLAG_CLOSE_FORCED) printf(" CLOSE_FORCED");
    if (f & WSKCONNECT_FLAG_IRP_ABANDONED) printf(" IRP_ABANDONED");
    if (f & WSKCONNECT_FLAG_NPI_DEFERRED) printf(" NPI_DEFERRED");
    if (f & WSKCONNECT_FLAG_STUB_SKIPPED) printf(" STUB_SKIPPED");
    if (f & WSKCONNECT_FLAG_CLOSE_DEFERRED) printf(" CLOSE_DEFERRED");
    printf("\n");
}

static void print_result(const WSKCONNECT_RESULT *r)
{
    printf("  %-20s %lu\n", "Version", (unsigned long)r->Version);
    printf("  %-20s %lu\n", "Size", (unsigned long)r->Size);
    printf("  %-20s %lu (%s)\n", "Mode", (unsigned long)r->Mode,
           r->Mode == WSKCONNECT_MODE_SOCKET_CONNECT ? "socket" : "bind");
    print_status("SocketStatus", r->SocketStatus);
    print_status("BindStatus", r->BindStatus);
    print_status("ConnectStatus", r->ConnectStatus);
    print_status("CloseStatus", r->CloseStatus);
    print_status("LocalAddressStatus", r->LocalAddressStatus);
    print_status("RemoteAddressStatus", r->RemoteAddressStatus);
    print_status("FinalStatus", r->FinalStatus);
    print_flags(r->Flags);
    printf("  %-20s %lu\n", "Reserved", (unsigned long)r->Reserved);
    printf("  %-20s %llu\n", "ElapsedMicroseconds", (unsigned long long)r->ElapsedMicroseconds);
    printf("  %-20s %llu\n", "TotalMicroseconds", (unsigned long long)r->TotalMicroseconds);
    print_sockaddr("LocalAddress", &r->LocalAddress);
    print_sockaddr("RemoteAddress", &r->RemoteAddress);
}

/* ------------------------------------------------------------------------- */

static int is_loopback(int family, const unsigned char *a)
{
    static const unsigned char v6_loop[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
    static const unsigned char v4_mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
    if (family == AF_INET)
        return a[0] == 127;
    return !memcmp(a, v6_loop, 16) || (!memcmp(a, v4_mapped, 12) && a[12] == 127);
}

/* Fill a request for a loopback target; exits on anything else. */
static void make_request(const wchar_t *addr, const wchar_t *port, const wchar_t *timeout,
                         const wchar_t *mode, WSKCONNECT_REQUEST *req)
{
    memset(req, 0, sizeof(*req));
    req->Version = WSKCONNECT_VERSION;
    req->Size = sizeof(*req);
    req->Port = (USHORT)wcstoul(port, NULL, 10);
    req->TimeoutMs = timeout ? wcstoul(timeout, NULL, 10) : 5000;
    req->Mode = (mode && !wcscmp(mode, L"socket")) ? WSKCONNECT_MODE_SOCKET_CONNECT
                                                    : WSKCONNECT_MODE_BIND_CONNECT;
    if (InetPtonW(AF_INET, addr, req->Address) == 1) {
        req->Family = WSKCONNECT_AF_INET;
    } else if (InetPtonW(AF_INET6, addr, req->Address) == 1) {
        req->Family = WSKCONNECT_AF_INET6;
    } else {
        fprintf(stderr, "bad address %ls\n", addr);
        exit(2);
    }
    if (!is_loopback(req->Family == WSKCONNECT_AF_INET ? AF_INET : AF_INET6, req->Address)) {
        fprintf(stderr, "refusing non-loopback target %ls\n", addr);
        exit(2);
    }
}

static HANDLE open_device(BOOL overlapped)
{
    HANDLE h = CreateFileW(WSKCONNECT_USER_PATH_W, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING,
                           overlapped ? FILE_FLAG_OVERLAPPED : 0, NULL);
    if (h == INVALID_HANDLE_VALUE)
        fprintf(stderr, "open %ls failed: %lu\n", WSKCONNECT_USER_PATH_W, GetLastError());
    return h;
}

/* ------------------------------------------------------------------------- */
/* Service control */

static SC_HANDLE open_service(DWORD access)
{
    SC_HANDLE scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_ALL_ACCESS), svc;
    if (!scm) {
        fprintf(stderr, "OpenSCManager: %lu\n", GetLastError());
        return NULL;
    }
    svc = OpenServiceW(scm, WSKCONNECT_SERVICE_NAME_W, access);
    if (!svc)
        fprintf(stderr, "OpenService: %lu\n", GetLastError());
    CloseServiceHandle(scm);
    return svc;
}

static int cmd_install(const wchar_t *path)
{
    wchar_t full[MAX_PATH];
    SC_HANDLE scm, svc;

    if (!GetFullPathNameW(path, MAX_PATH, full, NULL)) {
        fprintf(stderr, "GetFullPathName: %lu\n", GetLastError());
        return 1;
    }
    scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_ALL_ACCESS);
    if (!scm) {
        fprintf(stderr, "OpenSCManager: %lu\n", GetLastError());
        return 1;
    }
    svc = CreateServiceW(scm, WSKCONNECT_SERVICE_NAME_W, WSKCONNECT_SERVICE_NAME_W, SERVICE_ALL_ACCESS,
                         SERVICE_KERNEL_DRIVER, SERVICE_DEMAND_START, SERVICE_ERROR_NORMAL, full, NULL,
                         NULL, NULL, NULL, NULL);
    if (!svc) {
        fprintf(stderr, "CreateService: %lu\n", GetLastError());
        CloseServiceHandle(scm);
        return 1;
    }
    printf("installed %ls\n", full);
    CloseServiceHandle(svc);
    CloseServiceHandle(scm);
    return 0;
}

static DWORD service_state(SC_HANDLE svc)
{
    SERVICE_STATUS st;
    return QueryServiceStatus(svc, &st) ? st.dwCurrentState : 0;
}

static int wait_state(SC_HANDLE svc, DWORD want, DWORD ms)
{
    double until = now_ms() + ms;
    while (now_ms() < until) {
        if (service_state(svc) == want)
            return 1;
        Sleep(10);
    }
    return 0;
}

static int cmd_start(void)
{
    SC_HANDLE svc = open_service(SERVICE_ALL_ACCESS);
    double t0 = now_ms();
    int ok;
    if (!svc)
        return 1;
    if (!StartServiceW(svc, 0, NULL)) {
        fprintf(stderr, "StartService: %lu\n", GetLastError());
        CloseServiceHandle(svc);
        return 1;
    }
    ok = wait_state(svc, SERVICE_RUNNING, 10000);
    printf("start: %s after %.1f ms\n", ok ? "RUNNING" : "NOT RUNNING", now_ms() - t0);
    CloseServiceHandle(svc);
    return ok ? 0 : 1;
}

static int stop_service(double *ms)
{
    SC_HANDLE svc = open_service(SERVICE_ALL_ACCESS);
    SERVICE_STATUS st;
    double t0 = now_ms();
    int ok;
    if (!svc)
        return 0;
    if (!ControlService(svc, SERVICE_CONTROL_STOP, &st))
        fprintf(stderr, "ControlService(STOP): %lu\n", GetLastError());
    ok = wait_state(svc, SERVICE_STOPPED, 30000);
    *ms = now_ms() - t0;
    CloseServiceHandle(svc);
    return ok;
}

static int cmd_stop(void)
{
    double ms;
    int ok = stop_service(&ms);
    printf("stop: %s after %.1f ms\n", ok ? "STOPPED" : "NOT STOPPED", ms);
    return ok ? 0 : 1;
}

static int cmd_delete(void)
{
    SC_HANDLE svc = open_service(SERVICE_ALL_ACCESS);
    int ok;
    if (!svc)
        return 1;
    ok = DeleteService(svc);
    if (!ok)
        fprintf(stderr, "DeleteService: %lu\n", GetLastError());
    else
        printf("deleted\n");
    CloseServiceHandle(svc);
    return ok ? 0 : 1;
}

static int cmd_status(void)
{
    SC_HANDLE svc = open_service(SERVICE_QUERY_STATUS);
    if (!svc)
        return 1;
    printf("state %lu (1=stopped 4=running)\n", service_state(svc));
    CloseServiceHandle(svc);
    return 0;
}

/* ------------------------------------------------------------------------- */
/* Connect */

static int cmd_connect(const WSKCONNECT_REQUEST *req)
{
    WSKCONNECT_RESULT res;
    DWORD bytes = 0;
    HANDLE h = open_device(FALSE);
    double t0;
    BOOL ok;

    if (h == INVALID_HANDLE_VALUE)
        return 1;
    memset(&res, 0xCC, sizeof(res));
    t0 = now_ms();
    ok = DeviceIoControl(h, IOCTL_WSKCONNECT_CONNECT, (void *)req, sizeof(*req), &res, sizeof(res), &bytes,
                         NULL);
    printf("DeviceIoControl=%d error=%lu bytes=%lu wall=%.1f ms\n", ok, ok ? 0 : GetLastError(),
           bytes, now_ms() - t0);
    if (ok && bytes == sizeof(res))
        print_result(&res);
    CloseHandle(h);
    return ok && res.FinalStatus == 0 ? 0 : 3;
}

/* n overlapped IOCTLs outstanding at once on one handle. */
typedef struct {
    OVERLAPPED ov;
    WSKCONNECT_RESULT res;
    double issued;
} INFLIGHT;

static INFLIGHT *issue(HANDLE h, const WSKCONNECT_REQUEST *req, int n)
{
    INFLIGHT *f = calloc((size_t)n, sizeof(*f));
    int i;
    for (i = 0; i < n; i++) {
        f[i].ov.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL);
        f[i].issued = now_ms();
        if (!DeviceIoControl(h, IOCTL_WSKCONNECT_CONNECT, (void *)req, sizeof(*req), &f[i].res,
                             sizeof(f[i].res), NULL, &f[i].ov) &&
            GetLastError() != ERROR_IO_PENDING)
            fprintf(stderr, "request %d: DeviceIoControl failed %lu\n", i, GetLastError());
    }
    return f;
}

/* Wait for each, print a one-line summary; returns how many completed. */
static int collect(HANDLE h, INFLIGHT *f, int n, DWORD wait_ms, int verbose)
{
    int i, done = 0;
    for (i = 0; i < n; i++) {
        DWORD bytes = 0;
        BOOL ok = FALSE;
        DWORD w = WaitForSingleObject(f[i].ov.hEvent, wait_ms);
        if (w == WAIT_OBJECT_0) {
            ok = GetOverlappedResult(h, &f[i].ov, &bytes, FALSE);
            done++;
        }
        printf("req %d: %s ok=%d err=%lu bytes=%lu after %.1f ms: final=0x%08lX %s connect=0x%08lX "
               "close=0x%08lX flags=0x%02lX elapsed=%llu us\n",
               i, w == WAIT_OBJECT_0 ? "completed" : "NOT COMPLETED", ok, ok ? 0 : GetLastError(), bytes,
               now_ms() - f[i].issued, (unsigned long)(ULONG)f[i].res.FinalStatus,
               status_name(f[i].res.FinalStatus), (unsigned long)(ULONG)f[i].res.ConnectStatus,
               (unsigned long)(ULONG)f[i].res.CloseStatus, (unsigned long)f[i].res.Flags,
               (unsigned long long)f[i].res.ElapsedMicroseconds);
        if (verbose && ok)
            print_result(&f[i].res);
    }
    return done;
}

static int cmd_concurrent(int n, const WSKCONNECT_REQUEST *req)
{
    HANDLE h = open_device(TRUE);
    double t0 = now_ms();
    INFLIGHT *f;
    int done, i, good = 0;
    if (h == INVALID_HANDLE_VALUE)
        return 1;
    f = issue(h, req, n);
    done = collect(h, f, n, 70000, 0);
    for (i = 0; i < n; i++)
        good += f[i].res.FinalStatus == 0;
    printf("concurrent: %d/%d completed, %d connected, wall %.1f ms\n", done, n, good, now_ms() - t0);
    CloseHandle(h);
    return done == n ? 0 : 1;
}

static int cmd_cancel(const WSKCONNECT_REQUEST *req, DWORD delay)
{
    HANDLE h = open_device(TRUE);
    INFLIGHT *f;
    int done;
    if (h == INVALID_HANDLE_VALUE)
        return 1;
    f = issue(h, req, 1);
    Sleep(delay);
    printf("CancelIoEx=%d\n", CancelIoEx(h, &f[0].ov));
    done = collect(h, f, 1, 30000, 1);
    CloseHandle(h);
    return done == 1 && f[0].res.FinalStatus == (LONG)STATUS_CANCELLED ? 0 : 1;
}

static int cmd_closeinflight(const WSKCONNECT_REQUEST *req, DWORD delay)
{
    HANDLE h = open_device(TRUE);
    INFLIGHT *f;
    double t0;
    DWORD w;
    if (h == INVALID_HANDLE_VALUE)
        return 1;
    f = issue(h, req, 1);
    Sleep(delay);
    t0 = now_ms();
    CloseHandle(h);
    w = WaitForSingleObject(f[0].ov.hEvent, 30000);
    printf("after CloseHandle: event %s after %.1f ms, Internal=0x%08lX final=0x%08lX %s flags=0x%02lX\n",
           w == WAIT_OBJECT_0 ? "signalled" : "NOT signalled", now_ms() - t0,
           (unsigned long)f[0].ov.Internal, (unsigned long)(ULONG)f[0].res.FinalStatus,
           status_name(f[0].res.FinalStatus), (unsigned long)f[0].res.Flags);
    return w == WAIT_OBJECT_0 ? 0 : 1;
}

static int cmd_stopinflight(int n, const WSKCONNECT_REQUEST *req, DWORD delay)
{
    HANDLE h = open_device(TRUE), again;
    double stop_ms;
    INFLIGHT *f;
    int done, stopped;
    if (h == INVALID_HANDLE_VALUE)
        return 1;
    f = issue(h, req, n);
    Sleep(delay);
    printf("stopping the service with %d connect(s) in flight\n", n);
    stopped = stop_service(&stop_ms);
    printf("service %s after %.1f ms\n", stopped ? "STOPPED" : "NOT STOPPED", stop_ms);
    done = collect(h, f, n, 30000, 0);
    CloseHandle(h);
    again = CreateFileW(WSKCONNECT_USER_PATH_W, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
    printf("reopen after stop: %s (error %lu)\n", again == INVALID_HANDLE_VALUE ? "fails" : "SUCCEEDS",
           again == INVALID_HANDLE_VALUE ? GetLastError() : 0);
    if (again != INVALID_HANDLE_VALUE)
        CloseHandle(again);
    return stopped && done == n && again == INVALID_HANDLE_VALUE ? 0 : 1;
}

/* ------------------------------------------------------------------------- */
/* Malformed requests: raw NTSTATUS through NtDeviceIoControlFile. */

typedef struct {
    const char *name;
    ULONG code;
    ULONG in_len, out_len;
    void (*mutate)(WSKCONNECT_REQUEST *);
    NTSTATUS expect;
} BAD_CASE;

static void m_none(WSKCONNECT_REQUEST *r) { (void)r; }
static void m_version(WSKCONNECT_REQUEST *r) { r->Version = 99; }
static void m_size(WSKCONNECT_REQUEST *r) { r->Size = 12; }
static void m_family(WSKCONNECT_REQUEST *r) { r->Family = 17; }
static void m_port0(WSKCONNECT_REQUEST *r) { r->Port = 0; }
static void m_mode(WSKCONNECT_REQUEST *r) { r->Mode = 7; }
static void m_timeout0(WSKCONNECT_REQUEST *r) { r->TimeoutMs = 0; }
static void m_timeout_big(WSKCONNECT_REQUEST *r) { r->TimeoutMs = WSKCONNECT_TIMEOUT_MAX_MS + 1; }
static void m_v4_junk(WSKCONNECT_REQUEST *r) { r->Family = WSKCONNECT_AF_INET; r->Address[9] = 1; }
static void m_v4_scope(WSKCONNECT_REQUEST *r) { r->Family = WSKCONNECT_AF_INET; r->ScopeId = 3; }
static void m_unspec(WSKCONNECT_REQUEST *r) { r->Family = WSKCONNECT_AF_INET; memset(r->Address, 0, 16); }
static void m_bcast(WSKCONNECT_REQUEST *r)
{
    r->Family = WSKCONNECT_AF_INET;
    memset(r->Address, 0, 16);
    memset(r->Address, 255, 4);
}
static void m_mcast(WSKCONNECT_REQUEST *r)
{
    r->Family = WSKCONNECT_AF_INET;
    memset(r->Address, 0, 16);
    r->Address[0] = 224;
    r->Address[3] = 1;
}
static void m_v6_unspec(WSKCONNECT_REQUEST *r) { r->Family = WSKCONNECT_AF_INET6; memset(r->Address, 0, 16); }

static int cmd_malformed(const WSKCONNECT_REQUEST *good)
{
    const ULONG INSZ = sizeof(WSKCONNECT_REQUEST), OUTSZ = sizeof(WSKCONNECT_RESULT);
    const BAD_CASE cases[] = {
        { "unknown ioctl code", CTL_CODE(FILE_DEVICE_WSKCONNECT, 0x8FF, METHOD_BUFFERED, FILE_READ_DATA | FILE_WRITE_DATA), INSZ, OUTSZ, m_none, STATUS_INVALID_DEVICE_REQUEST },
        { "input 0 bytes", IOCTL_WSKCONNECT_CONNECT, 0, OUTSZ, m_none, STATUS_INVALID_PARAMETER },
        { "input 1 short", IOCTL_WSKCONNECT_CONNECT, INSZ - 1, OUTSZ, m_none, STATUS_INVALID_PARAMETER },
        { "input 1 long", IOCTL_WSKCONNECT_CONNECT, INSZ + 1, OUTSZ, m_none, STATUS_INVALID_PARAMETER },
        { "output 0 bytes", IOCTL_WSKCONNECT_CONNECT, INSZ, 0, m_none, STATUS_BUFFER_TOO_SMALL },
        { "output 1 short", IOCTL_WSKCONNECT_CONNECT, INSZ, OUTSZ - 1, m_none, STATUS_BUFFER_TOO_SMALL },
        { "output 1 long", IOCTL_WSKCONNECT_CONNECT, INSZ, OUTSZ + 1, m_none, STATUS_INVALID_PARAMETER },
        { "bad version", IOCTL_WSKCONNECT_CONNECT, INSZ, OUTSZ, m_version, STATUS_REVISION_MISMATCH },
        { "bad size field", IOCTL_WSKCONNECT_CONNECT, INSZ, OUTSZ, m_size, STATUS_REVISION_MISMATCH },
        { "bad family 17", IOCTL_WSKCONNECT_CONNECT, INSZ, OUTSZ, m_family, STATUS_INVALID_PARAMETER },
        { "zero port", IOCTL_WSKCONNECT_CONNECT, INSZ, OUTSZ, m_port0, STATUS_INVALID_PARAMETER },
        { "bad mode 7", IOCTL_WSKCONNECT_CONNECT, INSZ, OUTSZ, m_mode, STATUS_INVALID_PARAMETER },
        { "timeout 0", IOCTL_WSKCONNECT_CONNECT, INSZ, OUTSZ, m_timeout0, STATUS_INVALID_PARAMETER },
        { "timeout max+1", IOCTL_WSKCONNECT_CONNECT, INSZ, OUTSZ, m_timeout_big, STATUS_INVALID_PARAMETER },
        { "v4 junk in bytes 4..15", IOCTL_WSKCONNECT_CONNECT, INSZ, OUTSZ, m_v4_junk, STATUS_INVALID_PARAMETER },
        { "v4 with scope id", IOCTL_WSKCONNECT_CONNECT, INSZ, OUTSZ, m_v4_scope, STATUS_INVALID_PARAMETER },
        { "v4 0.0.0.0", IOCTL_WSKCONNECT_CONNECT, INSZ, OUTSZ, m_unspec, STATUS_INVALID_PARAMETER },
        { "v4 255.255.255.255", IOCTL_WSKCONNECT_CONNECT, INSZ, OUTSZ, m_bcast, STATUS_INVALID_PARAMETER },
        { "v4 224.0.0.1", IOCTL_WSKCONNECT_CONNECT, INSZ, OUTSZ, m_mcast, STATUS_INVALID_PARAMETER },
        { "v6 ::", IOCTL_WSKCONNECT_CONNECT, INSZ, OUTSZ, m_v6_unspec, STATUS_INVALID_PARAMETER },
    };
    NtDeviceIoControlFile_t ntioctl =
        (NtDeviceIoControlFile_t)(void *)GetProcAddress(GetModuleHandleW(L"ntdll.dll"), "NtDeviceIoControlFile");
    HANDLE h = open_device(FALSE);
    unsigned char in[256], out[256];
    int failures = 0;
    size_t i;

    if (h == INVALID_HANDLE_VALUE || !ntioctl)
        return 1;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        WSKCONNECT_REQUEST req = *good;
        IO_STATUS_BLOCK iosb;
        NTSTATUS st;
        cases[i].mutate(&req);
        memset(in, 0, sizeof(in));
        memcpy(in, &req, sizeof(req));
        memset(out, 0xCC, sizeof(out));
        iosb.Status = -1;
        iosb.Information = 12345;
        st = ntioctl(h, NULL, NULL, NULL, &iosb, cases[i].code, in, cases[i].in_len, out, cases[i].out_len);
        printf("%-24s -> 0x%08lX %-30s info=%lu %s\n", cases[i].name, (unsigned long)st, status_name(st),
               (unsigned long)iosb.Information, st == cases[i].expect ? "OK" : "UNEXPECTED");
        failures += st != cases[i].expect;
    }
    CloseHandle(h);
    printf("malformed: %d unexpected\n", failures);
    return failures ? 1 : 0;
}

/* Handle count of each winedevice.exe (the driver's WSK sockets are handles
 * of its host process), to check that bursts of connects leak none. Uses
 * SystemHandleInformation: Wine's GetProcessHandleCount is a stub returning 0. */
typedef struct {
    ULONG OwnerPid;
    BYTE ObjectType;
    BYTE HandleFlags;
    USHORT HandleValue;
    PVOID ObjectPointer;
    ULONG AccessMask;
} HANDLE_ENTRY;
typedef struct {
    ULONG Count;
    HANDLE_ENTRY Handle[1];
} HANDLE_LIST;
typedef NTSTATUS(NTAPI *NtQuerySystemInformation_t)(ULONG, PVOID, ULONG, PULONG);

static ULONG handles_of(const HANDLE_LIST *list, DWORD pid)
{
    ULONG i, n = 0;
    for (i = 0; i < list->Count; i++)
        n += list->Handle[i].OwnerPid == pid;
    return n;
}

static int cmd_handles(void)
{
    NtQuerySystemInformation_t query = (NtQuerySystemInformation_t)(void *)GetProcAddress(
        GetModuleHandleW(L"ntdll.dll"), "NtQuerySystemInformation");
    HANDLE snap = CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0);
    ULONG size = 1 << 20;
    HANDLE_LIST *list = NULL;
    PROCESSENTRY32W pe;
    NTSTATUS st;

    if (!query || snap == INVALID_HANDLE_VALUE)
        return 1;
    do {
        free(list);
        size *= 2;
        list = malloc(size);
        st = query(16 /* SystemHandleInformation */, list, size, NULL);
    } while (st == (NTSTATUS)STATUS_INFO_LENGTH_MISMATCH && size < (64u << 20));
    if (st) {
        fprintf(stderr, "NtQuerySystemInformation: 0x%08lX\n", (unsigned long)st);
        return 1;
    }
    pe.dwSize = sizeof(pe);
    for (BOOL more = Process32FirstW(snap, &pe); more; more = Process32NextW(snap, &pe)) {
        if (!_wcsicmp(pe.szExeFile, L"winedevice.exe"))
            printf("winedevice pid %lu handles %lu\n", pe.th32ProcessID, handles_of(list, pe.th32ProcessID));
    }
    CloseHandle(snap);
    free(list);
    return 0;
}

/* ------------------------------------------------------------------------- */

static int usage(void)
{
    fprintf(stderr,
            "usage: wskctl install <sys> | start | stop | delete | status | handles\n"
            "       wskctl connect <addr> <port> [timeoutMs] [bind|socket]\n"
            "       wskctl concurrent <n> <addr> <port> [timeoutMs] [bind|socket]\n"
            "       wskctl malformed <addr> <port>\n"
            "       wskctl cancel|closeinflight <addr> <port> <timeoutMs> <delayMs>\n"
            "       wskctl stopinflight <n> <addr> <port> <timeoutMs> <delayMs>\n");
    return 2;
}

int wmain(int argc, wchar_t **argv)
{
    WSKCONNECT_REQUEST req;
    WSADATA wsa;
    const wchar_t *cmd;

    setvbuf(stdout, NULL, _IONBF, 0);
    WSAStartup(MAKEWORD(2, 2), &wsa);
    if (argc < 2)
        return usage();
    cmd = argv[1];
    if (!wcscmp(cmd, L"install") && argc == 3)
        return cmd_install(argv[2]);
    if (!wcscmp(cmd, L"start"))
        return cmd_start();
    if (!wcscmp(cmd, L"stop"))
        return cmd_stop();
    if (!wcscmp(cmd, L"delete"))
        return cmd_delete();
    if (!wcscmp(cmd, L"status"))
        return cmd_status();
    if (!wcscmp(cmd, L"handles"))
        return cmd_handles();
    if (!wcscmp(cmd, L"connect") && argc >= 4) {
        make_request(argv[2], argv[3], argc > 4 ? argv[4] : NULL, argc > 5 ? argv[5] : NULL, &req);
        return cmd_connect(&req);
    }
    if (!wcscmp(cmd, L"concurrent") && argc >= 5) {
        make_request(argv[3], argv[4], argc > 5 ? argv[5] : NULL, argc > 6 ? argv[6] : NULL, &req);
        return cmd_concurrent(_wtoi(argv[2]), &req);
    }
    if (!wcscmp(cmd, L"malformed") && argc == 4) {
        make_request(argv[2], argv[3], NULL, NULL, &req);
        return cmd_malformed(&req);
    }
    if (!wcscmp(cmd, L"cancel") && argc == 6) {
        make_request(argv[2], argv[3], argv[4], NULL, &req);
        return cmd_cancel(&req, wcstoul(argv[5], NULL, 10));
    }
    if (!wcscmp(cmd, L"closeinflight") && argc == 6) {
        make_request(argv[2], argv[3], argv[4], NULL, &req);
        return cmd_closeinflight(&req, wcstoul(argv[5], NULL, 10));
    }
    if (!wcscmp(cmd, L"stopinflight") && argc == 7) {
        make_request(argv[3], argv[4], argv[5], NULL, &req);
        return cmd_stopinflight(_wtoi(argv[2]), &req, wcstoul(argv[6], NULL, 10));
    }
    return usage();
}
