# Headless Chromium driven over its DevTools pipe (--remote-debugging-pipe):
# no browser automation package, no network port.  Used by the tests that
# check what a browser makes of the project's pages and recordings.
# SPDX-License-Identifier: LGPL-2.1-or-later
import fcntl
import json
import os
import shutil
import subprocess
import sys
import threading
import time

import usecase
from usecase import fail, rmtree, tempdir


def find():
    """The Chromium binary; a missing browser is a failure naming the package."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if browser is None:
        fail("no chromium: install Debian's chromium package (scripts/install-deps.sh does)")
    return browser


class Browser:
    """One headless Chromium with one page.  Messages on the pipe pair
    Chromium reads on fd 3 and writes on fd 4 are NUL-terminated JSON."""

    def __init__(self, width=800, height=700, extra_args=()):
        self.profile = tempdir("senxor-chromium-")
        argv = [find(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                "--remote-debugging-pipe", "--user-data-dir=" + self.profile,
                "--window-size=%d,%d" % (width, height)] + list(extra_args) + ["about:blank"]
        to_chrome_r, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_w = os.pipe()

        def child_fds():
            # Move both ends out of the way first: either may already be 3 or 4.
            r = fcntl.fcntl(to_chrome_r, fcntl.F_DUPFD, 10)
            w = fcntl.fcntl(from_chrome_w, fcntl.F_DUPFD, 10)
            os.dup2(r, 3)
            os.dup2(w, 4)
            usecase._die_with_parent()

        # Under tests/sanitizers/run-tests.sh the ASan runtime is preloaded
        # into every process; Chromium does not start with it.
        env = {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "ASAN_OPTIONS", "UBSAN_OPTIONS")}
        print("+ " + " ".join(argv), flush=True)
        self.proc = subprocess.Popen(argv, preexec_fn=child_fds, close_fds=False, env=env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        usecase._children.append(self.proc)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.next_id = 0
        self.replies = {}
        self.cond = threading.Condition()
        self.stderr = []
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}, self.session)

    def _read(self):
        buf = b""
        while True:
            chunk = os.read(self.from_chrome, 1 << 16)
            if not chunk:
                break
            buf += chunk
            while b"\0" in buf:
                raw, buf = buf.split(b"\0", 1)
                msg = json.loads(raw)
                if "id" in msg:
                    with self.cond:
                        self.replies[msg["id"]] = msg
                        self.cond.notify_all()
        with self.cond:
            self.cond.notify_all()

    def _read_stderr(self):
        for line in iter(self.proc.stderr.readline, b""):
            self.stderr.append(line.decode("utf-8", "replace").rstrip())

    def call(self, method, params=None, session=None, timeout=60):
        with self.cond:
            self.next_id += 1
            ident = self.next_id
        msg = {"id": ident, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.to_chrome, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        with self.cond:
            while ident not in self.replies:
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None:
                    print("\n".join(self.stderr[-30:]), file=sys.stderr)
                    fail("chromium did not answer %s within %d s" % (method, timeout))
                self.cond.wait(min(left, 0.5))
            reply = self.replies.pop(ident)
        if "error" in reply:
            fail("chromium: %s failed: %s" % (method, reply["error"]))
        return reply["result"]

    def page(self, method, params=None, timeout=60):
        """A DevTools call on the page."""
        return self.call(method, params, self.session, timeout)

    def evaluate(self, expression):
        result = self.page("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                "awaitPromise": True})
        if "exceptionDetails" in result:
            fail("page script failed: %s" % result["exceptionDetails"])
        return result["result"].get("value")

    def wait_for(self, expression, what, timeout=30):
        """The first true value of expression, polled; a timeout is a failure."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                fail("in the page: %s did not happen within %d s" % (what, timeout))
            time.sleep(0.2)

    def close(self):
        try:
            os.write(self.to_chrome, json.dumps({"id": 999999, "method": "Browser.close"}).encode() + b"\0")
            self.proc.wait(20)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()
        rmtree(self.profile)
