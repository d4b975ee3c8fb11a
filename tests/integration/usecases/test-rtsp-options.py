#!/usr/bin/env python3
# senxor-rtsp-server's start-up: every numeric option is checked (range, nan,
# inf, garbage, negative) with a one-line error naming it; what would make
# every client fail later (a camera that cannot be opened, a launch line that
# does not negotiate or whose encoder refuses the size) stops it at start-up
# with one clear line, unless --wait-for-camera says to start anyway.
# SPDX-License-Identifier: LGPL-2.1-or-later
import re
import signal
import socket
import sys

from rtsp_helpers import describe
from usecase import Process, check, fail, server_source

server_bin = sys.argv[1]
source = server_source(colour=True)


def run(args, timeout=90):
    """Runs the server to its end; (status, stderr lines)."""
    proc = Process([server_bin] + args)
    try:
        status = proc.proc.wait(timeout)
    except Exception:
        proc.kill()
        proc.dump()
        fail("%s: still running after %d s (it should have refused to start)" % (args, timeout))
    proc.stop()
    return status, [line for line in proc.err if line.strip()]


# Bad values of every numeric option: exit status 2 and one line that names
# the option and the value.
BAD = []
for option, values in (
        ("--port", ["-1", "65536", "70000", "abc", "nan", "inf", "-inf", "1e3", "0x10", "", " 80", "80 ",
                    "99999999999999999999"]),
        ("--width", ["0", "15", "8193", "-640", "abc", "nan", "inf", "640.5", "", "641", "17"]),
        ("--bitrate", ["0", "-1", "2048001", "abc", "nan", "inf", "1.5", ""]),
        ("--linger", ["-1", "3601", "abc", "nan", "inf", "", "5s"])):
    for value in values:
        BAD.append((option, value))
for option, value in BAD:
    status, lines = run([option, value, "--port" if option != "--port" else "--width",
                         "0" if option != "--port" else "320"] + source)
    check(status == 2, "%s %r: exit status %d, expected 2; stderr: %s" % (option, value, status, lines))
    check(len(lines) == 1 and option in lines[0],
          "%s %r: expected one line naming %s, got: %s" % (option, value, option, lines))
print("%d bad values refused with one line each" % len(BAD))

# The line is the one every program gives (tools/options.c), with the value.
status, lines = run(["--bitrate", "2048001"] + source)
check(lines == ["senxor-rtsp-server: --bitrate must be a whole number from 1 to 2048000, not '2048001'"],
      "--bitrate 2048001: %s" % lines)
status, lines = run(["--linger", "5\ns"] + source)
check(lines == ["senxor-rtsp-server: --linger must be a whole number from 0 to 3600, not '5?s'"],
      "--linger with a newline: %s" % lines)

# The other checks of the command line, in the same words.
status, lines = run(["--mount", "thermal"] + source)
check(status == 2 and lines == ["senxor-rtsp-server: --mount must start with '/', not 'thermal'"],
      "--mount thermal: exit status %d, stderr %s" % (status, lines))
status, lines = run(["--port", "0", "extra-argument"] + source)
check(status == 2 and lines == ["senxor-rtsp-server: unexpected argument 'extra-argument' (try --help)"],
      "an extra argument: exit status %d, stderr %s" % (status, lines))

# A palette thermalcolormap does not have: exit 2, one line listing those it
# has (read from the element, so compared with a few known names only).  The
# palette is only used without --source, so a device is given either way.
status, lines = run(["--palette", "foo", "--port", "0", "--device", "emulator://?module=mi08"])
palettes = re.match(r"senxor-rtsp-server: --palette must be one of ((?:[a-z-]+, )+[a-z-]+), not 'foo'$",
                    lines[0] if lines else "")
check(status == 2 and len(lines) == 1 and palettes is not None
      and {"ironbow", "rainbow", "white-hot"} <= set(palettes.group(1).split(", ")),
      "--palette foo: exit status %d, stderr %s" % (status, lines))
print("refused: %s" % lines[0])
status, lines = run(["--palette", "ironbow ! fakesink", "--port", "0", "--device", "emulator://?module=mi08"])
check(status == 2 and len(lines) == 1 and "--palette must be one of" in lines[0],
      "--palette with launch syntax: exit status %d, stderr %s" % (status, lines))

# An odd height from the aspect (80x62 at 102 wide is 102x79) is made even:
# the server starts and answers DESCRIBE with 200 (not 503).  A palette
# thermalcolormap has is taken.
server = Process([server_bin, "--port", "0", "--width", "102", "--palette", "jet"] + source)
url = server.wait_line(r"streaming at (rtsp://127\.0\.0\.1:\d+/thermal)", timeout=90).group(1)
status, body = describe(url)
check(status == 200, "DESCRIBE at --width 102: %s, expected 200" % status)
check(b"H264" in body, "the SDP names no H264:\n%s" % body.decode("utf-8", "replace"))
check(server.stop(signal.SIGINT) == 0, "the --width 102 server did not stop cleanly")
print("--width 102 serves (height made even)")

# A launch line whose encoder refuses the size: found at start-up.
status, lines = run(["--port", "0", "--pipeline",
                     "videotestsrc is-live=true ! video/x-raw,format=I420,width=641,height=481 "
                     "! x264enc ! rtph264pay name=pay0 pt=96"])
check(status == 1 and len(lines) == 1 and "does not start" in lines[0] and "x264" in lines[0],
      "odd-sized encoder: status %d, stderr %s" % (status, lines))
print("refused: %s" % lines[0])

# A launch line that does not negotiate (no 4:2:0 for a 4:4:4 encoder caps).
status, lines = run(["--port", "0", "--pipeline",
                     "videotestsrc is-live=true ! video/x-raw,format=Y444 ! x264enc "
                     "! video/x-h264,profile=constrained-baseline ! rtph264pay name=pay0 pt=96"])
check(status == 1 and len(lines) == 1 and "does not start" in lines[0],
      "non-negotiating pipeline: status %d, stderr %s" % (status, lines))
print("refused: %s" % lines[0])

# No payloader named pay0.
status, lines = run(["--port", "0", "--pipeline", "videotestsrc ! fakesink"])
check(status == 1 and len(lines) == 1 and "pay0" in lines[0],
      "no pay0: status %d, stderr %s" % (status, lines))

if "--videotestsrc" not in sys.argv:
    # A camera that is not there (nothing listens on that port): exit 1, one line.
    missing = "tcp://127.0.0.1:1"
    status, lines = run(["--port", "0", "--device", missing])
    check(status == 1 and len(lines) == 1 and "cannot open the camera" in lines[0] and missing in lines[0]
          and "--wait-for-camera" in lines[0],
          "missing camera: status %d, stderr %s" % (status, lines))
    print("refused: %s" % lines[0])

    # --wait-for-camera: it starts, says so, answers 503 while the camera is
    # missing and 200 once it is there (an emulator on a TCP port that was free).
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    camera_port = probe.getsockname()[1]
    probe.close()
    later = "tcp://127.0.0.1:%d" % camera_port
    server = Process([server_bin, "--port", "0", "--device", later, "--wait-for-camera"])
    url = server.wait_line(r"streaming at (rtsp://127\.0\.0\.1:\d+/thermal)", timeout=90).group(1)
    check(server.count(r"not available .*starting anyway") == 1, "no 'starting anyway' line:\n%s" % server.err)
    status, _ = describe(url)
    check(status == 503, "DESCRIBE without the camera: %s, expected 503" % status)
    emulator = Process(["senxor-emulator", "--module", "mi08", "--tcp", str(camera_port)])
    emulator.wait_line(r"tcp://", timeout=30)
    status, _ = describe(url)
    check(status == 200, "DESCRIBE once the camera is there: %s, expected 200" % status)
    check(server.stop(signal.SIGINT) == 0, "the --wait-for-camera server did not stop cleanly")
    emulator.stop()
    print("--wait-for-camera starts, answers 503, then 200 once the camera is there")

# --publish targets are checked at start-up too.
for value in ("ftp://127.0.0.1:21/x", "srt://127.0.0.1", "rtsp://:8554/x", "nonsense", ""):
    status, lines = run(["--port", "0", "--publish", value] + source)
    check(status == 2 and len(lines) == 1 and "--publish" in lines[0],
          "--publish %r: status %d, stderr %s" % (value, status, lines))
print("bad --publish targets refused")

print("PASS")
