#!/usr/bin/env python3
# scripts/demo.sh as a user runs it (with --no-setup: the build under test):
#   test-demo.py headless   the files: H.264 that FFmpeg decodes strictly and
#                           Chromium plays, 5 s long, radiometric FFV1 of the
#                           same frames, a colour snapshot
#   test-demo.py snapshot   the snapshot is the 10th frame, not the first
#   test-demo.py no-window  DISPLAY names no server: one line says so, and
#                           the files are written instead
#   test-demo.py window     a window on an Xvfb server shows the picture and
#                           Ctrl-C ends the demo with status 0
# SPDX-License-Identifier: LGPL-2.1-or-later
import atexit
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

import media
from usecase import Process, check, colour_stats, decode_image, fail, gst, rmtree, source_path, tempdir

name = sys.argv[1]
DEMO = source_path("scripts", "demo.sh")
SECONDS = 5
SNAPSHOT_FRAMES = 10  # scripts/demo.sh


# The demo's processes are a process group of their own (the window test
# sends it Ctrl-C); none outlives the test, even one killed by a timeout.
_groups = []


@atexit.register
def _kill_groups():
    for proc in _groups:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit("killed by SIGTERM"))


def start_demo(args, display=None, **kwargs):
    argv = [DEMO, "--no-setup"] + args
    print("+ %s%s" % ("DISPLAY=%s " % display if display else "", " ".join(argv)), flush=True)
    proc = subprocess.Popen(argv, env=demo_env(display), start_new_session=True, **kwargs)
    _groups.append(proc)
    return proc


def demo_env(display=None):
    env = dict(os.environ)
    # As a user runs it: GLib warnings from system plugins must not abort.
    env.pop("G_DEBUG", None)
    env.pop("WAYLAND_DISPLAY", None)
    env.pop("DISPLAY", None)
    if display is not None:
        env["DISPLAY"] = display
    env["BUILD"] = os.environ["SENXOR_BUILD_ROOT"]
    return env


def run_demo(args, display=None, timeout=240):
    p = start_demo(args, display, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        fail("demo.sh did not finish within %d s" % timeout)
    out, err = out.decode(), err.decode()
    print(out)
    print(err, file=sys.stderr)
    check(p.returncode == 0, "demo.sh exited with %d" % p.returncode)
    return out, err


def frames_written(out):
    m = re.search(r"display\.mp4 +%d s of display video \((\d+) frames" % SECONDS, out)
    check(m is not None, "demo.sh did not say how many frames it wrote")
    return int(m.group(1))


def check_files(d, out, err, seconds, browser=True):
    frames = frames_written(out)
    display, radiometric = os.path.join(d, "display.mp4"), os.path.join(d, "radiometric.mkv")
    # A busy host makes the camera lose frames (the demo says so): the files
    # still cover the time asked for, with fewer frames, unless the frames
    # lost were the last ones.
    lost = sum(int(n) for n in re.findall(r"^demo: warning: Lost (\d+) frames", err, re.M))
    print("demo: %d frames written, %d lost" % (frames, lost))
    fps = 30  # the emulated MI16
    check(frames <= seconds * fps and frames >= seconds * fps - lost,
          "%d frames for %d s at %d fps with %d lost" % (frames, seconds, fps, lost))
    s = media.check_h264(display, 640, 480, frames, duration=seconds if lost == 0 else None)
    if lost:
        check(s["duration"] <= seconds + 1.5 / fps, "display.mp4 lasts %.3f s, more than %d s"
              % (s["duration"], seconds))
    r = media.probe(radiometric)
    print("radiometric.mkv: %s %s %dx%d, %d frames, %.3f s" % (r["codec_name"], r["pix_fmt"], r["width"],
                                                                r["height"], r["nb_read_frames"], r["duration"]))
    check(r["codec_name"] == "ffv1" and r["pix_fmt"] == "gray16le", "radiometric.mkv is %s %s"
          % (r["codec_name"], r["pix_fmt"]))
    check((r["width"], r["height"]) == (160, 120), "radiometric.mkv is %dx%d" % (r["width"], r["height"]))
    check(r["nb_read_frames"] == frames, "radiometric.mkv has %d frames, display.mp4 %d"
          % (r["nb_read_frames"], frames))
    check(abs(r["duration"] - s["duration"]) <= 1.5 / fps, "radiometric.mkv lasts %.3f s, display.mp4 %.3f s"
          % (r["duration"], s["duration"]))
    with open(os.path.join(d, "snapshot.png"), "rb") as f:
        w, h, rgb = decode_image(f.read(), "pngdec")
    colours, coloured = colour_stats(rgb, 0, 0, w, h, w)
    check((w, h) == (640, 480) and colours >= 40 and coloured >= 0.05,
          "snapshot.png: %dx%d, %d colours, %.0f%% coloured" % (w, h, colours, 100 * coloured))
    if browser:
        media.play_in_chromium(display, 640, 480, frames, s["duration"])
    return frames


def test_headless():
    d = tempdir("senxor-demo-")
    try:
        out, err = run_demo(["--headless", "--output", d, "--seconds", str(SECONDS)])
        check_files(d, out, err, SECONDS)
    finally:
        rmtree(d)


def test_snapshot():
    # In fast mode the emulated camera's frames are a function of their
    # number only, so the recording's frame k is the snapshot run's frame k.
    d = tempdir("senxor-demo-")
    try:
        run_demo(["--headless", "--output", d, "--seconds", "1",
                  "--device", "emulator://?module=mi16&scene=people&seed=1&fast=1"])
        compared = 3 * SNAPSHOT_FRAMES
        psnr = media.psnr_per_frame(os.path.join(d, "display.mp4"), os.path.join(d, "snapshot.png"), compared)
        best = max(range(compared), key=lambda k: psnr[k])
        print("snapshot against the recording's frames (dB): %s" % ", ".join("%.1f" % v for v in psnr))
        check(best == SNAPSHOT_FRAMES - 1, "the snapshot is frame %d of the recording, not frame %d"
              % (best + 1, SNAPSHOT_FRAMES))
        check(psnr[best] >= 35, "the snapshot is not the recording's frame %d (%.1f dB)"
              % (SNAPSHOT_FRAMES, psnr[best]))
        check(psnr[0] <= psnr[best] - 10, "the first frame is as close to the snapshot (%.1f dB) as frame %d (%.1f dB)"
              % (psnr[0], SNAPSHOT_FRAMES, psnr[best]))
    finally:
        rmtree(d)


def free_display():
    """A display number no X server uses."""
    for n in range(57, 157):
        if not os.path.exists("/tmp/.X11-unix/X%d" % n) and not os.path.exists("/tmp/.X%d-lock" % n):
            return n
    fail("no free X display number between 57 and 156")


def test_no_window():
    d = tempdir("senxor-demo-")
    display = ":%d" % free_display()
    try:
        out, err = run_demo(["--output", d, "--seconds", str(SECONDS)], display=display)
        lines = [line for line in err.splitlines() if line.startswith("demo: no video window")]
        check(len(lines) == 1, "expected one 'demo: no video window' line, got %d" % len(lines))
        check(("DISPLAY=%s " % display) in lines[0] and lines[0].endswith("writing files instead"),
              "the line does not name the display and what happens: %s" % lines[0])
        check("== No window: writing" in out, "no files announced")
        check_files(d, out, err, SECONDS, browser=False)
    finally:
        rmtree(d)


def screen(display):
    """One RGB picture of the whole X screen."""
    Gst = gst()
    if Gst.ElementFactory.find("ximagesrc") is None:
        fail("no ximagesrc: install Debian's gstreamer1.0-plugins-good package (scripts/install-deps.sh does)")
    p = Gst.parse_launch("ximagesrc use-damage=false num-buffers=1 name=x ! videoconvert "
                         "! video/x-raw,format=RGB ! appsink name=s sync=false")
    p.get_by_name("x").set_property("display-name", display)
    p.set_state(Gst.State.PLAYING)
    sample = p.get_by_name("s").emit("try-pull-sample", 20 * Gst.SECOND)
    error = p.get_bus().pop_filtered(Gst.MessageType.ERROR)
    p.set_state(Gst.State.NULL)
    check(sample is not None, "cannot capture the screen of %s: %s" % (display, error and error.parse_error()[0].message))
    s = sample.get_caps().get_structure(0)
    w, h = s.get_value("width"), s.get_value("height")
    buf = sample.get_buffer()
    stride = (w * 3 + 3) & ~3
    data = buf.extract_dup(0, buf.get_size())
    return w, h, b"".join(data[r * stride:r * stride + w * 3] for r in range(h))


def test_window():
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        fail("no Xvfb: install Debian's xvfb package (scripts/install-deps.sh does)")
    # Xvfb picks a free display number itself and writes it on fd 1.
    server = Process([xvfb, "-displayfd", "1", "-screen", "0", "700x540x24", "-nolisten", "tcp"])
    try:
        display = ":" + server.wait_line(r"^(\d+)$", timeout=30).group(1)
        w, h, rgb = screen(display)
        check(colour_stats(rgb, 0, 0, w, h, w)[0] <= 2, "the empty Xvfb screen is not uniform")
        demo = start_demo([], display, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        out = []

        def read():
            for line in iter(demo.stdout.readline, b""):
                out.append(line.decode("utf-8", "replace").rstrip())
        threading.Thread(target=read, daemon=True).start()
        deadline = time.monotonic() + 120
        while not any("== Live picture" in line for line in out):
            if demo.poll() is not None or time.monotonic() > deadline:
                print("\n".join(out), file=sys.stderr)
                fail("the demo did not open a window on Xvfb (status %s)" % demo.poll())
            time.sleep(0.2)
        sink = re.search(r"in a window \((\w+);", "\n".join(out)).group(1)
        # The window shows the colour picture (640x480 at the top left: no
        # window manager); the rest of the screen stays black.
        deadline = time.monotonic() + 60
        while True:
            w, h, rgb = screen(display)
            colours, coloured = colour_stats(rgb, 0, 0, 640, 480, w)
            if colours >= 40 and coloured >= 0.05:
                break
            if time.monotonic() > deadline or demo.poll() is not None:
                print("\n".join(out), file=sys.stderr)
                fail("no thermal picture on the screen (%d colours, %.0f%% coloured)" % (colours, 100 * coloured))
            time.sleep(0.5)
        outside = colour_stats(rgb, 0, 490, w, h, w)[0]
        print("window (%s) on Xvfb %s: %d colours, %.0f%% strongly coloured; below it %d colours"
              % (sink, display, colours, 100 * coloured, outside))
        check(outside <= 2, "the screen below the window is not empty (%d colours)" % outside)
        os.killpg(demo.pid, signal.SIGINT)
        try:
            status = demo.wait(60)
        except subprocess.TimeoutExpired:
            fail("the demo did not stop within 60 s of Ctrl-C")
        time.sleep(0.5)
        print("\n".join(out))
        check(status == 0, "the demo exited with %d after Ctrl-C" % status)
    finally:
        _kill_groups()
        server.stop(signal.SIGTERM)


tests = {"headless": test_headless, "snapshot": test_snapshot, "no-window": test_no_window, "window": test_window}
tests[name]()
print("PASS")
