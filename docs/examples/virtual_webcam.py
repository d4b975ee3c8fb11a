#!/usr/bin/env python3
# virtual_webcam.py: the thermal camera as a webcam for any video application.
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Feeds the colour picture into a v4l2loopback device, so browsers, video
# calls, OBS or OpenCV's VideoCapture see an ordinary webcam:
#
#   sudo apt-get install v4l2loopback-dkms
#   sudo modprobe v4l2loopback video_nr=10 card_label="Senxor thermal" exclusive_caps=1
#   python3 virtual_webcam.py --video /dev/video10 --device /dev/ttyACM0
#
# Without --device the thermal camera is the emulated one, as in the other examples.
#
# The same as one command:
#   gst-launch-1.0 senxorsrc ! thermalnormalize ! thermalcolormap ! videoscale \
#     ! video/x-raw,width=640,height=480 ! videoconvert ! video/x-raw,format=YUY2 ! v4l2sink device=/dev/video10
#
# --check negotiates the whole pipeline with a stand-in sink and verifies that
# the format reaching the sink is one v4l2sink accepts, without any loopback
# device (for machines where the kernel module cannot be loaded).
import argparse
import os
import sys

import gi

gi.require_version("Gst", "1.0")
from gi.repository import Gst  # noqa: E402

DEFAULT_DEVICE = "emulator://?module=mi16&scene=people"
PICTURE = ("senxorsrc name=src ! thermalnormalize ! thermalcolormap palette=ironbow "
           "! videoscale ! video/x-raw,width={w},height={h},pixel-aspect-ratio=1/1 ! videoconvert "
           "! video/x-raw,format=YUY2 ! queue ! ")


def main():
    parser = argparse.ArgumentParser(description="Publish the thermal picture as a v4l2loopback webcam.")
    parser.add_argument("--device", default=DEFAULT_DEVICE,
                        help="thermal camera, e.g. /dev/ttyACM0 (default: the emulated camera %s)" % DEFAULT_DEVICE)
    parser.add_argument("--video", default="/dev/video10", help="the v4l2loopback device")
    parser.add_argument("--width", type=int, default=640)
    parser.add_argument("--height", type=int, default=480)
    parser.add_argument("--check", action="store_true",
                        help="only check that the pipeline negotiates a format v4l2sink accepts")
    args = parser.parse_args()
    Gst.init(None)

    v4l2sink = Gst.ElementFactory.find("v4l2sink")
    if v4l2sink is None:
        print("v4l2sink is missing: install gstreamer1.0-plugins-good", file=sys.stderr)
        return 1
    if args.check:
        sink = "fakesink name=sink sync=false"
    else:
        if not os.path.exists(args.video):
            print("%s does not exist: load the loopback driver first:\n"
                  "  sudo modprobe v4l2loopback video_nr=%s card_label=\"Senxor thermal\" exclusive_caps=1"
                  % (args.video, args.video.replace("/dev/video", "") or "10"), file=sys.stderr)
            return 1
        sink = "v4l2sink name=sink sync=false"

    pipeline = Gst.parse_launch(PICTURE.format(w=args.width, h=args.height) + sink)
    pipeline.get_by_name("src").set_property("device", args.device)
    if not args.check:
        pipeline.get_by_name("sink").set_property("device", args.video)
    bus = pipeline.get_bus()
    pipeline.set_state(Gst.State.PLAYING)

    status = 0
    if args.check:
        # Wait until the pipeline runs, then compare the sink's caps with what
        # v4l2sink accepts.
        msg = bus.timed_pop_filtered(30 * Gst.SECOND, Gst.MessageType.ASYNC_DONE | Gst.MessageType.ERROR)
        if msg is None or msg.type == Gst.MessageType.ERROR:
            print("the pipeline did not start: %s" % (msg.parse_error()[0].message if msg else "timeout"),
                  file=sys.stderr)
            status = 1
        else:
            caps = pipeline.get_by_name("sink").get_static_pad("sink").get_current_caps()
            template = next(t for t in v4l2sink.get_static_pad_templates() if t.direction == Gst.PadDirection.SINK)
            if caps is not None and caps.can_intersect(template.get_caps()):
                print("ok: v4l2sink accepts %s" % caps.to_string())
            else:
                print("v4l2sink would refuse %s" % (caps.to_string() if caps else "(no caps)"), file=sys.stderr)
                status = 1
    else:
        print("publishing %s on %s; open it in any video application. Ctrl-C to stop." % (args.device, args.video))
        try:
            msg = bus.timed_pop_filtered(Gst.CLOCK_TIME_NONE, Gst.MessageType.ERROR | Gst.MessageType.EOS)
            if msg.type == Gst.MessageType.ERROR:
                err, debug = msg.parse_error()
                print("error: %s (%s)" % (err.message, debug), file=sys.stderr)
                status = 1
        except KeyboardInterrupt:
            pass
    pipeline.set_state(Gst.State.NULL)
    return status


if __name__ == "__main__":
    sys.exit(main())
