/*
 * floor.exe: the Winsock floor for `npm run bench`. The same calls the addon's
 * wsaConnect makes for one TCP connection, with nothing around them (no Node, no
 * thread hand-off, no libuv): WSASocketW -> blocking WSAConnect -> closesocket,
 * in a loop, timed with QueryPerformanceCounter.
 *
 *   floor.exe <port> <iterations> <warmup> <out.json> [address]
 *
 * address defaults to 127.0.0.1 (loopback only). Writes
 *   {"iterations":N,"warmup":W,"errors":E,"firstError":C,"medianMs":..,"p99Ms":..,"meanMs":..,"minMs":..,"samplesMs":[..]}
 * to out.json (a file, not a pipe: output is read by a Windows node.exe under Wine)
 * and the same line without samples to stdout. Exit code 0 when every timed
 * iteration connected.
 *
 * Build: x86_64-w64-mingw32-gcc-posix -O2 -static -o floor.exe floor.c -lws2_32
 */
#define WIN32_LEAN_AND_MEAN
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef WSA_FLAG_NO_HANDLE_INHERIT
#define WSA_FLAG_NO_HANDLE_INHERIT 0x80
#endif

#define MAX_ITERATIONS 100000

static int compare_double(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return (x > y) - (x < y);
}

/* One connection; returns 0 or the Winsock error. */
static int connect_once(const struct sockaddr_in* to) {
  SOCKET s = WSASocketW(AF_INET, SOCK_STREAM, IPPROTO_TCP, NULL, 0, WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
  if (s == INVALID_SOCKET) return WSAGetLastError();
  int err = 0;
  if (WSAConnect(s, (const struct sockaddr*)to, sizeof *to, NULL, NULL, NULL, NULL) != 0) err = WSAGetLastError();
  closesocket(s);
  return err;
}

int main(int argc, char** argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: floor.exe <port> <iterations> <warmup> <out.json> [address]\n");
    return 2;
  }
  int port = atoi(argv[1]);
  int iterations = atoi(argv[2]);
  int warmup = atoi(argv[3]);
  const char* out_path = argv[4];
  const char* address = argc > 5 ? argv[5] : "127.0.0.1";
  if (port <= 0 || port > 65535 || iterations <= 0 || iterations > MAX_ITERATIONS || warmup < 0 || warmup > MAX_ITERATIONS) {
    fprintf(stderr, "floor.exe: bad arguments\n");
    return 2;
  }

  WSADATA wsa;
  if (WSAStartup(MAKEWORD(2, 2), &wsa) != 0) {
    fprintf(stderr, "floor.exe: WSAStartup failed\n");
    return 1;
  }
  struct sockaddr_in to;
  memset(&to, 0, sizeof to);
  to.sin_family = AF_INET;
  to.sin_port = htons((u_short)port);
  if (inet_pton(AF_INET, address, &to.sin_addr) != 1) {
    fprintf(stderr, "floor.exe: not an IPv4 address: %s\n", address);
    return 2;
  }

  for (int i = 0; i < warmup; i++) connect_once(&to);

  double* samples = (double*)calloc((size_t)iterations, sizeof(double));
  if (!samples) return 1;
  LARGE_INTEGER frequency, start, end;
  QueryPerformanceFrequency(&frequency);
  int errors = 0, first_error = 0, count = 0;
  for (int i = 0; i < iterations; i++) {
    QueryPerformanceCounter(&start);
    int err = connect_once(&to);
    QueryPerformanceCounter(&end);
    if (err != 0) {
      if (errors++ == 0) first_error = err;
      continue;
    }
    samples[count++] = (double)(end.QuadPart - start.QuadPart) * 1000.0 / (double)frequency.QuadPart;
  }

  double median = 0, p99 = 0, mean = 0, min = 0;
  double* sorted = (double*)calloc((size_t)(count ? count : 1), sizeof(double));
  if (!sorted) return 1;
  if (count > 0) {
    memcpy(sorted, samples, (size_t)count * sizeof(double));
    qsort(sorted, (size_t)count, sizeof(double), compare_double);
    median = count % 2 ? sorted[count / 2] : (sorted[count / 2 - 1] + sorted[count / 2]) / 2;
    int p99_index = (int)((count * 99 + 99) / 100) - 1; /* ceil(0.99 n) - 1, nearest rank */
    p99 = sorted[p99_index < 0 ? 0 : p99_index];
    for (int i = 0; i < count; i++) mean += samples[i];
    mean /= count;
    min = sorted[0];
  }

  char summary[512];
  snprintf(summary, sizeof summary,
           "{\"iterations\":%d,\"warmup\":%d,\"connected\":%d,\"errors\":%d,\"firstError\":%d,"
           "\"medianMs\":%.4f,\"p99Ms\":%.4f,\"meanMs\":%.4f,\"minMs\":%.4f",
           iterations, warmup, count, errors, first_error, median, p99, mean, min);

  char tmp_path[MAX_PATH];
  snprintf(tmp_path, sizeof tmp_path, "%s.tmp", out_path);
  FILE* out = fopen(tmp_path, "w");
  if (!out) {
    fprintf(stderr, "floor.exe: cannot write %s\n", tmp_path);
    return 1;
  }
  fprintf(out, "%s,\"samplesMs\":[", summary);
  for (int i = 0; i < count; i++) fprintf(out, "%s%.4f", i ? "," : "", samples[i]);
  fprintf(out, "]}\n");
  fclose(out);
  if (!MoveFileExA(tmp_path, out_path, MOVEFILE_REPLACE_EXISTING)) {
    fprintf(stderr, "floor.exe: cannot rename %s to %s (%lu)\n", tmp_path, out_path, GetLastError());
    return 1;
  }
  printf("%s}\n", summary);
  fflush(stdout);

  free(sorted);
  free(samples);
  WSACleanup();
  return errors == 0 ? 0 : 1;
}
