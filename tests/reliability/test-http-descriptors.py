#!/usr/bin/env python3
# senxor-http-server keeps no descriptor for a client that has gone.  With
# libsoup 3.2 (Debian 12) a keep-alive connection that the client closes
# after reading its answer used to stay open in CLOSE-WAIT for good: with
# 256 descriptors the server stopped answering anyone after ~240 requests.
# The server runs under a 256-descriptor limit and serves 2,000 keep-alive
# request/close cycles on /snapshot.jpg and /temperature, then clients that
# connect and leave without a request, that leave half-way through one, and
# MJPEG viewers that leave; a new client must still be served and the
# server's open descriptors (/proc/PID/fd) must be back to their count
# before the load, exactly.
# usage: test-http-descriptors.py HTTP_SERVER
# SPDX-License-Identifier: LGPL-2.1-or-later
import ctypes
import http.client
import os
import re
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time

SERVER = sys.argv[1]
LIMIT = 256
CYCLES = 2000
CAMERA = "emulator://?module=mi08&scene=people&fast=1"


def fail(message):
    print("FAIL: " + message, file=sys.stderr)
    sys.exit(1)


def limit_and_die_with_parent():
    resource.setrlimit(resource.RLIMIT_NOFILE, (LIMIT, LIMIT))
    ctypes.CDLL(None).prctl(1, int(signal.SIGKILL))    # PR_SET_PDEATHSIG


log = tempfile.TemporaryFile()
# a small picture: the camera runs unpaced (fast=1) and the test is about
# connections, not encoding
server = subprocess.Popen([SERVER, "--port", "0", "--width", "80", "--device", CAMERA],
                          stdout=log, stderr=subprocess.STDOUT,
                          preexec_fn=limit_and_die_with_parent)


def output():
    log.seek(0)
    return log.read().decode("utf-8", "replace")


def stop_and_fail(message):
    server.kill()
    server.wait()
    fail("%s\n---- server output ----\n%s" % (message, output()))


deadline = time.monotonic() + 60
port = None
while port is None:
    m = re.search(r"serving http://127\.0\.0\.1:(\d+)/", output())
    if m:
        port = int(m.group(1))
    elif server.poll() is not None or time.monotonic() > deadline:
        stop_and_fail("the server did not start")
    else:
        time.sleep(0.1)


def descriptors():
    return len(os.listdir("/proc/%d/fd" % server.pid))


with open("/proc/%d/limits" % server.pid) as f:
    limits = f.read()
if not re.search(r"Max open files\s+%d\s+%d" % (LIMIT, LIMIT), limits):
    stop_and_fail("the descriptor limit was not applied:\n" + limits)


def request(path, i):
    """One keep-alive request, the whole answer read, then the client closes."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        conn.request("GET", path, headers={"Connection": "keep-alive"})
        r = conn.getresponse()
        body = r.read()
    except (OSError, http.client.HTTPException) as e:
        stop_and_fail("request %d (%s) got no answer (%r); the server has %d descriptors open"
                      % (i, path, e, descriptors()))
    finally:
        conn.close()
    if r.status != 200 or not body:
        stop_and_fail("request %d (%s): status %d, %d bytes" % (i, path, r.status, len(body)))
    return body


PATHS = ("/snapshot.jpg", "/temperature?x=0.5&y=0.5")
for i in range(4):          # warm up: the first requests create what lives on
    request(PATHS[i % 2], i)
start = descriptors()
print("descriptors before the load: %d (limit %d)" % (start, LIMIT), flush=True)

t0 = time.monotonic()
for i in range(CYCLES):
    request(PATHS[i % 2], i)
    if i % 500 == 0:
        print("  %d cycles, %d descriptors" % (i, descriptors()), flush=True)
print("%d keep-alive request/close cycles in %.1f s" % (CYCLES, time.monotonic() - t0))

# other ways of leaving: no request at all, half a request, an MJPEG viewer
for i in range(300):
    s = socket.create_connection(("127.0.0.1", port), timeout=20)
    if i % 2:
        s.sendall(b"GET /snapshot.jpg HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    s.close()
for i in range(20):
    s = socket.create_connection(("127.0.0.1", port), timeout=20)
    s.sendall(b"GET /stream.mjpg HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    got = b""
    while b"\r\n\r\n" not in got.partition(b"--senxorframe")[2]:
        chunk = s.recv(65536)
        if not chunk:
            stop_and_fail("MJPEG viewer %d: the server closed the stream" % i)
        got += chunk
    s.close()

# a new client is served, and every descriptor of the load is closed (the
# server sees the last clients leave a moment after they did)
body = request("/snapshot.jpg", "after")
if body[:2] != b"\xff\xd8":
    stop_and_fail("the snapshot after the load is not a JPEG")
deadline = time.monotonic() + 30
while descriptors() != start and time.monotonic() < deadline:
    time.sleep(0.1)
end = descriptors()
print("descriptors after the load: %d" % end)
if end != start:
    fds = sorted(os.readlink("/proc/%d/fd/%s" % (server.pid, fd))
                 for fd in os.listdir("/proc/%d/fd" % server.pid))
    stop_and_fail("the server has %d descriptors open after the load, %d before: %s"
                  % (end, start, fds))

server.send_signal(signal.SIGINT)
try:
    status = server.wait(30)
except subprocess.TimeoutExpired:
    stop_and_fail("the server did not stop within 30 s of SIGINT")
if status != 0:
    fail("the server exited with %d after SIGINT\n%s" % (status, output()))
print("PASS")
