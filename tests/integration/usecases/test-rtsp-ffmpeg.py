#!/usr/bin/env python3
# senxor-rtsp-server plays cleanly in FFmpeg-based clients (VLC, OpenCV,
# Frigate, go2rtc): two strict FFmpeg decoders at once see no damaged picture,
# ffprobe sees 8-bit 4:2:0 H.264 in a profile every decoder plays, and
# GStreamer's rtspsrc decodes it too.
# SPDX-License-Identifier: LGPL-2.1-or-later
import json
import signal
import subprocess
import sys

from rtsp_helpers import RTSP_CLIENT_ELEMENTS, GstClient, check_clean_decode, ffmpeg_decode
from usecase import Process, check, gst, need_elements, need_program, server_source

server_bin = sys.argv[1]
ffmpeg = need_program("ffmpeg", "ffmpeg")
ffprobe = need_program("ffprobe", "ffmpeg")
Gst = gst()
need_elements(Gst, RTSP_CLIENT_ELEMENTS)

source = server_source(colour=True)
# 80x62 scaled to 320 wide: 320x248
server = Process([server_bin, "--port", "0", "--width", "320"] + source)
url = server.wait_line(r"streaming at (rtsp://127\.0\.0\.1:\d+/thermal)", timeout=60).group(1)

# Two strict decoders at the same time: -err_detect explode turns any damage
# the decoder notices into an error and -xerror ends ffmpeg on it.
FRAMES = 100
runs = [ffmpeg_decode(ffmpeg, url, FRAMES, extra_input=["-rtsp_transport", "tcp"]) for _ in range(2)]
for i, proc in enumerate(runs):
    check_clean_decode(proc, "ffmpeg #%d" % (i + 1), FRAMES, server)

# What players see: H.264, 8-bit 4:2:0, a profile browsers, phones and
# hardware decoders play, the size asked for.
probe = subprocess.run([ffprobe, "-v", "error", "-rtsp_transport", "tcp", "-select_streams", "v:0",
                        "-show_entries", "stream=codec_name,profile,pix_fmt,width,height",
                        "-of", "json", url], capture_output=True, timeout=60)
check(probe.returncode == 0, "ffprobe failed: %s" % probe.stderr.decode("utf-8", "replace"))
stream = json.loads(probe.stdout)["streams"][0]
print("ffprobe: %s" % stream)
check(stream.get("codec_name") == "h264", "codec %s, expected h264" % stream.get("codec_name"))
check(stream.get("profile") in ("Constrained Baseline", "Main", "High"),
      "profile %s, expected Constrained Baseline, Main or High" % stream.get("profile"))
check(stream.get("pix_fmt") == "yuv420p", "pixel format %s, expected yuv420p" % stream.get("pix_fmt"))
check((stream.get("width"), stream.get("height")) == (320, 248),
      "size %sx%s, expected 320x248" % (stream.get("width"), stream.get("height")))

# GStreamer's own client decodes it as well.
client = GstClient(Gst, url)
client.wait(30, 60)
check(client.size == (320, 248), "rtspsrc client got %s, expected 320x248" % (client.size,))
client.stop()
print("rtspsrc: %d frames" % client.count())

status = server.stop(signal.SIGINT)
check(status == 0, "senxor-rtsp-server exited with %d after SIGINT" % status)
print("PASS")
