#!/usr/bin/env python3
# senxor-http-server and FFmpeg: /snapshot.jpg is a 4:2:0 JPEG (ffprobe says
# yuvj420p), FFmpeg decodes 100 pictures of /stream.mjpg with every error
# fatal (-xerror -err_detect explode) and nothing on stderr at -v error, and
# --jpeg-quality reaches the encoder.
# SPDX-License-Identifier: LGPL-2.1-or-later
import json
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

from usecase import Process, check, fail, need_program, server_source

server_bin = sys.argv[1]
FRAMES = 100

ffmpeg = need_program("ffmpeg", "ffmpeg")
ffprobe = need_program("ffprobe", "ffmpeg")


def start(*extra):
    server = Process([server_bin, "--port", "0"] + server_source() + list(extra))
    base = server.wait_line(r"serving (http://127\.0\.0\.1:\d+/)", timeout=60).group(1)
    return server, base


def snapshot(base):
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(base + "snapshot.jpg", timeout=20) as r:
                return r.read()
        except urllib.error.HTTPError as e:
            check(e.code == 503 and time.monotonic() < deadline, "snapshot: status %d" % e.code)
        time.sleep(0.2)


def probe(data):
    """(pix_fmt, width, height) of a JPEG by ffprobe, which must not complain."""
    p = subprocess.run([ffprobe, "-v", "error", "-show_entries", "stream=pix_fmt,width,height",
                        "-of", "json", "-i", "-"], input=data, capture_output=True, timeout=60)
    check(p.returncode == 0 and not p.stderr.strip(),
          "ffprobe failed on the snapshot (%d): %s" % (p.returncode, p.stderr.decode()))
    s = json.loads(p.stdout)["streams"][0]
    return s["pix_fmt"], s["width"], s["height"]


server, base = start()
snap = snapshot(base)
pix_fmt, width, height = probe(snap)
print("snapshot: %s %dx%d, %d bytes" % (pix_fmt, width, height, len(snap)))
check(pix_fmt == "yuvj420p", "the snapshot is %s, not 4:2:0 (yuvj420p)" % pix_fmt)
check(width == 640, "the snapshot is %d wide, expected 640" % width)

# FFmpeg reads the multipart stream (the mpjpeg demuxer, found from the
# Content-Type) and decodes every part; framecrc prints one line per frame.
cmd = [ffmpeg, "-nostdin", "-hide_banner", "-v", "error", "-xerror", "-err_detect", "explode",
       "-i", base + "stream.mjpg", "-frames:v", str(FRAMES), "-f", "framecrc", "-"]
print("+ " + " ".join(cmd), flush=True)
try:
    p = subprocess.run(cmd, capture_output=True, timeout=120)
except subprocess.TimeoutExpired:
    fail("ffmpeg did not read %d frames within 120 s" % FRAMES)
frames = [line for line in p.stdout.decode().splitlines() if line and not line.startswith("#")]
print("ffmpeg: status %d, %d frames, %d distinct" % (p.returncode, len(frames),
                                                     len({f.split(",")[-1] for f in frames})))
check(p.returncode == 0, "ffmpeg failed (%d): %s" % (p.returncode, p.stderr.decode()))
check(not p.stderr.strip(), "ffmpeg reported errors: %s" % p.stderr.decode())
check(len(frames) == FRAMES, "ffmpeg decoded %d frames, expected %d" % (len(frames), FRAMES))
check(len({f.split(",")[-1] for f in frames}) > 1, "every frame ffmpeg decoded is the same")
# framecrc: stream, dts, pts, duration, size, crc; 4:2:0 is 1.5 bytes a pixel
sizes = {int(f.split(",")[4]) for f in frames}
check(sizes == {width * height * 3 // 2}, "decoded frame sizes %s are not %dx%d 4:2:0" % (sizes, width, height))
check(server.stop(signal.SIGINT) == 0, "the server did not exit 0 after SIGINT")

# --jpeg-quality reaches jpegenc: the same scene is much smaller at 20 than at 95
sizes = {}
for q in (20, 95):
    server, base = start("--jpeg-quality", str(q))
    sizes[q] = len(snapshot(base))
    check(server.stop(signal.SIGINT) == 0, "the server did not exit 0 after SIGINT")
print("snapshot bytes: quality 20: %d, quality 95: %d" % (sizes[20], sizes[95]))
check(sizes[20] * 2 < sizes[95], "--jpeg-quality 20 vs 95 made no difference: %s" % sizes)
print("PASS")
