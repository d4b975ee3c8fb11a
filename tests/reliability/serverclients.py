# Clients and probes shared by the server soak (test-server-soak.py) and the
# request fuzzer (tests/fuzz/fuzz-requests.py): a one-shot HTTP request, an
# MJPEG viewer, a minimal RTSP client (OPTIONS, DESCRIBE, SETUP over TCP
# interleaved, PLAY, then RTP read from the interleaved channel) and the
# /proc figures of a server process.  Loopback only; every socket has a
# timeout, so nothing here can hang.
# SPDX-License-Identifier: LGPL-2.1-or-later
import os
import re
import socket
import time

HOST = "127.0.0.1"
BOUNDARY = b"--senxorframe"


# ---- /proc figures of a process ----

def descriptors(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def threads(pid):
    return len(os.listdir("/proc/%d/task" % pid))


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def descriptor_targets(pid):
    out = []
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            out.append(os.readlink("/proc/%d/fd/%s" % (pid, fd)))
        except OSError:
            pass
    return sorted(out)


def under_asan():
    """True when the ASan runtime is preloaded (tests/sanitizers/run-tests.sh):
    its quarantine keeps freed memory, so RSS says nothing about leaks."""
    return "libasan" in os.environ.get("LD_PRELOAD", "") or "SENXOR_ASAN_RUNTIME" in os.environ


# ---- HTTP ----

def read_http_response(sock, limit=1 << 22):
    """(status, headers dict with lower-case names, body) of one response on a
    connection the server closes after it (senxor-http-server says
    Connection: close); None when the server closed without a status line."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
        if len(data) > limit:
            raise OSError("response head over %d bytes" % limit)
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        return None
    lines = head.decode("latin-1").split("\r\n")
    m = re.match(r"HTTP/1\.[01] (\d{3})", lines[0])
    if not m:
        raise OSError("not an HTTP status line: %r" % lines[0][:80])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = headers.get("content-length")
    while (length is None or len(body) < int(length)) and len(body) <= limit:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return int(m.group(1)), headers, body


def http_get(port, path, timeout=20, method="GET"):
    """(status, headers, body) of one request on a new connection."""
    with socket.create_connection((HOST, port), timeout=timeout) as s:
        s.sendall(("%s %s HTTP/1.1\r\nHost: %s:%d\r\n\r\n" % (method, path, HOST, port)).encode())
        r = read_http_response(s)
    if r is None:
        raise OSError("%s %s: the server closed the connection without answering" % (method, path))
    return r


class MjpegViewer:
    """Reads /stream.mjpg and counts the parts (pictures) received."""

    def __init__(self, port, timeout=20):
        self.sock = socket.create_connection((HOST, port), timeout=timeout)
        self.sock.sendall(("GET /stream.mjpg HTTP/1.1\r\nHost: %s:%d\r\n\r\n" % (HOST, port)).encode())
        self.parts = 0
        self.tail = b""
        self.head = b""

    def read(self):
        """Reads what is there (blocking up to the timeout); False at EOF."""
        chunk = self.sock.recv(65536)
        if not chunk:
            return False
        data = self.tail + chunk
        if not self.head:
            if b"\r\n\r\n" not in data:
                self.tail = data
                return True
            self.head, _, data = data.partition(b"\r\n\r\n")
            if not self.head.startswith(b"HTTP/1.1 200"):
                raise OSError("MJPEG stream answered %r" % self.head[:40])
        self.parts += data.count(BOUNDARY)
        # a boundary cut in two by recv is counted once, with the next chunk
        keep = len(BOUNDARY) - 1
        self.tail = data[-keep:] if BOUNDARY not in data[-keep:] else b""
        return True

    def close(self):
        self.sock.close()


# ---- RTSP ----

class RtspError(Exception):
    pass


class RtspClient:
    """One RTSP session over one TCP connection, RTP interleaved on it."""

    def __init__(self, url, timeout=20):
        m = re.match(r"rtsp://([0-9.]+):(\d+)(/.*)", url)
        self.url = url
        self.sock = socket.create_connection((m.group(1), int(m.group(2))), timeout=timeout)
        self.buf = b""
        self.cseq = 0
        self.session = None
        self.rtp_packets = 0
        self.frames = 0                 # RTP packets with the marker bit: ends of pictures
        self.last_rtp = None            # time.monotonic() of the last RTP packet

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise RtspError("the server closed the connection")
        self.buf += chunk

    def _parse(self):
        """The first complete item in the buffer, consumed, or None: a read
        that times out half-way through an item loses nothing."""
        if self.buf[:1] == b"$":
            if len(self.buf) < 4:
                return None
            channel, length = self.buf[1], int.from_bytes(self.buf[2:4], "big")
            if len(self.buf) < 4 + length:
                return None
            payload, self.buf = self.buf[4:4 + length], self.buf[4 + length:]
            if channel % 2 == 0:
                self.rtp_packets += 1
                self.last_rtp = time.monotonic()
                if len(payload) >= 2 and payload[1] & 0x80:
                    self.frames += 1
                return "rtp", channel, payload
            return "rtcp", channel, payload
        end = self.buf.find(b"\r\n\r\n")
        if end < 0:
            if len(self.buf) > 1 << 20:
                raise RtspError("an RTSP message head over 1 MiB")
            return None
        lines = self.buf[:end].decode("latin-1").split("\r\n")
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0") or 0)
        if len(self.buf) < end + 4 + length:
            return None
        body = self.buf[end + 4:end + 4 + length]
        self.buf = self.buf[end + 4 + length:]
        m = re.match(r"RTSP/1\.0 (\d{3})", lines[0])
        if not m:
            raise RtspError("not an RTSP status line: %r" % lines[0][:80])
        return "reply", int(m.group(1)), (headers, body)

    def read_item(self):
        """('rtp'|'rtcp', channel, payload) for interleaved data, or
        ('reply', status, (headers, body)) for an RTSP message; socket.timeout
        when nothing complete came within the socket's timeout."""
        while True:
            item = self._parse() if self.buf else None
            if item is not None:
                return item
            self._fill()

    def send_raw(self, data):
        self.sock.sendall(data)

    def request(self, method, url=None, headers=None):
        """Sends a request; returns (status, headers, body) of its reply,
        counting the RTP that arrives before it."""
        self.cseq += 1
        lines = ["%s %s RTSP/1.0" % (method, url or self.url), "CSeq: %d" % self.cseq]
        if self.session:
            lines.append("Session: %s" % self.session)
        for k, v in (headers or {}).items():
            lines.append("%s: %s" % (k, v))
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        while True:
            kind, status, rest = self.read_item()
            if kind == "reply":
                return status, rest[0], rest[1]

    def play(self):
        """OPTIONS, DESCRIBE, SETUP (TCP interleaved 0-1), PLAY."""
        status, _, _ = self.request("OPTIONS")
        if status != 200:
            raise RtspError("OPTIONS: %d" % status)
        status, headers, sdp = self.request("DESCRIBE", headers={"Accept": "application/sdp"})
        if status != 200:
            raise RtspError("DESCRIBE: %d" % status)
        base = headers.get("content-base", self.url + "/")
        m = re.search(rb"a=control:(\S+)", sdp.split(b"m=video", 1)[-1])
        control = m.group(1).decode() if m else "stream=0"
        track = control if control.startswith("rtsp://") else base.rstrip("/") + "/" + control
        status, headers, _ = self.request(
            "SETUP", track, {"Transport": "RTP/AVP/TCP;unicast;interleaved=0-1"})
        if status != 200:
            raise RtspError("SETUP: %d" % status)
        self.session = headers.get("session", "").split(";")[0]
        status, _, _ = self.request("PLAY", headers={"Range": "npt=0-"})
        if status != 200:
            raise RtspError("PLAY: %d" % status)

    def teardown(self):
        try:
            self.request("TEARDOWN")
        except (OSError, RtspError):
            pass

    def close(self):
        self.sock.close()
