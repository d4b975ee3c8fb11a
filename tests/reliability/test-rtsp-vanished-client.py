#!/usr/bin/env python3
# senxor-rtsp-server closes the camera --linger seconds after the last
# client has gone, also when that client played over TCP interleaved and
# closed its connection without TEARDOWN (a player killed, a network cut):
# its session cannot carry RTP any more once the connection is gone.  One
# client plays, reads RTP for 2 s and closes the socket; "capture stopped"
# must follow within --linger (2 s here) + 15 s, and the session is gone
# (454 on a new connection).  (Found by the server soak: the capture ran
# until the session's 60 s timeout.)  A client over UDP that closes its
# connection keeps its session (it may come back on a new connection): it
# is still there --linger + 3 s later (GET_PARAMETER on a new connection),
# and the capture still runs.
# usage: test-rtsp-vanished-client.py RTSP_SERVER
# SPDX-License-Identifier: LGPL-2.1-or-later
import os
import re
import socket
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

# The TCP client's session is gone: a new connection cannot use it.
c2 = RtspClient(url, timeout=30)
c2.session = c.session
status, _, _ = c2.request("GET_PARAMETER")
c2.close()
if status != 454:
    fail("GET_PARAMETER on the vanished TCP client's session: %d, not 454 (Session Not Found)"
         % status)

# A client over UDP may come back on a new connection: its session must
# outlive the connection (until its 60 s timeout), so the capture goes on.
rtp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
rtcp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
rtp.bind(("127.0.0.1", 0))
rtcp.bind(("127.0.0.1", 0))
u = RtspClient(url, timeout=30)
try:
    status, headers, sdp = u.request("DESCRIBE", headers={"Accept": "application/sdp"})
    if status != 200:
        raise RtspError("DESCRIBE: %d" % status)
    m = re.search(rb"a=control:(\S+)", sdp.split(b"m=video", 1)[-1])
    control = m.group(1).decode() if m else "stream=0"
    base = headers.get("content-base", url + "/")
    track = control if control.startswith("rtsp://") else base.rstrip("/") + "/" + control
    status, headers, _ = u.request("SETUP", track, {
        "Transport": "RTP/AVP;unicast;client_port=%d-%d"
        % (rtp.getsockname()[1], rtcp.getsockname()[1])})
    if status != 200:
        raise RtspError("SETUP over UDP: %d" % status)
    u.session = headers.get("session", "").split(";")[0]
    status, _, _ = u.request("PLAY", headers={"Range": "npt=0-"})
    if status != 200:
        raise RtspError("PLAY over UDP: %d" % status)
    rtp.settimeout(30)
    rtp.recv(65536)
except (OSError, RtspError) as e:
    server.dump()
    fail("the UDP client got no RTP: %r" % e)
stops = server.count(r"capture stopped")
u.close()                   # no TEARDOWN
time.sleep(LINGER + 3)
u2 = RtspClient(url, timeout=30)
u2.session = u.session
status, _, _ = u2.request("GET_PARAMETER")
if status != 200:
    fail("GET_PARAMETER on the UDP client's session from a new connection: %d, not 200" % status)
if server.count(r"capture stopped") > stops:
    fail("the capture stopped while the UDP client's session was alive")
u2.close()
rtp.close()
rtcp.close()
status = server.stop()
if status != 0:
    fail("the server exited with %s after SIGINT" % status)
print("PASS")
