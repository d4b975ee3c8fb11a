#!/usr/bin/env python3
# senxor-http-server's page in headless Chromium: a screenshot shows the
# thermal picture, hovering shows the temperature of the pixel under the
# pointer, and a point in the address (#x=..&y=..) is measured too.
# Chromium is driven over its DevTools pipe (--remote-debugging-pipe), so no
# browser automation package is needed.  Skips (77) without Chromium.
# SPDX-License-Identifier: LGPL-2.1-or-later
import base64
import fcntl
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request

import usecase
from usecase import EMULATOR, GRAY16_TEST_SOURCE, build_path, Process, check, colour_stats, decode_image, fail, rmtree, skip, tempdir

server_bin = sys.argv[1]
videotest = "--videotestsrc" in sys.argv
browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
if browser is None:
    skip("no chromium: install Debian's chromium package (scripts/install-deps.sh does)")


class DevTools:
    """Chrome DevTools Protocol over the pipe pair Chromium reads on fd 3 and
    writes on fd 4: NUL-terminated JSON messages."""

    def __init__(self, argv):
        to_chrome_r, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_w = os.pipe()

        def child_fds():
            # Move both ends out of the way first: either may already be 3 or 4.
            r = fcntl.fcntl(to_chrome_r, fcntl.F_DUPFD, 10)
            w = fcntl.fcntl(from_chrome_w, fcntl.F_DUPFD, 10)
            os.dup2(r, 3)
            os.dup2(w, 4)
            usecase._die_with_parent()

        print("+ " + " ".join(argv), flush=True)
        self.proc = subprocess.Popen(argv, preexec_fn=child_fds, close_fds=False,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        usecase._children.append(self.proc)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.next_id = 0
        self.replies = {}
        self.events = []
        self.cond = threading.Condition()
        self.stderr = []
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    def _read(self):
        buf = b""
        while True:
            chunk = os.read(self.from_chrome, 1 << 16)
            if not chunk:
                break
            buf += chunk
            while b"\0" in buf:
                raw, buf = buf.split(b"\0", 1)
                msg = json.loads(raw)
                with self.cond:
                    if "id" in msg:
                        self.replies[msg["id"]] = msg
                    else:
                        self.events.append(msg)
                    self.cond.notify_all()
        with self.cond:
            self.closed = True
            self.cond.notify_all()

    def _read_stderr(self):
        for line in iter(self.proc.stderr.readline, b""):
            self.stderr.append(line.decode("utf-8", "replace").rstrip())

    def call(self, method, params=None, session=None, timeout=60):
        with self.cond:
            self.next_id += 1
            ident = self.next_id
        msg = {"id": ident, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.to_chrome, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        with self.cond:
            while ident not in self.replies:
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None:
                    print("\n".join(self.stderr[-30:]), file=sys.stderr)
                    fail("chromium did not answer %s within %d s" % (method, timeout))
                self.cond.wait(min(left, 0.5))
            reply = self.replies.pop(ident)
        if "error" in reply:
            fail("chromium: %s failed: %s" % (method, reply["error"]))
        return reply["result"]

    def close(self):
        try:
            os.write(self.to_chrome, json.dumps({"id": 999999, "method": "Browser.close"}).encode() + b"\0")
            self.proc.wait(20)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()


# ---- the server ----
if videotest:
    args = ["--source", GRAY16_TEST_SOURCE]
else:
    args = ["--device", EMULATOR]
server = Process([server_bin, "--port", "0", "--width", "640"] + args)
base = server.wait_line(r"serving (http://127\.0\.0\.1:\d+/)").group(1)

# ---- the browser ----
profile = tempdir("senxor-chromium-")
devtools = DevTools([browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                     "--remote-debugging-pipe", "--user-data-dir=" + profile, "--window-size=800,700",
                     "about:blank"])
try:
    target = devtools.call("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = devtools.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    devtools.call("Emulation.setDeviceMetricsOverride",
                  {"width": 800, "height": 700, "deviceScaleFactor": 1, "mobile": False}, session)

    def evaluate(expression):
        result = devtools.call("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session)
        if "exceptionDetails" in result:
            fail("page script failed: %s" % result["exceptionDetails"])
        return result["result"].get("value")

    def wait_for(expression, what, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = evaluate(expression)
            if value:
                return value
            time.sleep(0.2)
        server.dump()
        fail("in the page: %s did not happen within %d s" % (what, timeout))

    devtools.call("Page.navigate", {"url": base}, session)
    wait_for("document.getElementById('live') && document.getElementById('live').naturalWidth > 0",
             "the live picture to appear")
    time.sleep(0.5)  # a few more MJPEG frames

    # The screenshot shows the thermal picture where the page puts it.
    box = evaluate("(() => { const r = document.getElementById('live').getBoundingClientRect();"
                   " return {x: r.left, y: r.top, w: r.width, h: r.height}; })()")
    check(abs(box["w"] - 640) < 1 and abs(box["h"] - 496) < 1, "the picture is laid out at %s" % box)
    shot = base64.b64decode(devtools.call("Page.captureScreenshot", {"format": "png"}, session)["data"])
    shot_dir = build_path("tests", "integration", "usecases")
    os.makedirs(shot_dir, exist_ok=True)
    shot_path = os.path.join(shot_dir, "http-browser-screenshot.png")
    with open(shot_path, "wb") as f:
        f.write(shot)
    width, height, rgb = decode_image(shot, "pngdec")
    check((width, height) == (800, 700), "screenshot is %dx%d" % (width, height))
    x0, y0 = int(box["x"]) + 2, int(box["y"]) + 2
    x1, y1 = int(box["x"] + box["w"]) - 2, int(box["y"] + box["h"]) - 2
    # A grey picture, JPEG or not, has channels within a few levels of each
    # other; the palette's dark end is dark blue-violet, 10-30 levels apart,
    # and when a hot object stretches the scale nearly the whole picture is
    # that dark end: count pixels more than 12 levels apart.
    colours, coloured = colour_stats(rgb, x0, y0, x1, y1, width, saturation=12)
    outside, _ = colour_stats(rgb, 0, y1 + 120, width, height, width)
    print("screenshot (%s): picture %d distinct colours, %.0f%% coloured; page below it %d colours"
          % (shot_path, colours, 100 * coloured, outside))
    check(colours >= 40, "the picture area of the screenshot is nearly uniform (%d colours)" % colours)
    check(coloured >= 0.05, "the picture is not in colour (%.0f%% coloured pixels)" % (100 * coloured))

    # Hover over a point: the page shows the temperature of that pixel.
    for fx, fy in ((0.5, 0.5), (0.125, 0.75)):
        px, py = box["x"] + fx * box["w"], box["y"] + fy * box["h"]
        devtools.call("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": px, "y": py}, session)
        column, row = min(int(fx * 80), 79), min(int(fy * 62), 61)
        wait_for("document.getElementById('temp').dataset.column == '%d' && "
                 "document.getElementById('temp').dataset.row == '%d'" % (column, row),
                 "a temperature for pixel (%d, %d) after hovering" % (column, row))
        text = evaluate("document.getElementById('temp').textContent")
        check(re.fullmatch(r"-?\d+\.\d °C", text) is not None, "the temperature reads %r" % text)
        shown = float(evaluate("document.getElementById('temp').dataset.celsius"))
        with urllib.request.urlopen(base + "temperature?x=%s&y=%s" % (fx, fy), timeout=20) as r:
            truth = json.load(r)
        check(truth["min_celsius"] - 0.05 <= shown <= truth["max_celsius"] + 0.05,
              "hover shows %.2f °C, outside the frame's %s..%s" % (shown, truth["min_celsius"], truth["max_celsius"]))
        print("hover at (%.3f, %.3f): %s (pixel %d, %d)" % (fx, fy, text, column, row))

    # A point given in the address is measured without any pointer.
    devtools.call("Page.navigate", {"url": base + "#x=0.9&y=0.1"}, session)
    wait_for("document.getElementById('temp').dataset.column == '72' && "
             "document.getElementById('temp').dataset.row == '6'", "a temperature for #x=0.9&y=0.1")
    print("address point: %s" % evaluate("document.getElementById('temp').textContent"))
finally:
    devtools.close()
    rmtree(profile)

status = server.stop(signal.SIGINT)
check(status == 0, "senxor-http-server exited with %d after SIGINT" % status)
print("PASS")
