/*
 * costs.exe: what each piece of one connect costs, without Node. A diagnostic
 * companion to bench/run.js (`npm run bench` runs it and prints the table): it
 * times, in a loop on the same loopback listener, every system call the addon's
 * connect path and libuv's net.connect path make, and the thread hand-offs
 * between them, so the gap between the two paths can be explained call by call.
 * Under Wine each call that reaches wineserver costs a round trip; on Windows the
 * same table shows what is left.
 *
 *   costs.exe <port> <iterations> <out.json>
 *
 * Writes {"iterations":N,"rows":[{"name":..,"medianUs":..,"p99Us":..},..]} to out.json.
 * Loopback only (127.0.0.1).
 *
 * Build: x86_64-w64-mingw32-g++-posix -O2 -static -o costs.exe costs.cc -lws2_32 -lmswsock
 */
#define WIN32_LEAN_AND_MEAN
#include <winsock2.h>
#include <ws2tcpip.h>
#include <mswsock.h>
#include <windows.h>

#include <algorithm>
#include <atomic>
#include <cwchar>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#ifndef WSA_FLAG_NO_HANDLE_INHERIT
#define WSA_FLAG_NO_HANDLE_INHERIT 0x80
#endif

namespace {

sockaddr_in g_target;
LARGE_INTEGER g_frequency;

double NowUs() {
  LARGE_INTEGER t;
  QueryPerformanceCounter(&t);
  return static_cast<double>(t.QuadPart) * 1e6 / static_cast<double>(g_frequency.QuadPart);
}

struct Row {
  std::string name;
  double median_us;
  double p99_us;
  int errors;
};

std::vector<Row> g_rows;

// Times `body` `iterations` times (after a short warm-up); `setup`/`teardown`
// run around each timed call, untimed. `body` returns false on failure.
void Measure(const char* name, int iterations, const std::function<void()>& setup, const std::function<bool()>& body,
             const std::function<void()>& teardown) {
  std::vector<double> samples;
  int errors = 0;
  for (int i = 0; i < iterations + 10; i++) {
    setup();
    double t0 = NowUs();
    bool ok = body();
    double t1 = NowUs();
    teardown();
    if (!ok) {
      errors++;
      continue;
    }
    if (i >= 10) samples.push_back(t1 - t0);
  }
  std::sort(samples.begin(), samples.end());
  double median = samples.empty() ? 0 : samples[samples.size() / 2];
  double p99 = samples.empty() ? 0 : samples[std::min(samples.size() - 1, (samples.size() * 99 + 99) / 100 - 1)];
  g_rows.push_back({name, median, p99, errors});
  std::printf("%-58s %9.1f us  (p99 %9.1f)%s\n", name, median, p99, errors ? "  ERRORS" : "");
  std::fflush(stdout);
}

void Nothing() {}

SOCKET NewSocket() {
  return WSASocketW(AF_INET, SOCK_STREAM, IPPROTO_TCP, nullptr, 0, WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
}

bool BlockingConnect(SOCKET s) {
  return WSAConnect(s, reinterpret_cast<const sockaddr*>(&g_target), sizeof g_target, nullptr, nullptr, nullptr,
                    nullptr) == 0;
}

LPFN_CONNECTEX ConnectExOf(SOCKET s) {
  GUID guid = WSAID_CONNECTEX;
  LPFN_CONNECTEX fn = nullptr;
  DWORD bytes = 0;
  WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &guid, sizeof guid, &fn, sizeof fn, &bytes, nullptr, nullptr);
  return fn;
}

bool BindAny(SOCKET s) {
  sockaddr_in any{};
  any.sin_family = AF_INET;
  return bind(s, reinterpret_cast<sockaddr*>(&any), sizeof any) == 0;
}

// The addon's wsaConnect path: WSAEventSelect(FD_CONNECT), non-blocking WSAConnect,
// wait, WSAEnumNetworkEvents, detach, close the event.
bool EventSelectConnect(SOCKET s, WSAEVENT event, bool own_event) {
  WSAEVENT e = own_event ? WSACreateEvent() : event;
  if (WSAEventSelect(s, e, FD_CONNECT) != 0) return false;
  int rc = WSAConnect(s, reinterpret_cast<const sockaddr*>(&g_target), sizeof g_target, nullptr, nullptr, nullptr, nullptr);
  bool ok = rc == 0;
  if (!ok && WSAGetLastError() == WSAEWOULDBLOCK) {
    WaitForSingleObject(e, 5000);
    WSANETWORKEVENTS events{};
    WSAEnumNetworkEvents(s, e, &events);
    ok = (events.lNetworkEvents & FD_CONNECT) && events.iErrorCode[FD_CONNECT_BIT] == 0;
  }
  WSAEventSelect(s, nullptr, 0);
  if (own_event) WSACloseEvent(e);
  return ok;
}

// ConnectEx with an event in the OVERLAPPED (an overlapped connect waited on alone).
bool ConnectExWithEvent(SOCKET s, HANDLE event) {
  if (!BindAny(s)) return false;
  LPFN_CONNECTEX connect_ex = ConnectExOf(s);
  OVERLAPPED overlapped{};
  overlapped.hEvent = event;
  ResetEvent(event);
  if (!connect_ex(s, reinterpret_cast<const sockaddr*>(&g_target), sizeof g_target, nullptr, 0, nullptr, &overlapped)) {
    if (WSAGetLastError() != ERROR_IO_PENDING) return false;
    WaitForSingleObject(event, 5000);
  }
  DWORD bytes = 0, flags = 0;
  return WSAGetOverlappedResult(s, &overlapped, &bytes, FALSE, &flags) != FALSE;
}

// ConnectEx completed through an I/O completion port (what libuv does for net.connect).
bool ConnectExWithPort(SOCKET s, HANDLE port) {
  if (!BindAny(s)) return false;
  if (CreateIoCompletionPort(reinterpret_cast<HANDLE>(s), port, 1, 0) != port) return false;
  LPFN_CONNECTEX connect_ex = ConnectExOf(s);
  OVERLAPPED overlapped{};
  if (!connect_ex(s, reinterpret_cast<const sockaddr*>(&g_target), sizeof g_target, nullptr, 0, nullptr, &overlapped)) {
    if (WSAGetLastError() != ERROR_IO_PENDING) return false;
  }
  OVERLAPPED_ENTRY entry;
  ULONG count = 0;
  if (!GetQueuedCompletionStatusEx(port, &entry, 1, &count, 5000, FALSE)) return false;
  return entry.lpOverlapped == &overlapped &&
         setsockopt(s, SOL_SOCKET, SO_UPDATE_CONNECT_CONTEXT, nullptr, 0) == 0;
}

// A worker that runs one posted function at a time; the poster waits for the
// result through the chosen hand-off, like a JS thread waiting on the pool.
class StdWorker {
 public:
  StdWorker() : thread_([this] { Loop(); }) {}
  ~StdWorker() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    ready_.notify_one();
    thread_.join();
  }
  void Run(const std::function<void()>& fn) {
    std::unique_lock<std::mutex> lock(mutex_);
    job_ = &fn;
    done_ = false;
    ready_.notify_one();
    finished_.wait(lock, [this] { return done_; });
  }

 private:
  void Loop() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      ready_.wait(lock, [this] { return stop_ || job_ != nullptr; });
      if (stop_) return;
      const std::function<void()>* fn = job_;
      job_ = nullptr;
      lock.unlock();
      (*fn)();
      lock.lock();
      done_ = true;
      finished_.notify_one();
    }
  }
  std::mutex mutex_;
  std::condition_variable ready_;
  std::condition_variable finished_;
  const std::function<void()>* job_ = nullptr;
  bool done_ = false;
  bool stop_ = false;
  std::thread thread_;
};

class SrwWorker {
 public:
  SrwWorker() {
    InitializeSRWLock(&lock_);
    InitializeConditionVariable(&ready_);
    InitializeConditionVariable(&finished_);
    thread_ = std::thread([this] { Loop(); });
  }
  ~SrwWorker() {
    AcquireSRWLockExclusive(&lock_);
    stop_ = true;
    ReleaseSRWLockExclusive(&lock_);
    WakeConditionVariable(&ready_);
    thread_.join();
  }
  void Run(const std::function<void()>& fn) {
    AcquireSRWLockExclusive(&lock_);
    job_ = &fn;
    done_ = false;
    ReleaseSRWLockExclusive(&lock_);
    WakeConditionVariable(&ready_);
    AcquireSRWLockExclusive(&lock_);
    while (!done_) SleepConditionVariableSRW(&finished_, &lock_, INFINITE, 0);
    ReleaseSRWLockExclusive(&lock_);
  }

 private:
  void Loop() {
    AcquireSRWLockExclusive(&lock_);
    for (;;) {
      while (!stop_ && job_ == nullptr) SleepConditionVariableSRW(&ready_, &lock_, INFINITE, 0);
      if (stop_) break;
      const std::function<void()>* fn = job_;
      job_ = nullptr;
      ReleaseSRWLockExclusive(&lock_);
      (*fn)();
      AcquireSRWLockExclusive(&lock_);
      done_ = true;
      WakeConditionVariable(&finished_);
    }
    ReleaseSRWLockExclusive(&lock_);
  }
  SRWLOCK lock_;
  CONDITION_VARIABLE ready_;
  CONDITION_VARIABLE finished_;
  const std::function<void()>* job_ = nullptr;
  bool done_ = false;
  bool stop_ = false;
  std::thread thread_;
};

// The return hop Node uses (uv_async_send is a PostQueuedCompletionStatus to the
// loop's port): a worker posts, this thread waits in GetQueuedCompletionStatusEx.
class PortWorker {
 public:
  explicit PortWorker(HANDLE port) : port_(port) {}
  ~PortWorker() {}
  void Run(const std::function<void()>& fn) {
    srw_.Run([&] {
      fn();
      PostQueuedCompletionStatus(port_, 0, 7, nullptr);
    });
    OVERLAPPED_ENTRY entry;
    ULONG count = 0;
    GetQueuedCompletionStatusEx(port_, &entry, 1, &count, 5000, FALSE);
  }

 private:
  HANDLE port_;
  SrwWorker srw_;
};

void WriteJson(const char* path, int iterations) {
  std::string tmp = std::string(path) + ".tmp";
  FILE* out = std::fopen(tmp.c_str(), "w");
  if (!out) return;
  std::fprintf(out, "{\"iterations\":%d,\"rows\":[", iterations);
  for (size_t i = 0; i < g_rows.size(); i++) {
    std::fprintf(out, "%s{\"name\":\"%s\",\"medianUs\":%.2f,\"p99Us\":%.2f,\"errors\":%d}", i ? "," : "",
                 g_rows[i].name.c_str(), g_rows[i].median_us, g_rows[i].p99_us, g_rows[i].errors);
  }
  std::fprintf(out, "]}\n");
  std::fclose(out);
  MoveFileExA(tmp.c_str(), path, MOVEFILE_REPLACE_EXISTING);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: costs.exe <port> <iterations> <out.json>\n");
    return 2;
  }
  int port = std::atoi(argv[1]);
  int n = std::atoi(argv[2]);
  if (port <= 0 || port > 65535 || n <= 0 || n > 100000) return 2;
  WSADATA wsa;
  if (WSAStartup(MAKEWORD(2, 2), &wsa) != 0) return 1;
  QueryPerformanceFrequency(&g_frequency);
  g_target.sin_family = AF_INET;
  g_target.sin_port = htons(static_cast<u_short>(port));
  inet_pton(AF_INET, "127.0.0.1", &g_target.sin_addr);

  SOCKET s = INVALID_SOCKET;
  auto open_socket = [&] { s = NewSocket(); };
  auto open_connected = [&] {
    s = NewSocket();
    BlockingConnect(s);
  };
  auto close_socket = [&] {
    closesocket(s);
    s = INVALID_SOCKET;
  };

  // --- single calls -----------------------------------------------------------
  Measure("QueryPerformanceCounter (timer floor)", n, Nothing, [] { return true; }, Nothing);
  Measure("GetCurrentProcessId (no server call)", n, Nothing, [] { return GetCurrentProcessId() != 0; }, Nothing);
  Measure("CreateEventW + CloseHandle", n, Nothing, [] {
    HANDLE e = CreateEventW(nullptr, TRUE, FALSE, nullptr);
    return e && CloseHandle(e);
  }, Nothing);
  HANDLE reusable = CreateEventW(nullptr, TRUE, FALSE, nullptr);
  Measure("ResetEvent (reused event)", n, Nothing, [&] { return ResetEvent(reusable) != FALSE; }, Nothing);
  Measure("SetEvent + WaitForSingleObject (signalled)", n, Nothing, [&] {
    SetEvent(reusable);
    return WaitForSingleObject(reusable, 0) == WAIT_OBJECT_0;
  }, Nothing);
  Measure("WSASocketW (TCP, overlapped) + closesocket", n, Nothing, [&] {
    SOCKET t = NewSocket();
    return t != INVALID_SOCKET && closesocket(t) == 0;
  }, Nothing);
  Measure("bind (wildcard, port 0)", n, open_socket, [&] { return BindAny(s); }, close_socket);
  Measure("WSAIoctl (get ConnectEx pointer)", n, open_socket, [&] { return ConnectExOf(s) != nullptr; }, close_socket);
  Measure("setsockopt IPV6_V6ONLY-like (SO_KEEPALIVE)", n, open_socket, [&] {
    BOOL on = TRUE;
    return setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, reinterpret_cast<char*>(&on), sizeof on) == 0;
  }, close_socket);
  Measure("ioctlsocket FIONBIO", n, open_socket, [&] {
    u_long on = 1;
    return ioctlsocket(s, FIONBIO, &on) == 0;
  }, close_socket);
  Measure("WSACreateEvent + WSACloseEvent", n, Nothing, [] {
    WSAEVENT e = WSACreateEvent();
    return e != WSA_INVALID_EVENT && WSACloseEvent(e);
  }, Nothing);
  Measure("WSAEventSelect (attach + detach)", n, open_socket, [&] {
    return WSAEventSelect(s, reusable, FD_CONNECT) == 0 && WSAEventSelect(s, nullptr, 0) == 0;
  }, close_socket);
  Measure("getsockname (connected)", n, open_connected, [&] {
    sockaddr_storage a;
    int len = sizeof a;
    return getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) == 0;
  }, close_socket);
  Measure("getpeername (connected)", n, open_connected, [&] {
    sockaddr_storage a;
    int len = sizeof a;
    return getpeername(s, reinterpret_cast<sockaddr*>(&a), &len) == 0;
  }, close_socket);
  Measure("setsockopt SO_UPDATE_CONNECT_CONTEXT", n, open_connected, [&] {
    return setsockopt(s, SOL_SOCKET, SO_UPDATE_CONNECT_CONTEXT, nullptr, 0) == 0;
  }, close_socket);
  Measure("getsockopt SO_PROTOCOL_INFOW (uv_tcp_open)", n, open_connected, [&] {
    WSAPROTOCOL_INFOW info;
    int len = sizeof info;
    return getsockopt(s, SOL_SOCKET, SO_PROTOCOL_INFOW, reinterpret_cast<char*>(&info), &len) == 0;
  }, close_socket);
  HANDLE scratch_port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, nullptr, 0, 1);
  Measure("CreateIoCompletionPort (associate socket)", n, open_socket, [&] {
    return CreateIoCompletionPort(reinterpret_cast<HANDLE>(s), scratch_port, 1, 0) == scratch_port;
  }, close_socket);

  Measure("std::thread start (+ join, untimed)", n, Nothing, [&] {
    std::thread t([] {});
    t.detach();
    return true;
  }, [] { Sleep(0); });
  {
    std::mutex m;
    Measure("std::mutex lock + unlock (uncontended)", n, Nothing, [&] {
      m.lock();
      m.unlock();
      return true;
    }, Nothing);
  }

  // --- thread hand-offs (one round trip: there and back) ----------------------
  {
    StdWorker worker;
    Measure("hand-off: std::condition_variable there and back", n, Nothing, [&] {
      worker.Run(Nothing);
      return true;
    }, Nothing);
  }
  {
    SrwWorker worker;
    Measure("hand-off: SRWLOCK/CONDITION_VARIABLE there and back", n, Nothing, [&] {
      worker.Run(Nothing);
      return true;
    }, Nothing);
  }
  HANDLE loop_port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, nullptr, 0, 1);
  {
    PortWorker worker(loop_port);
    Measure("hand-off: SRW there, completion port back (TSFN-like)", n, Nothing, [&] {
      worker.Run(Nothing);
      return true;
    }, Nothing);
  }
  Measure("PostQueuedCompletionStatus + GQCSEx (same thread)", n, Nothing, [&] {
    PostQueuedCompletionStatus(loop_port, 0, 7, nullptr);
    OVERLAPPED_ENTRY entry;
    ULONG count = 0;
    return GetQueuedCompletionStatusEx(loop_port, &entry, 1, &count, 5000, FALSE) != FALSE;
  }, Nothing);

  // --- whole connects (socket -> connect -> closesocket) ----------------------
  auto connect_row = [&](const char* name, const std::function<bool(SOCKET)>& connect) {
    Measure(name, n, Nothing, [&] {
      SOCKET t = NewSocket();
      bool ok = t != INVALID_SOCKET && connect(t);
      closesocket(t);
      return ok;
    }, Nothing);
  };
  connect_row("connect: blocking WSAConnect (the floor)", BlockingConnect);
  connect_row("connect: WSAEventSelect path, new event each time", [](SOCKET t) {
    return EventSelectConnect(t, nullptr, true);
  });
  connect_row("connect: WSAEventSelect path, reused event", [&](SOCKET t) {
    ResetEvent(reusable);
    return EventSelectConnect(t, reusable, false);
  });
  connect_row("connect: ConnectEx + event (bind, pointer, wait)", [&](SOCKET t) {
    return ConnectExWithEvent(t, reusable);
  });
  HANDLE connect_port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, nullptr, 0, 1);
  connect_row("connect: ConnectEx on a completion port (libuv's way)", [&](SOCKET t) {
    return ConnectExWithPort(t, connect_port);
  });
  connect_row("connect: blocking + getpeername + getsockname", [](SOCKET t) {
    sockaddr_storage a;
    int len = sizeof a;
    bool ok = BlockingConnect(t) && getpeername(t, reinterpret_cast<sockaddr*>(&a), &len) == 0;
    len = sizeof a;
    return ok && getsockname(t, reinterpret_cast<sockaddr*>(&a), &len) == 0;
  });
  {
    SrwWorker worker;
    PortWorker hop(loop_port);
    connect_row("connect: event-select path on a worker, port back", [&](SOCKET t) {
      bool ok = false;
      hop.Run([&] { ok = EventSelectConnect(t, nullptr, true); });
      return ok;
    });
  }

  // --- does a crowd of blocking connects stall another thread? -----------------
  // 128 threads connect in a loop while this thread waits 1 ms at a time on a
  // completion port (what libuv's loop does between events); the row is the
  // longest this thread went without getting back, median over 1 ms waits.
  auto crowd_row = [&](const char* name, const std::function<bool(SOCKET)>& connect, bool socket_calls = false) {
    std::atomic<bool> stop{false};
    std::atomic<int> connects{0};
    std::vector<std::thread> crowd;
    for (int t = 0; t < 128; t++) {
      crowd.emplace_back([&] {
        while (!stop.load()) {
          SOCKET c = NewSocket();
          if (connect(c)) connects.fetch_add(1);
          closesocket(c);
        }
      });
    }
    Sleep(100);
    std::vector<double> waits;
    double end = NowUs() + 1e6;
    while (NowUs() < end) {
      double t0 = NowUs();
      if (socket_calls) {
        SOCKET t = NewSocket();
        WSAPROTOCOL_INFOW info;
        int len = sizeof info;
        getsockopt(t, SOL_SOCKET, SO_PROTOCOL_INFOW, reinterpret_cast<char*>(&info), &len);
        closesocket(t);
      } else {
        OVERLAPPED_ENTRY entry;
        ULONG count = 0;
        GetQueuedCompletionStatusEx(loop_port, &entry, 1, &count, 1, FALSE);
      }
      waits.push_back(NowUs() - t0);
    }
    stop.store(true);
    for (auto& t : crowd) t.join();
    std::sort(waits.begin(), waits.end());
    double p99 = waits[std::min(waits.size() - 1, (waits.size() * 99 + 99) / 100 - 1)];
    g_rows.push_back({name, waits[waits.size() / 2], p99, 0});
    std::printf("%-58s %9.1f us  (p99 %9.1f, max %9.1f; %d connects/s)\n", name, waits[waits.size() / 2], p99, waits.back(),
                connects.load());
    std::fflush(stdout);
  };
  crowd_row("1 ms port wait, 128 threads in blocking WSAConnect", BlockingConnect);
  auto by_name = [&](SOCKET c) {
    wchar_t host[] = L"127.0.0.1";
    wchar_t service[16];
    swprintf(service, 16, L"%d", port);
    return WSAConnectByNameW(c, host, service, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr) != FALSE;
  };
  crowd_row("1 ms port wait, 128 threads in WSAConnectByNameW", by_name);
  crowd_row("socket+getsockopt+close, 128 threads in blocking WSAConnect", BlockingConnect, true);
  crowd_row("socket+getsockopt+close, 128 threads in WSAConnectByNameW", by_name, true);

  WriteJson(argv[3], n);
  WSACleanup();
  return 0;
}
