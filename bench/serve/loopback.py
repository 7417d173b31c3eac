#!/usr/bin/python3
"""Loopback TCP bandwidth on this machine: the ceiling for large responses.

    bench/serve/loopback.py [GIB]      (default 4)

One connection, 1 MiB writes and 1 MiB reads, sender and receiver in one
Python process (two threads; the copies are the kernel's, the Python
overhead per MiB is negligible).  Compare with req/s x bytes per response
of /api/v1/gaps (about 475 KB for 100 systems).
"""
import socket, sys, threading, time

N = int(float(sys.argv[1]) * (1 << 30)) if len(sys.argv) > 1 else 4 << 30
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(1)


def sink():
    c, _ = srv.accept()
    buf = bytearray(1 << 20)
    got = 0
    while got < N:
        n = c.recv_into(buf)
        if not n:
            break
        got += n


t = threading.Thread(target=sink)
t.start()
cl = socket.create_connection(srv.getsockname())
chunk = b"x" * (1 << 20)
t0 = time.perf_counter()
for _ in range(N >> 20):
    cl.sendall(chunk)
t.join()
dt = time.perf_counter() - t0
print("loopback TCP, one connection, 1 MiB writes: %.2f GB/s (%.1f GB in %.2f s)"
      % (N / dt / 1e9, N / 1e9, dt))
