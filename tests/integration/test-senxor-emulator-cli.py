#!/usr/bin/env python3
# senxor-emulator's command line: every numeric option refuses bad values
# (range, nan, inf, garbage, negative, overflow) with one line naming the
# option and what it accepts, exit 2, at once; good values serve.
# SPDX-License-Identifier: LGPL-2.1-or-later
import os
import shutil
import subprocess
import unittest

EMULATOR = shutil.which("senxor-emulator") or os.path.join(
    os.environ.get("SENXOR_BUILD_ROOT", "build"), "src", "senxor-emulator")

# Values no number option takes.
ALWAYS_BAD = ["nan", "inf", "-inf", "abc", "1x", "", "-5", "1e308", "-1e308", "1e400",
              "99999999999999999999999"]

# (option, a text its message must contain (the range), values out of range).
# With a value let through, the emulator would serve on a free port until
# killed: the test sees that as a timeout.
NUMERIC_OPTIONS = [
    ("--fps", "0.1 to 1000", ["0", "0.09", "1000.5", "1e-9", "0x10", " 25", "25 "]),
    ("--seed", "a whole number from 0 to 18446744073709551615",
     ["18446744073709551616", "1.5", "0x10", "+-1"]),
    ("--tcp", "PORT 0-65535", ["65536", "127.0.0.1:70000", "127.0.0.1:", "[::1]:-1",
                               "0x10", "1.5"]),
]

# --faults: every number inside the list, in each place it can be.
FAULT_NUMBERS = [
    ("garbage=%s", "the rate must be a number from 0 to 1", ["1.01", "2", "-0", "0x1",
                                                              "0x0.8", ".5.5"]),
    ("drop-reply=%s", "the rate must be a number from 0 to 1", ["1.5"]),
    ("late-reply=0.5:%s", "the delay after ':' must be more than 0 and at most 1e9 s",
     ["0s", "2e9s", "5f", "0x10s"]),
    ("stall=%s@1s", "the stall length must be more than 0 and at most 1e9 s",
     ["0ms", "1e10s", "3f"]),
    ("stall=1s@%s", "the time after '@' must be 0 .. 1e9 s, ms or whole frames",
     ["1.5f", "2e9ms", "-1s"]),
    ("disconnect@%s", "the time after '@' must be 0 .. 1e9 s, ms or whole frames",
     ["1e10f"]),
]


def run(*args, timeout=30):
    """(exit code, stdout, stderr); None as the code if it was still running"""
    p = subprocess.Popen([EMULATOR, *args], stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = p.communicate(timeout=timeout)
        return p.returncode, out, err
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
        return None, out, err


class BadValues(unittest.TestCase):
    def refused(self, args, option, needle):
        code, out, err = run(*args)
        self.assertIsNotNone(code, "%s: still serving after 30 s: %s" % (args, out))
        self.assertEqual(code, 2, "%s: %s%s" % (args, out, err))
        self.assertEqual(out, "")
        lines = err.splitlines()
        self.assertEqual(len(lines), 2, err)
        self.assertTrue(lines[0].startswith("senxor-emulator: %s: " % option), lines[0])
        self.assertIn(needle, lines[0])
        self.assertEqual(lines[1], "Try 'senxor-emulator --help'.")
        self.assertNotIn("CRITICAL", err)

    def test_numeric_options(self):
        for option, needle, bad in NUMERIC_OPTIONS:
            for value in bad + ALWAYS_BAD:
                if option == "--tcp":
                    args = ["--tcp=" + value]
                else:
                    args = [option + "=" + value, "--tcp", "127.0.0.1:0", "--fast"]
                with self.subTest(args=args):
                    self.refused(args, option, needle)
            # "--opt VALUE" takes a negative number as the value too
            with self.subTest(option=option, separate=True):
                args = [option, "-5"] + ([] if option == "--tcp" else ["--tcp", "0"])
                self.refused(args, option, needle)

    def test_fault_numbers(self):
        for template, needle, bad in FAULT_NUMBERS:
            for value in bad + ALWAYS_BAD:
                item = template % value
                with self.subTest(faults=item):
                    self.refused(["--faults", item, "--tcp", "127.0.0.1:0", "--fast"],
                                 "--faults", needle)

    def test_identity_numbers(self):
        for value in ["4.7", "16.0.0", "1.16.0", "1.1.256", "1.1.-1", "nan.1.1",
                      "1.1.1e3", "99999999999999999999.1.1", ""]:
            with self.subTest(fw=value):
                self.refused(["--fw", value, "--pty"], "--fw", "major and minor 0-15, "
                             "build 0-255")
        for value in ["182A0100176", "182A010017690", "nan", "-82A01001769", ""]:
            with self.subTest(serial=value):
                self.refused(["--serial", value, "--pty"], "--serial", "12 hex digits")


class GoodValues(unittest.TestCase):
    def serve(self, *args):
        p = subprocess.Popen([EMULATOR, *args, "--tcp", "127.0.0.1:0"],
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        try:
            where = p.stdout.readline().strip()
        finally:
            p.terminate()
            out, err = p.communicate(timeout=30)
        self.assertTrue(where.startswith("tcp://127.0.0.1:"), where + err)
        self.assertEqual(p.returncode, 0, err)
        return err

    def test_edges_are_accepted(self):
        self.assertIn("at 0.1 fps", self.serve("--fps", "0.1"))
        self.assertIn("at 1000.0 fps", self.serve("--fps", "1000", "--fast"))
        self.serve("--seed", "18446744073709551615", "--faults",
                   "garbage=0,badsum=1,late-reply=1:1e9ms,stall=1e9s@0f,reboot@1e9f",
                   "--fw", "15.15.255", "--serial", "ffffffffffff")


if __name__ == "__main__":
    unittest.main(verbosity=2)
