#!/usr/bin/env python3
# senxor-http-server checks at start-up what would make every client fail
# later, and its options: a bad numeric option (range, nan, inf, garbage,
# negative, hex, blanks) exits 2 with one line naming the option, the value
# and the accepted range, a palette thermalcolormap does not have with one
# line listing those it has; a pipeline that cannot work (nothing feeds the
# jpeg appsink, formats that do not negotiate, a source that ends or sends
# nothing, a camera that cannot be opened) exits 1 with one line and never
# says "serving".  Odd picture sizes work (4:2:0 JPEG of odd width).
# --wait-for-camera serves at once (503 until the camera's first picture)
# and picks the camera up when it appears.
# usage: test-http-startup.py SENXOR_EMULATOR HTTP_SERVER
# SPDX-License-Identifier: LGPL-2.1-or-later
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

EMULATOR, SERVER = sys.argv[1:3]
CAMERA = "emulator://?module=mi08&scene=people&fast=1"
GRAY16 = "video/x-raw,format=GRAY16_LE,width=80,height=62,framerate=25/1"
failures = []


def fail(message):
    print("FAIL: " + message, file=sys.stderr)
    sys.exit(1)


def run(args, stdin=subprocess.DEVNULL, timeout=60):
    """(status, stdout, stderr) of the server started with args."""
    try:
        p = subprocess.run([SERVER] + args, stdin=stdin, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        fail("%s: still running after %d s" % (args, timeout))
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def expect(args, status, words, **kw):
    code, out, err = run(args, **kw)
    lines = [line for line in err.splitlines() if line.strip()]
    problems = []
    if code != status:
        problems.append("exit status %d, expected %d" % (code, status))
    if len(lines) != 1:
        problems.append("%d lines on stderr, expected one" % len(lines))
    for w in words:
        if w not in err:
            problems.append("no %r on stderr" % w)
    if "serving" in out:
        problems.append("it said it was serving")
    print("%-70s -> %d %s" % (" ".join(args)[:70], code, lines[0] if lines else ""))
    if problems:
        failures.append("%s: %s\n    stdout: %r\n    stderr: %r" % (args, "; ".join(problems), out, err))


# ---- every numeric option: a table of bad values (exit 2, one line) ----
# The line is the one every program gives (tools/options.c):
#   --port must be a whole number from 0 to 65535, not '70000'
ACCEPTED = {
    "--port": "a whole number from 0 to 65535",
    "--width": "a whole number from 16 to 8192",
    "--jpeg-quality": "a whole number from 1 to 100",
    "--start-timeout": "a number of seconds from 0.1 to 3600",
}
BAD = {
    "--port": ["abc", "-1", "65536", "nan", "inf", "0x1f90", " 80", "", "8080.5", "99999999999999999999", "80 "],
    "--width": ["15", "8193", "-640", "nan", "-inf", "1e3", "640px", "0", "six"],
    "--jpeg-quality": ["0", "101", "-5", "inf", "high", "85.5", "+"],
    "--start-timeout": ["0", "-1", "nan", "inf", "-inf", "3601", "1s", "0x10", "1e999", "", " 5"],
}
for option, values in BAD.items():
    for value in values:
        expect([option, value, "--device", CAMERA], 2,
               ["senxor-http-server: %s must be %s, not '%s'\n" % (option, ACCEPTED[option], value)])
# the former name of --jpeg-quality still works, and is checked the same way
expect(["--quality", "1000", "--device", CAMERA], 2, ["--jpeg-quality must be a whole number from 1 to 100, not '1000'"])
# a value that is not printable or too long is shown on one line
expect(["--port", "8\n0", "--device", CAMERA], 2, ["--port must be a whole number from 0 to 65535, not '8?0'"])
expect(["--port", "1" * 40, "--device", CAMERA], 2, ["not '%s...'" % ("1" * 24)])
# a palette thermalcolormap does not have: the valid names on one line
code, out, err = run(["--palette", "foo", "--device", CAMERA])
palettes = re.search(r"^senxor-http-server: --palette must be one of ((?:[a-z-]+, )+[a-z-]+), not 'foo'$", err.strip())
if code != 2 or len(err.strip().splitlines()) != 1 or palettes is None \
        or not {"ironbow", "rainbow", "white-hot"} <= set(palettes.group(1).split(", ")):
    failures.append("--palette foo: exit status %d, stderr %r" % (code, err))
print("%-70s -> %d %s" % ("--palette foo", code, err.strip()[:120]))
# a palette name with launch syntax in it is refused, not spliced into the pipeline
expect(["--palette", "ironbow ! fakesink", "--device", CAMERA], 2, ["--palette must be one of", "not 'ironbow ! fakesink'"])
expect(["--bogus"], 2, ["Unknown option --bogus"])
expect(["extra-argument"], 2, ["unexpected argument 'extra-argument'"])

# ---- pipelines that cannot work (exit 1, one line, no "serving") ----
expect(["--port", "0", "--pipeline", "appsink name=jpeg"], 1, ["nothing feeds the appsink named 'jpeg'"])
expect(["--port", "0", "--pipeline", "videotestsrc ! fakesink"], 1, ["needs an appsink named 'jpeg'"])
expect(["--port", "0", "--pipeline", "nonexistentelement ! appsink name=jpeg"], 1, ["does not parse"])
# raw video into the JPEG appsink, RGB into the radiometric one: caught by
# negotiation before any client sees it
expect(["--port", "0", "--pipeline", "videotestsrc ! appsink name=jpeg"], 1,
       ["cannot start: the elements of the pipeline do not agree on a picture format"])
expect(["--port", "0", "--pipeline", "videotestsrc ! jpegenc ! appsink name=jpeg "
        "videotestsrc ! video/x-raw,format=RGB ! appsink name=radiometric"], 1,
       ["cannot start: the elements of the pipeline do not agree on a picture format"])
expect(["--port", "0", "--source", "videotestsrc num-buffers=0 ! " + GRAY16], 1,
       ["cannot start: the capture ended before the first picture"])
# a source that sends nothing (stdin kept open, never written)
reader, writer = os.pipe()
expect(["--port", "0", "--start-timeout", "1", "--pipeline", "fdsrc fd=0 ! jpegparse ! appsink name=jpeg"], 1,
       ["cannot start: no picture from the pipeline within 1 s"], stdin=reader)
os.close(reader)
os.close(writer)
# a camera that is not there, a bad camera setting, --device without a camera
expect(["--port", "0", "--device", "tcp://127.0.0.1:1"], 1,
       ["cannot start: src: Could not find the Senxor camera tcp://127.0.0.1:1", "--wait-for-camera"])
expect(["--port", "0", "--device", "emulator://?module=zz"], 1, ["cannot start: src: Invalid Senxor device"])
expect(["--port", "0", "--device", CAMERA, "--source", "videotestsrc ! " + GRAY16], 2,
       ["--device needs an element named 'src'"])


# ---- running servers ----
class Server:
    def __init__(self, args):
        print("+ %s %s" % (SERVER, " ".join(args)), flush=True)
        self.out = []
        self.proc = subprocess.Popen([SERVER, "--port", "0"] + args, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + 60
        for line in self.proc.stdout:
            self.out.append(line.rstrip())
            m = re.search(r"serving (http://127\.0\.0\.1:\d+/)", line)
            if m:
                self.base = m.group(1)
                break
            if time.monotonic() > deadline:
                break
        else:
            self.proc.wait()
        if not hasattr(self, "base"):
            self.stop()
            fail("%s did not start: %s" % (args, self.out))

    def line(self, pattern):
        for line in self.proc.stdout:
            self.out.append(line.rstrip())
            if re.search(pattern, line):
                return line
        fail("no line /%s/: %s" % (pattern, self.out))

    def get(self, path):
        try:
            with urllib.request.urlopen(self.base + path, timeout=20) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                return self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                fail("the server did not stop within 30 s of SIGINT")
        return self.proc.returncode


if shutil.which("ffprobe") is None:
    fail("ffprobe is missing: install Debian's 'ffmpeg' package (scripts/install-deps.sh)")

# Odd widths: the picture is odd-sized 4:2:0, and the first request is served
# (the server only says "serving" once a picture is there).
# A palette thermalcolormap has is taken (here with the second width).
for width, palette in ((17, []), (33, ["--palette", "jet"])):
    server = Server(["--width", str(width), "--device", CAMERA] + palette)
    status, body = server.get("snapshot.jpg")
    if status != 200:
        server.stop()
        fail("--width %d: the first snapshot got %d" % (width, status))
    p = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "stream=pix_fmt,width,height",
                        "-of", "json", "-i", "-"], input=body, capture_output=True, timeout=60)
    stream = json.loads(p.stdout)["streams"][0] if p.returncode == 0 else {}
    print("--width %d: %s, ffprobe stderr %r" % (width, stream, p.stderr))
    if (stream.get("width"), stream.get("height"), stream.get("pix_fmt")) != (width, int(width * 62 / 80 + 0.5), "yuvj420p") \
            or p.stderr.strip():
        failures.append("--width %d: snapshot %s %r" % (width, stream, p.stderr))
    if server.stop() != 0:
        failures.append("--width %d: exit status %d after SIGINT" % (width, server.proc.returncode))

# --wait-for-camera: a camera behind TCP that is not there yet.
with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    camera_port = s.getsockname()[1]
server = Server(["--wait-for-camera", "--device", "tcp://127.0.0.1:%d" % camera_port])
server.line(r"--wait-for-camera: not waiting for the first picture; clients get 503")
for path in ("snapshot.jpg", "temperature?x=0.5&y=0.5"):
    status, _ = server.get(path)
    if status != 503:
        failures.append("--wait-for-camera, no camera: %s got %d, expected 503" % (path, status))
emulator = subprocess.Popen([EMULATOR, "--module", "mi08", "--scene", "people",
                             "--tcp", "127.0.0.1:%d" % camera_port],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
try:
    emulator.stdout.readline()
    deadline = time.monotonic() + 60
    status = 0
    while time.monotonic() < deadline:
        status, body = server.get("snapshot.jpg")
        if status == 200:
            break
        time.sleep(0.25)
    print("--wait-for-camera: snapshot %d once the camera is there" % status)
    if status != 200 or body[:2] != b"\xff\xd8":
        failures.append("--wait-for-camera: no picture within 60 s of the camera appearing (%d)" % status)
    status, body = server.get("temperature?x=0.5&y=0.5")
    if status != 200:
        failures.append("--wait-for-camera: temperature %d once the camera is there" % status)
finally:
    code = server.stop()
    emulator.send_signal(signal.SIGINT)
    try:
        emulator.wait(30)
    except subprocess.TimeoutExpired:
        emulator.kill()
        emulator.wait()
if code != 0:
    failures.append("--wait-for-camera: exit status %d after SIGINT" % code)

if failures:
    fail("%d failures:\n  %s" % (len(failures), "\n  ".join(failures)))
print("PASS")
