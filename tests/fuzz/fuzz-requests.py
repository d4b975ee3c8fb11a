#!/usr/bin/env python3
# Request-level fuzzer for the servers of tools/: sends mutated requests to a
# running senxor-http-server or senxor-rtsp-server (on an emulated camera,
# loopback only) and checks that it survives them.
#   http: request lines (methods, paths, versions), query strings (the x/y
#         of /temperature), header names and values (huge, empty, binary,
#         folded, duplicated Content-Length, bad chunked bodies), pipelined
#         requests, truncated requests, bytes of a good request mutated;
#   rtsp: methods, URLs, CSeq, Transport (TCP interleaved and UDP, bad
#         ranges), Session ids, Content-Length, interleaved '$' data from
#         the client, huge headers, mutated bytes; some in a session that
#         got as far as SETUP or PLAY.
# After every batch of BATCH cases the server must be running and answer a
# good request (http: /temperature 200 with JSON; rtsp: OPTIONS 200, and
# every 5th batch a whole PLAY that brings RTP); at the end its descriptors
# must come back to their count before the fuzzing, exactly (RTSP: within
# 100 s, as sessions set up over UDP by requests whose answer the fuzzer did
# not read expire after 60 s), and it must
# stop on SIGINT with status 0.  An AddressSanitizer or UBSan report on its
# stderr is a failure (tests/sanitizers/run-tests.sh runs this against the
# instrumented servers).
# Bounded and reproducible: SENXOR_FUZZ_SECONDS (default 20 under ASan, 8
# otherwise) and
# SENXOR_FUZZ_CASES (default 200000), whichever comes first; SENXOR_FUZZ_SEED
# (printed; default from the clock) replays a run case for case (the
# server's timing aside).
# usage: fuzz-requests.py http|rtsp SERVER
# SPDX-License-Identifier: LGPL-2.1-or-later
import json
import os
import random
import re
import signal
import socket
import sys
import time

ROOT = os.environ.get("SENXOR_SOURCE_ROOT", os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration", "usecases"))
sys.path.insert(0, os.path.join(ROOT, "tests", "reliability"))
from usecase import Process  # noqa: E402
from serverclients import (RtspClient, RtspError, descriptor_targets, descriptors,  # noqa: E402
                           http_get, under_asan)

MODE, SERVER = sys.argv[1:3]
# 20 s against the ASan build (tests/sanitizers/run-tests.sh), where it
# matters most; 8 s in the plain build, which CI runs too
SECONDS = float(os.environ.get("SENXOR_FUZZ_SECONDS", "20" if under_asan() else "8"))
CASES = int(os.environ.get("SENXOR_FUZZ_CASES", "200000"))
SEED = int(os.environ.get("SENXOR_FUZZ_SEED", str(int(time.time() * 1000) % 1000000)))
BATCH = 25
CAMERA = "emulator://?module=mi08&scene=people"
HOST = "127.0.0.1"
ASAN_REPORT = re.compile(r"ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:")

rng = random.Random(SEED)
server = None
stats = {}


def fail(message):
    if server is not None:
        server.dump()
        server.kill()
    print("FAIL: %s (seed %d: SENXOR_FUZZ_SEED=%d replays it)" % (message, SEED, SEED))
    sys.exit(1)


def count(name):
    stats[name] = stats.get(name, 0) + 1


def junk(n=None):
    n = rng.choice([0, 1, 2, 7, 64, 1000]) if n is None else n
    return rng.randbytes(n)


def huge():
    return rng.choice([b"A" * 8192, b"B" * 70000, b"%" * 300000, b"\x00" * 5000,
                       b"\xff\xfe" * 20000])


def mutate_bytes(data):
    """A few random byte flips, insertions, deletions, or a duplicated slice."""
    data = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        op = rng.randrange(4)
        pos = rng.randrange(len(data) + 1)
        if op == 0 and data and pos < len(data):
            data[pos] = rng.randrange(256)
        elif op == 1:
            data[pos:pos] = bytes([rng.choice([0, 10, 13, 32, 36, 37, 58, 59, 61, 255])])
        elif op == 2 and data:
            del data[pos:pos + rng.randint(1, 16)]
        else:
            a = rng.randrange(len(data) + 1)
            data[pos:pos] = data[a:a + rng.randint(1, 64)]
    return bytes(data)


def number():
    return rng.choice(["0", "1", "-1", "0.5", "1.0000001", "-0", "nan", "NaN", "inf", "-inf",
                       "1e308", "1e-320", "0x1p-1", "0.5e", ".5", "5.", "", " 0.5", "0.5 ",
                       "%30.5", "0,5", "1" * 400, "0." + "9" * 400, "\u00bd", "0.5\x00",
                       "+0.5", "--1", "2147483648", "18446744073709551616"])


# ---- HTTP ----

HTTP_PATHS = ["/", "/index.html", "/stream.mjpg", "/snapshot.jpg", "/temperature", "/nope",
              "*", "", "//", "/../../etc/passwd", "/%2e%2e/%2e%2e", "/%00", "/temperature/",
              "/TEMPERATURE", "http://127.0.0.1/snapshot.jpg", "/snapshot.jpg%00.png",
              "/" + "a" * 9000, "/\xff\xfe"]
HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "TRACE", "CONNECT", "PATCH",
                "get", "G ET", "", "GET\x00", "X" * 300, "PRI"]
HTTP_VERSIONS = ["HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/0.9", "HTTP/1.1x", "HTTP/1.", "",
                 "HTTP/99999999999999999999.1", "http/1.1", "HTTP/1.1 extra"]


def temperature_query():
    parts = []
    for _ in range(rng.choice([0, 1, 2, 2, 2, 3, 50])):
        key = rng.choice(["x", "y", "x", "y", "X", "", "x[]", "z", "%78", "x%00"])
        parts.append("%s=%s" % (key, number()) if rng.random() < 0.9 else key)
    sep = rng.choice(["&", "&", "&", ";", "&&", "%26"])
    return "/temperature?" + sep.join(parts) + rng.choice(["", "", "#frag", "&", "?"])


def http_headers():
    lines = []
    if rng.random() < 0.8:
        lines.append(b"Host: 127.0.0.1")
    for _ in range(rng.choice([0, 0, 1, 2, 5, 200])):
        kind = rng.randrange(10)
        if kind == 0:
            lines.append(b"X-" + junk(rng.randint(1, 40)).replace(b":", b"") + b": v")
        elif kind == 1 and not any(len(line) > 4096 for line in lines):
            lines.append(b"X-Big: " + huge())       # one per request at most
        elif kind == 2:
            lines.append(rng.choice([b"Content-Length: -1", b"Content-Length: 99999999999999999999",
                                     b"Content-Length: 5\r\nContent-Length: 6",
                                     b"Content-Length: abc", b"Content-Length: 3"]))
        elif kind == 3:
            lines.append(b"Transfer-Encoding: " + rng.choice([b"chunked", b"gzip, chunked",
                                                             b"identity", b"chunked\x00"]))
        elif kind == 4:
            lines.append(b"  folded continuation")
        elif kind == 5:
            lines.append(rng.choice([b"Connection: keep-alive", b"Connection: Upgrade",
                                     b"Upgrade: websocket", b"Expect: 100-continue",
                                     b"Range: bytes=0-1", b"Range: bytes=-99999999999",
                                     b"Accept-Encoding: gzip", b"Host: a\r\nHost: b"]))
        elif kind == 6:
            lines.append(b"NoColonHere")
        elif kind == 7:
            lines.append(b": empty name")
        elif kind == 8:
            lines.append(b"X-Binary: " + junk(rng.randint(1, 200)).replace(b"\r", b"").replace(b"\n", b""))
        else:
            lines.append(b"X-Empty:")
    return lines


def http_request():
    method = rng.choice(HTTP_METHODS)
    r = rng.random()
    if r < 0.3:
        path = temperature_query()
    elif r < 0.9:
        path = rng.choice(HTTP_PATHS)
        if rng.random() < 0.2:
            path += "?" + rng.choice(["", "a=b", "x=0.5&y=0.5", "=" * 100, "%zz", "\x01"])
    else:
        path = "/" + junk(rng.randint(1, 100)).decode("latin-1")
    line = ("%s %s %s" % (method, path, rng.choice(HTTP_VERSIONS))).encode("utf-8", "surrogateescape")
    body = b""
    if rng.random() < 0.15:
        body = rng.choice([b"0\r\n\r\n", b"zz\r\nabc\r\n", b"5\r\nab", b"x" * 100, junk(300),
                           b"ffffffffffffffff\r\n"])
    return b"\r\n".join([line] + http_headers()) + b"\r\n\r\n" + body


def http_case(port):
    kind = rng.randrange(6)
    count("http %d" % kind)
    if kind == 0:               # one request
        data = http_request()
    elif kind == 1:             # pipelined requests
        data = b"".join(rng.choice([http_request(), b"GET /temperature?x=0.5&y=0.5 HTTP/1.1\r\nHost: h\r\n\r\n"])
                        for _ in range(rng.randint(2, 10)))
    elif kind == 2:             # truncated
        full = http_request()
        data = full[:rng.randrange(len(full) + 1)]
    elif kind == 3:             # a good request, mutated
        data = mutate_bytes(rng.choice([
            b"GET /temperature?x=0.25&y=0.75 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
            b"GET /snapshot.jpg HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n",
            b"HEAD /stream.mjpg HTTP/1.0\r\n\r\n",
            b"GET /stream.mjpg HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"]))
    elif kind == 4:             # raw junk
        data = junk(rng.choice([1, 16, 4096, 100000]))
    else:                       # a huge request line or header block
        data = b"GET /" + huge() + b" HTTP/1.1\r\n" + b"X: y\r\n" * rng.choice([1, 2000]) + b"\r\n"
    send_and_leave(port, data)


def send_and_leave(port, data):
    """Sends data (in pieces, sometimes), then reads a little of the answer
    or leaves at once."""
    try:
        with socket.create_connection((HOST, port), timeout=1) as s:
            if rng.random() < 0.2 and len(data) > 1:
                cut = rng.randrange(1, len(data))
                s.sendall(data[:cut])
                time.sleep(rng.choice([0, 0.01, 0.05]))
                s.sendall(data[cut:])
            else:
                s.sendall(data)
            how = rng.random()
            if how < 0.3:
                return              # leaves without reading
            s.settimeout(rng.choice([0.02, 0.05, 0.2]))
            got = 0
            while got < 200000:
                chunk = s.recv(65536)
                if not chunk:
                    break
                got += len(chunk)
            count("answered")
    except socket.timeout:
        count("client timeout")
    except ConnectionRefusedError:
        fail("the server refused a connection (is it still listening?)")
    except OSError:
        count("reset")          # the server may close on a bad request


def http_check(port):
    try:
        status, _, body = http_get(port, "/temperature?x=0.5&y=0.5", timeout=20)
    except OSError as e:
        fail("a good /temperature request failed after the batch: %r" % e)
    if status != 200:
        fail("a good /temperature request got %d after the batch" % status)
    try:
        json.loads(body)["celsius"]
    except (ValueError, KeyError) as e:
        fail("/temperature answered something that is not its JSON: %r (%r)" % (body[:200], e))


# ---- RTSP ----

RTSP_METHODS = ["OPTIONS", "DESCRIBE", "SETUP", "PLAY", "PAUSE", "TEARDOWN", "GET_PARAMETER",
                "SET_PARAMETER", "ANNOUNCE", "RECORD", "REDIRECT", "GET", "POST", "options",
                "", "X" * 300, "PLAY\x00"]


def rtsp_transport():
    return rng.choice([
        "RTP/AVP/TCP;unicast;interleaved=0-1", "RTP/AVP/TCP;unicast;interleaved=254-255",
        "RTP/AVP/TCP;unicast;interleaved=255-256", "RTP/AVP/TCP;unicast;interleaved=-1",
        "RTP/AVP/TCP;unicast;interleaved=0-0", "RTP/AVP/TCP;unicast;interleaved=99999999999",
        "RTP/AVP/TCP;unicast", "RTP/AVP;unicast;client_port=0-0",
        "RTP/AVP;unicast;client_port=65535-65536", "RTP/AVP;unicast;client_port=5000-4999",
        "RTP/AVP;multicast", "RTP/AVP;multicast;ttl=999", "RTP/AVP/UDP;unicast;client_port=-5",
        "RTP/SAVP;unicast", "RAW/RAW/UDP", "", ";;;", "RTP/AVP/TCP;" + "x=1;" * 2000,
        "RTP/AVP/TCP;interleaved=0-1,RTP/AVP;unicast;client_port=1-2" * rng.choice([1, 50]),
        "RTP/AVP;unicast;client_port=%d-%d;mode=record" % (40000, 40001),
        "RTP/AVP;unicast;destination=127.0.0.1;client_port=0-1",
    ])


def rtsp_url(base):
    return rng.choice([base, base + "/", base + "/stream=0", base + "/stream=1", base + "/stream=-1",
                       base + "/stream=99999999999", base + "?x=1", "*", "", "rtsp://",
                       "rtsp://127.0.0.1:1/thermal", base.replace("thermal", "nope"),
                       base + "/" + "a" * 5000, "rtsp://[::1]:x/", base + "/../../",
                       base + "%00", "/thermal", "rtsp://" + "h" * 300 + "/"])


def rtsp_request(base, session=None, cseq=None):
    method = rng.choice(RTSP_METHODS)
    lines = [("%s %s %s" % (method, rtsp_url(base), rng.choice(["RTSP/1.0", "RTSP/1.0", "RTSP/2.0",
                                                                  "RTSP/1.", "HTTP/1.1", ""]))).encode(
        "utf-8", "surrogateescape")]
    if rng.random() < 0.85:
        lines.append(b"CSeq: " + rng.choice([str(cseq or rng.randint(1, 99)).encode(), b"0", b"-1",
                                             b"99999999999999999999", b"abc", b"", b"1\r\nCSeq: 2",
                                             b"4294967296"]))
    if rng.random() < 0.5:
        lines.append(b"Transport: " + rtsp_transport().encode())
    if rng.random() < 0.5:
        lines.append(b"Session: " + rng.choice([
            (session or "x").encode(), b"", b"0", b"\x00", b"A" * 5000,
            (session or "x").encode() + b";timeout=-1", b"12345678;timeout=99999999999"]))
    big = False
    for _ in range(rng.choice([0, 0, 1, 3, 500])):
        if not big and rng.random() < 0.05:
            lines.append(b"X-Big: " + huge())       # one per request at most
            big = True
            continue
        lines.append(rng.choice([b"Range: npt=0-", b"Range: npt=-5-abc", b"Range: clock=x",
                                 b"Scale: -1", b"Speed: nan", b"Accept: application/sdp",
                                 b"Require: implicit-play", b"Blocksize: 0", b"Blocksize: -1",
                                 b"NoColon", b"  folded",
                                 b"User-Agent: " + junk(50).replace(b"\r", b"").replace(b"\n", b""),
                                 b"Content-Type: text/parameters"]))
    body = b""
    if rng.random() < 0.2:
        body = rng.choice([b"", b"x" * 100, junk(500), b"v=0\r\n"])
        lines.append(b"Content-Length: " + rng.choice([str(len(body)).encode(), b"-1", b"99999999",
                                                       b"abc", str(len(body) + 10).encode()]))
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def interleaved():
    channel = rng.choice([0, 1, 2, 3, 255])
    payload = junk(rng.choice([0, 8, 28, 200, 1400]))
    length = rng.choice([len(payload), len(payload), 0, 65535])
    return b"$" + bytes([channel]) + length.to_bytes(2, "big") + payload


def rtsp_case(url, udp_sessions):
    kind = rng.randrange(6)
    count("rtsp %d" % kind)
    if kind <= 1:
        # a real session first (SETUP or PLAY), then hostile traffic on it
        try:
            c = RtspClient(url, timeout=10)
        except ConnectionRefusedError:
            fail("the server refused a connection (is it still listening?)")
        try:
            c.request("OPTIONS")
            status, headers, sdp = c.request("DESCRIBE", headers={"Accept": "application/sdp"})
            if status == 200:
                udp = rng.random() < 0.3
                transport = ("RTP/AVP;unicast;client_port=%d-%d" % udp_port_pair() if udp
                             else "RTP/AVP/TCP;unicast;interleaved=0-1")
                status, headers, _ = c.request("SETUP", url + "/stream=0", {"Transport": transport})
                if status == 200:
                    c.session = headers.get("session", "").split(";")[0]
                    if udp:
                        udp_sessions.append(c.session)
                    if kind == 1:
                        c.request("PLAY")
            c.sock.settimeout(0.2)
            for _ in range(rng.randint(1, 6)):
                piece = rng.choice([rtsp_request(url, c.session, c.cseq + 1), interleaved(),
                                    mutate_bytes(b"PLAY %s RTSP/1.0\r\nCSeq: 9\r\nSession: %s\r\n\r\n"
                                                 % (url.encode(), (c.session or "").encode())),
                                    junk()])
                c.send_raw(piece)
            until = time.monotonic() + rng.choice([0, 0.1, 0.5])
            while time.monotonic() < until:     # RTP keeps coming after PLAY
                c.read_item()
        except socket.timeout:
            count("client timeout")
        except (OSError, RtspError):
            count("reset")
        finally:
            c.close()
        return
    if kind == 2:
        data = b"".join(rtsp_request(url) for _ in range(rng.randint(2, 8)))    # pipelined
    elif kind == 3:
        full = rtsp_request(url)
        data = full[:rng.randrange(len(full) + 1)]                              # truncated
    elif kind == 4:
        data = mutate_bytes(b"DESCRIBE %s RTSP/1.0\r\nCSeq: 2\r\nAccept: application/sdp\r\n\r\n"
                            % url.encode())
    else:
        data = rng.choice([interleaved() * rng.randint(1, 20), junk(4096),
                           b"OPTIONS * RTSP/1.0\r\nCSeq: 1\r\nX: " + b"y" * 1000000 + b"\r\n\r\n"])
    send_and_leave(PORT[0], data)


def udp_port_pair():
    """Even/odd ports nobody listens on (the server sends RTP to them over
    loopback; the kernel drops it)."""
    p = rng.randrange(20000, 30000) & ~1
    return p, p + 1


def rtsp_check(url, full):
    try:
        c = RtspClient(url, timeout=30)
        status, _, _ = c.request("OPTIONS")
        if status != 200:
            fail("a good OPTIONS got %d after the batch" % status)
        if full:
            c.play()
            deadline = time.monotonic() + 30
            while c.frames < 2:
                if time.monotonic() > deadline:
                    fail("a good client got no RTP within 30 s of PLAY after the batch")
                c.read_item()
            c.teardown()
        c.close()
    except (OSError, RtspError) as e:
        fail("a good RTSP client failed after the batch: %r" % e)


def teardown_udp(url, sessions):
    """Sessions set up over UDP outlive their connection until their timeout
    (60 s), by design: tear down the ones the fuzzer made before counting the
    server's descriptors."""
    for sid in sessions:
        try:
            c = RtspClient(url, timeout=10)
            c.session = sid
            c.teardown()
            c.close()
        except OSError:
            pass


PORT = [0]


def main():
    global server
    if MODE not in ("http", "rtsp"):
        print("usage: fuzz-requests.py http|rtsp SERVER", file=sys.stderr)
        return 2
    print("fuzz-requests %s: seed %d (SENXOR_FUZZ_SEED), %.0f s or %d cases"
          % (MODE, SEED, SECONDS, CASES), flush=True)
    # hostile requests may make GLib libraries warn (a bad header): that is
    # not a crash; a crash, an ASan report or a hang is
    env = dict(os.environ)
    if MODE == "http":
        server = Process([SERVER, "--port", "0", "--width", "160", "--device", CAMERA], env=env)
        PORT[0] = int(server.wait_line(r"serving http://127\.0\.0\.1:(\d+)/", timeout=120).group(1))
        url = None
        check = lambda n: http_check(PORT[0])       # noqa: E731
        case = lambda: http_case(PORT[0])            # noqa: E731
        http_check(PORT[0])
    else:
        server = Process([SERVER, "--port", "0", "--width", "160", "--device", CAMERA], env=env)
        url = server.wait_line(r"streaming at (rtsp://127\.0\.0\.1:\d+/\S+)", timeout=120).group(1)
        PORT[0] = int(re.match(r"rtsp://[0-9.]+:(\d+)", url).group(1))
        udp_sessions = []
        check = lambda n: rtsp_check(url, n % 5 == 0)   # noqa: E731
        case = lambda: rtsp_case(url, udp_sessions)      # noqa: E731
        rtsp_check(url, True)
    pid = server.proc.pid

    def settled(target, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if descriptors(pid) == target:
                return True
            time.sleep(0.2)
        return False

    # the warm-up client's capture stops (after the server's --linger)
    deadline = time.monotonic() + 30
    while MODE == "rtsp" and not server.count(r"capture stopped") and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(1)
    start = descriptors(pid)
    print("descriptors before: %d" % start, flush=True)

    t0 = time.monotonic()
    n = 0
    batch = 0
    while n < CASES and time.monotonic() - t0 < SECONDS:
        for _ in range(BATCH):
            case()
            n += 1
        batch += 1
        if server.proc.poll() is not None:
            fail("the server died (status %s) in batch %d (cases %d-%d)"
                 % (server.proc.returncode, batch, n - BATCH, n - 1))
        check(batch)
        if server.count(ASAN_REPORT.pattern):
            fail("a sanitizer report on the server's stderr in batch %d" % batch)
    elapsed = time.monotonic() - t0
    print("%d cases in %d batches in %.1f s; %s" % (
        n, batch, elapsed, ", ".join("%s %d" % kv for kv in sorted(stats.items()))), flush=True)

    # a session set up over UDP by a fuzzed request whose answer was not
    # read expires after its timeout (60 s), then the capture stops after
    # the server's --linger: wait for that
    settle = 10
    if MODE == "rtsp":
        teardown_udp(url, udp_sessions)
        settle = 100
    if not settled(start, settle):
        fail("%d descriptors %d s after the fuzzing, %d before: %s"
             % (descriptors(pid), settle, start, descriptor_targets(pid)))
    print("descriptors after: %d" % descriptors(pid))
    status = server.stop(signal.SIGINT, timeout=60)
    if server.count(ASAN_REPORT.pattern):
        fail("a sanitizer report on the server's stderr")
    if status != 0:
        server.dump()
        print("FAIL: the server exited with %s after SIGINT (seed %d)" % (status, SEED))
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
