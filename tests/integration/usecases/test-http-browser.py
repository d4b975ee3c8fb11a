#!/usr/bin/env python3
# senxor-http-server's page in headless Chromium: a screenshot shows the
# thermal picture, hovering shows the temperature of the pixel under the
# pointer, and a point in the address (#x=..&y=..) is measured too.
# Chromium is driven over its DevTools pipe (chromium.py), so no browser
# automation package is needed; without Chromium the test fails naming the
# Debian package.
# SPDX-License-Identifier: LGPL-2.1-or-later
import base64
import json
import os
import re
import signal
import sys
import time
import urllib.request

import chromium
from usecase import build_path, Process, check, colour_stats, decode_image, server_source

server_bin = sys.argv[1]
chromium.find()  # before the server: a missing browser fails naming its package

# ---- the server ----
server = Process([server_bin, "--port", "0", "--width", "640"] + server_source())
base = server.wait_line(r"serving (http://127\.0\.0\.1:\d+/)").group(1)

# ---- the browser ----
browser = chromium.Browser(width=800, height=700)
try:
    evaluate = browser.evaluate

    def wait_for(expression, what, timeout=30):
        try:
            return browser.wait_for(expression, what, timeout)
        except SystemExit:
            server.dump()
            raise

    browser.page("Page.navigate", {"url": base})
    wait_for("document.getElementById('live') && document.getElementById('live').naturalWidth > 0",
             "the live picture to appear")
    time.sleep(0.5)  # a few more MJPEG frames

    # The screenshot shows the thermal picture where the page puts it.
    box = evaluate("(() => { const r = document.getElementById('live').getBoundingClientRect();"
                   " return {x: r.left, y: r.top, w: r.width, h: r.height}; })()")
    check(abs(box["w"] - 640) < 1 and abs(box["h"] - 496) < 1, "the picture is laid out at %s" % box)
    shot = base64.b64decode(browser.page("Page.captureScreenshot", {"format": "png"})["data"])
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
        browser.page("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": px, "y": py})
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
    browser.page("Page.navigate", {"url": base + "#x=0.9&y=0.1"})
    wait_for("document.getElementById('temp').dataset.column == '72' && "
             "document.getElementById('temp').dataset.row == '6'", "a temperature for #x=0.9&y=0.1")
    print("address point: %s" % evaluate("document.getElementById('temp').textContent"))
finally:
    browser.close()

status = server.stop(signal.SIGINT)
check(status == 0, "senxor-http-server exited with %d after SIGINT" % status)
print("PASS")
