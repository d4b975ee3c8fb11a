#!/usr/bin/env python3
# senxor-rtsp-server closes the camera --linger seconds after the last
# client has gone, also when that client played over TCP interleaved and
# closed its connection without TEARDOWN (a player killed, a network cut):
# its session cannot carry RTP any more once the connection is gone.  One
# client plays, reads RTP for 2 s and closes the socket; "capture stopped"
# must follow within --linger (2 s here) + 15 s.  (Found by the server soak:
# the capture ran until the session's 60 s timeout.)
# usage: test-rtsp-vanished-client.py RTSP_SERVER
# SPDX-License-Identifier: LGPL-2.1-or-later
import os
import sys
import time

sys.path.insert(0, os.path.join(os.environ.get("SENXOR_SOURCE_ROOT", "."),
                                "tests", "integration", "usecases"))
from usecase import Process, fail  # noqa: E402
from serverclients import RtspClient, RtspError  # noqa: E402

SERVER = sys.argv[1]
LINGER = 2
BOUND = LINGER + 15

server = Process([SERVER, "--port", "0", "--width", "160", "--linger", str(LINGER),
                  "--device", "emulator://?module=mi08&scene=people"])
url = server.wait_line(r"streaming at (rtsp://127\.0\.0\.1:\d+/\S+)", timeout=60).group(1)
c = RtspClient(url, timeout=30)
try:
    c.play()
    t0 = time.monotonic()
    while c.frames < 10 or time.monotonic() - t0 < 2:
        c.read_item()
except (OSError, RtspError) as e:
    server.dump()
    fail("the client got no RTP: %r" % e)
stops = server.count(r"capture stopped")
c.close()                   # no TEARDOWN
left = time.monotonic()
while server.count(r"capture stopped") <= stops:
    if time.monotonic() - left > BOUND:
        server.dump()
        fail("the capture still runs %d s after the only client closed its TCP connection "
             "(--linger %d)" % (BOUND, LINGER))
    time.sleep(0.1)
print("capture stopped %.1f s after the client vanished (--linger %d)"
      % (time.monotonic() - left, LINGER))
status = server.stop()
if status != 0:
    fail("the server exited with %s after SIGINT" % status)
print("PASS")
