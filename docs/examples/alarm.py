#!/usr/bin/env python3
# alarm.py: several cameras watched for heat; an alarm saves a PNG and logs.
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The pattern "a callback per camera checks each frame against a threshold and
# saves a picture", done with GStreamer: thermalnormalize checks every frame
# (alarm-high, in °C) and posts a `thermal-alarm` message on the bus when the
# scene crosses the threshold (state=begin) and when it is back below it
# (state=end, with hysteresis).  Each camera keeps its latest colour picture
# ready as a PNG in an appsink (drop=true max-buffers=1); on an alarm the main
# loop takes that PNG and writes it next to a log line.
#
#   python3 alarm.py [--threshold 45] [--seconds N] [--out DIR] [DEVICE ...]
import argparse
import logging
import os
import signal
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GLib", "2.0")
from gi.repository import GLib, Gst  # noqa: E402

DEFAULT_DEVICES = ["emulator://door?module=mi08&scene=people&seed=1",
                   "emulator://hall?module=mi08&scene=hotspot&seed=2"]

PIPELINE = ("senxorsrc name=src ! thermalnormalize name=norm "
            "! thermalcolormap palette=ironbow ! videoscale ! video/x-raw,width=320,pixel-aspect-ratio=1/1 "
            "! videoconvert ! pngenc compression-level=1 ! appsink name=png drop=true max-buffers=1 sync=false")


class Camera:
    def __init__(self, index, device, threshold, out_dir, log):
        self.index = index
        self.device = device
        self.out_dir = out_dir
        self.log = log
        self.alarms = 0
        self.pipeline = Gst.parse_launch(PIPELINE)
        self.pipeline.get_by_name("src").set_property("device", device)
        self.pipeline.get_by_name("norm").set_property("alarm-high", threshold)
        self.png = self.pipeline.get_by_name("png")
        self.bus = self.pipeline.get_bus()
        self.bus.add_watch(GLib.PRIORITY_DEFAULT, self.on_message)

    def save_png(self, path):
        sample = self.png.emit("try-pull-sample", 0)
        if sample is None:
            return False
        buf = sample.get_buffer()
        with open(path, "wb") as f:
            f.write(buf.extract_dup(0, buf.get_size()))
        return True

    def on_message(self, bus, msg):
        if msg.type == Gst.MessageType.ELEMENT and msg.get_structure().get_name() == "thermal-alarm":
            s = msg.get_structure()
            if s.get_string("state") == "begin":
                self.alarms += 1
                path = os.path.join(self.out_dir, "alarm-cam%d-%03d.png" % (self.index, self.alarms))
                # The latest picture; at the very first frame it may still be
                # on its way: then save the next one (polled, never waiting).
                if not self.save_png(path):
                    GLib.timeout_add(20, lambda p=path: not self.save_png(p))
                self.log.warning("ALARM camera %d (%s): %s %.1f °C at (%d, %d), threshold %.1f °C -> %s",
                                 self.index, self.device, s.get_string("kind"), s.get_double("temperature-celsius")[1],
                                 s.get_uint("x")[1], s.get_uint("y")[1], s.get_double("threshold-celsius")[1], path)
            else:
                self.log.info("alarm over: camera %d (%s) %.1f °C", self.index, self.device,
                              s.get_double("temperature-celsius")[1])
        elif msg.type == Gst.MessageType.ERROR:
            err, debug = msg.parse_error()
            self.log.error("camera %d (%s): %s", self.index, self.device, err.message)
            self.pipeline.set_state(Gst.State.NULL)
        return True


def main():
    parser = argparse.ArgumentParser(description="Alarm when any camera sees something hotter than a threshold.")
    parser.add_argument("--threshold", type=float, default=45.0, help="°C (default 45)")
    parser.add_argument("--seconds", type=float, default=0, help="stop after N seconds (default: Ctrl-C)")
    parser.add_argument("--out", default=".", help="directory for the PNG snapshots and alarm.log")
    parser.add_argument("devices", nargs="*", default=DEFAULT_DEVICES)
    args = parser.parse_args()
    Gst.init(None)
    os.makedirs(args.out, exist_ok=True)

    log = logging.getLogger("alarm")
    log.setLevel(logging.INFO)
    for handler in (logging.StreamHandler(sys.stdout), logging.FileHandler(os.path.join(args.out, "alarm.log"))):
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        log.addHandler(handler)

    cams = [Camera(i, d, args.threshold, args.out, log) for i, d in enumerate(args.devices)]
    loop = GLib.MainLoop()
    for cam in cams:
        cam.pipeline.set_state(Gst.State.PLAYING)
    log.info("watching %d cameras for more than %.1f °C", len(cams), args.threshold)
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT, lambda: loop.quit() or False)
    if args.seconds > 0:
        GLib.timeout_add(int(args.seconds * 1000), lambda: loop.quit() or False)
    loop.run()
    for cam in cams:
        cam.pipeline.set_state(Gst.State.NULL)
        cam.bus.remove_watch()
        log.info("camera %d (%s): %d alarms", cam.index, cam.device, cam.alarms)
    return 0


if __name__ == "__main__":
    sys.exit(main())
