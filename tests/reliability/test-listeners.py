#!/usr/bin/env python3
# Every network listener binds 127.0.0.1 unless told otherwise, and says so:
# senxor-emulator --tcp, senxor-rtsp-server and senxor-http-server are
# started on port 0 without an address; the address they print must be
# 127.0.0.1 and the kernel's socket table (/proc/net/tcp, tcp6) must show
# their listening sockets on 127.0.0.1 only.  With an explicit address they
# bind that one.
# usage: test-listeners.py SENXOR_EMULATOR RTSP_SERVER HTTP_SERVER
# SPDX-License-Identifier: LGPL-2.1-or-later
import os
import re
import signal
import subprocess
import sys
import time
import unittest

EMULATOR, RTSP, HTTP = sys.argv[1:4]
del sys.argv[1:4]

CAMERA = "emulator://?module=mi08&scene=flat"


def socket_inodes(pid):
    inodes = set()
    fd_dir = "/proc/%d/fd" % pid
    for fd in os.listdir(fd_dir):
        try:
            target = os.readlink(os.path.join(fd_dir, fd))
        except OSError:
            continue
        m = re.match(r"socket:\[(\d+)\]", target)
        if m:
            inodes.add(m.group(1))
    return inodes


def listening(pid):
    """[(family, address hex, port)] of the TCP sockets pid listens on."""
    inodes = socket_inodes(pid)
    out = []
    for family in ("tcp", "tcp6"):
        with open("/proc/net/" + family) as f:
            next(f)
            for line in f:
                fields = line.split()
                local, state, inode = fields[1], fields[3], fields[9]
                if state != "0A" or inode not in inodes:        # 0A = LISTEN
                    continue
                addr, port = local.split(":")
                out.append((family, addr, int(port, 16)))
    return out


LOOPBACK4 = "0100007F"


class Listener(unittest.TestCase):
    def start(self, argv, pattern):
        env = dict(os.environ)
        env["G_DEBUG"] = ""          # the servers' own warnings are not the subject
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, env=env)
        self.addCleanup(self.stop, proc)
        deadline = time.monotonic() + 60
        lines = []
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            m = re.search(pattern, line)
            if m:
                return proc, m
        proc.kill()
        self.fail("%s did not say where it listens: %r %s" % (argv[0], lines, proc.stderr.read()))

    def stop(self, proc):
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        proc.stdout.close()
        proc.stderr.close()

    def check_loopback(self, proc, port):
        socks = []
        deadline = time.monotonic() + 10
        while not socks and time.monotonic() < deadline:
            socks = listening(proc.pid)
            if not socks:
                time.sleep(0.05)
        self.assertTrue(socks, "no listening socket found for pid %d" % proc.pid)
        for family, addr, p in socks:
            self.assertEqual((family, addr), ("tcp", LOOPBACK4),
                             "listens on %s %s:%d, not 127.0.0.1" % (family, addr, p))
            self.assertEqual(p, port)

    def test_emulator_tcp(self):
        proc, m = self.start([EMULATOR, "--module", "mi08", "--tcp", "0"],
                             r"tcp://([0-9.]+):(\d+)")
        self.assertEqual(m.group(1), "127.0.0.1")
        self.check_loopback(proc, int(m.group(2)))

    def test_emulator_tcp_explicit_any(self):
        proc, m = self.start([EMULATOR, "--module", "mi08", "--tcp", "0.0.0.0:0"],
                             r"tcp://([0-9.]+):(\d+)")
        self.assertEqual(m.group(1), "0.0.0.0")
        socks = listening(proc.pid)
        self.assertIn(("tcp", "00000000", int(m.group(2))), socks)

    def test_rtsp_server(self):
        proc, m = self.start([RTSP, "--device", CAMERA, "--port", "0"],
                             r"rtsp://([0-9.]+):(\d+)/")
        self.assertEqual(m.group(1), "127.0.0.1")
        self.assertNotEqual(int(m.group(2)), 0)
        self.check_loopback(proc, int(m.group(2)))

    def test_http_server(self):
        proc, m = self.start([HTTP, "--device", CAMERA, "--port", "0"],
                             r"http://([0-9.]+):(\d+)/")
        self.assertEqual(m.group(1), "127.0.0.1")
        self.check_loopback(proc, int(m.group(2)))


if __name__ == "__main__":
    unittest.main(verbosity=2)
