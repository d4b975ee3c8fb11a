#!/usr/bin/env python3
# Server soak: senxor-http-server and senxor-rtsp-server together for
# SENXOR_SOAK_SECONDS (default 60, as CI runs it; 600 for the documented
# 10-minute run), each on an emulated MI08 camera over TCP at its normal frame
# rate (senxor-emulator --tcp: one client at a time, like the ESP32 bridges,
# so each server has its own emulator with the same settings) that drops out
# every 30 s: 3 s of silence (stall), after which the servers' sources
# reconnect; the servers are told to ride that out (senxor-http-server
# --wait-for-camera, senxor-rtsp-server --source "senxorsrc name=src
# reconnect=true ! ..."), as their guides say.  The load, all loopback, bounded in time and in count:
#  - 50 MJPEG viewers on /stream.mjpg, each staying 3-15 s, leaving and
#    coming back;
#  - /snapshot.jpg and /temperature?x=..&y=.. polled at 10 requests/s each;
#  - 10 RTSP clients (OPTIONS, DESCRIBE, SETUP over TCP interleaved, PLAY,
#    RTP read for 4-12 s, then TEARDOWN or just a closed connection).
# Every SENXOR_SOAK_INTERVAL seconds (default 10 up to a 2-minute run, 60
# beyond) each server's descriptors (/proc/PID/fd), threads (/proc/PID/task),
# RSS and the frames its clients received are printed.  Fails when:
#  - a server dies or refuses a connection, or does not stop on SIGINT;
#  - frames stop for more than OUTAGE_BOUND s (the camera's 3 s outage plus
#    a reconnection) while clients are watching, or an interval has none;
#  - under load, the end sample has grown beyond the first steady-state
#    sample (the one after the first interval): descriptors not held by one
#    of our connections by more than FD_SLACK, threads by more than
#    THREAD_SLACK, RSS by more than RSS_SLACK (not under ASan, whose
#    quarantine keeps freed memory);
#  - once the load has gone (and the RTSP capture has stopped, --linger
#    after the last client, also one that left without TEARDOWN: within
#    30 s), the descriptors are not back to their count before the load
#    exactly, or the threads not within THREAD_SLACK.
# Reproducible load: SENXOR_SOAK_SEED (printed) seeds every client's timing.
# usage: test-server-soak.py SENXOR_EMULATOR HTTP_SERVER RTSP_SERVER
# SPDX-License-Identifier: LGPL-2.1-or-later
import json
import os
import random
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.environ.get("SENXOR_SOURCE_ROOT", "."),
                                "tests", "integration", "usecases"))
from usecase import Process, fail  # noqa: E402
from serverclients import (MjpegViewer, RtspClient, RtspError, descriptor_targets,  # noqa: E402
                           descriptors, http_get, rss_kib, threads, under_asan)

EMULATOR, HTTP, RTSP = sys.argv[1:4]
SECONDS = float(os.environ.get("SENXOR_SOAK_SECONDS", "60"))
INTERVAL = float(os.environ.get("SENXOR_SOAK_INTERVAL", "10" if SECONDS <= 120 else "60"))
SEED = int(os.environ.get("SENXOR_SOAK_SEED", str(int(time.time()) % 100000)))
VIEWERS = 50
POLL_RATE = 10          # requests/s on each of /snapshot.jpg and /temperature
RTSP_CLIENTS = 10
DROPOUT_EVERY = 30      # s of device time
DROPOUT_STALL = 3       # s of silence before the connection drops
# frames may stop for the outage, the server noticing it and reopening the
# camera (senxorsrc's retry, the RTSP media rebuilt): generous on a loaded
# 2-core machine
OUTAGE_BOUND = 15.0
# descriptors the server holds that are not our connections: a connection we
# have just closed that the server has not reaped yet, the camera socket
# being reopened, a media being built or torn down (its GstPoll pairs)
FD_SLACK = 12
# threads come and go with the clients (a streaming thread per RTSP media,
# client threads), and GLib keeps up to 2 idle pool threads for 15 s
THREAD_SLACK = 8
# glibc keeps freed memory in per-thread arenas; a leak of a picture per
# frame (~5 kB at 25 fps) exceeds this within a 10-minute run
RSS_SLACK_KIB = 16 * 1024
WIDTH = "160"

rng = random.Random(SEED)
stop = threading.Event()
lock = threading.Lock()
problems = []           # failures found by the load threads
counts = {}             # event name -> number, printed at the end


def note(name, problem=None):
    with lock:
        counts[name] = counts.get(name, 0) + 1
        if problem is not None and len(problems) < 50:
            problems.append("%.1fs %s" % (time.monotonic() - T0, problem))


def dropout_faults(seconds):
    """A silence of DROPOUT_STALL s every DROPOUT_EVERY s of device time: the
    server's source gives the camera up after its frame timeout, and its
    reconnection attempts time out until the camera talks again.  The
    emulator takes at most 32 timed faults: 16 minutes of dropouts."""
    n = min(32, int(seconds // DROPOUT_EVERY) + 2)
    return ",".join("stall=%ds@%ds" % (DROPOUT_STALL, k * DROPOUT_EVERY) for k in range(1, n + 1))


class Served:
    """What one server's clients received, for the samples and the gaps."""

    def __init__(self, name):
        self.name = name
        self.frames = 0
        self.last = None            # time.monotonic() of the last new frame
        self.max_gap = 0.0
        self.connections = 0        # our connections open to it now

    def frame(self, n=1, new=True):
        """n pictures received; new: evidence of a new camera frame behind
        them (a snapshot may be the same picture again)."""
        now = time.monotonic()
        with lock:
            self.frames += n
            if new:
                self.last = now

    def connected(self, delta):
        with lock:
            self.connections += delta


def viewer_loop(port, served, r):
    while not stop.is_set():
        stay = time.monotonic() + r.uniform(3, 15)
        try:
            v = MjpegViewer(port, timeout=2)
        except ConnectionRefusedError as e:
            note("http refused", "MJPEG viewer: %s" % e)
            stop.wait(1)
            continue
        served.connected(1)
        try:
            while time.monotonic() < stay and not stop.is_set():
                try:
                    before = v.parts
                    if not v.read():
                        note("mjpeg closed by server", "an MJPEG stream was closed by the server")
                        break
                    if v.parts > before:
                        # a viewer's first part is the picture the server
                        # has, maybe from before an outage: the server's
                        # frame counter (/temperature) says when frames stop
                        served.frame(v.parts - before, new=False)
                except socket.timeout:
                    continue
            note("mjpeg sessions")
        except OSError as e:
            note("mjpeg error", "MJPEG viewer: %r" % e)
        finally:
            v.close()
            served.connected(-1)
        stop.wait(r.uniform(0, 1))


def poll_loop(port, path_of, served, kind, r):
    last_frame = None
    next_t = time.monotonic()
    while not stop.is_set():
        next_t += 1.0 / POLL_RATE
        stop.wait(max(0.0, next_t - time.monotonic()))
        if stop.is_set():
            break
        try:
            served.connected(1)
            status, headers, body = http_get(port, path_of(r), timeout=20)
        except ConnectionRefusedError as e:
            note("http refused", "%s: %s" % (kind, e))
            continue
        except OSError as e:
            note("%s error" % kind, "%s: %r" % (kind, e))
            continue
        finally:
            served.connected(-1)
        note("%s %d" % (kind, status))
        if status == 200 and kind == "snapshot":
            if body[:2] != b"\xff\xd8":
                note("snapshot not jpeg", "a snapshot that is not a JPEG")
            served.frame(new=False)
        elif status == 200 and kind == "temperature":
            frame = json.loads(body)["frame"]
            if frame != last_frame:
                served.frame(0)         # the server has had a new camera frame
                last_frame = frame
        elif status != 503:     # 503: no picture yet (camera being reopened)
            note("http bad status", "%s: status %d: %r" % (kind, status, body[:100]))
        if next_t < time.monotonic() - 5:
            next_t = time.monotonic()       # behind: do not burst to catch up


def rtsp_loop(url, served, r):
    while not stop.is_set():
        stay = time.monotonic() + r.uniform(4, 12)
        try:
            c = RtspClient(url, timeout=2)
        except ConnectionRefusedError as e:
            note("rtsp refused", "RTSP client: %s" % e)
            stop.wait(1)
            continue
        served.connected(1)
        try:
            c.sock.settimeout(20)
            c.play()
            c.sock.settimeout(1)
            note("rtsp sessions")
            while time.monotonic() < stay and not stop.is_set():
                try:
                    before = c.frames
                    c.read_item()
                    if c.frames > before:
                        served.frame(c.frames - before)
                except socket.timeout:
                    continue
            if r.random() < 0.7:
                c.sock.settimeout(5)
                c.teardown()
        except RtspError as e:
            note("rtsp %s" % e)         # e.g. "DESCRIBE: 503" while the camera is out
        except OSError as e:
            note("rtsp error", "RTSP client: %r" % e)
        finally:
            c.close()
            served.connected(-1)
        stop.wait(r.uniform(0, 1))


def watch_gaps(servers):
    """Longest time without a new frame, per server, once frames flowed."""
    while not stop.wait(0.5):
        now = time.monotonic()
        with lock:
            for s in servers:
                if s.last is not None:
                    s.max_gap = max(s.max_gap, now - s.last)


def sample(proc, served):
    pid = proc.proc.pid
    with lock:
        conns, frames = served.connections, served.frames
    return {"t": time.monotonic() - T0, "fd": descriptors(pid), "threads": threads(pid),
            "rss": rss_kib(pid), "frames": frames, "conns": conns}


def settle(proc, fd_target, thread_limit, timeout=30):
    deadline = time.monotonic() + timeout
    pid = proc.proc.pid
    while time.monotonic() < deadline:
        if descriptors(pid) == fd_target and threads(pid) <= thread_limit:
            break
        time.sleep(0.2)
    return descriptors(pid), threads(pid)


def wait_capture_stopped(rtsp, stops_before, timeout=60):
    """Waits for a "capture stopped" after stops_before of them: the
    capture stops once the last client has gone (after --linger)."""
    deadline = time.monotonic() + timeout
    while rtsp.count(r"capture stopped") <= stops_before:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    time.sleep(1)
    return True


def main():
    global T0
    print("seed %d (SENXOR_SOAK_SEED), %.0f s, samples every %.0f s%s"
          % (SEED, SECONDS, INTERVAL, ", under ASan (RSS not judged)" if under_asan() else ""),
          flush=True)
    faults = dropout_faults(SECONDS + 120)
    emulators = []
    devices = []
    for i in range(2):
        e = Process([EMULATOR, "--module", "mi08", "--scene", "people", "--seed", str(i + 1),
                     "--faults", faults, "--tcp", "0"])
        emulators.append(e)
        devices.append("tcp://127.0.0.1:" + e.wait_line(r"tcp://127\.0\.0\.1:(\d+)").group(1))
    # both servers set up the documented way to ride out a camera that goes
    # away (docs/guide/senxor-http-server.md, senxor-rtsp-server.md): without
    # it a lost camera stops senxor-http-server (status 1) and ends the RTSP
    # capture
    http = Process([HTTP, "--port", "0", "--width", WIDTH, "--wait-for-camera",
                    "--device", devices[0]])
    http_port = int(http.wait_line(r"serving http://127\.0\.0\.1:(\d+)/", timeout=60).group(1))
    rtsp = Process([RTSP, "--port", "0", "--width", WIDTH, "--device", devices[1], "--source",
                    "senxorsrc name=src reconnect=true ! thermalnormalize ! thermalcolormap"])
    url = rtsp.wait_line(r"streaming at (rtsp://127\.0\.0\.1:\d+/\S+)", timeout=60).group(1)
    servers = {"http": (http, Served("http")), "rtsp": (rtsp, Served("rtsp"))}

    # warm-up: one client of each kind, so that what lives as long as the
    # server exists before the baseline is taken
    T0 = time.monotonic()
    for path in ("/snapshot.jpg", "/temperature?x=0.5&y=0.5"):
        deadline = time.monotonic() + 30
        while http_get(http_port, path)[0] != 200:
            if time.monotonic() > deadline:
                http.dump()
                fail("%s never answered 200" % path)
            time.sleep(0.2)
    v = MjpegViewer(http_port)
    while v.parts < 2:
        if not v.read():
            fail("the warm-up MJPEG viewer got no picture")
    v.close()
    c = RtspClient(url, timeout=30)
    try:
        c.play()
        while c.frames < 5:
            c.read_item()
        c.teardown()
    except (OSError, RtspError) as e:
        rtsp.dump()
        fail("the warm-up RTSP client got no frames: %r" % e)
    c.close()
    if not wait_capture_stopped(rtsp, 0):
        rtsp.dump()
        fail("the RTSP capture did not stop within 60 s of the warm-up client leaving")
    baseline = {}
    for name, (proc, _) in servers.items():
        baseline[name] = (descriptors(proc.proc.pid), threads(proc.proc.pid))
        print("%s baseline before the load: %d descriptors, %d threads, RSS %d kB"
              % (name, baseline[name][0], baseline[name][1], rss_kib(proc.proc.pid)), flush=True)

    T0 = time.monotonic()
    workers = []
    h = servers["http"][1]
    r_ = servers["rtsp"][1]
    for i in range(VIEWERS):
        workers.append(threading.Thread(target=viewer_loop, args=(http_port, h, random.Random(SEED * 1000 + i))))
    workers.append(threading.Thread(target=poll_loop, args=(
        http_port, lambda r: "/snapshot.jpg", h, "snapshot", random.Random(SEED * 1000 + 100))))
    workers.append(threading.Thread(target=poll_loop, args=(
        http_port, lambda r: "/temperature?x=%.3f&y=%.3f" % (r.random(), r.random()), h,
        "temperature", random.Random(SEED * 1000 + 101))))
    for i in range(RTSP_CLIENTS):
        workers.append(threading.Thread(target=rtsp_loop, args=(url, r_, random.Random(SEED * 1000 + 200 + i))))
    workers.append(threading.Thread(target=watch_gaps, args=([h, r_],)))
    for w in workers:
        w.daemon = True
        w.start()

    samples = {name: [] for name in servers}
    failures = []
    print("%7s %-5s %5s %5s %7s %8s %8s %7s" % ("time", "srv", "fd", "thr", "RSS kB",
                                               "frames", "conns", "max gap"), flush=True)
    next_sample = INTERVAL
    while True:
        now = time.monotonic() - T0
        for name, (proc, _) in servers.items():
            if proc.proc.poll() is not None:
                stop.set()
                proc.dump()
                fail("%s died (status %s) after %.0f s of load" % (name, proc.proc.returncode, now))
        if now >= next_sample:
            for name, (proc, served) in servers.items():
                s = sample(proc, served)
                prev = samples[name][-1]["frames"] if samples[name] else 0
                s["delta"] = s["frames"] - prev
                samples[name].append(s)
                print("%6.0fs %-5s %5d %5d %7d %8d %8d %6.1fs" % (
                    s["t"], name, s["fd"], s["threads"], s["rss"], s["delta"], s["conns"],
                    served.max_gap), flush=True)
                if s["delta"] == 0:
                    failures.append("%s: no frame served between %.0f s and %.0f s"
                                    % (name, s["t"] - INTERVAL, s["t"]))
            next_sample += INTERVAL
        if now >= SECONDS:
            break
        time.sleep(0.2)
    stops = rtsp.count(r"capture stopped")
    stop.set()
    for w in workers:
        w.join(30)
        if w.is_alive():
            failures.append("a load thread did not stop within 30 s")
            break

    with lock:
        print("events: " + ", ".join("%s %s" % kv for kv in sorted(counts.items())))
        failures.extend(problems)
    for name, (proc, served) in servers.items():
        ss = samples[name]
        if len(ss) < 2:
            failures.append("%s: fewer than 2 samples (SENXOR_SOAK_SECONDS too short)" % name)
            continue
        first, end = ss[0], ss[-1]
        print("%s: start (first steady-state sample at %.0f s) %d descriptors (%d connections), "
              "%d threads, RSS %d kB; end %d descriptors (%d connections), %d threads, RSS %d kB; "
              "frames per interval %s; longest gap %.1f s"
              % (name, first["t"], first["fd"], first["conns"], first["threads"], first["rss"],
                 end["fd"], end["conns"], end["threads"], end["rss"],
                 " ".join(str(s["delta"]) for s in ss), served.max_gap), flush=True)
        grown = (end["fd"] - end["conns"]) - (first["fd"] - first["conns"])
        if grown > FD_SLACK:
            failures.append("%s: %d more descriptors besides our connections at the end than "
                            "after the first interval (slack %d)" % (name, grown, FD_SLACK))
        if end["threads"] - first["threads"] > THREAD_SLACK:
            failures.append("%s: %d threads at the end, %d after the first interval (slack %d)"
                            % (name, end["threads"], first["threads"], THREAD_SLACK))
        if not under_asan() and end["rss"] - first["rss"] > RSS_SLACK_KIB:
            failures.append("%s: RSS grew from %d kB to %d kB (slack %d kB)"
                            % (name, first["rss"], end["rss"], RSS_SLACK_KIB))
        if served.max_gap > OUTAGE_BOUND:
            failures.append("%s: frames stopped for %.1f s (the camera is out for %d s every %d s)"
                            % (name, served.max_gap, DROPOUT_STALL, DROPOUT_EVERY))

    # the load has gone: back to the baseline
    # the capture runs --linger (5 s) after the last client, also after one
    # that closed its connection without TEARDOWN
    if not wait_capture_stopped(rtsp, stops, timeout=30):
        failures.append("rtsp: the capture did not stop within 30 s of the last client leaving")
    for name, (proc, _) in servers.items():
        fd0, thr0 = baseline[name]
        fd, thr = settle(proc, fd0, thr0 + THREAD_SLACK)
        print("%s after the load: %d descriptors (%d before), %d threads (%d before)"
              % (name, fd, fd0, thr, thr0), flush=True)
        if fd != fd0:
            failures.append("%s: %d descriptors 30 s after the load, %d before it: %s"
                            % (name, fd, fd0, descriptor_targets(proc.proc.pid)))
        if thr > thr0 + THREAD_SLACK:
            failures.append("%s: %d threads 30 s after the load, %d before it" % (name, thr, thr0))
        lost = proc.count(r"senxor-device-lost")
        print("%s: the camera was lost %d times, restored %d times"
              % (name, lost, proc.count(r"senxor-device-restored")))
        # the first dropout comes 30 s after the emulators started
        if SECONDS >= DROPOUT_EVERY + 10 and lost < 1:
            failures.append("%s: the camera never dropped out (no senxor-device-lost)" % name)

    for name, (proc, _) in servers.items():
        status = proc.stop(timeout=30)
        if status != 0:
            failures.append("%s exited with status %s after SIGINT" % (name, status))
    for e in emulators:
        e.stop()
    if failures:
        for name, (proc, _) in servers.items():
            print("---- %s: last lines of stderr ----\n%s" % (name, "\n".join(proc.err[-30:])))
    for f in failures:
        print("FAIL: " + f)
    if not failures:
        print("PASS")
    return 1 if failures else 0


T0 = time.monotonic()
if __name__ == "__main__":
    sys.exit(main())
