#!/usr/bin/env python3
# Every command line the docs give runs as written: the commands of the
# fenced code blocks of README.md and docs/ are extracted and run in the
# build's environment (what `meson devenv -C build` gives), on an Xvfb
# display, in a temporary directory.  A line that ends by itself must exit 0;
# a line that runs until stopped (a window, a server, a stream) must still be
# running after a few seconds, answer a request when it is a server, print no
# ERROR, and stop on Ctrl-C.  A line that cannot run here (a real camera, a
# webcam, root) is listed in NOT_RUN with the reason; a documented line that
# is neither run nor listed fails the test, and so does a NOT_RUN entry that
# matches no line any more.
#
#   check-doc-commands.py           run them all
#   check-doc-commands.py --list    print the lines found and what is done with them
#   check-doc-commands.py WORD...   run only the lines whose file or text contains a WORD
# SPDX-License-Identifier: LGPL-2.1-or-later
import concurrent.futures
import glob
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

SOURCE = os.environ.get("SENXOR_SOURCE_ROOT") or os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("SENXOR_BUILD_ROOT") or os.path.join(SOURCE, "build")

DOC_GLOBS = ["README.md", "docs/index.md", "docs/*.md", "docs/guide/*.md", "docs/elements/*.md",
             "docs/examples/*.md"]
# The programs whose documented lines are run (after an optional
# `meson devenv -C build [-w .]` and VAR=value prefixes).
PROGRAMS = ("gst-launch-1.0", "senxor-tool", "senxor-emulator", "senxor-http-server",
            "senxor-rtsp-server", "gst-inspect-1.0", "gst-device-monitor-1.0", "python3",
            "/usr/bin/python3", "~/senxor-venv/bin/python", "poll-cameras", "recorder", "thermal-rgb")

# Lines that are not run, each with why: (regex searched in the command, reason).
NEEDS_CAMERA = "needs a real camera at /dev/ttyACM0 (the emulator has no device node)"
NOT_RUN = [
    (r"^senxor-tool (info|get|set|capture|stream) DEVICE|^senxor-tool controls \[DEVICE\]$|^senxor-tool COMMAND --help|^senxor-tool list \[--probe\]$",
     "the synopsis of senxor-tool, not a command (its forms are run from the examples)"),
    (r"^senxor-emulator \[--module", "the synopsis of senxor-emulator, not a command"),
    (r" ! \.\.\.$", "part of gst-device-monitor-1.0's output shown, elided"),
    (r"^senxor-tool (get|set)( -q)? /dev/ttyACM0 ", NEEDS_CAMERA),
    (r"tools/gen-palettes\.py", "a maintainer's tool that needs python3-matplotlib, which neither the build nor CI "
     "installs (the tables it writes are committed)"),
    (r"--device /dev/ttyACM0 .*--publish", NEEDS_CAMERA + " and a MediaMTX server to publish to"),
    (r"--device /dev/ttyACM0", NEEDS_CAMERA),
    (r"alarm\.py --threshold 40 --out alarms/ /dev/ttyACM0", NEEDS_CAMERA + " and /dev/ttyACM1"),
    (r"poll_cameras\.py /dev/ttyACM0", NEEDS_CAMERA + " and /dev/ttyACM1"),
    (r"serial=182A01001769", "needs two real cameras with these serial numbers"),
    (r"\bv4l2src\b", "needs a webcam (v4l2src, /dev/video0)"),
    (r"v4l2sink device=/dev/video10", "needs the v4l2loopback kernel module (root)"),
]

# Errors printed while a line is being stopped by Ctrl-C that are not the
# docs' fault: (regex searched in the command, regex of the line, reason).
ERRORS_WHEN_STOPPED = [
    (r"! shmsink ", r"^ERROR: from element \S+GstShmSink:\S+ Failed waiting on fd activity|"
     r"^gst_poll_wait returned -1, errno: 16|^An error happened while waiting for EOS",
     "GStreamer 1.22's shmsink reports its poll being flushed when the pipeline stops"),
]

# Placeholders and shared paths, replaced in every line (regex, replacement):
# {tmp} is the line's working directory.
SUBSTITUTIONS = [
    (r"/tmp/senxor0\b", "{tmp}/senxor0"),            # one pty link per group: groups run in parallel
    (r"/tmp/senxor-shm\b", "{tmp}/senxor-shm"),
    (r"~/senxor-venv", "senxor-venv"),               # not in the user's home
    (r"--preview docs/images/palettes\.png", "--preview palettes.png"),   # not over the tracked image
    (r"\[mode=minmax\]", "mode=minmax"),              # an optional property shown in brackets
]
# Ports the docs use: each group gets free ones instead (tests run in parallel).
DOC_PORTS = ("8554", "8080", "8081", "3333")
# Servers started without --port listen on their default port: give them a free one.
DEFAULT_PORTS = {"senxor-rtsp-server": "8554", "senxor-http-server": "8080"}

# Lines that end by themselves (the rest run until stopped).
FINITE = [r"num-buffers=", r"^senxor-tool (info|list|get|set|capture)\b", r"--seconds [0-9]{1,2}\b",
          r"^gst-inspect-1.0", r"^gst-device-monitor-1.0 (?!-f)", r"gen-palettes\.py", r" -m venv ", r"check_python\.py",
          r"filesrc location=", r"--snapshot ", r"--seconds nan"]
# Lines whose --seconds is too long to wait for in CI: stopped early like a window.
STOPPED_EARLY = [r"--seconds 60\b"]

EMULATOR_LIVE = "doc?module=mi08&scene=people"
EMULATOR_FAST = "doc?module=mi08&scene=people&fast=1"
FINITE_TIMEOUT = 120
ALIVE_SECONDS = 4
READY_TIMEOUT = 60
ERROR_RX = re.compile(r"\bERROR\b|CRITICAL|Segmentation fault|Traceback")


class Line:
    def __init__(self, path, lineno, text, background, transcript):
        self.path, self.lineno, self.text = path, lineno, text
        self.background = background
        self.transcript = transcript      # the lines the doc shows as its output ($ lines)
        m = re.match(r"^meson devenv -C build (?:-w \. )?", text)
        self.command = text[m.end():] if m else text
        rest = self.command
        while re.match(r"^[A-Z_]+=(\S+) ", rest):
            rest = rest.split(" ", 1)[1]
        self.program = rest.split()[0] if rest.split() else ""
        self.body = rest
        self.reason = None
        for rx, why in NOT_RUN:
            if re.search(rx, self.command):
                self.reason = why
                break

    def where(self):
        return "%s:%d" % (self.path, self.lineno)

    def finite(self):
        if self.transcript is not None:
            return True
        if any(re.search(rx, self.body) for rx in STOPPED_EARLY):
            return False
        return any(re.search(rx, self.body) for rx in FINITE)

    def server(self):
        if self.program in ("senxor-http-server", "senxor-rtsp-server"):
            return self.program
        if "asyncio_latest.py" in self.body:
            return "senxor-http-server"
        return None


def strip_comment(text):
    """The text before a # that starts a shell comment (outside quotes)."""
    quote = None
    for i, c in enumerate(text):
        if quote:
            if c == "\\" and quote == '"':
                continue
            if c == quote:
                quote = None
        elif c in "'\"":
            quote = c
        elif c == "#" and (i == 0 or text[i - 1].isspace()):
            return text[:i].rstrip()
    return text.rstrip()


def is_command(text):
    m = re.match(r"^(?:meson devenv -C build (?:-w \. )?)?(?:[A-Z_]+=\S+ )*(\S+)", text)
    return bool(m) and m.group(1) in PROGRAMS


def extract(path):
    """The documented command lines of one Markdown file: a list of code
    blocks, each a list of Line."""
    groups = []
    with open(os.path.join(SOURCE, path), encoding="utf-8") as f:
        lines = f.read().split("\n")
    i = 0
    while i < len(lines):
        m = re.match(r"^\s*```(\S*)\s*$", lines[i])
        if not m:
            i += 1
            continue
        lang = m.group(1)
        j = i + 1
        while j < len(lines) and not re.match(r"^\s*```\s*$", lines[j]):
            j += 1
        if lang in ("", "sh", "shell", "console"):
            block = []
            k = i + 1
            while k < j:
                start = k
                raw = lines[k]
                while raw.rstrip().endswith("\\") and k + 1 < j:
                    k += 1
                    raw = raw.rstrip()[:-1].rstrip() + " " + lines[k].strip()
                k += 1
                transcript = raw.startswith("$ ")
                text = strip_comment(raw[2:] if transcript else raw).strip()
                background = text.endswith("&") and not text.endswith("&&")
                if background:
                    text = text[:-1].rstrip()
                if not is_command(text):
                    continue
                shown = []
                if transcript:
                    while k < j and not lines[k].startswith("$ ") and lines[k].strip():
                        shown.append(lines[k])
                        k += 1
                block.append(Line(path, start + 1, text, background, shown if transcript else None))
            if block:
                groups.append(block)
        i = j + 1
    return groups


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def environment(display):
    env = dict(os.environ)
    env.pop("G_DEBUG", None)          # the user's shell has no fatal warnings
    env.pop("SENXOR_EMULATORS", None)

    def prepend(var, *dirs):
        env[var] = os.pathsep.join(list(dirs) + ([env[var]] if env.get(var) else []))
    prepend("PATH", os.path.join(BUILD, "src"), os.path.join(BUILD, "tools"),
            os.path.join(BUILD, "tests", "integration", "usecases"))
    prepend("LD_LIBRARY_PATH", os.path.join(BUILD, "src"), os.path.join(BUILD, "gst"))
    prepend("GST_PLUGIN_PATH", os.path.join(BUILD, "gst"))
    prepend("GI_TYPELIB_PATH", os.path.join(BUILD, "gst"))
    env["DISPLAY"] = display
    # a desktop session has one (Mesa warns without it)
    env["XDG_RUNTIME_DIR"] = tempfile.mkdtemp(prefix="doc-commands-xdg-")
    env["PYTHONUNBUFFERED"] = "1"
    return env


class Run:
    """One line running in bash (its own process group), its output collected."""

    def __init__(self, line, command, cwd, env):
        self.line, self.command = line, command
        self.out = []
        self.lock = threading.Lock()
        self.proc = subprocess.Popen(["bash", "-c", command], cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
        self.started = time.monotonic()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for raw in iter(self.proc.stdout.readline, b""):
            with self.lock:
                self.out.append(raw.decode("utf-8", "replace").rstrip("\n"))

    def text(self):
        with self.lock:
            return "\n".join(self.out)

    def signal(self, sig):
        try:
            os.killpg(self.proc.pid, sig)
        except ProcessLookupError:
            pass

    def wait(self, timeout):
        try:
            status = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None
        self.reader.join(5)
        return status

    def kill(self):
        self.signal(signal.SIGKILL)
        self.proc.wait()
        self.reader.join(5)


class Failure(Exception):
    pass


def wait_for(cond, timeout, run):
    deadline = time.monotonic() + timeout
    while not cond():
        if run.proc.poll() is not None:
            return False
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def port_open(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            return True
    except OSError:
        return False


def ready(run, cwd):
    """Waits until a line that runs until stopped is up; False if it died first."""
    m = re.search(r"--link (\S+)", run.command)
    if run.line.program == "senxor-emulator" and m:
        link = m.group(1)
        return wait_for(lambda: os.path.exists(os.path.join(cwd, link)), READY_TIMEOUT, run)
    m = re.search(r"--tcp (?:127\.0\.0\.1:)?(\d+)", run.command)
    if run.line.program == "senxor-emulator" and m:
        return wait_for(lambda: port_open(int(m.group(1))), READY_TIMEOUT, run)
    if run.line.server():
        m = re.search(r"--port (\d+)", run.command)
        return wait_for(lambda: port_open(int(m.group(1))), READY_TIMEOUT, run)
    if run.line.program == "gst-launch-1.0":
        return wait_for(lambda: "Setting pipeline to PLAYING" in run.text(), READY_TIMEOUT, run)
    if run.line.program == "gst-device-monitor-1.0":
        return wait_for(lambda: "Device found" in run.text(), READY_TIMEOUT, run)
    return wait_for(lambda: run.text().strip() != "", READY_TIMEOUT, run)


def request_server(run):
    """A request to a server line: an RTSP DESCRIBE or an HTTP GET must succeed."""
    port = int(re.search(r"--port (\d+)", run.command).group(1))
    if run.line.server() == "senxor-rtsp-server":
        url = "rtsp://127.0.0.1:%d/thermal" % port
        with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
            s.settimeout(30)
            s.sendall(("DESCRIBE %s RTSP/1.0\r\nCSeq: 1\r\nAccept: application/sdp\r\n\r\n" % url).encode())
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
        status = data.split(b"\r\n", 1)[0].decode("latin-1")
        if " 200 " not in status + " ":
            raise Failure("RTSP DESCRIBE %s answered %r" % (url, status))
        return "DESCRIBE %s: %s" % (url, status)
    path = "/" if "asyncio_latest.py" in run.command else "/snapshot.jpg"
    deadline = time.monotonic() + 40
    while True:
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path), timeout=30) as r:
                body = r.read()
                return "GET %s: %d, %d bytes" % (path, r.status, len(body))
        except OSError as e:
            # the HTTP server answers 503 until its first picture
            if time.monotonic() > deadline:
                raise Failure("GET http://127.0.0.1:%d%s failed: %s" % (port, path, e))
            time.sleep(0.5)


def prepare_command(line, tmp, ports):
    cmd = line.command
    for rx, repl in SUBSTITUTIONS:
        cmd = re.sub(rx, repl.replace("{tmp}", tmp), cmd)
    for doc_port in DOC_PORTS:
        if re.search(r"\b%s\b" % doc_port, cmd):
            ports.setdefault(doc_port, str(free_port()))
            cmd = re.sub(r"(?<![\d.])%s\b" % doc_port, ports[doc_port], cmd)
    default = DEFAULT_PORTS.get(line.program)
    if default and "--port" not in cmd:
        ports.setdefault(default, str(free_port()))
        cmd += " --port " + ports[default]
    env_prefix = ""
    if not re.search(r"device=|--device|serial=|/dev/|emulator://|tcp://|senxor://|SENXOR_EMULATORS=|"
                     r"--source|--pipeline|rtsp://|[^-]videotestsrc|filesrc|^gst-inspect|gen-palettes|-m venv|"
                     r"^senxor-emulator|^senxor-tool", line.body) or re.search(r"^senxor-tool list", line.body):
        if "SENXOR_EMULATORS=" not in cmd:
            env_prefix = "SENXOR_EMULATORS=%s " % shlex.quote(EMULATOR_FAST if line.finite() else EMULATOR_LIVE)
    if re.search(r"(senxor-http-server|senxor-rtsp-server) (--source|--pipeline)", line.body) and \
            "rtspsrc" not in line.body and "SENXOR_EMULATORS=" not in cmd and "senxorsrc" in line.body:
        env_prefix = "SENXOR_EMULATORS=%s " % shlex.quote(EMULATOR_LIVE)
    return env_prefix + cmd


def check_transcript(line, run, status):
    """A `$ command` with its output shown: the output lines it shows (but
    those eliding with ... or naming a real device) are printed, and an error
    shown means a failing exit status."""
    shown = [s for s in line.transcript if "..." not in s and "/dev/" not in s]
    got = [" ".join(s.split()) for s in run.text().split("\n")]
    for s in shown:
        if " ".join(s.split()) not in got:
            raise Failure("%s: the output does not contain the documented line %r" % (line.where(), s))
    error_shown = line.transcript and line.transcript[0].startswith(line.program + ":")
    if error_shown and status == 0:
        raise Failure("%s: exit status 0, but the doc shows an error" % line.where())
    if not error_shown and status != 0:
        raise Failure("%s: exit status %s" % (line.where(), status))


def fixtures(group, tmp, ports, env, runs):
    """What lines of a group use without starting it: a file to read, a server."""
    text = " ".join(line.command for line in group if not line.reason)
    if "palette-file=my.pal" in text:
        with open(os.path.join(tmp, "my.pal"), "w") as f:
            f.write("# black, through blue at the middle, to white\n0 0 0 0\n0.5 0 0 255\n1.0 255 255 255\n")
    if "filesrc location=radiometric.mkv" in text:
        subprocess.run(["gst-launch-1.0", "-q", "senxorsrc", "device=emulator://?module=mi08&scene=people&fast=1",
                        "num-buffers=25", "!", "avenc_ffv1", "!", "matroskamux", "!", "filesink",
                        "location=radiometric.mkv"], cwd=tmp, env=env, check=True, timeout=FINITE_TIMEOUT)
    if "rtsp://127.0.0.1:8554" in text and not any(line.program == "senxor-rtsp-server" and not line.reason
                                                    for line in group):
        ports.setdefault("8554", str(free_port()))
        server = Line("(fixture)", 0, "senxor-rtsp-server --device emulator://?module=mi08&scene=people", False, None)
        run = Run(server, "exec senxor-rtsp-server --device 'emulator://?module=mi08&scene=people' --port "
                  + ports["8554"], tmp, env)
        runs.append(run)
        if not ready(run, tmp):
            raise Failure("the RTSP server the lines need did not start:\n" + run.text())


def hold_and_stop(run):
    """A line that runs until stopped: still running ALIVE_SECONDS after it
    was up, answering when a server, no error; then Ctrl-C stops it."""
    left = run.ready + ALIVE_SECONDS - time.monotonic()
    if left > 0:
        time.sleep(left)
    note = ""
    if run.line.server():
        note = "; " + request_server(run)
    where = run.line.where()
    if run.proc.poll() is not None:
        raise Failure("%s: stopped by itself (status %s): %s\n%s" % (where, run.proc.returncode, run.command,
                                                                      run.text()))
    if ERROR_RX.search(run.text()):
        raise Failure("%s: printed an error: %s\n%s" % (where, run.command, run.text()))
    alive = time.monotonic() - run.started
    run.signal(signal.SIGINT)
    status = run.wait(30)
    if status is None:
        run.kill()
        raise Failure("%s: did not stop within 30 s of SIGINT: %s\n%s" % (where, run.command, run.text()))
    text = run.text()
    for command_rx, line_rx, _ in ERRORS_WHEN_STOPPED:
        if re.search(command_rx, run.command):
            text = "\n".join(t for t in text.split("\n") if not re.search(line_rx, t))
    if ERROR_RX.search(text):
        raise Failure("%s: printed an error when stopped: %s\n%s" % (where, run.command, run.text()))
    return "ok %s: %s (running for %.1f s, stopped by SIGINT%s)" % (where, run.command, alive, note)


def run_group(group, env):
    """Runs the lines of one code block in order, together (a `&` line or one
    that runs until stopped keeps running while the next start); returns a report."""
    tmp = tempfile.mkdtemp(prefix="doc-commands-")
    report = []
    runs = []
    background = []
    try:
        for name in ("docs", "tools"):
            os.symlink(os.path.join(SOURCE, name), os.path.join(tmp, name))
        ports = {}
        fixtures(group, tmp, ports, env, runs)
        for line in group:
            if line.reason:
                continue
            cmd = prepare_command(line, tmp, ports)
            run = Run(line, cmd, tmp, env)
            runs.append(run)
            if line.finite() and not line.background:
                status = run.wait(FINITE_TIMEOUT)
                if status is None:
                    run.kill()
                    raise Failure("%s: still running after %d s: %s\n%s" % (line.where(), FINITE_TIMEOUT, cmd,
                                                                            run.text()))
                if line.transcript is not None:
                    check_transcript(line, run, status)
                elif status != 0:
                    raise Failure("%s: exit status %d: %s\n%s" % (line.where(), status, cmd, run.text()))
                elif ERROR_RX.search(run.text()):
                    raise Failure("%s: printed an error: %s\n%s" % (line.where(), cmd, run.text()))
                report.append("ok %s: %s (exit %d, %.1f s)" % (line.where(), cmd, status,
                                                                time.monotonic() - run.started))
                continue
            if not ready(run, tmp):
                raise Failure("%s: did not start (status %s): %s\n%s" % (line.where(), run.proc.poll(), cmd,
                                                                           run.text()))
            run.ready = time.monotonic()
            if line.background:
                # `cmd &`: runs while the next lines of the block do
                background.append(run)
            else:
                # a line that runs until Ctrl-C, before the next line is typed
                report.append(hold_and_stop(run))
        for run in reversed(background):
            report.append(hold_and_stop(run))
        return True, report
    except Failure as e:
        return False, report + ["FAIL " + str(e)]
    finally:
        for run in runs:
            if run.proc.poll() is None:
                run.kill()
        shutil.rmtree(tmp, ignore_errors=True)


def cost(group):
    """A rough duration of a group in seconds, to start the long ones first."""
    total = 0
    for line in group:
        if line.reason:
            continue
        m = re.search(r"--seconds ([0-9]+)", line.body)
        if line.finite():
            total += int(m.group(1)) if m else 1
        else:
            total += ALIVE_SECONDS + 2
    return total


def start_xvfb():
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        print("FAIL: no Xvfb: install Debian's xvfb package (scripts/install-deps.sh does)", file=sys.stderr)
        sys.exit(1)
    r, w = os.pipe()
    proc = subprocess.Popen([xvfb, "-displayfd", str(w), "-screen", "0", "1280x1024x24", "-nolisten", "tcp"],
                            pass_fds=(w,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(w)
    number = b""
    deadline = time.monotonic() + 30
    while not number.endswith(b"\n") and time.monotonic() < deadline:
        chunk = os.read(r, 16)
        if not chunk:
            break
        number += chunk
    os.close(r)
    if not number.strip().isdigit():
        proc.kill()
        print("FAIL: Xvfb did not start", file=sys.stderr)
        sys.exit(1)
    return proc, ":" + number.decode().strip()


def main():
    args = sys.argv[1:]
    listing = "--list" in args
    words = [a for a in args if not a.startswith("--")]
    paths = []
    for pattern in DOC_GLOBS:
        for p in sorted(glob.glob(os.path.join(SOURCE, pattern))):
            rel = os.path.relpath(p, SOURCE)
            if rel not in paths:
                paths.append(rel)
    groups = [g for p in paths for g in extract(p)]
    lines = [line for g in groups for line in g]
    failed = []
    for rx, why in NOT_RUN:
        if not any(re.search(rx, line.command) for line in lines):
            failed.append("the NOT_RUN entry %r (%s) matches no documented line any more: remove it" % (rx, why))
    if listing:
        for line in lines:
            kind = ("not run: " + line.reason) if line.reason else ("ends by itself" if line.finite()
                                                                    else "runs until stopped")
            print("%s: %s\n    %s%s" % (line.where(), line.command, kind, " (&)" if line.background else ""))
        return 0
    if words:
        groups = [g for g in groups if any(w in line.where() or w in line.command for line in g for w in words)]
    xvfb, display = start_xvfb()
    try:
        env = environment(display)
        # one registry scan before the parallel runs
        subprocess.run(["gst-inspect-1.0", "senxor"], env=env, stdout=subprocess.DEVNULL, timeout=FINITE_TIMEOUT)
        start = time.monotonic()
        jobs = int(os.environ.get("SENXOR_DOC_JOBS", "6"))
        groups.sort(key=cost, reverse=True)
        with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
            for ok, report in pool.map(lambda g: run_group(g, env), groups):
                for r in report:
                    print(r, flush=True)
                if not ok:
                    failed.append(report[-1][len("FAIL "):])
        ran = sum(1 for g in groups for line in g if not line.reason)
        listed = sum(1 for g in groups for line in g if line.reason)
        print("%d documented lines run, %d not run (NOT_RUN), in %.0f s" % (ran, listed, time.monotonic() - start))
    finally:
        xvfb.kill()
        xvfb.wait()
        if "env" in locals():
            shutil.rmtree(env["XDG_RUNTIME_DIR"], ignore_errors=True)
    for f in failed:
        print("FAIL: " + f, file=sys.stderr)
    if failed:
        print("(fix the doc line, or the code; a line that cannot run in CI goes into NOT_RUN in %s "
              "with the reason)" % os.path.relpath(__file__, SOURCE), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
