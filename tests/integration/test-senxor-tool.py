#!/usr/bin/env python3
# senxor-tool end to end: every command against in-process emulators, a pty
# and TCP; output formats checked value by value; exit codes; Ctrl-C; every
# numeric option refused with one clear line for bad values; emissivity as a
# fraction; every camera control by name.
# SPDX-License-Identifier: LGPL-2.1-or-later
import fcntl
import os
import pty
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import tty
import unittest

TOOL = shutil.which("senxor-tool") or os.path.join(
    os.environ.get("SENXOR_BUILD_ROOT", "build"), "src", "senxor-tool")
EMULATOR = shutil.which("senxor-emulator")

GRADIENT = "emulator://?module=mi08&scene=gradient&fast=1"


def gradient(x, y, n):
    return 2932 + 4 * x + 2 * y + (n % 64)


def run(*args, timeout=60, env=None):
    return subprocess.run([TOOL, *args], capture_output=True, text=True,
                          timeout=timeout, env=env)


class Base(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.env = dict(os.environ)
        # keep the machine's cameras and configuration out of the tests
        self.env["SENXOR_SYSFS_ROOT"] = self.tmp.name
        self.env["SENXOR_CONFIG"] = os.devnull
        self.env.pop("SENXOR_TCP_DEVICES", None)
        self.env.pop("SENXOR_EMULATORS", None)

    def tearDown(self):
        self.tmp.cleanup()

    def path(self, name):
        return os.path.join(self.tmp.name, name)

    def ok(self, *args, **kw):
        r = run(*args, env=self.env, **kw)
        self.assertEqual(r.returncode, 0, "%s: %s%s" % (args, r.stdout, r.stderr))
        return r

    def fails(self, code, *args, **kw):
        r = run(*args, env=self.env, **kw)
        self.assertEqual(r.returncode, code, "%s: %s%s" % (args, r.stdout, r.stderr))
        self.assertTrue(r.stderr.startswith("senxor-tool"), r.stderr)
        return r


class Help(Base):
    def test_usage(self):
        r = self.ok("--help")
        for cmd in ("list", "info", "controls", "get", "set", "capture", "stream"):
            self.assertIn(cmd, r.stdout)
            h = self.ok(cmd, "--help")
            self.assertIn("Usage:", h.stdout)
            self.assertIn("senxor-tool " + cmd, h.stdout)
        self.assertIn("Exit codes", r.stdout)
        self.assertEqual(self.ok("help", "capture").stdout, self.ok("capture", "--help").stdout)
        self.assertEqual(run(env=self.env).returncode, 2)
        self.fails(2, "frobnicate")
        self.fails(2, "info")
        self.fails(2, "capture", GRADIENT)            # no -o
        self.fails(2, "capture", GRADIENT, "-o", self.path("x"), "--format", "tiff")
        self.fails(2, "stream", GRADIENT, "--bogus")


class Info(Base):
    def test_info(self):
        r = self.ok("info", "emulator://?module=mi16&fast=1&serial=190B02ABCDEF")
        self.assertIn("MI16", r.stdout)
        self.assertIn("160 x 120", r.stdout)
        self.assertIn("190B02ABCDEF", r.stdout)
        self.assertIn("0xCA EMISSIVITY", r.stdout)
        self.assertIn("FRAME_MODE", r.stdout)
        r = self.ok("info", "--no-registers", "emulator://?module=mi05&fast=1")
        self.assertIn("50 x 50", r.stdout)
        self.assertNotIn("EMISSIVITY", r.stdout)


class Registers(Base):
    def test_get_set(self):
        dev = "emulator://?module=mi08&fast=1"
        # raw registers by address, or by name for those without a setting
        self.assertEqual(self.ok("get", dev, "0xCA").stdout.strip(),
                         "EMISSIVITY (0xCA) = 0x5F (95)")
        self.assertEqual(self.ok("get", "-q", dev, "0xca").stdout.strip(), "95")
        self.assertEqual(self.ok("set", dev, "CA", "0x5A").stdout.strip(),
                         "EMISSIVITY (0xCA) = 0x5A (90)")
        self.assertEqual(self.ok("set", "-q", dev, "B4", "4").stdout.strip(), "4")
        self.assertEqual(self.ok("set", dev, "frame_rate", "3").stdout.strip(),
                         "FRAME_RATE (0xB4) = 0x03 (3)")

    def test_emissivity_is_a_fraction(self):
        """the setting takes and shows senxorsrc's unit; the device holds percent"""
        dev = "emulator://?module=mi08&fast=1"
        self.assertEqual(self.ok("get", dev, "EMISSIVITY").stdout.strip(),
                         "emissivity = 0.95 (EMISSIVITY 0xCA = 0x5F)")
        self.assertEqual(self.ok("get", "-q", dev, "emissivity").stdout.strip(), "0.95")
        # the value printed is read back from the device
        self.assertEqual(self.ok("set", dev, "emissivity", "0.9").stdout.strip(),
                         "emissivity = 0.90 (EMISSIVITY 0xCA = 0x5A)")
        for typed, shown in (("0.01", "0.01"), ("1", "1.00"), ("1.00", "1.00"),
                             ("0.955", "0.96"), (".5", "0.50")):
            with self.subTest(value=typed):
                self.assertEqual(self.ok("set", "-q", dev, "Emissivity", typed).stdout.strip(),
                                 shown)

    def test_emissivity_percent_refused(self):
        dev = "emulator://?module=mi08&fast=1"
        for typed, meant in (("95", "0.95"), ("100", "1.00"), ("2", "0.02"),
                             ("9.5", "0.095")):
            with self.subTest(value=typed):
                r = self.fails(2, "set", dev, "emissivity", typed, timeout=30)
                self.assertEqual(r.stderr.splitlines(), [
                    "senxor-tool: emissivity is a fraction from 0.01 to 1.00; "
                    "did you mean %s?" % meant])
        for typed in ("0", "0.005", "101", "1e400", "nan", "inf", "-inf", "abc", "",
                      "0x5A", "0,9", " 0.9", "1e-3"):
            with self.subTest(value=typed):
                r = self.fails(2, "set", dev, "emissivity", "--", typed, timeout=30)
                lines = r.stderr.splitlines()
                self.assertEqual(len(lines), 1, r.stderr)
                self.assertTrue(lines[0].startswith(
                    "senxor-tool: emissivity is a fraction from 0.01 to 1.00, not '"),
                    r.stderr)
                self.assertEqual(r.stdout, "")

    def test_refusals(self):
        dev = "emulator://?module=mi08&fast=1"
        self.assertIn("read-only", self.fails(2, "set", dev, "STATUS", "1").stderr)
        self.assertIn("Unknown register", self.fails(2, "get", dev, "NOPE").stderr)
        self.fails(2, "set", dev, "0xCA", "300")
        self.fails(2, "set", dev, "0xCA", "abc")
        self.fails(2, "set", dev, "0xCA", "0.95")


# Every numeric option with values it must refuse: (command, option, the
# range its message gives, values out of that range).  nan, inf, garbage,
# negative numbers, hex and overflow are refused by every one of them.
NUMERIC_OPTIONS = [
    (cmd, "--register-timeout", "a number of seconds from 0.001 to 3600",
     ["0", "1e-9", "0.0009", "3601"])
    for cmd in ("list", "info", "get", "set", "capture", "stream")
] + [
    ("capture", "-n/--count", "a whole number from 1 to 2147483647",
     ["0", "2147483648", "1.5", "1e3"]),
    ("capture", "--divider", "a whole number from 0 to 127", ["128", "1.5"]),
    ("capture", "--timeout", "a number of seconds from 0.001 to 3600",
     ["0", "1e-9", "3601", "1e13"]),
    ("stream", "--seconds", "a number of seconds from 0 to 31536000",
     ["31536001", "1e13"]),
    ("stream", "--divider", "a whole number from 0 to 127", ["128", "1.5"]),
]
ALWAYS_BAD = ["nan", "NaN", "inf", "-inf", "infinity", "-5", "abc", "1x", "", " 1",
              "0x10", "1e308", "-1e308", "99999999999999999999999", "1e400"]
# The rest of a command line that works, so that a value let through would run.
VALID_ARGS = {
    "list": [],
    "info": [GRADIENT],
    "get": [GRADIENT, "emissivity"],
    "set": [GRADIENT, "emissivity", "0.9"],
    "capture": [GRADIENT, "-o", os.devnull],
    "stream": [GRADIENT, "--seconds", "0.5"],
}


class BadOptionValues(Base):
    def test_numeric_options(self):
        for cmd, option, accepted, bad in NUMERIC_OPTIONS:
            for value in bad + ALWAYS_BAD:
                for spelling in option.split("/"):
                    # "--opt=VALUE" and "--opt VALUE" (which also takes "-5")
                    if spelling.startswith("--"):
                        args = [spelling + "=" + value]
                    else:
                        args = [spelling, value]
                    with self.subTest(cmd=cmd, args=args):
                        self.check(cmd, args, option, accepted, value)
                    # the option after the positional arguments too
                    if value == "nan":
                        with self.subTest(cmd=cmd, args=args, last=True):
                            self.check(cmd, args, option, accepted, value, last=True)

    def check(self, cmd, args, option, accepted, value, last=False):
        rest = VALID_ARGS[cmd]
        if option == "--seconds":
            rest = [GRADIENT]       # else the valid --seconds would win
        argv = [cmd] + (rest + args if last else args + rest)
        try:
            r = run(*argv, env=self.env, timeout=30)
        except subprocess.TimeoutExpired:
            self.fail("%s: still running after 30 s" % argv)
        self.assertEqual(r.returncode, 2, "%s: %s%s" % (argv, r.stdout, r.stderr))
        self.assertEqual(r.stdout, "")
        lines = r.stderr.splitlines()
        self.assertEqual(lines, [
            "senxor-tool: %s must be %s, not '%s'" % (option, accepted, value),
            "Try 'senxor-tool %s --help'." % cmd], argv)

    def test_valid_edges(self):
        """the ends of each range are accepted"""
        self.ok("info", "--no-registers", "--register-timeout", "0.001",
                "emulator://?module=mi05&fast=1")
        self.ok("get", "--register-timeout=3600", GRADIENT, "0xB4")
        self.ok("capture", GRADIENT, "-n", "2", "-d", "0", "-t", "3600", "-o", os.devnull)
        self.ok("capture", GRADIENT, "--count=1", "--divider=127", "--timeout=10",
                "-o", os.devnull)
        r = self.ok("stream", "emulator://?module=mi05", "--seconds", "0.001")
        self.assertIn("frames in", r.stdout)

    def test_other_usage_errors_are_one_line(self):
        for argv in (["stream", GRADIENT, "--bogus"], ["capture", GRADIENT],
                     ["capture", GRADIENT, "-o", os.devnull, "-f", "tiff"],
                     ["info"], ["info", "--register-timeout"]):
            with self.subTest(argv=argv):
                r = self.fails(2, *argv, timeout=30)
                lines = r.stderr.splitlines()
                self.assertEqual(len(lines), 2, r.stderr)
                self.assertEqual(lines[1], "Try 'senxor-tool %s --help'." % argv[0])


class Capture(Base):
    def capture(self, fmt, n=3, dev=GRADIENT):
        out = self.path("frames." + fmt)
        r = self.ok("capture", dev, "-n", str(n), "-o", out)
        self.assertIn("Captured %d frames" % n, r.stderr)
        with open(out, "rb") as f:
            return f.read()

    def check_frames(self, frames, w, h):
        """frames: list of w*h deci-Kelvin lists; consecutive gradient frames"""
        n0 = None
        for i, px in enumerate(frames):
            self.assertEqual(len(px), w * h)
            k = px[0] - gradient(0, 0, 0)
            if n0 is None:
                n0 = k
            self.assertEqual(k, (n0 + i) % 64)
            for y in range(h):
                for x in range(w):
                    self.assertEqual(px[y * w + x], gradient(x, y, k))

    def test_raw(self):
        data = self.capture("raw")
        self.assertEqual(len(data), 3 * 80 * 62 * 2)
        frames = [list(struct.unpack("<%dH" % (80 * 62), data[i * 9920:(i + 1) * 9920]))
                  for i in range(3)]
        self.check_frames(frames, 80, 62)

    def test_pgm(self):
        data = self.capture("pgm", n=2)
        frames = []
        while data:
            self.assertTrue(data.startswith(b"P5\n"))
            lines = data.split(b"\n", 4)
            self.assertTrue(lines[1].startswith(b"# senxor frame"))
            self.assertEqual(lines[2], b"80 62")
            self.assertEqual(lines[3], b"65535")
            body = lines[4]
            frames.append(list(struct.unpack(">%dH" % (80 * 62), body[:9920])))
            data = body[9920:]
        self.assertEqual(len(frames), 2)
        self.check_frames(frames, 80, 62)

    def test_csv(self):
        text = self.capture("csv", n=2).decode()
        blocks = text.strip("\n").split("\n\n")
        self.assertEqual(len(blocks), 2)
        frames = []
        for b in blocks:
            rows = b.split("\n")
            self.assertEqual(len(rows), 62)
            px = []
            for row in rows:
                vals = row.split(",")
                self.assertEqual(len(vals), 80)
                px += [round((float(v) + 273.15) * 10) for v in vals]
            frames.append(px)
        self.check_frames(frames, 80, 62)

    def test_stdout_and_mi16(self):
        r = subprocess.run([TOOL, "capture", "emulator://?module=mi16&scene=gradient&fast=1",
                            "-n", "1", "-o", "-", "-f", "raw"], capture_output=True,
                           timeout=60, env=self.env)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(r.stdout), 160 * 120 * 2)
        px = struct.unpack("<%dH" % (160 * 120), r.stdout)
        k = px[0] - gradient(0, 0, 0)
        self.assertEqual(px[160 * 119 + 159], gradient(159, 119, k))

    def test_unwritable(self):
        self.fails(1, "capture", GRADIENT, "-o", "/nonexistent/dir/x.raw")


class Stream(Base):
    def test_seconds(self):
        t0 = time.monotonic()
        r = self.ok("stream", "emulator://?module=mi08&scene=hotspot", "--seconds", "2.2")
        self.assertLess(time.monotonic() - t0, 20)
        lines = r.stdout.strip().split("\n")
        self.assertIn("MI08 80 x 62", lines[0])
        # not a terminal: one line per second, then the summary
        self.assertTrue(any(l.startswith("frames ") and " fps " in l for l in lines[1:-1]),
                        r.stdout)
        self.assertIn("frames in", lines[-1])
        # real time on a loaded machine may lose a frame; the count is reported
        self.assertRegex(lines[-1], r", \d+ lost,")
        fps = float(lines[-1].split("(")[1].split(" fps")[0])
        self.assertGreater(fps, 10)    # 25.5 fps nominal; generous on a slow machine
        self.assertIn("°C", lines[-1])

    def test_terminal_updates_in_place(self):
        master, slave = pty.openpty()
        p = subprocess.Popen([TOOL, "stream", "emulator://?module=mi05", "--seconds", "2.5"],
                             stdout=slave, stderr=subprocess.PIPE, env=self.env)
        os.close(slave)
        out = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:          # EIO: the tool closed the terminal
                break
            if not chunk:
                break
            out += chunk
        os.close(master)
        self.assertEqual(p.wait(timeout=20), 0)
        p.stderr.close()
        text = out.decode()
        # the status line is rewritten in place: carriage return + erase line
        self.assertIn("\r\x1b[K", text)
        self.assertIn("frames in", text)
        self.assertEqual(text.count("fps"), text.count("\r\x1b[K") + 1, repr(text))

    def test_ctrl_c(self):
        p = subprocess.Popen([TOOL, "stream", "emulator://?module=mi08"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=self.env)
        first = p.stdout.readline()      # the header: streaming has begun
        self.assertIn("MI08", first)
        time.sleep(0.5)
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=10)
        self.assertEqual(p.returncode, 0, err)
        self.assertIn("frames in", out)

    def test_ctrl_c_capture(self):
        out = self.path("long.raw")
        p = subprocess.Popen([TOOL, "capture", "emulator://?module=mi08", "-n", "100000",
                              "-o", out], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=self.env)
        # the tool handles Ctrl-C from before it opens the output file: wait
        # for the file (a slow machine may take long to start the program)
        deadline = time.monotonic() + 30
        while not os.path.exists(out):
            self.assertIsNone(p.poll(), "capture ended before Ctrl-C")
            self.assertLess(time.monotonic(), deadline, "capture never opened its output")
            time.sleep(0.05)
        time.sleep(0.5)
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=10)
        self.assertEqual(p.returncode, 130, err)
        self.assertIn("cancelled", err)


class Errors(Base):
    def test_codes(self):
        self.fails(3, "info", "/dev/ttyNOSUCHSENXOR")
        self.fails(3, "info", "tcp://127.0.0.1:1?timeout=2000")
        self.fails(8, "info", "emulator://?nomodule=1&fast=1")
        self.fails(7, "info", "emulator://?fast=1&faults=badsum=1")
        self.fails(2, "info", "ftp://camera")
        self.fails(2, "info", "emulator://?module=mi99")

    def test_busy_and_timeout(self):
        master, slave = pty.openpty()
        tty.setraw(slave)
        name = os.ttyname(slave)
        try:
            # nobody answers on the pty: TIMEOUT (6)
            r = self.fails(6, "info", "--register-timeout", "0.3", name)
            self.assertIn("FRAME_MODE", r.stderr)
            # another process holds it: BUSY (4)
            holder = subprocess.Popen([sys.executable, "-c",
                                       "import fcntl,sys,time; f=open(sys.argv[1]); "
                                       "fcntl.flock(f, fcntl.LOCK_EX); print('held', flush=True); "
                                       "time.sleep(30)", name],
                                      stdout=subprocess.PIPE, text=True)
            try:
                self.assertEqual(holder.stdout.readline().strip(), "held")
                r = self.fails(4, "info", name)
                self.assertIn("in use", r.stderr)
            finally:
                holder.kill()
                holder.wait()
                holder.stdout.close()
        finally:
            os.close(master)
            os.close(slave)


class List(Base):
    def test_list(self):
        r = self.ok("list")
        self.assertIn("No Senxor cameras found", r.stderr)
        self.env["SENXOR_EMULATORS"] = "lab?module=mi16&fast=1&serial=1A2B3C4D5E6F"
        self.env["SENXOR_TCP_DEVICES"] = "127.0.0.1:1?name=Bridge"
        r = self.ok("list")
        lines = r.stdout.strip().split("\n")
        self.assertTrue(lines[0].startswith("DEVICE"))
        self.assertEqual(len(lines), 3, r.stdout)
        self.assertIn("tcp://127.0.0.1:1?name=Bridge", lines[1])
        self.assertIn("Bridge", lines[1])
        self.assertIn("emulator://lab?", lines[2])
        self.assertIn("1A2B3C4D5E6F", lines[2])
        # probing opens the emulator (the bridge is refused and stays as it is)
        r = self.ok("list", "--probe")
        self.assertIn("Senxor emulator 'lab' (MI16, 1A2B3C4D5E6F)", r.stdout)
        self.env["SENXOR_TCP_DEVICES"] = "tcp://:0"
        self.assertIn("SENXOR_TCP_DEVICES", self.fails(2, "list").stderr)


def serve(test, *args):
    """a senxor-emulator server, stopped at the end of @test; its address"""
    p = subprocess.Popen([EMULATOR, *args], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True, env=test.env)

    def stop():
        p.terminate()
        p.wait(10)
        p.stdout.close()
    test.addCleanup(stop)
    # the first line says where it listens
    return p.stdout.readline().strip()


# Every camera control by name, in senxorsrc's units: the value typed, as
# shown back (quiet, then with its unit), the registers it lands in (the
# emulator powers up with the other bits clear), and a value refused with
# the words of the range it gives.
CONTROLS = [
    ("emissivity", "0.5", "0.50", "0.50", {"0xCA": 50},
     "101", "a fraction from 0.01 to 1.00"),
    ("offset-correction", "-1.5", "-1.5", "-1.5 K", {"0xCB": 0xF1},
     "12.8", "a number from -12.8 to 12.7 K"),
    ("sensitivity-factor", "90", "90", "90", {"0xC2": 90},
     "256", "a whole number from 0 to 255"),
    ("gain", "0.25", "0.25", "0.25", {"0xB9": 2}, "2x", "one of 1, auto, 0.25 or 0.5"),
    ("temporal-filter", "true", "true", "true", {"0xD0": 1}, "2", "true or false"),
    ("temporal-filter-strength", "4660", "4660", "4660", {"0xD1": 0x34, "0xD2": 0x12},
     "65536", "a whole number from 0 to 65535"),
    ("median-filter", "5x5", "5x5", "5x5", {"0x30": 3}, "7x7", "one of off, 3x3 or 5x5"),
    ("stark", "on", "true", "true", {"0x20": 1}, "maybe", "true or false"),
    ("mms", "yes", "true", "true", {"0x25": 3}, "-1", "true or false"),
]
REGISTER_NAMES = {"0xCA": "EMISSIVITY", "0xCB": "OFFSET_CORR", "0xC2": "SENSITIVITY_FACTOR",
                  "0xB9": "SENXOR_GAIN", "0xD0": "FILTER_CONTROL", "0xD1": "FILTER_SETTING_1",
                  "0xD2": "FILTER_SETTING_2", "0x30": "MEDIAN_CTRL", "0x20": "STARK_CTRL",
                  "0x25": "MMS_CTRL"}


class Controls(Base):
    """get/set/controls by name, in senxorsrc's units, for every control"""

    def test_list(self):
        lines = self.ok("controls").stdout.splitlines()
        self.assertEqual(lines[0].split()[:3], ["NAME", "RANGE", "DEFAULT"])
        self.assertEqual([line.split()[0] for line in lines[1:]], [c[0] for c in CONTROLS])
        listed = {line.split()[0]: line for line in lines[1:]}
        self.assertIn(" 0.01 .. 1.00 ", listed["emissivity"])
        self.assertIn(" -12.8 .. 12.7 K ", listed["offset-correction"])
        self.assertIn(" off|3x3|5x5 ", listed["median-filter"])
        self.fails(2, "controls", GRADIENT, "extra")
        # with a device: its values (the emulator's gain is auto at power-up)
        lines = self.ok("controls", GRADIENT).stdout.splitlines()
        self.assertEqual(lines[0].split()[:2], ["NAME", "VALUE"])
        values = {line.split()[0]: line.split()[1] for line in lines[1:]}
        self.assertEqual(values["emissivity"], "0.95")
        self.assertEqual(values["gain"], "auto")
        self.assertEqual(values["sensitivity-factor"], "100")
        self.assertEqual(values["median-filter"], "off")

    @unittest.skipUnless(EMULATOR, "senxor-emulator is not built")
    def test_get_set_each(self):
        dev = serve(self, "--module", "mi08", "--tcp", "127.0.0.1:0", "--fast")
        self.assertTrue(dev.startswith("tcp://127.0.0.1:"), dev)
        for name, typed, quiet, shown, regs, bad, words in CONTROLS:
            with self.subTest(control=name):
                raw = ", ".join("%s %s = 0x%02X" % (REGISTER_NAMES[a], a, v)
                                for a, v in regs.items())
                self.assertEqual(self.ok("set", "-q", dev, name, "--", typed).stdout.strip(),
                                 quiet)
                # in the register, read raw in another run
                for address, value in regs.items():
                    self.assertEqual(self.ok("get", "-q", dev, address).stdout.strip(),
                                     str(value))
                self.assertEqual(self.ok("get", dev, name.upper()).stdout.strip(),
                                 "%s = %s (%s)" % (name, shown, raw))
                self.assertEqual(self.ok("get", "-q", dev, name).stdout.strip(), quiet)
                # refused before the device is touched
                r = self.fails(2, "set", dev, name, "--", bad)
                self.assertEqual(r.stderr.splitlines(),
                                 ["senxor-tool: %s is %s, not '%s'" % (name, words, bad)])
                self.assertEqual(r.stdout, "")
                for address, value in regs.items():
                    self.assertEqual(self.ok("get", "-q", dev, address).stdout.strip(),
                                     str(value))
        values = {line.split()[0]: line.split()[1]
                  for line in self.ok("controls", dev).stdout.splitlines()[1:]}
        self.assertEqual(values, {c[0]: c[2] for c in CONTROLS})

    @unittest.skipUnless(EMULATOR, "senxor-emulator is not built")
    def test_rounding_and_bits_kept(self):
        dev = serve(self, "--module", "mi08", "--tcp", "127.0.0.1:0", "--fast")
        # to the nearest step, halves away from zero, as senxorsrc writes them
        self.assertEqual(self.ok("set", "-q", dev, "offset-correction", "--", "-1.55")
                         .stdout.strip(), "-1.6")
        self.assertEqual(self.ok("set", "-q", dev, "offset-correction", "0.04")
                         .stdout.strip(), "0.0")
        # the other bits of a shared register stay
        self.ok("set", dev, "0xB9", "0xA0")
        self.assertEqual(self.ok("set", dev, "gain", "0.5").stdout.strip(),
                         "gain = 0.5 (SENXOR_GAIN 0xB9 = 0xA3)")
        self.ok("set", dev, "0xD0", "0x06")
        # the temporal filter's init bit is cleared when it is switched
        self.assertEqual(self.ok("set", dev, "temporal-filter", "on").stdout.strip(),
                         "temporal-filter = true (FILTER_CONTROL 0xD0 = 0x05)")

    def test_unknown_name(self):
        r = self.fails(2, "get", GRADIENT, "brightness")
        self.assertIn("Unknown register 'brightness'", r.stderr)
        self.assertIn("senxor-tool controls", r.stderr)
        self.assertEqual(len(r.stderr.splitlines()), 1, r.stderr)


@unittest.skipUnless(EMULATOR, "senxor-emulator is not built")
class EmulatorServers(Base):
    """senxor-tool against the senxor-emulator CLI on a pty and on TCP"""

    def serve(self, *args):
        return serve(self, *args)

    def capture_raw(self, dev, n):
        out = self.path("c.raw")
        self.ok("capture", dev, "-n", str(n), "-o", out)
        with open(out, "rb") as f:
            return f.read()

    def test_pty(self):
        link = self.path("senxor0")
        where = self.serve("--module", "mi08", "--scene", "gradient", "--pty", "--link", link)
        self.assertTrue(where, "senxor-emulator printed no address")
        self.assertTrue(os.path.exists(link))
        r = self.ok("info", "--no-registers", link)
        self.assertIn("MI08", r.stdout)
        data = self.capture_raw(link, 2)
        self.assertEqual(len(data), 2 * 9920)
        px = struct.unpack("<%dH" % (80 * 62), data[:9920])
        k = px[0] - gradient(0, 0, 0)
        self.assertEqual(px[80 * 61 + 79], gradient(79, 61, k))
        r = self.ok("stream", link, "--seconds", "1.5")
        self.assertIn("frames in", r.stdout)
        # the emulator's pty is held by a session: a second tool run is BUSY
        holder = subprocess.Popen([TOOL, "stream", link], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True, env=self.env)
        try:
            self.assertIn("MI08", holder.stdout.readline())
            self.assertIn("in use", self.fails(4, "get", link, "EMISSIVITY").stderr)
        finally:
            holder.send_signal(signal.SIGINT)
            holder.communicate(timeout=10)

    def test_tcp(self):
        dev = self.serve("--module", "mi16", "--tcp", "127.0.0.1:0", "--fast")
        self.assertTrue(dev.startswith("tcp://127.0.0.1:"), dev)
        r = self.ok("info", "--no-registers", dev)
        self.assertIn("MI16", r.stdout)
        self.assertEqual(len(self.capture_raw(dev, 3)), 3 * 160 * 120 * 2)
        # the setting writes percent to the device: read raw in another run
        self.assertEqual(self.ok("set", "-q", dev, "emissivity", "0.93").stdout.strip(),
                         "0.93")
        self.assertEqual(self.ok("get", "-q", dev, "0xCA").stdout.strip(), "93")
        self.assertEqual(self.ok("get", dev, "emissivity").stdout.strip(),
                         "emissivity = 0.93 (EMISSIVITY 0xCA = 0x5D)")


if __name__ == "__main__":
    unittest.main(verbosity=2)
