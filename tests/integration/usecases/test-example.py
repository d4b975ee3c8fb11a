#!/usr/bin/env python3
# Runs one example of docs/examples headless on the emulated camera for a few
# seconds and checks what it produced.
#   test-example.py NAME PROGRAM...   (PROGRAM: the C binary, or python3 + script)
# SPDX-License-Identifier: LGPL-2.1-or-later
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request

import media
from usecase import Process, check, colour_stats, decode_image, fail, gst, rmtree, tempdir

name = sys.argv[1]
program = sys.argv[2:]


# No camera configured (an empty configuration file instead of ~/.config and
# /etc, docs/devices.md): an example without --device must still run, on the
# emulated camera.
NO_CAMERA_ENV = {k: v for k, v in os.environ.items() if k not in ("SENXOR_EMULATORS", "SENXOR_TCP_DEVICES")}
NO_CAMERA_ENV["SENXOR_CONFIG"] = os.devnull


def celsius(dk):
    return dk / 10 - 273.15


# The emulator's "gradient" scene, exactly: pixel (x, y) of frame n is
# 2932 + 4x + 2y + n % 64 deci-Kelvin (include/senxor/emulator.h).
def gradient_span(width, height):
    return (4 * (width - 1) + 2 * (height - 1)) / 10


def run(args, timeout=120, env=None):
    return run_with(None, args, timeout, env)


def run_with(python, args, timeout=120, env=None):
    """Runs the program, with another Python interpreter when @python is given."""
    cmd = ([python] + program[1:] if python else program) + args
    print("+ " + " ".join(cmd), flush=True)
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout, env=env)
    out, err = p.stdout.decode(), p.stderr.decode()
    print(out)
    print(err, file=sys.stderr)
    return p.returncode, out, err


def test_poll():
    cams = [("emulator://poll-a?module=mi08&scene=gradient", 80, 62),
            ("emulator://poll-b?module=mi05&scene=gradient", 50, 50)]
    status, out, _ = run(["--seconds", "3"] + [c[0] for c in cams])
    check(status == 0, "exit status %d" % status)
    for i, (device, w, h) in enumerate(cams):
        m = re.search(r"camera %d \(.*\): (\d+) frames" % i, out)
        check(m is not None and int(m.group(1)) >= 20, "camera %d: too few frames: %s" % (i, m and m.group(0)))
        lines = re.findall(r"camera %d: frame \d+ min (-?[\d.]+) °C max (-?[\d.]+) °C mean (-?[\d.]+) °C" % i, out)
        check(len(lines) >= 2, "camera %d printed %d statistics lines" % (i, len(lines)))
        for lo, hi, mean in lines:
            lo, hi, mean = float(lo), float(hi), float(mean)
            check(abs((hi - lo) - gradient_span(w, h)) < 0.011, "camera %d: span %.2f, the gradient has %.2f"
                  % (i, hi - lo, gradient_span(w, h)))
            check(celsius(2932) - 0.01 <= lo <= celsius(2932 + 63) + 0.01, "camera %d: min %.2f °C" % (i, lo))
            check(abs(mean - (lo + gradient_span(w, h) / 2)) < 0.011, "camera %d: mean %.2f °C" % (i, mean))


def test_callbacks():
    d = tempdir("senxor-callbacks-")
    db = os.path.join(d, "frames.sqlite")
    try:
        status, out, err = run(["--device", "emulator://cb?module=mi08&scene=gradient&faults=disconnect@1500ms",
                                "--seconds", "5", "--db", db, "--work-ms", "30"])
        check(status == 0, "exit status %d" % status)
        check("streaming (the camera is open)" in out, "no state-change event")
        check(re.search(r"^device lost: ", out, re.M), "the disconnect was not reported")
        check(re.search(r"^device restored: ", out, re.M), "the reconnection was not reported")
        m = re.search(r"frames stored: (\d+)", out)
        check(m is not None and int(m.group(1)) >= 20, "too few frames stored: %s" % (m and m.group(0)))
        import sqlite3
        rows = sqlite3.connect(db).execute("SELECT width, height, min_c, max_c, mean_c, thread FROM frames").fetchall()
        check(len(rows) == int(m.group(1)), "%d rows in the database, %s reported" % (len(rows), m.group(1)))
        for w, h, lo, hi, mean, thread in rows:
            check((w, h) == (80, 62), "row with size %dx%d" % (w, h))
            check(abs((hi - lo) - gradient_span(80, 62)) < 1e-6, "row span %.3f" % (hi - lo))
            check(thread != "MainThread", "the callback ran on the main thread")
    finally:
        rmtree(d)


def test_thermal_rgb():
    d = tempdir("senxor-rgb-")
    try:
        # without --device: the emulated camera, as in the other examples
        png = os.path.join(d, "default.png")
        status, out, _ = run(["--rgb", "test", "--snapshot", png, "--frames", "5"], env=NO_CAMERA_ENV)
        check(status == 0 and os.path.getsize(png) > 0, "without --device: exit status %d" % status)
        check("thermal camera: emulator://" in out, "without --device the emulated camera is not used")
        for mode, size in (("side", (1280, 480)), ("blend", (640, 480))):
            png = os.path.join(d, mode + ".png")
            status, out, _ = run(["--device", "emulator://?module=mi08&scene=hotspot", "--rgb", "test",
                                  "--mode", mode, "--snapshot", png, "--frames", "20"])
            check(status == 0, "%s: exit status %d" % (mode, status))
            with open(png, "rb") as f:
                w, h, rgb = decode_image(f.read(), "pngdec")
            check((w, h) == size, "%s: picture %dx%d, expected %dx%d" % (mode, w, h, size[0], size[1]))
            if mode == "side":
                left = colour_stats(rgb, 0, 0, 640, 480, w)
                right = colour_stats(rgb, 640, 0, 1280, 480, w)
                print("side: webcam half %d colours, thermal half %d colours" % (left[0], right[0]))
                check(left[0] >= 8 and right[0] >= 20, "a half of the picture is empty")
            else:
                # The webcam test picture alone, to see the thermal overlay on it.
                plain = subprocess.run(["gst-launch-1.0", "-q", "videotestsrc", "num-buffers=1", "pattern=smpte", "!",
                                        "video/x-raw,width=640,height=480", "!", "videoconvert", "!",
                                        "video/x-raw,format=RGB", "!", "fdsink", "fd=1"],
                                       stdout=subprocess.PIPE, check=True).stdout
                changed = sum(1 for i in range(0, 640 * 480 * 3, 3)
                              if abs(rgb[i] - plain[i]) + abs(rgb[i + 1] - plain[i + 1]) + abs(rgb[i + 2] - plain[i + 2]) > 60)
                share = changed / (640 * 480)
                print("blend: %.1f%% of the webcam picture covered by hot parts" % (100 * share))
                check(0.002 < share < 0.9, "blend: %.1f%% of the picture changed" % (100 * share))
    finally:
        rmtree(d)


def decode_frames(path, caps, pipeline_tail):
    Gst = gst()
    p = Gst.parse_launch("filesrc name=f ! %s ! appsink name=s sync=false caps=%s" % (pipeline_tail, caps))
    p.get_by_name("f").set_property("location", path)
    sink = p.get_by_name("s")
    p.set_state(Gst.State.PLAYING)
    frames = []
    while True:
        sample = sink.emit("try-pull-sample", 20 * Gst.SECOND)
        if sample is None:
            break
        buf = sample.get_buffer()
        s = sample.get_caps().get_structure(0)
        frames.append((s.get_value("width"), s.get_value("height"), buf.extract_dup(0, buf.get_size())))
    msg = p.get_bus().pop_filtered(Gst.MessageType.ERROR)
    p.set_state(Gst.State.NULL)
    check(msg is None, "decoding %s: %s" % (path, msg and msg.parse_error()[0].message))
    return frames


def discover(path):
    """(video caps, duration in s) of a media file, as gst-discoverer-1.0 finds them."""
    Gst = gst()
    import gi
    gi.require_version("GstPbutils", "1.0")
    from gi.repository import GstPbutils
    info = GstPbutils.Discoverer.new(30 * Gst.SECOND).discover_uri(Gst.filename_to_uri(path))
    check(info.get_result() == GstPbutils.DiscovererResult.OK, "%s is not playable: %s" % (path, info.get_result()))
    videos = info.get_video_streams()
    check(len(videos) == 1, "%s has %d video streams" % (path, len(videos)))
    return videos[0].get_caps().to_string(), info.get_duration() / Gst.SECOND


def test_recorder():
    d = tempdir("senxor-recorder-")
    mkv, mp4 = os.path.join(d, "radiometric.mkv"), os.path.join(d, "display.mp4")
    try:
        # without --device and without any camera configured: the emulated one
        short = os.path.join(d, "default.mkv")
        rec = Process(program + ["--seconds", "2", "--radiometric", short,
                                 "--display", os.path.join(d, "default.mp4")],
                      env=NO_CAMERA_ENV)
        rec.wait_line(r"wrote ", timeout=60)   # --seconds 2: it ends by itself
        status = rec.stop(timeout=30)
        check(status == 0, "without --device and without a camera: exit status %d" % status)
        check(discover(short)[1] >= 1.0, "without --device: nothing recorded")
        rec = Process(program + ["--device", "emulator://?module=mi08&scene=gradient",
                                 "--radiometric", mkv, "--display", mp4])
        rec.wait_line(r"recording")
        time.sleep(3)
        status = rec.stop(signal.SIGINT, timeout=60)
        check(status == 0, "exit status %d after Ctrl-C" % status)
        check(rec.count(r"wrote ", stream="out") == 1, "no 'wrote' line")
        for path, codec in ((mkv, "video/x-ffv"), (mp4, "video/x-h264")):
            caps, duration = discover(path)
            print("%s: %s, %.2f s" % (path, caps, duration))
            check(caps.startswith(codec), "%s: the discoverer finds %s, not %s" % (path, caps, codec))
            check(duration >= 1.0, "%s: duration %.2f s" % (path, duration))
        # The temperatures come back exactly: every pixel of every frame is the
        # emulator's gradient frame, and the frames follow each other.
        frames = decode_frames(mkv, "video/x-raw,format=GRAY16_LE", "matroskademux ! avdec_ffv1")
        check(len(frames) >= 25, "only %d radiometric frames" % len(frames))
        previous = None
        for k, (w, h, data) in enumerate(frames):
            check((w, h) == (80, 62), "radiometric frame %d is %dx%d" % (k, w, h))
            stride = (w * 2 + 3) & ~3
            n = int.from_bytes(data[0:2], "little") - 2932
            check(0 <= n < 64, "frame %d: pixel (0,0) is %d, not a gradient value" % (k, n + 2932))
            for y in range(h):
                row = data[y * stride:y * stride + w * 2]
                for x in range(w):
                    v = row[2 * x] | row[2 * x + 1] << 8
                    if v != 2932 + 4 * x + 2 * y + n:
                        fail("frame %d pixel (%d, %d) is %d dK, recorded %d" % (k, x, y, v, 2932 + 4 * x + 2 * y + n))
            if previous is not None:
                # In order and one capture.  On a busy machine the camera
                # drops frames the host did not read in time (senxorsrc posts
                # a QoS message and a warning for each gap): allow gaps, not
                # repeats or disorder.
                step = (n - previous) % 64
                check(1 <= step < 32, "frame %d follows gradient phase %d with %d" % (k, previous, n))
            previous = n
        display = decode_frames(mp4, "video/x-raw", "qtdemux ! h264parse ! avdec_h264")
        check(len(display) == len(frames), "display video has %d frames, radiometric %d: not one capture?"
              % (len(display), len(frames)))
        check(display[0][0] == 640, "display video is %d wide" % display[0][0])
        print("recorder: %d frames, every temperature exact" % len(frames))
        # The display video is one that browsers, phones and hardware
        # decoders play: FFmpeg's view of it, then Chromium playing it.
        s = media.check_h264(mp4, 640, 496, len(frames))
        media.play_in_chromium(mp4, 640, 496, len(frames), s["duration"])
    finally:
        rmtree(d)


def test_alarm():
    d = tempdir("senxor-alarm-")
    try:
        status, out, _ = run(["--threshold", "50", "--seconds", "3", "--out", d,
                              "emulator://al0?module=mi08&scene=gradient", "emulator://al1?module=mi08&scene=flat"])
        check(status == 0, "exit status %d" % status)
        alarms = re.findall(r"ALARM camera (\d) \(.*\): high ([\d.]+) °C at \((\d+), (\d+)\), threshold 50.0 °C -> (\S+)", out)
        check(len(alarms) >= 1, "no alarm from the hot camera")
        check(all(cam == "0" for cam, *_ in alarms), "the cold camera raised an alarm: %s" % alarms)
        cam, temp, x, y, png = alarms[0]
        check(float(temp) > 50 and (int(x), int(y)) == (79, 61), "alarm at %s °C (%s, %s): the gradient's hottest pixel is (79, 61)"
              % (temp, x, y))
        with open(png, "rb") as f:
            w, h, rgb = decode_image(f.read(), "pngdec")
        check((w, h) == (320, 248), "alarm picture %dx%d" % (w, h))
        colours, coloured = colour_stats(rgb, 0, 0, w, h, w)
        check(colours >= 20 and coloured > 0.2, "the alarm picture is not a colour thermal picture")
        with open(os.path.join(d, "alarm.log")) as f:
            check("ALARM camera 0" in f.read(), "alarm.log has no alarm line")
        check(re.search(r"camera 1 \(.*\): 0 alarms", out), "no summary for the cold camera")
    finally:
        rmtree(d)


def test_asyncio():
    p = Process(program + ["--device", "emulator://?module=mi08&scene=people", "--seconds", "4", "--port", "0"])
    url = p.wait_line(r"serving the latest frame at (http://\S+)").group(1)
    deadline = time.monotonic() + 30
    stats = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=10) as r:
                stats = json.load(r)
                break
        except urllib.error.HTTPError as e:
            check(e.code == 503, "HTTP %d" % e.code)
            time.sleep(0.2)
    check(stats is not None and stats["width"] == 80 and stats["frame"] >= 1, "latest frame over HTTP: %s" % stats)
    check(-20 < stats["min_c"] <= stats["mean_c"] <= stats["max_c"] < 100, "implausible frame: %s" % stats)
    check(p.proc.wait(60) == 0, "exit status %s" % p.proc.returncode)
    p.stop()
    out = "\n".join(p.out)
    fast = re.search(r"consumer fast: (\d+) frames, last frame (\d+)", out)
    slow = re.search(r"consumer slow: (\d+) frames", out)
    lag = re.search(r"event loop: (\d+) ticks, worst lag ([\d.]+) ms", out)
    check(fast and slow and lag, "missing summary:\n" + out)
    check(int(fast.group(1)) >= 25, "the fast consumer got %s frames" % fast.group(1))
    check(5 <= int(slow.group(1)) < int(fast.group(1)), "the slow consumer got %s frames" % slow.group(1))
    check(float(lag.group(2)) < 2000, "the event loop was blocked for %s ms" % lag.group(2))
    print(fast.group(0), slow.group(0), lag.group(0), sep="\n")


def test_virtual_webcam():
    # without --device: the emulated camera, as in the other examples
    status, out, _ = run(["--check"], env=NO_CAMERA_ENV)
    check(status == 0 and "ok: v4l2sink accepts" in out, "--check without --device: exit status %d" % status)
    status, out, _ = run(["--device", "emulator://?module=mi08&scene=people", "--check"])
    check(status == 0, "exit status %d" % status)
    m = re.search(r"ok: v4l2sink accepts (video/x-raw,.*)", out)
    check(m is not None, "no 'ok: v4l2sink accepts' line")
    for field in ("format=(string)YUY2", "width=(int)640", "height=(int)480"):
        check(field in m.group(1), "the negotiated format %s lacks %s" % (m.group(1), field))
    status, _, err = run(["--device", "emulator://?module=mi08", "--video", "/dev/video-does-not-exist"])
    check(status == 1 and "modprobe v4l2loopback" in err, "no loopback device should say how to load one")


def test_check_python():
    # This Python has PyGObject and the plugin (meson devenv): all set.
    status, out, _ = run([])
    check(status == 0 and "all set" in out, "check_python.py fails with %s: exit status %d" % (program[0], status))
    for name in ("gi (PyGObject)", "Gst 1.0 typelib", "GstApp 1.0 typelib", "GstVideo 1.0 typelib",
                 "the senxor plugin"):
        check(re.search(r"^ok +%s" % re.escape(name), out, re.M), "no 'ok' line for %s" % name)
    # A venv of the same Python that hides the system packages: gi is missing,
    # and the fix is named.  With --system-site-packages it works again.
    d = tempdir("senxor-venv-")
    try:
        for flags, want in (([], 1), (["--system-site-packages"], 0)):
            venv = os.path.join(d, "with" if flags else "without")
            made = subprocess.run([program[0], "-m", "venv", "--without-pip"] + flags + [venv],
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
            check(made.returncode == 0, "cannot make a venv (Debian package python3-venv): %s"
                  % made.stdout.decode(errors="replace"))
            status, out, _ = run_with(os.path.join(venv, "bin", "python"), [])
            check(status == want, "venv %s: exit status %d, expected %d" % (flags, status, want))
            if want:
                check(re.search(r"^MISSING +gi \(PyGObject\): No module named 'gi'", out, re.M),
                      "the venv without system packages does not report gi missing")
                check("python3-gi" in out and "--system-site-packages" in out, "the fix is not named")
    finally:
        rmtree(d)


tests = {"poll": test_poll, "callbacks": test_callbacks, "thermal-rgb": test_thermal_rgb, "recorder": test_recorder,
         "alarm": test_alarm, "asyncio": test_asyncio, "virtual-webcam": test_virtual_webcam,
         "check-python": test_check_python}
tests[name]()
print("PASS")
