#!/usr/bin/env python3
# senxor-http-server with an HTTP client: the page, 503 before the first frame,
# snapshots, MJPEG to two viewers at once, temperatures, errors, clean stop.
# SPDX-License-Identifier: LGPL-2.1-or-later
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

from usecase import Process, check, colour_stats, decode_image, fail, server_source

server_bin = sys.argv[1]
videotest = "--videotestsrc" in sys.argv


def get(url, timeout=20):
    """(status, headers, body) of a GET, HTTP errors included."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def is_jpeg(data):
    return len(data) > 100 and data[:3] == b"\xff\xd8\xff" and data[-2:] == b"\xff\xd9"


# ---- 1. Before the first frame: 503, then the frame once it arrives ----
# A source fed through stdin makes "before the first frame" last as long as we
# want, without any timing guesswork; --wait-for-camera serves before it.
w, h, _ = 64, 48, None
jpeg_in = subprocess.run(
    ["gst-launch-1.0", "-q", "videotestsrc", "num-buffers=1", "pattern=smpte", "!",
     "video/x-raw,width=64,height=48", "!", "jpegenc", "!", "fdsink", "fd=1"],
    stdout=subprocess.PIPE, check=True).stdout
check(is_jpeg(jpeg_in), "could not make a test JPEG with gst-launch-1.0")
waiting = Process([server_bin, "--port", "0", "--wait-for-camera",
                   "--pipeline", "fdsrc fd=0 ! jpegparse ! appsink name=jpeg"],
                  stdin=subprocess.PIPE)
base = waiting.wait_line(r"serving (http://127\.0\.0\.1:\d+/)").group(1)
waiting.wait_line(r"--wait-for-camera: not waiting for the first picture; clients get 503")
status, headers, body = get(base + "snapshot.jpg")
check(status == 503, "snapshot before the first frame: expected 503, got %d" % status)
check(headers.get("Retry-After") == "1", "503 without Retry-After")
status, _, body = get(base + "temperature?x=0.5&y=0.5")
check(status == 503 and b"error" in body, "temperature without radiometric data: expected 503 + error, got %d" % status)
waiting.proc.stdin.write(jpeg_in)
waiting.proc.stdin.flush()
deadline = time.monotonic() + 20
while True:
    status, headers, body = get(base + "snapshot.jpg")
    if status == 200 or time.monotonic() > deadline:
        break
    time.sleep(0.1)
check(status == 200, "snapshot never became available after the first frame (%d)" % status)
check(body == jpeg_in, "the snapshot is not the frame the pipeline produced")
check(headers.get("Content-Type") == "image/jpeg", "snapshot Content-Type %s" % headers.get("Content-Type"))
waiting.proc.stdin.close()
check(waiting.stop(signal.SIGTERM) == 0, "server did not exit 0 on SIGTERM")
print("503 before the first frame, then the frame: ok")

# ---- 2. The real capture ----
args = server_source()
# senxorsrc logs each camera opening at INFO level: count them.
env = dict(os.environ, GST_DEBUG="senxorsrc:4", GST_DEBUG_NO_COLOR="1")
server = Process([server_bin, "--port", "0"] + args, env=env)
base = server.wait_line(r"serving (http://127\.0\.0\.1:\d+/)").group(1)

status, headers, page = get(base)
check(status == 200 and headers.get("Content-Type", "").startswith("text/html"), "GET / -> %d %s" % (status, headers.get("Content-Type")))
check(b'src="stream.mjpg"' in page and b'id="temp"' in page, "the page has no live picture or temperature field")

deadline = time.monotonic() + 30
while True:
    status, headers, snap = get(base + "snapshot.jpg")
    if status == 200 or time.monotonic() > deadline:
        break
    check(status == 503, "snapshot while starting: expected 200 or 503, got %d" % status)
    time.sleep(0.2)
check(status == 200 and is_jpeg(snap), "no valid snapshot within 30 s (%d)" % status)
width, height, rgb = decode_image(snap, "jpegdec")
check((width, height) == (640, 496), "snapshot is %dx%d, expected 640x496" % (width, height))
colours, coloured = colour_stats(rgb, 0, 0, width, height, width)
print("snapshot: %dx%d, %d distinct colours, %.0f%% coloured" % (width, height, colours, 100 * coloured))
check(colours > 30, "the snapshot is nearly uniform (%d colours)" % colours)

# Two MJPEG viewers at once, from the one capture.
BOUNDARY = b"--senxorframe"


def read_parts(url, wanted, result):
    frames = []
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            ctype = r.headers.get("Content-Type")
            if ctype != "multipart/x-mixed-replace; boundary=senxorframe":
                result["error"] = "Content-Type " + str(ctype)
                return
            while len(frames) < wanted:
                line = r.readline()
                if not line:
                    break
                if line.strip() != BOUNDARY:
                    continue
                part_headers = {}
                while True:
                    line = r.readline().strip()
                    if not line:
                        break
                    k, _, v = line.decode().partition(":")
                    part_headers[k.strip().lower()] = v.strip()
                length = int(part_headers["content-length"])
                data = r.read(length)
                if part_headers.get("content-type") != "image/jpeg" or not is_jpeg(data):
                    result["error"] = "a part is not a JPEG: %s" % part_headers
                    return
                frames.append(data)
    except Exception as e:  # noqa: BLE001 - reported as the test failure
        result["error"] = repr(e)
    result["frames"] = frames
    result["end"] = time.monotonic()


results = [{}, {}]
threads = [threading.Thread(target=read_parts, args=(base + "stream.mjpg", 15, res)) for res in results]
for t in threads:
    t.start()
for t in threads:
    t.join(60)
for i, res in enumerate(results):
    check("error" not in res, "MJPEG viewer %d: %s" % (i, res.get("error")))
    check(len(res.get("frames", [])) == 15, "MJPEG viewer %d got %d parts" % (i, len(res.get("frames", []))))
    check(len(set(res["frames"])) > 1, "MJPEG viewer %d got the same picture every time" % i)
check(server.count(r"MJPEG viewer joined \(2 watching\)") >= 1, "the two viewers were never connected at the same time")
print("two MJPEG viewers: 15 parts each")
if not videotest:
    opens = server.count(r"senxorsrc.*opened emulator://")
    check(opens == 1, "the camera was opened %d times" % opens)

# Temperatures: the pixel under a relative point, and consistent statistics.
for x, y, column, row in ((0.5, 0.5, 40, 31), (0.0, 0.0, 0, 0), (1.0, 1.0, 79, 61), (0.26, 0.9, 20, 55)):
    status, headers, body = get(base + "temperature?x=%s&y=%s" % (x, y))
    check(status == 200 and headers.get("Content-Type") == "application/json", "temperature -> %d" % status)
    t = json.loads(body)
    check((t["column"], t["row"], t["width"], t["height"]) == (column, row, 80, 62),
          "temperature at (%s, %s) read pixel (%d, %d) of %dx%d" % (x, y, t["column"], t["row"], t["width"], t["height"]))
    check(t["min_celsius"] <= t["celsius"] <= t["max_celsius"], "temperature outside the frame's range: %s" % t)
    check(abs(t["celsius"] - (t["raw"] * 0.1 - 273.15)) < 0.006, "celsius is not the deci-Kelvin value: %s" % t)
    if not videotest:
        check(-40.0 <= t["min_celsius"] and t["max_celsius"] <= 150.0, "implausible scene temperatures: %s" % t)
print("temperature: %s" % body.decode().strip())

for query in ("", "?x=0.5", "?x=1.5&y=0.5", "?x=-0.1&y=0.2", "?x=abc&y=0.2", "?x=0.5&y=nan"):
    status, _, body = get(base + "temperature" + query)
    check(status == 400 and b"error" in body, "temperature%s: expected 400, got %d" % (query, status))
status, _, _ = get(base + "nothing-here")
check(status == 404, "unknown path: expected 404, got %d" % status)

# Other methods: 405 with the methods the resource has (RFC 9110 15.5.6).
for method in ("POST", "PUT", "DELETE"):
    try:
        urllib.request.urlopen(urllib.request.Request(base + "snapshot.jpg", data=b"x", method=method), timeout=20)
        fail("%s was accepted" % method)
    except urllib.error.HTTPError as e:
        check(e.code == 405, "%s: expected 405, got %d" % (method, e.code))
        check(e.headers.get("Allow") == "GET, HEAD", "%s: 405 with Allow %r" % (method, e.headers.get("Allow")))
# HEAD of the stream: its headers, no body, and no viewer left behind.
with urllib.request.urlopen(urllib.request.Request(base + "stream.mjpg", method="HEAD"), timeout=20) as r:
    check(r.status == 200 and r.headers.get("Content-Type", "").startswith("multipart/x-mixed-replace"),
          "HEAD stream.mjpg -> %d %s" % (r.status, r.headers.get("Content-Type")))
    check(r.read() == b"", "HEAD stream.mjpg sent a body")
print("405 with Allow, HEAD of the stream: ok")

# A burst of clients while the server is busy (here: stopped with SIGSTOP)
# must all be taken by the kernel's listen queue and served once it resumes,
# not dropped and retried a second later (a backlog of 10 takes 11).
BURST = 100
port_number = int(base.split(":")[2].strip("/"))
socks = []
server.proc.send_signal(signal.SIGSTOP)
try:
    for i in range(BURST):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        sock.connect_ex(("127.0.0.1", port_number))
        socks.append(sock)
    pending = set(socks)
    deadline = time.monotonic() + 10
    while pending and time.monotonic() < deadline:
        _, writable, _ = select.select([], list(pending), [], 0.5)
        for sock in writable:
            check(sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0, "a client of the burst was refused")
            pending.discard(sock)
finally:
    server.proc.send_signal(signal.SIGCONT)
check(not pending, "%d of %d clients could not connect while the server was busy (listen backlog too short)"
      % (len(pending), BURST))
for sock in socks:
    sock.setblocking(True)
    sock.settimeout(30)
    sock.sendall(b"GET /temperature?x=0.5&y=0.5 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
for i, sock in enumerate(socks):
    answer = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            break
        answer += chunk
    sock.close()
    check(answer.startswith(b"HTTP/1.1 200"), "client %d of the burst got %r" % (i, answer[:40]))
print("a burst of %d clients while the server was stopped: all connected and served" % BURST)

port = base.split(":")[2].strip("/")
for args_, code_, message in (
        (["--port", port, "--source", "videotestsrc"], 1, r"cannot listen on 127\.0\.0\.1 port %s" % port),
        (["--jpeg-quality", "0"], 2, r"--jpeg-quality must be a whole number from 1 to 100, not '0'"),
        (["--help"], 0, r"--device=DEVICE")):
    other = Process([server_bin] + args_)
    code = other.proc.wait(30)
    other.stop()
    check(code == code_, "%s: exit status %d, expected %d" % (args_, code, code_))
    check(other.count(message) + other.count(message, stream="out") >= 1, "%s: no message /%s/" % (args_, message))

status = server.stop(signal.SIGINT)
check(status == 0, "senxor-http-server exited with %d after SIGINT" % status)
# "stopping" on standard error when the signal comes, "stopped" on standard
# output once everything is closed (as docs/guide/senxor-http-server.md says).
check(server.count(r"^senxor-http-server: stopping$") == 1, "no 'stopping' line on stderr after SIGINT")
check(server.count(r"^senxor-http-server: stopped$", stream="out") == 1, "no 'stopped' line on stdout after SIGINT")

# A pipeline without the jpeg appsink is refused with a clear message.
bad = Process([server_bin, "--port", "0", "--pipeline", "videotestsrc ! fakesink"])
check(bad.proc.wait(20) == 1, "a pipeline without appsink 'jpeg' was accepted")
bad.stop()
check(bad.count(r"needs an appsink named 'jpeg'") == 1, "no clear message for a pipeline without appsink 'jpeg'")
print("PASS")
