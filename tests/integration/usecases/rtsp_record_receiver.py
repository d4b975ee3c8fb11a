#!/usr/bin/env python3
# An RTSP server taking a stream by RECORD (gst-rtsp-server in record mode,
# the way media servers take published streams), decoding its H.264 with
# FFmpeg's decoder (avdec_h264); exits 0 after FRAMES decoded frames.
# Usage: rtsp_record_receiver.py PORT PATH FRAMES TIMEOUT
# SPDX-License-Identifier: LGPL-2.1-or-later
import os
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

port, path, wanted, timeout = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
Gst.init(None)
loop = GLib.MainLoop()
frames = 0
status = 1


def on_handoff(sink, buffer, pad):
    global frames, status
    frames += 1
    if frames == wanted:
        status = 0
        GLib.idle_add(loop.quit)


def on_media_configure(factory, media):
    media.get_element().get_by_name("sink").connect("handoff", on_handoff)


def on_timeout():
    print("receiver: %d frames after %d s, wanted %d" % (frames, timeout, wanted), file=sys.stderr)
    loop.quit()


server = GstRtspServer.RTSPServer()
server.set_address("127.0.0.1")
server.set_service(port)
factory = GstRtspServer.RTSPMediaFactory()
factory.set_transport_mode(GstRtspServer.RTSPTransportMode.RECORD)
factory.set_launch("( rtph264depay name=depay0 ! h264parse ! avdec_h264 "
                   "! fakesink name=sink signal-handoffs=true sync=false )")
factory.connect("media-configure", on_media_configure)
server.get_mount_points().add_factory(path, factory)
server.attach(None)
GLib.timeout_add_seconds(timeout, on_timeout)
print("receiver: listening", flush=True)
loop.run()
print("frame=%d" % frames, flush=True)
# (no teardown of the server's threads: this process ends here)
os._exit(status)
