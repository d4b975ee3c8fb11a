#!/usr/bin/env python3
# senxor-rtsp-server: two RTSP clients receive decoded frames at the same time
# from one capture; the server stops cleanly on SIGINT.
# SPDX-License-Identifier: LGPL-2.1-or-later
import os
import signal
import sys
import time

from rtsp_helpers import RTSP_CLIENT_ELEMENTS, GstClient
from usecase import Process, check, fail, gst, need_elements, server_source

server_bin = sys.argv[1]
Gst = gst()
need_elements(Gst, RTSP_CLIENT_ELEMENTS)

source = server_source(colour=True)
# senxorsrc logs each camera opening at INFO level: count them.
env = dict(os.environ, GST_DEBUG="senxorsrc:4", GST_DEBUG_NO_COLOR="1")
server = Process([server_bin, "--port", "0", "--width", "320"] + source, env=env)
url = server.wait_line(r"streaming at (rtsp://127\.0\.0\.1:\d+/thermal)", timeout=60).group(1)
# The start-up check opens the camera once before the server says it streams.
opens_at_start = server.count(r"senxorsrc.*opened emulator://")


def wait_frames(clients, at_least, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(c.count() >= at_least[c.name] for c in clients):
            return
        time.sleep(0.1)
    server.dump()
    fail("frames after %d s: %s (wanted %s)" % (timeout, {c.name: c.count() for c in clients}, at_least))


clients = [GstClient(Gst, url, name, server) for name in ("A", "B")]

# Both receive frames, and keep receiving while the other one is connected.
wait_frames(clients, {"A": 5, "B": 5}, 60)
first = {c.name: c.count() for c in clients}
wait_frames(clients, {name: n + 20 for name, n in first.items()}, 60)
for c in clients:
    check(c.size == (320, 248), "client %s got %s frames, expected 320x248 (80x62 scaled)" % (c.name, c.size))
print("frames received: %s" % {c.name: c.count() for c in clients})

# One capture for both: one media, and the camera opened once.
check(server.count(r"capture #1 started") == 1 and server.count(r"capture #2") == 0,
      "expected exactly one capture pipeline for two clients:\n" + "\n".join(server.err))
check(server.count(r"client connected") == 2, "expected two client connections")
if "--videotestsrc" not in sys.argv:
    opens = server.count(r"senxorsrc.*opened emulator://") - opens_at_start
    check(opens == 1, "the camera was opened %d times for two clients" % opens)
    print("camera opened once for two clients")

for c in clients:
    c.stop()

# Clear failures: the port taken, a bad option, a bad pipeline; --help.
port = url.split(":")[2].split("/")[0]
for args, status, message in (
        (["--port", port] + source, 1, r"cannot listen on 127\.0\.0\.1 port %s" % port),
        (["--port", "70000"], 2, r"--port must be a whole number from 0 to 65535, not '70000'"),
        (["--port", "0", "--source", "videotestsrc ! no-such-element"], 1, r"does not parse: no element \"no-such-element\""),
        (["--help"], 0, r"--device=DEVICE")):
    other = Process([server_bin] + args)
    code = other.proc.wait(30)
    other.stop()
    check(code == status, "%s: exit status %d, expected %d" % (args, code, status))
    check(other.count(message) + other.count(message, stream="out") >= 1, "%s: no message /%s/" % (args, message))

status = server.stop(signal.SIGINT)
check(status == 0, "senxor-rtsp-server exited with %d after SIGINT" % status)
# "stopping" on standard error when the signal comes, "stopped" on standard
# output once everything is closed (as docs/guide/senxor-rtsp-server.md says).
check(server.count(r"^senxor-rtsp-server: stopping$") == 1, "no 'stopping' line on stderr after SIGINT")
check(server.count(r"^senxor-rtsp-server: stopped$", stream="out") == 1, "no 'stopped' line on stdout after SIGINT")
print("PASS")
