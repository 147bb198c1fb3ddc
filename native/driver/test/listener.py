#!/usr/bin/env python3
"""Loopback-only TCP helpers for testing the WskConnect driver under Wine.

  listener.py accept <port> [host]   accept forever, print one line per accept
  listener.py full <port> [host]     listen(0), never accept, and fill the accept
                                     queue with our own connects so that further
                                     connects hang (SYNs dropped) -> timeouts
  listener.py refused <port> [host]  hold the port bound but NOT listening, so
                                     connects get RST -> connection refused

host defaults to 127.0.0.1 and must be a loopback address.
"""
import ipaddress
import socket
import sys
import time


def family_of(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def main():
    mode, port = sys.argv[1], int(sys.argv[2])
    host = sys.argv[3] if len(sys.argv) > 3 else "127.0.0.1"
    if not ipaddress.ip_address(host).is_loopback:
        sys.exit("loopback only")
    fam = family_of(host)
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, port))
    if mode == "refused":
        print(f"holding {host}:{port} bound, not listening", flush=True)
        while True:
            time.sleep(3600)
    if mode == "full":
        s.listen(0)
        fillers = []
        # Linux accepts backlog+1 connections into the queue; a few extra
        # connects guarantee it is full. Ours are non-blocking so they never hang.
        for _ in range(4):
            c = socket.socket(fam, socket.SOCK_STREAM)
            c.setblocking(False)
            try:
                c.connect((host, port))
            except (BlockingIOError, OSError):
                pass
            fillers.append(c)
        time.sleep(0.5)
        print(f"{host}:{port} accept queue full, never accepting", flush=True)
        while True:
            time.sleep(3600)
    s.listen(16)
    print(f"accepting on {host}:{port}", flush=True)
    n = 0
    while True:
        c, peer = s.accept()
        n += 1
        print(f"accept #{n} from {peer[0]}:{peer[1]} at {time.time():.3f}", flush=True)
        c.close()


if __name__ == "__main__":
    main()
