# Helpers of the senxor-rtsp-server tests: plain RTSP requests over a socket,
# FFmpeg runs, a GStreamer client counting decoded frames.
# SPDX-License-Identifier: LGPL-2.1-or-later
import re
import socket
import subprocess
import threading
import time

import usecase
from usecase import _die_with_parent, fail

# What GstClient needs, with the Debian packages that have it.
RTSP_CLIENT_ELEMENTS = (("rtspsrc", "gstreamer1.0-plugins-good"), ("rtph264depay", "gstreamer1.0-plugins-good"),
                        ("h264parse", "gstreamer1.0-plugins-bad"), ("avdec_h264", "gstreamer1.0-libav"))


def spawn(argv, env=None):
    """Popen with stdout and stderr piped; it dies with the test (at exit,
    and through the kernel when the test process is killed)."""
    print("+ " + " ".join(argv), flush=True)
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                            preexec_fn=_die_with_parent)
    usecase._children.append(proc)
    return proc


def split_url(url):
    m = re.match(r"rtsp://([^:/]+):(\d+)(/.*)", url)
    return m.group(1), int(m.group(2)), m.group(3)


def read_response(sock, timeout=30):
    """(status, headers dict, body) of one RTSP response, or (None, {}, b'') when the server closed."""
    sock.settimeout(timeout)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return None, {}, b""
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("utf-8", "replace").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        key, _, value = line.partition(":")
        headers[key.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return status, headers, body


def request(sock, method, url, cseq, timeout=30, extra=""):
    """Sends one request on an open socket; returns (status, headers, body, seconds)."""
    start = time.monotonic()
    sock.sendall(("%s %s RTSP/1.0\r\nCSeq: %d\r\n%s\r\n" % (method, url, cseq, extra)).encode())
    status, headers, body = read_response(sock, timeout)
    return status, headers, body, time.monotonic() - start


def connect(url, timeout=30):
    host, port, _ = split_url(url)
    return socket.create_connection((host, port), timeout=timeout)


def ffmpeg_decode(ffmpeg, url, frames, timeout=120, extra_input=()):
    """Starts a strict FFmpeg decode of url (any decoder complaint is an error);
    returns the Popen, whose stdout carries -progress lines."""
    argv = [ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "warning", "-xerror",
            "-err_detect", "explode"] + list(extra_input) + ["-i", url, "-frames:v", str(frames),
                                                             "-progress", "pipe:1", "-nostats", "-f", "null", "-"]
    return spawn(argv)


# What FFmpeg's H.264 decoder and demuxers print when a stream is damaged.
DECODER_TROUBLE = re.compile(r"corrupt|conceal|error|non.monoton|invalid|missing|no frame|"
                             r"mmco|decode_slice|broken|truncat", re.IGNORECASE)


def ffmpeg_result(proc, name, timeout=120, server=None):
    """Waits for an ffmpeg_decode run: (exit status, frames decoded, stderr
    lines); fails on a hang."""
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        if server is not None:
            server.dump()
        fail("%s: ffmpeg did not finish within %d s:\n%s" % (name, timeout, err.decode("utf-8", "replace")))
    frames = [int(n) for n in re.findall(rb"^frame=(\d+)", out, re.MULTILINE)]
    lines = [line for line in err.decode("utf-8", "replace").splitlines() if line.strip()]
    return proc.returncode, (frames[-1] if frames else 0), lines


def check_clean_decode(proc, name, frames, server, timeout=150, allow=None):
    """Waits for an ffmpeg_decode run (or any FFmpeg decoding to -progress
    pipe:1) and fails unless it exited 0 after at least frames frames with no
    decoder complaint; lines matching the regex allow are not counted."""
    status, decoded, lines = ffmpeg_result(proc, name, timeout=timeout, server=server)
    trouble = [line for line in lines if DECODER_TROUBLE.search(line)
               and not (allow and re.search(allow, line))]
    if status != 0 or decoded < frames or trouble:
        server.dump()
        fail("%s: exit status %d, %d frames (wanted %d), decoder complaints:\n%s" % (
            name, status, decoded, frames, "\n".join(lines)))
    print("%s: %d frames, no decoder complaint" % (name, decoded))


def describe(url, timeout=60):
    """(status, body) of a DESCRIBE on a connection of its own."""
    sock = connect(url)
    try:
        status, _, body, _ = request(sock, "DESCRIBE", url, 1, timeout=timeout, extra="Accept: application/sdp\r\n")
    finally:
        sock.close()
    return status, body


class GstClient:
    """rtspsrc -> H.264 decoder -> appsink, counting decoded frames in the background."""

    def __init__(self, Gst, url, name="gst", server=None):
        self.Gst = Gst
        self.name = name
        self.server = server  # a usecase.Process whose output a failure shows
        self.frames = 0
        self.size = None
        self.lock = threading.Lock()
        self.pipeline = Gst.parse_launch(
            "rtspsrc location=%s protocols=tcp latency=200 ! rtph264depay ! h264parse "
            "! avdec_h264 ! appsink name=sink sync=false emit-signals=true" % url)
        self.pipeline.get_by_name("sink").connect("new-sample", self._on_sample)
        self.bus = self.pipeline.get_bus()
        if self.pipeline.set_state(Gst.State.PLAYING) == Gst.StateChangeReturn.FAILURE:
            self._dump()
            fail("%s: the rtspsrc client could not start" % name)

    def _on_sample(self, sink):
        sample = sink.emit("pull-sample")
        s = sample.get_caps().get_structure(0)
        with self.lock:
            self.frames += 1
            self.size = (s.get_value("width"), s.get_value("height"))
        return self.Gst.FlowReturn.OK

    def count(self):
        msg = self.bus.pop_filtered(self.Gst.MessageType.ERROR)
        if msg is not None:
            err, debug = msg.parse_error()
            self._dump()
            fail("%s: %s (%s)" % (self.name, err.message, debug))
        with self.lock:
            return self.frames

    def wait(self, at_least, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.count() >= at_least:
                return self.count()
            time.sleep(0.1)
        self._dump()
        fail("%s: %d frames after %d s, wanted %d" % (self.name, self.count(), timeout, at_least))

    def _dump(self):
        if self.server is not None:
            self.server.dump()

    def stop(self):
        self.pipeline.set_state(self.Gst.State.NULL)
