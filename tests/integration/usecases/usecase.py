# Helpers shared by the use-case tests (servers and examples).
# SPDX-License-Identifier: LGPL-2.1-or-later
import atexit
import ctypes
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

SKIP = 77

# The emulated camera the server tests use (80x62), at its normal frame rate:
# fast mode (no real-time pacing) would only flood the servers.
EMULATOR = "emulator://?module=mi08&scene=people"
# Stand-in for builds without senxorsrc: radiometric-like GRAY16_LE frames.
GRAY16_TEST_SOURCE = ("videotestsrc is-live=true pattern=circular horizontal-speed=2 "
                      "! video/x-raw,format=GRAY16_LE,width=80,height=62,framerate=25/1")


def fail(message):
    print("FAIL: " + message, file=sys.stderr)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


def skip(message):
    print("SKIP: " + message)
    sys.exit(SKIP)


def need_program(name, package):
    """The path of an external program; a failure naming its Debian package
    when it is missing."""
    path = shutil.which(name)
    if path is None:
        fail("no %s: install Debian's %s package (scripts/install-deps.sh does)" % (name, package))
    return path


def need_elements(Gst, elements):
    """Fails naming the Debian package of the first missing GStreamer element
    of elements, (factory name, package) pairs."""
    for factory, package in elements:
        if Gst.ElementFactory.find(factory) is None:
            fail("no %s element: install Debian's %s package (scripts/install-deps.sh does)" % (factory, package))


def server_source(colour=False):
    """The options that give a server its picture: the emulated camera, or
    under --videotestsrc (a build without senxorsrc) the GRAY16_LE stand-in,
    made a colour picture when colour is true (senxor-rtsp-server's --source
    replaces the colour map too)."""
    if "--videotestsrc" not in sys.argv:
        return ["--device", EMULATOR]
    return ["--source", GRAY16_TEST_SOURCE + (" ! thermalnormalize ! thermalcolormap" if colour else "")]


# Children must not outlive a test that fails (sys.exit) or is killed by
# meson's timeout: kill them at exit, and have the kernel send SIGKILL to a
# child whose parent dies (children are started from the main thread).
_children = []
_PR_SET_PDEATHSIG = 1


def _die_with_parent():
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL))
    except (OSError, AttributeError):
        pass


@atexit.register
def _kill_children():
    for proc in _children:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


class Process:
    """A child process whose stdout and stderr are collected by threads, so a
    test can wait for a line without ever blocking on a pipe."""

    def __init__(self, argv, stdin=None, env=None):
        print("+ " + " ".join(argv), flush=True)
        self.argv = argv
        self.proc = subprocess.Popen(argv, stdin=stdin, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=env,
                                     preexec_fn=_die_with_parent)
        _children.append(self.proc)
        self.out = []
        self.err = []
        self.cond = threading.Condition()
        self.threads = [threading.Thread(target=self._reader, args=(self.proc.stdout, self.out), daemon=True),
                        threading.Thread(target=self._reader, args=(self.proc.stderr, self.err), daemon=True)]
        for t in self.threads:
            t.start()

    def _reader(self, stream, lines):
        for raw in iter(stream.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip("\n")
            with self.cond:
                lines.append(line)
                self.cond.notify_all()
        with self.cond:
            self.cond.notify_all()

    def wait_line(self, pattern, timeout=30, stream="out"):
        """The first match of regex pattern in stdout (or stderr)."""
        lines = self.out if stream == "out" else self.err
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for line in lines:
                    m = rx.search(line)
                    if m:
                        return m
                if self.proc.poll() is not None and not any(t.is_alive() for t in self.threads):
                    self.dump()
                    fail("%s exited (status %s) before printing /%s/" % (self.argv[0], self.proc.returncode, pattern))
                left = deadline - time.monotonic()
                if left <= 0:
                    self.dump()
                    fail("%s did not print /%s/ within %d s" % (self.argv[0], pattern, timeout))
                self.cond.wait(min(left, 0.5))

    def count(self, pattern, stream="err"):
        rx = re.compile(pattern)
        with self.cond:
            return sum(1 for line in (self.out if stream == "out" else self.err) if rx.search(line))

    def stop(self, sig=signal.SIGINT, timeout=20):
        """Sends sig and returns the exit status; a hang is a failure."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            status = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            self.dump()
            fail("%s did not stop within %d s of %s" % (self.argv[0], timeout, sig.name))
        for t in self.threads:
            t.join(5)
        return status

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def dump(self):
        with self.cond:
            print("---- %s stdout ----\n%s\n---- stderr ----\n%s\n----" % (
                self.argv[0], "\n".join(self.out), "\n".join(self.err)), file=sys.stderr)


def build_path(*parts):
    return os.path.join(os.environ["SENXOR_BUILD_ROOT"], *parts)


def source_path(*parts):
    return os.path.join(os.environ["SENXOR_SOURCE_ROOT"], *parts)


def gst():
    import gi
    gi.require_version("Gst", "1.0")
    from gi.repository import Gst
    Gst.init(None)
    return Gst


def decode_image(data, decoder):
    """Decodes one JPEG or PNG (bytes) with GStreamer into (width, height, RGB bytes)."""
    Gst = gst()
    pipeline = Gst.parse_launch(
        "appsrc name=src ! %s ! videoconvert ! video/x-raw,format=RGB ! appsink name=sink sync=false" % decoder)
    src = pipeline.get_by_name("src")
    sink = pipeline.get_by_name("sink")
    pipeline.set_state(Gst.State.PLAYING)
    src.emit("push-buffer", Gst.Buffer.new_wrapped(data))
    src.emit("end-of-stream")
    sample = sink.emit("try-pull-sample", 10 * Gst.SECOND)
    pipeline.set_state(Gst.State.NULL)
    check(sample is not None, "%s could not decode the %d-byte image" % (decoder, len(data)))
    s = sample.get_caps().get_structure(0)
    w, h = s.get_value("width"), s.get_value("height")
    buf = sample.get_buffer()
    ok, info = buf.map(Gst.MapFlags.READ)
    stride = (w * 3 + 3) & ~3
    rows = [bytes(info.data[r * stride:r * stride + w * 3]) for r in range(h)]
    buf.unmap(info)
    return w, h, b"".join(rows)


def colour_stats(rgb, x0=0, y0=0, x1=None, y1=None, width=None, saturation=40):
    """(distinct colours, share of pixels whose channels differ by more than
    saturation) in a region of an RGB image."""
    colours = set()
    coloured = 0
    total = 0
    for y in range(y0, y1):
        row = rgb[(y * width + x0) * 3:(y * width + x1) * 3]
        for i in range(0, len(row), 3):
            r, g, b = row[i], row[i + 1], row[i + 2]
            colours.add((r >> 2, g >> 2, b >> 2))
            if max(r, g, b) - min(r, g, b) > saturation:
                coloured += 1
            total += 1
    return len(colours), coloured / max(total, 1)


def tempdir(prefix):
    d = tempfile.mkdtemp(prefix=prefix)
    return d


def rmtree(d):
    shutil.rmtree(d, ignore_errors=True)
