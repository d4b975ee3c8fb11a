#!/usr/bin/env python3
# senxor-rtsp-server --publish: the shared capture is pushed to an SRT
# listener (FFmpeg, strict decoding) and to an RTSP server by RECORD
# (gst-rtsp-server in record mode, as media servers take published streams,
# decoding with FFmpeg's H.264 decoder); each decodes frames with no decoder
# complaint. The receivers then exit and come back: the publishers reconnect,
# and a local RTSP client keeps getting frames all along.
#
# FFmpeg's own RTSP listen mode (ffmpeg -rtsp_flags listen) is not used as the
# RECORD receiver: FFmpeg 5.1 takes only a lower-case `mode=record` in the
# SETUP Transport header, and GStreamer's rtspclientsink sends `mode=RECORD`
# (the method name as RTSP spells it); with that rewritten it still received
# no packets. See docs/guide/senxor-rtsp-server.md.
# SPDX-License-Identifier: LGPL-2.1-or-later
import os
import signal
import socket
import subprocess
import sys
import time

from rtsp_helpers import RTSP_CLIENT_ELEMENTS, GstClient, check_clean_decode, spawn
from usecase import Process, check, fail, gst, need_elements, need_program, server_source

server_bin = sys.argv[1]
ffmpeg = need_program("ffmpeg", "ffmpeg")
Gst = gst()
need_elements(Gst, RTSP_CLIENT_ELEMENTS + (("rtspclientsink", "gstreamer1.0-rtsp"), ("srtsink", "gstreamer1.0-plugins-bad"),
                                           ("mpegtsmux", "gstreamer1.0-plugins-bad")))
try:
    import gi
    gi.require_version("GstRtspServer", "1.0")
except ValueError:
    fail("this test needs GStreamer's RTSP server for Python: install gir1.2-gst-rtsp-server-1.0")
protocols = subprocess.run([ffmpeg, "-hide_banner", "-protocols"], capture_output=True, text=True).stdout
check("srt" in protocols.split(), "this FFmpeg was built without SRT (ffmpeg -protocols lists no srt)")

source = server_source(colour=True)


def free_port(kind):
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


FRAMES = 50
rtsp_port = free_port(socket.SOCK_STREAM)
srt_port = free_port(socket.SOCK_DGRAM)


def receivers():
    """Starts both receivers: FFmpeg on SRT (strict decoding; -fps_mode
    passthrough and the demuxer's time base, so that the stream's own
    timestamps are checked, not their rounding to a guessed frame rate) and the
    RECORD receiver, with FFmpeg's decoder warnings (GST_DEBUG libav:2) on."""
    common = ["-hide_banner", "-nostdin", "-loglevel", "warning", "-xerror", "-err_detect", "explode"]
    tail = ["-frames:v", str(FRAMES), "-fps_mode", "passthrough", "-enc_time_base", "-1", "-progress", "pipe:1", "-nostats", "-f", "null", "-"]
    runs = {
        "srt": ([ffmpeg] + common + ["-i", "srt://127.0.0.1:%d?mode=listener" % srt_port] + tail, None),
        "rtsp": ([sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)), "rtsp_record_receiver.py"),
                  str(rtsp_port), "/live", str(FRAMES), "150"],
                 dict(os.environ, GST_DEBUG="libav:2", GST_DEBUG_NO_COLOR="1")),
    }
    return {name: spawn(argv, env) for name, (argv, env) in runs.items()}


# MPEG-TS over SRT: SRT drops what arrives later than its latency, so on a
# machine slow enough (the ASan build under load) the TS demuxer may find a
# PES cut short and say so ("PES packet size mismatch", "Packet corrupt ...").
# That is the transport, not the H.264: the decoder must still decode every
# frame without a complaint of its own.
SRT_DEMUXER_LOSS = r"^\[mpegts @ [0-9a-fx]+\] (PES packet size mismatch|Packet corrupt)"


def check_receivers(procs, round_name):
    for name, proc in procs.items():
        check_clean_decode(proc, "%s, %s receiver" % (round_name, name), FRAMES, server,
                           allow=SRT_DEMUXER_LOSS if name == "srt" else None)


procs = receivers()
time.sleep(1)  # listening
server = Process([server_bin, "--port", "0", "--width", "320",
                  "--publish", "rtsp://127.0.0.1:%d/live" % rtsp_port,
                  "--publish", "srt://127.0.0.1:%d?streamid=thermal" % srt_port] + source)
url = server.wait_line(r"streaming at (rtsp://127\.0\.0\.1:\d+/thermal)", timeout=90).group(1)
local = GstClient(Gst, url, "local client")
local.wait(10, 60)
check_receivers(procs, "first round")

# The receivers are gone (they exit after their frames): the publishers retry
# while the local client keeps receiving.
before = local.count()
deadline = time.monotonic() + 60
retry_srt = r"publishing to srt://.*trying again in"
retry_rtsp = r"publishing to rtsp://.*trying again in"
while (server.count(retry_srt) < 1 or server.count(retry_rtsp) < 1) and time.monotonic() < deadline:
    time.sleep(0.2)
check(server.count(retry_srt) >= 1 and server.count(retry_rtsp) >= 1,
      "the publishers did not both notice their receiver leaving:\n" + "\n".join(server.err))
local.wait(before + 25, 60)
print("local client: %d frames while the receivers were away" % (local.count() - before))

# They come back: the publishers reconnect (back-off at most 30 s).
procs = receivers()
check_receivers(procs, "second round")
local.wait(local.count() + 10, 60)
local.stop()
print("local client: %d frames in all" % local.count())
check(server.count(r"capture #\d+ started") == 1, "the capture was restarted:\n" + "\n".join(server.err))

status = server.stop(signal.SIGINT)
check(status == 0, "senxor-rtsp-server exited with %d after SIGINT" % status)
print("PASS")
