#!/usr/bin/env python3
# callbacks.py: slow work per frame in a callback, events on the bus.
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The pattern "a data callback in a background thread for disk/database work,
# plus error/open/close callbacks", done with GStreamer:
#
#   senxorsrc reconnect=true ! queue ! appsink emit-signals=true
#
# - appsink's "new-sample" signal is the data callback.  It runs on the
#   queue's thread, not the camera's: however slow the work (here an SQLite
#   insert per frame, plus --work-ms of simulated I/O), the camera keeps
#   streaming.  The queue holds up to --backlog frames and then drops the
#   oldest (leaky), so a stalled disk cannot eat all memory.
# - The bus is the event callback, on the main loop: errors,
#   senxor-device-lost / senxor-device-restored (with reconnect=true the
#   source reopens the camera by itself), state changes (open/close).
#
#   python3 callbacks.py [--device DEV] [--seconds N] [--db frames.sqlite] [--work-ms 20]
import argparse
import array
import signal
import sqlite3
import sys
import threading
import time

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstVideo", "1.0")
gi.require_version("GLib", "2.0")
from gi.repository import GLib, Gst, GstVideo  # noqa: E402


def deci_kelvin(sample):
    """(width, height, pixels) of a GRAY16_LE frame: an array of deci-Kelvin
    values, row by row (v / 10 - 273.15 is °C)."""
    info = GstVideo.VideoInfo.new_from_caps(sample.get_caps())
    width, height, stride = info.width, info.height, info.stride[0]
    data = sample.get_buffer().extract_dup(0, stride * height)
    pixels = array.array("H")
    for y in range(height):
        pixels.frombytes(data[y * stride:y * stride + width * 2])
    if sys.byteorder == "big":
        pixels.byteswap()
    return width, height, pixels


class Recorder:
    """Stores one row per frame; called from the streaming thread."""

    def __init__(self, path, work_ms):
        self.db = sqlite3.connect(path, check_same_thread=False)
        self.db.execute("CREATE TABLE IF NOT EXISTS frames (pts INTEGER, width INTEGER, height INTEGER, "
                        "min_c REAL, max_c REAL, mean_c REAL, thread TEXT)")
        self.lock = threading.Lock()
        self.work_ms = work_ms
        self.stored = 0

    def on_new_sample(self, sink):
        sample = sink.emit("pull-sample")
        if sample is None:
            return Gst.FlowReturn.EOS
        width, height, values = deci_kelvin(sample)
        pts = sample.get_buffer().pts
        # The slow part: a database write and some other blocking I/O.
        time.sleep(self.work_ms / 1000)
        with self.lock:
            self.db.execute("INSERT INTO frames VALUES (?, ?, ?, ?, ?, ?, ?)",
                            (pts, width, height, min(values) / 10 - 273.15, max(values) / 10 - 273.15,
                             sum(values) / len(values) / 10 - 273.15, threading.current_thread().name))
            self.db.commit()
            self.stored += 1
        return Gst.FlowReturn.OK


def main():
    parser = argparse.ArgumentParser(description="Store every frame from a callback; watch device events.")
    parser.add_argument("--device", default="emulator://?module=mi08&scene=people")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--db", default="frames.sqlite")
    parser.add_argument("--work-ms", type=float, default=20, help="simulated extra I/O per frame")
    parser.add_argument("--backlog", type=int, default=50, help="frames the queue may hold")
    args = parser.parse_args()
    Gst.init(None)

    recorder = Recorder(args.db, args.work_ms)
    pipeline = Gst.parse_launch(
        "senxorsrc name=src reconnect=true retry-interval=200 "
        "! queue name=q leaky=downstream max-size-time=0 max-size-bytes=0 "
        "! appsink name=sink emit-signals=true sync=false caps=video/x-raw,format=GRAY16_LE")
    pipeline.get_by_name("src").set_property("device", args.device)
    pipeline.get_by_name("q").set_property("max-size-buffers", args.backlog)
    pipeline.get_by_name("sink").connect("new-sample", recorder.on_new_sample)

    loop = GLib.MainLoop()
    status = 0

    def on_message(bus, msg):
        nonlocal status
        if msg.type == Gst.MessageType.ERROR:
            err, debug = msg.parse_error()
            print("error: %s (%s)" % (err.message, debug), file=sys.stderr)
            status = 1
            loop.quit()
        elif msg.type == Gst.MessageType.EOS:
            loop.quit()
        elif msg.type == Gst.MessageType.ELEMENT:
            s = msg.get_structure()
            if s.get_name() == "senxor-device-lost":
                print("device lost: %s (%s)" % (s.get_string("device"), s.get_string("reason")), flush=True)
            elif s.get_name() == "senxor-device-restored":
                print("device restored: %s" % s.get_string("device"), flush=True)
        elif msg.type == Gst.MessageType.STATE_CHANGED and msg.src == pipeline:
            old, new, _ = msg.parse_state_changed()
            if new == Gst.State.PLAYING:
                print("streaming (the camera is open)", flush=True)
            elif old == Gst.State.PLAYING:
                print("paused", flush=True)
        return True

    bus = pipeline.get_bus()
    bus.add_watch(GLib.PRIORITY_DEFAULT, on_message)

    def stop():
        # EOS drains the queue: every frame captured so far is stored.
        pipeline.send_event(Gst.Event.new_eos())
        return False

    GLib.timeout_add(int(args.seconds * 1000), stop)
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT, stop)
    pipeline.set_state(Gst.State.PLAYING)
    loop.run()
    pipeline.set_state(Gst.State.NULL)
    bus.remove_watch()
    print("frames stored: %d in %s (main thread: %s)" % (recorder.stored, args.db, threading.current_thread().name))
    return status


if __name__ == "__main__":
    sys.exit(main())
