#!/usr/bin/env python3
# senxor-rtsp-server under hostile and hasty clients:
# - a client streaming a huge request header (fast, then slowly) does not
#   delay another client's OPTIONS and DESCRIBE, and is cut off once over the
#   request-size limit;
# - DESCRIBE-then-disconnect cycles back to back all get 200, also when the
#   shared capture is stopped at every disconnect (--linger 0), i.e. a client
#   arriving while the capture is being torn down is not refused with 503.
# SPDX-License-Identifier: LGPL-2.1-or-later
import select
import signal
import socket
import sys
import threading
import time

from rtsp_helpers import connect, describe, request
from usecase import Process, check, fail, server_source

server_bin = sys.argv[1]
source = server_source(colour=True)

# Generous on a loaded 2-core machine; a stalled server takes many seconds.
ANSWER_BOUND = 2.0


class Hostile(threading.Thread):
    """Sends one request whose header never ends: header lines of `line` bytes,
    `chunk` bytes at a time with `pause` seconds between chunks, up to `total`."""

    def __init__(self, url, total, chunk, pause):
        super().__init__(daemon=True)
        self.url, self.total, self.chunk, self.pause = url, total, chunk, pause
        self.sent = 0
        self.closed_after = None  # bytes sent when the server closed the connection
        self.started = threading.Event()

    def server_closed(self, sock, wait):
        """True when the server has closed the connection (end of stream or reset)."""
        if not select.select([sock], [], [], wait)[0]:
            return False
        try:
            while True:
                data = sock.recv(65536)
                if not data:
                    return True
                if not select.select([sock], [], [], 0)[0]:
                    return False
        except (ConnectionResetError, BrokenPipeError):
            return True

    def run(self):
        sock = connect(self.url)
        line = b"X-Junk: " + b"a" * 1000 + b"\r\n"
        data = line * (self.chunk // len(line) + 1)
        try:
            sock.sendall(("OPTIONS %s RTSP/1.0\r\nCSeq: 1\r\n" % self.url).encode())
            # A send that cannot go on for 2 s means the server stopped reading.
            sock.settimeout(2)
            while self.sent < self.total:
                sock.sendall(data[:self.chunk])
                self.sent += self.chunk
                self.started.set()
                if self.server_closed(sock, self.pause):
                    self.closed_after = self.sent
                    break
        except socket.timeout:
            pass
        except (BrokenPipeError, ConnectionResetError):
            self.closed_after = self.sent
        self.started.set()
        if self.closed_after is None and self.server_closed(sock, 30):
            self.closed_after = self.sent
        sock.close()


def good_client_in_time(url, hostile, label):
    """OPTIONS and DESCRIBE on a fresh connection, answered quickly while the hostile one is still at it."""
    check(hostile.started.wait(30), "%s: the hostile client could not start sending" % label)
    sock = connect(url)
    status, _, _, t_options = request(sock, "OPTIONS", url, 1, timeout=60)
    status2, _, _, t_describe = request(sock, "DESCRIBE", url, 2, timeout=60, extra="Accept: application/sdp\r\n")
    sock.close()
    print("%s: OPTIONS %s in %.2f s, DESCRIBE %s in %.2f s (hostile had sent %d KiB)" % (
        label, status, t_options, status2, t_describe, hostile.sent // 1024))
    check(status == 200 and status2 == 200, "%s: OPTIONS %s, DESCRIBE %s" % (label, status, status2))
    check(t_options < ANSWER_BOUND, "%s: OPTIONS took %.1f s (bound %.1f s)" % (label, t_options, ANSWER_BOUND))
    check(t_describe < ANSWER_BOUND + 5,
          "%s: DESCRIBE took %.1f s (bound %.1f s)" % (label, t_describe, ANSWER_BOUND + 5))


server = Process([server_bin, "--port", "0", "--width", "160"] + source)
url = server.wait_line(r"streaming at (rtsp://127\.0\.0\.1:\d+/thermal)", timeout=90).group(1)

# Fast: 20 MB as quickly as the socket takes it.
TOTAL = 20 * 1024 * 1024
fast = Hostile(url, TOTAL, 256 * 1024, 0)
fast.start()
good_client_in_time(url, fast, "fast hostile client")
fast.join(120)
check(not fast.is_alive(), "the fast hostile client is still sending after 120 s")
check(fast.closed_after is not None and fast.closed_after < TOTAL,
      "the fast hostile client was not cut off (sent %d bytes)" % fast.sent)
print("fast hostile client cut off after %d KiB" % (fast.closed_after // 1024))

# Slowly: 8 KiB every 50 ms (about 160 KiB/s), up to 4 MB.
slow = Hostile(url, 4 * 1024 * 1024, 8 * 1024, 0.05)
slow.start()
# well into its request, under the 64 KiB limit still
deadline = time.monotonic() + 30
while slow.sent < 40 * 1024 and slow.is_alive() and time.monotonic() < deadline:
    time.sleep(0.01)
good_client_in_time(url, slow, "slow hostile client")
slow.join(120)
check(not slow.is_alive(), "the slow hostile client is still sending after 120 s")
check(slow.closed_after is not None and slow.closed_after < 4 * 1024 * 1024,
      "the slow hostile client was not cut off (sent %d bytes)" % slow.sent)
print("slow hostile client cut off after %d KiB" % (slow.closed_after // 1024))
check(server.count(r"without completing a request: closing its connection") == 2,
      "expected two 'closing its connection' lines:\n" + "\n".join(server.err))
status = server.stop(signal.SIGINT)
if status != 0:
    server.dump()
    fail("the server did not stop cleanly: status %d" % status)


def describe_cycles(args, label, cycles=20, wait_disconnect=False):
    """DESCRIBE, disconnect, at once the next DESCRIBE; with wait_disconnect the
    next one comes as soon as the server has seen the disconnection (when the
    capture is being stopped)."""
    server = Process([server_bin, "--port", "0", "--width", "160"] + args + source)
    url = server.wait_line(r"streaming at (rtsp://127\.0\.0\.1:\d+/thermal)", timeout=90).group(1)
    statuses = []
    for i in range(cycles):
        statuses.append(describe(url)[0])
        deadline = time.monotonic() + 30
        while wait_disconnect and server.count(r"client disconnected") <= i and time.monotonic() < deadline:
            time.sleep(0.001)
    print("%s: %s" % (label, statuses))
    if statuses != [200] * cycles:
        server.dump()
        fail("%s: DESCRIBE-then-disconnect statuses %s, expected all 200" % (label, statuses))
    check(server.stop(signal.SIGINT) == 0, "%s: the server did not stop cleanly" % label)
    return server


# Back to back, with the default linger and with the capture stopped as soon
# as no client is left.
describe_cycles([], "back to back")
describe_cycles(["--linger", "0"], "back to back, --linger 0")
# Each DESCRIBE right when the previous client's disconnection is seen: with
# --linger 0 the capture is being stopped just then.
s = describe_cycles(["--linger", "0"], "after each disconnection, --linger 0", wait_disconnect=True)
check(s.count(r"capture #\d+ started") >= 2, "--linger 0 never stopped the capture between clients")
print("captures started: %d" % s.count(r"capture #\d+ started"))
print("PASS")
