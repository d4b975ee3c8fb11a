#!/usr/bin/env python3
# Bad input everywhere, table-driven: malformed device strings, out-of-range
# properties, malformed palette files and bad command-line options given to
# gst-launch-1.0 (senxorsrc, thermalcolormap, thermalnormalize,
# thermaloverlay), senxor-tool, senxor-emulator and the servers in tools/.
# Every row must end with the expected non-zero exit code (never a signal,
# never a hang) and a message on stderr containing the expected words.
# usage: test-bad-input.py RTSP_SERVER HTTP_SERVER
# SPDX-License-Identifier: LGPL-2.1-or-later
import os
import shutil
import subprocess
import sys
import tempfile

RTSP, HTTP = sys.argv[1:3]
BUILD = os.environ.get("SENXOR_BUILD_ROOT", "build")
TOOL = shutil.which("senxor-tool") or os.path.join(BUILD, "src", "senxor-tool")
EMULATOR = shutil.which("senxor-emulator") or os.path.join(BUILD, "src", "senxor-emulator")
LAUNCH = shutil.which("gst-launch-1.0")

# gst-launch-1.0 exits with -1 (255) when an error stops the pipeline from
# starting (a state change fails), and with 1 when an error comes while it
# runs: senxorsrc checks its properties when it starts, and opens the camera
# on its streaming thread once PLAYING
GST_LAUNCH_ERROR = 255
GST_LAUNCH_RUNTIME_ERROR = 1

tmp = tempfile.TemporaryDirectory()


def palette(name, text):
    path = os.path.join(tmp.name, name)
    with open(path, "wb") as f:
        f.write(text if isinstance(text, bytes) else text.encode())
    return path


PAL_SHORT = palette("short.pal", "0 0 0\n255 255 255\n")           # 2 rows, not 256 nor stops
PAL_RANGE = palette("range.pal", "".join("%d 0 0\n" % (i * 2) for i in range(256)))  # 256..510
PAL_TEXT = palette("text.pal", "hello world\n" * 10)
PAL_BINARY = palette("binary.pal", bytes(range(256)) * 8)
PAL_EMPTY = palette("empty.pal", "")
PAL_NEG = palette("neg.pal", "0.0 0 0 0\n0.5 -1 0 0\n1.0 255 255 255\n")
PAL_ORDER = palette("order.pal", "1.0 0 0 0\n0.0 255 255 255\n")
PAL_HUGE = palette("huge.pal", "0 0 0\n" * 300000)                 # > 1 MiB
PAL_DIR = tmp.name
PAL_MISSING = os.path.join(tmp.name, "missing.pal")


def colormap(prop):
    return [LAUNCH, "-q", "videotestsrc", "num-buffers=2", "!",
            "video/x-raw,format=GRAY8,width=16,height=16", "!",
            "thermalcolormap"] + prop + ["!", "fakesink"]


def src(*props):
    return [LAUNCH, "-q", "senxorsrc"] + list(props) + ["num-buffers=3", "!", "fakesink"]


# (name, argv, expected exit code, None for "any non-zero" or "any" for
#  "any exit, but not a signal" (gst-launch may clamp a value and run), words
#  in the output)
ROWS = [
    # senxorsrc device strings
    ("src device garbage", src("device=garbage:///x"), GST_LAUNCH_ERROR, ["senxor"]),
    ("src device empty tcp", src("device=tcp://"), GST_LAUNCH_ERROR, []),
    ("src device tcp bad port", src("device=tcp://127.0.0.1:99999"), GST_LAUNCH_ERROR, []),
    ("src device tcp port text", src("device=tcp://127.0.0.1:abc"), GST_LAUNCH_ERROR, []),
    ("src device usb bad ids", src("device=usb://zzzz:qqqq"), GST_LAUNCH_ERROR, []),
    ("src device missing tty", src("device=/dev/does-not-exist-senxor"), GST_LAUNCH_RUNTIME_ERROR, ["find"]),
    ("src device emulator bad key", src("device=emulator://?bogus=1"), GST_LAUNCH_ERROR, ["bogus"]),
    ("src device emulator bad module", src("device=emulator://?module=mi99"), GST_LAUNCH_ERROR, ["module"]),
    ("src device emulator bad fps", src("device=emulator://?fps=-3"), GST_LAUNCH_ERROR, ["fps"]),
    ("src device emulator bad faults", src("device=emulator://?faults=explode=1"), GST_LAUNCH_ERROR, []),
    ("src device emulator bad stall", src("device=emulator://?faults=stall=xx@yy"), GST_LAUNCH_ERROR, []),
    ("src device emulator bad serial", src("device=emulator://?serial=nothex"), GST_LAUNCH_ERROR, ["serial"]),
    ("src device emulator nomodule", src("device=emulator://?nomodule=1"), GST_LAUNCH_RUNTIME_ERROR, ["module"]),
    ("src device percent junk", src("device=emulator://%%%?module=mi08"), None, []),
    ("src device long", src("device=" + "x" * 5000), GST_LAUNCH_RUNTIME_ERROR, []),
    ("src bad serial", src("device=emulator://?module=mi08", "serial=ZZZ"), GST_LAUNCH_ERROR, ["serial"]),
    ("src unknown serial", src("device=emulator://?module=mi08", "serial=000000000000"), GST_LAUNCH_RUNTIME_ERROR, ["find"]),
    # out-of-range properties: GObject refuses the value with a warning naming
    # the property, gst-launch keeps the default and runs (exit 0): no crash
    ("src fps-divider too big", src("device=emulator://?module=mi08&fast=1", "fps-divider=1000"), "any", ["fps-divider"]),
    ("src emissivity negative", src("device=emulator://?module=mi08&fast=1", "emissivity=-5"), "any", ["emissivity"]),
    ("src offset huge", src("device=emulator://?module=mi08&fast=1", "offset-correction=1e9"), "any", ["offset-correction"]),
    ("src gain bad enum", src("device=emulator://?module=mi08&fast=1", "gain=7"), None, []),
    ("src median bad enum", src("device=emulator://?module=mi08&fast=1", "median-filter=9x9"), None, []),
    ("src retry-interval 0", src("device=emulator://?module=mi08&fast=1", "retry-interval=0"), "any", ["retry-interval"]),
    ("src unknown property", src("device=emulator://?module=mi08&fast=1", "bogus=1"), None, []),
    ("normalize bad range", [LAUNCH, "-q", "videotestsrc", "num-buffers=2", "!",
                             "video/x-raw,format=GRAY16_LE,width=16,height=16", "!",
                             "thermalnormalize", "min-temp=500", "max-temp=-500", "!",
                             "fakesink"], "any", ["max-temp"]),
    ("colormap bad palette", colormap(["palette=nonsense"]), None, []),
    # malformed palette files
    ("palette short", colormap(["palette-file=" + PAL_SHORT]), GST_LAUNCH_ERROR, ["palette"]),
    ("palette out of range", colormap(["palette-file=" + PAL_RANGE]), GST_LAUNCH_ERROR, ["palette"]),
    ("palette text", colormap(["palette-file=" + PAL_TEXT]), GST_LAUNCH_ERROR, ["palette"]),
    ("palette binary", colormap(["palette-file=" + PAL_BINARY]), GST_LAUNCH_ERROR, ["palette"]),
    ("palette empty", colormap(["palette-file=" + PAL_EMPTY]), GST_LAUNCH_ERROR, ["palette"]),
    ("palette negative", colormap(["palette-file=" + PAL_NEG]), GST_LAUNCH_ERROR, ["palette"]),
    ("palette unordered stops", colormap(["palette-file=" + PAL_ORDER]), GST_LAUNCH_ERROR, ["palette"]),
    ("palette over 1 MiB", colormap(["palette-file=" + PAL_HUGE]), GST_LAUNCH_ERROR, ["palette"]),
    ("palette is a directory", colormap(["palette-file=" + PAL_DIR]), GST_LAUNCH_ERROR, ["palette"]),
    ("palette missing", colormap(["palette-file=" + PAL_MISSING]), GST_LAUNCH_ERROR, ["palette"]),
    # senxor-tool
    ("tool no args", [TOOL], 2, []),
    ("tool unknown command", [TOOL, "frobnicate"], 2, []),
    ("tool unknown option", [TOOL, "info", "--bogus"], 2, []),
    ("tool garbage device", [TOOL, "info", "garbage:///x"], 2, []),
    ("tool bad emulator key", [TOOL, "info", "emulator://?bogus=1"], 2, ["bogus"]),
    ("tool bad tcp port", [TOOL, "info", "tcp://127.0.0.1:99999"], 2, []),
    ("tool set bad register", [TOOL, "set", "emulator://?module=mi08", "nonsense", "zz"], 2, []),
    ("tool get bad register", [TOOL, "get", "emulator://?module=mi08", "0x1ff"], 2, []),
    ("tool capture bad count", [TOOL, "capture", "emulator://?module=mi08&fast=1",
                                "-o", os.path.join(tmp.name, "x"), "-n", "-5"], 2, []),
    ("tool capture unwritable", [TOOL, "capture", "emulator://?module=mi08&fast=1",
                                 "-o", "/proc/nope/x"], 1, []),
    # senxor-emulator
    ("emulator no mode", [EMULATOR], 2, []),
    ("emulator unknown option", [EMULATOR, "--bogus"], 2, ["bogus"]),
    ("emulator bad module", [EMULATOR, "--module", "mi99", "--tcp", "0"], 2, ["module"]),
    ("emulator bad fps", [EMULATOR, "--fps", "nan", "--tcp", "0"], 2, ["fps"]),
    ("emulator bad faults", [EMULATOR, "--faults", "explode@now", "--tcp", "0"], 2, []),
    ("emulator bad port", [EMULATOR, "--tcp", "70000"], 2, []),
    ("emulator bad host", [EMULATOR, "--tcp", "no.such.host.invalid:0"], 1, []),
    ("emulator both modes", [EMULATOR, "--tcp", "0", "--pty"], 2, []),
    ("emulator link is a file", [EMULATOR, "--pty", "--link", PAL_SHORT], 1, []),
    # the servers
    ("rtsp unknown option", [RTSP, "--bogus"], 2, []),
    ("rtsp bad port", [RTSP, "--port", "70000"], 2, ["port"]),
    ("rtsp port text", [RTSP, "--port", "abc"], 2, []),
    ("rtsp bad width", [RTSP, "--width", "-1"], 2, []),
    ("rtsp bad pipeline", [RTSP, "--pipeline", "nonexistentelement ! !"], 1, ["pipeline"]),
    ("rtsp bad address", [RTSP, "--address", "not-an-address", "--port", "0",
                          "--device", "emulator://?module=mi08"], 1, []),
    ("http unknown option", [HTTP, "--bogus"], 2, []),
    ("http bad port", [HTTP, "--port", "70000"], 2, ["port"]),
    ("http bad quality", [HTTP, "--quality", "1000"], 2, []),
    ("http bad pipeline", [HTTP, "--pipeline", "nonexistentelement ! !"], 1, ["pipeline"]),
    ("http bad address", [HTTP, "--address", "not-an-address", "--port", "0",
                          "--device", "emulator://?module=mi08"], 2, ["address"]),
    ("http bad device", [HTTP, "--device", "emulator://?bogus=1", "--port", "0"], 1, []),
]


def main():
    env = dict(os.environ)
    env["G_DEBUG"] = ""            # g_warning from option parsing is not a crash
    env["SENXOR_SYSFS_ROOT"] = tmp.name
    env["SENXOR_CONFIG"] = os.devnull
    env.pop("SENXOR_TCP_DEVICES", None)
    env.pop("SENXOR_EMULATORS", None)
    failures = []
    for element in ("senxorsrc", "thermalcolormap", "thermalnormalize"):
        r = subprocess.run(["gst-inspect-1.0", element], capture_output=True, env=env)
        if r.returncode != 0:
            print("FAIL: element %s not found (GST_PLUGIN_PATH_1_0?)" % element)
            return 1
    for name, argv, code, words in ROWS:
        try:
            r = subprocess.run(argv, capture_output=True, text=True, timeout=60,
                               env=env, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            failures.append("%s: hung (60 s)" % name)
            print("HANG %-32s" % name, flush=True)
            continue
        out = (r.stdout + r.stderr)
        first = next((l for l in r.stderr.splitlines() if l.strip()), "")
        ok = True
        why = ""
        if r.returncode < 0:
            ok, why = False, "killed by signal %d" % -r.returncode
        elif r.returncode == 0 and code != "any":
            ok, why = False, "exit 0 (bad input accepted)"
        elif code not in (None, "any") and r.returncode != code:
            ok, why = False, "exit %d, expected %d" % (r.returncode, code)
        elif r.returncode != 0 and not r.stderr.strip():
            ok, why = False, "no message on stderr"
        else:
            for w in words:
                if w.lower() not in out.lower():
                    ok, why = False, "message lacks %r" % w
        print("%s %-32s exit %3d  %s" % ("ok  " if ok else "FAIL", name, r.returncode,
                                        first[:110]), flush=True)
        if not ok:
            failures.append("%s: %s\n  argv: %s\n  stderr: %s" % (name, why, argv,
                                                                 r.stderr[-2000:]))
    for f in failures:
        print("FAIL: " + f)
    print("%d rows, %d failures" % (len(ROWS), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
