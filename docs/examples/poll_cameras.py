#!/usr/bin/env python3
# poll_cameras.py: several Senxor cameras, one thread, never blocking.
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Each camera is a senxorsrc on its own streaming thread, feeding an appsink
# that holds only the latest frame (drop=true max-buffers=1): the "latest
# frame slot".  One loop asks each appsink for a frame with a zero timeout
# (try-pull-sample), so a slow or silent camera never holds up the others.
#
#   python3 poll_cameras.py [--seconds N] [DEVICE ...]
#   python3 poll_cameras.py /dev/ttyACM0 /dev/ttyACM1
import argparse
import array
import sys
import time

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstVideo", "1.0")
from gi.repository import Gst, GstVideo  # noqa: E402

DEFAULT_DEVICES = ["emulator://cam0?module=mi08&scene=people&seed=1",
                   "emulator://cam1?module=mi16&scene=hotspot&seed=2"]


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


def frame_stats(sample):
    """(min, max, mean) in °C of a frame."""
    width, height, values = deci_kelvin(sample)
    return (min(values) / 10 - 273.15, max(values) / 10 - 273.15,
            sum(values) / len(values) / 10 - 273.15)


class Camera:
    def __init__(self, device):
        self.device = device
        self.frames = 0
        self.failed = False
        self.last_print = 0.0
        self.pipeline = Gst.parse_launch(
            "senxorsrc name=src ! appsink name=sink caps=video/x-raw,format=GRAY16_LE "
            "drop=true max-buffers=1 sync=false")
        self.pipeline.get_by_name("src").set_property("device", device)
        self.sink = self.pipeline.get_by_name("sink")
        self.bus = self.pipeline.get_bus()
        self.running = self.pipeline.set_state(Gst.State.PLAYING) != Gst.StateChangeReturn.FAILURE

    def check_bus(self, index):
        # Errors are read without waiting, like the frames.
        while True:
            msg = self.bus.pop_filtered(Gst.MessageType.ERROR | Gst.MessageType.EOS)
            if msg is None:
                return
            if msg.type == Gst.MessageType.ERROR:
                err, _ = msg.parse_error()
                print("camera %d (%s): %s" % (index, self.device, err.message), file=sys.stderr)
                self.failed = True
            self.running = False


def main():
    parser = argparse.ArgumentParser(description="Poll several Senxor cameras in one thread.")
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("devices", nargs="*", default=DEFAULT_DEVICES)
    args = parser.parse_args()
    Gst.init(None)

    cams = [Camera(d) for d in args.devices]
    end = time.monotonic() + args.seconds
    while time.monotonic() < end:
        for i, cam in enumerate(cams):
            cam.check_bus(i)
            if not cam.running:
                continue
            # The latest frame if there is a new one, None at once otherwise.
            sample = cam.sink.emit("try-pull-sample", 0)
            if sample is None:
                continue
            cam.frames += 1
            if time.monotonic() - cam.last_print >= 1.0:
                lo, hi, mean = frame_stats(sample)
                print("camera %d: frame %d min %.2f °C max %.2f °C mean %.2f °C" % (i, cam.frames, lo, hi, mean),
                      flush=True)
                cam.last_print = time.monotonic()
        if not any(c.running for c in cams):
            break
        # The rest of the application runs here: UI, other devices, ...
        time.sleep(0.005)

    status = 0
    for i, cam in enumerate(cams):
        cam.pipeline.set_state(Gst.State.NULL)
        print("camera %d (%s): %d frames" % (i, cam.device, cam.frames))
        if cam.failed or cam.frames == 0:
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
