#!/usr/bin/env python3
# Recordings that survive: a radiometric recording (senxorsrc ! tee ! queue !
# avenc_ffv1 ! matroskamux ! filesink) with an H.264 display branch, stopped
#  - by EOS from the application,
#  - by the camera disappearing (emulator disconnect, reconnect=false): the
#    application pattern of docs/reliability.md (on an error from the
#    source, wait for the EOS that GstBaseSrc pushes downstream after a flow
#    error, then go to NULL),
#  - by SIGINT to gst-launch-1.0 -e,
# must leave a file that ffprobe decodes completely with the expected number
# of frames (exactly the frames that entered the encoder where the test can
# count them).  A SIGKILL mid-recording with splitmuxsink (1 s fragments)
# must leave every completed fragment playable.
# SPDX-License-Identifier: LGPL-2.1-or-later
import glob
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

import gi
gi.require_version("Gst", "1.0")
from gi.repository import Gst  # noqa: E402

Gst.init(None)

CAMERA = "emulator://?module=mi08&scene=gradient&fps=30"
FFPROBE = shutil.which("ffprobe")
DISPLAY = ("t. ! queue ! thermalnormalize ! thermalcolormap ! videoconvert ! "
           "x264enc tune=zerolatency speed-preset=ultrafast ! h264parse ! fakesink async=false")


def decoded_frames(path):
    """Frames ffprobe decodes from the file (it must decode without error)."""
    r = subprocess.run([FFPROBE, "-v", "error", "-count_frames", "-select_streams", "v:0",
                        "-show_entries", "stream=nb_read_frames,codec_name",
                        "-of", "csv=p=0", path], capture_output=True, text=True, timeout=120)
    if r.returncode != 0 or r.stderr.strip():
        raise AssertionError("ffprobe %s: exit %d: %s" % (path, r.returncode, r.stderr))
    codec, frames = r.stdout.strip().split(",")
    assert codec == "ffv1", r.stdout
    return int(frames)


def have(*factories):
    return all(Gst.ElementFactory.find(f) is not None for f in factories)


@unittest.skipUnless(FFPROBE and have("avenc_ffv1", "matroskamux", "x264enc", "splitmuxsink"),
                     "needs ffprobe, avenc_ffv1 (gstreamer1.0-libav), matroskamux, x264enc")
class Recording(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.file = os.path.join(self.tmp.name, "rec.mkv")

    def pipeline(self, device, extra=""):
        desc = ("senxorsrc name=src device=\"%s\" %s ! tee name=t ! queue ! "
                "avenc_ffv1 name=enc ! matroskamux ! filesink location=%s %s"
                % (device, extra, self.file, DISPLAY))
        pipe = Gst.parse_launch(desc)
        self.encoded = 0

        def count(pad, info):
            self.encoded += 1
            return Gst.PadProbeReturn.OK
        pipe.get_by_name("enc").get_static_pad("sink").add_probe(Gst.PadProbeType.BUFFER, count)
        return pipe

    def wait(self, bus, types, timeout):
        msg = bus.timed_pop_filtered(int(timeout * Gst.SECOND), types)
        return msg

    def test_eos_from_app(self):
        pipe = self.pipeline(CAMERA)
        bus = pipe.get_bus()
        pipe.set_state(Gst.State.PLAYING)
        deadline = time.monotonic() + 30
        while self.encoded < 30 and time.monotonic() < deadline:
            msg = bus.timed_pop_filtered(50 * Gst.MSECOND, Gst.MessageType.ERROR)
            self.assertIsNone(msg, msg and msg.parse_error())
        self.assertGreaterEqual(self.encoded, 30, "no frames recorded")
        pipe.send_event(Gst.Event.new_eos())
        msg = self.wait(bus, Gst.MessageType.EOS | Gst.MessageType.ERROR, 30)
        self.assertIsNotNone(msg, "no EOS within 30 s")
        self.assertEqual(msg.type, Gst.MessageType.EOS, msg.type == Gst.MessageType.ERROR
                         and msg.parse_error())
        pipe.set_state(Gst.State.NULL)
        self.assertEqual(decoded_frames(self.file), self.encoded)

    def test_camera_disappears(self):
        # the camera goes away after 40 frames; without reconnect the source
        # posts an error, and GstBaseSrc pushes EOS downstream: the
        # application waits for that EOS before stopping
        pipe = self.pipeline(CAMERA + "&faults=disconnect@40f", "reconnect=false")
        bus = pipe.get_bus()
        pipe.set_state(Gst.State.PLAYING)
        msg = self.wait(bus, Gst.MessageType.ERROR | Gst.MessageType.EOS, 30)
        self.assertIsNotNone(msg, "the disconnect was not reported within 30 s")
        self.assertEqual(msg.type, Gst.MessageType.ERROR)
        self.assertEqual(msg.src.get_name(), "src")
        err, _ = msg.parse_error()
        self.assertTrue(err.matches(Gst.ResourceError.quark(), Gst.ResourceError.READ), err)
        # the pattern: after an error, wait (bounded) for the EOS of the
        # sinks, then go to NULL
        msg = self.wait(bus, Gst.MessageType.EOS, 10)
        self.assertIsNotNone(msg, "no EOS after the source's error")
        pipe.set_state(Gst.State.NULL)
        self.assertGreaterEqual(self.encoded, 35)
        self.assertLessEqual(self.encoded, 40)
        self.assertEqual(decoded_frames(self.file), self.encoded)

    def launch(self, args):
        env = dict(os.environ)
        env["G_DEBUG"] = ""
        return subprocess.Popen(["gst-launch-1.0"] + args, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, env=env,
                                start_new_session=True)

    def wait_for_file(self, pattern, size, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            files = glob.glob(pattern)
            if files and sum(os.path.getsize(f) for f in files) >= size:
                return
            time.sleep(0.05)
        self.fail("nothing recorded at %s" % pattern)

    def test_sigint_gst_launch_e(self):
        proc = self.launch(["-e", "senxorsrc", "device=" + CAMERA, "!", "tee", "name=t", "!",
                            "queue", "!", "avenc_ffv1", "!", "matroskamux", "!", "filesink",
                            "location=" + self.file] + DISPLAY.split())
        self.wait_for_file(self.file, 1)
        time.sleep(1.5)
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=60)
        self.assertEqual(proc.returncode, 0, out)
        self.assertIn("EOS", out)
        frames = decoded_frames(self.file)
        # about 1.5 s at 30 fps were recorded; the exact number depends on
        # when the signal landed, the file must hold them all and play
        self.assertGreaterEqual(frames, 20, out)
        dur = subprocess.run([FFPROBE, "-v", "error", "-show_entries", "format=duration",
                              "-of", "csv=p=0", self.file], capture_output=True, text=True)
        duration = float(dur.stdout.strip())
        # the container's duration agrees with the frames it holds
        self.assertAlmostEqual(duration, frames / 30.0, delta=0.5)

    def test_sigkill_splitmuxsink(self):
        pattern = os.path.join(self.tmp.name, "frag%05d.mkv")
        proc = self.launch(["senxorsrc", "device=" + CAMERA, "!", "queue", "!", "avenc_ffv1",
                            "!", "splitmuxsink", "muxer-factory=matroskamux",
                            "max-size-time=1000000000", "location=" + pattern])
        # wait for the third fragment: two are complete
        deadline = time.monotonic() + 60
        while len(glob.glob(os.path.join(self.tmp.name, "frag*.mkv"))) < 3:
            self.assertLess(time.monotonic(), deadline, "splitmuxsink made no fragments")
            self.assertIsNone(proc.poll(), proc.stdout.read() if proc.poll() is not None else "")
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=30)
        frags = sorted(glob.glob(os.path.join(self.tmp.name, "frag*.mkv")))
        total = 0
        for f in frags[:-1]:                        # the last one was being written
            n = decoded_frames(f)
            # up to 1 s at 30 fps (splitmuxsink cuts at a keyframe: every
            # ffv1 frame is one); the first may be shorter (start-up)
            self.assertGreaterEqual(n, 10, f)
            self.assertLessEqual(n, 36, f)
            total += n
        self.assertGreaterEqual(total, 35)
        print("SIGKILL: %d complete fragments with %d frames; %s lost with the last"
              % (len(frags) - 1, total, os.path.basename(frags[-1])))


if __name__ == "__main__":
    unittest.main(verbosity=2)
