#!/usr/bin/env python3
# Bytes per MJPEG frame of senxor-http-server: its 4:2:0 pictures (I420 into
# jpegenc, the default) against the 4:4:4 RGB-coded JPEG it used to make
# (the same launch line without the I420 step), measured in the same run on
# the same emulated scene (MI16 "people", 640 pixels wide), and the server's
# CPU time per second of stream.  A benchmark: it prints figures, it never
# fails on a slow machine.
# usage: bench-http-jpeg [SERVER]   (SENXOR_BENCH_LONG=1: 300 frames a row)
# SPDX-License-Identifier: LGPL-2.1-or-later
import os
import re
import shutil
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = (sys.argv[1] if len(sys.argv) > 1 else
          shutil.which("senxor-http-server") or os.path.join(HERE, "..", "..", "tools", "senxor-http-server"))
FRAMES = 300 if os.environ.get("SENXOR_BENCH_LONG") == "1" else 100
CAMERA = "emulator://?module=mi16&scene=people"
TICKS = os.sysconf("SC_CLK_TCK")

# the launch line of the default pipeline before and after the change
LAUNCH = ("senxorsrc name=src device=\"%s\" ! tee name=t "
          "t. ! queue max-size-buffers=2 leaky=downstream ! appsink name=radiometric "
          "t. ! queue max-size-buffers=2 leaky=downstream ! thermalnormalize "
          "! thermalcolormap palette=ironbow ! videoscale ! videoconvert "
          "! video/x-raw,%swidth=640,pixel-aspect-ratio=1/1 ! jpegenc quality=%d ! appsink name=jpeg")


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS      # utime + stime


def measure(label, args):
    proc = subprocess.Popen([SERVER, "--port", "0"] + args, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    try:
        port = None
        for line in proc.stdout:
            m = re.search(r"serving http://127\.0\.0\.1:(\d+)/", line)
            if m:
                port = int(m.group(1))
                break
        if port is None:
            print("%-34s the server did not start" % label)
            return None
        sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        sock.sendall(b"GET /stream.mjpg HTTP/1.0\r\n\r\n")
        stream = sock.makefile("rb")
        sizes = []
        t0, c0 = time.monotonic(), cpu_seconds(proc.pid)
        while len(sizes) < FRAMES:
            line = stream.readline()
            if not line:
                break
            m = re.match(rb"Content-Length: (\d+)", line)
            if m:
                stream.readline()
                n = int(m.group(1))
                data = stream.read(n)
                if data[:2] == b"\xff\xd8":
                    sizes.append(n)
        t1, c1 = time.monotonic(), cpu_seconds(proc.pid)
        sock.close()
        mean = sum(sizes) / max(len(sizes), 1)
        print("%-34s %4d frames  mean %7.0f B  min %6d  max %6d  server CPU %3.0f%% of a core"
              % (label, len(sizes), mean, min(sizes), max(sizes), 100 * (c1 - c0) / (t1 - t0)))
        return mean
    finally:
        proc.terminate()
        proc.wait()


print("senxor-http-server MJPEG bytes per frame: %s, 640 px wide, %d frames a row" % (CAMERA, FRAMES))
rows = {}
for quality in (85, 75, 95):
    rows[(444, quality)] = measure("4:4:4 RGB (before), quality %d" % quality,
                                   ["--pipeline", LAUNCH % (CAMERA, "", quality)])
    rows[(420, quality)] = measure("4:2:0 (default), quality %d" % quality,
                                   ["--device", CAMERA, "--jpeg-quality", str(quality)])
for quality in (85, 75, 95):
    if rows[(444, quality)] and rows[(420, quality)]:
        print("quality %d: 4:2:0 / 4:4:4 bytes ratio %.2f" % (quality, rows[(420, quality)] / rows[(444, quality)]))
print("load average: %s" % " ".join(open("/proc/loadavg").read().split()[:3]))
