#!/usr/bin/env python3
# Checks that this Python can run the examples: PyGObject (gi), the GStreamer
# typelibs, numpy, and the senxor plugin as GStreamer finds it.  Prints one
# line per check, with the Debian package or the step that fixes what is
# missing; exits 0 when the examples can run, 1 when not.
#
#   /usr/bin/python3 docs/examples/check_python.py
#   meson devenv -C build -w . /usr/bin/python3 docs/examples/check_python.py   # the uninstalled plugin
#
# PyGObject and the typelibs come from Debian packages built for the system
# Python (/usr/bin/python3).  A pyenv or conda Python, or a venv made without
# --system-site-packages, does not see them: "No module named 'gi'".
# SPDX-License-Identifier: LGPL-2.1-or-later
import os
import sys

SYSTEM_PYTHON = "/usr/bin/python3"
failures = 0


def report(ok, what, fix=None, optional=False):
    global failures
    if ok:
        print("ok       %s" % what)
    elif optional:
        print("optional %s: %s" % (what, fix))
    else:
        failures += 1
        print("MISSING  %s: %s" % (what, fix))


def python_kind():
    """(kind, is the system Python underneath): what matters for gi."""
    on_system = os.path.realpath(sys.base_prefix) == "/usr"
    if os.path.isdir(os.path.join(sys.prefix, "conda-meta")) or "conda" in sys.version.lower():
        return "conda", False
    if sys.prefix != sys.base_prefix:
        system_site = False
        try:
            with open(os.path.join(sys.prefix, "pyvenv.cfg")) as f:
                for line in f:
                    key, _, value = line.partition("=")
                    if key.strip() == "include-system-site-packages":
                        system_site = value.strip().lower() == "true"
        except OSError:
            pass
        return ("venv with system site packages" if system_site else "venv"), on_system
    if ".pyenv" in sys.executable:
        return "pyenv", False
    return ("system" if on_system else "other"), on_system


def gi_fix(kind, on_system):
    fix = "apt-get install python3-gi (Debian builds it for %s only)" % SYSTEM_PYTHON
    remake = "`%s -m venv --system-site-packages ENV`" % SYSTEM_PYTHON
    if kind.startswith("venv") and not on_system:
        return fix + "; this venv is made from %s, which cannot load it: make the venv from the system " \
            "Python: %s" % (sys.base_prefix, remake)
    if kind == "venv":
        return fix + "; this venv hides the system packages: make it again with %s" % remake
    if kind == "pyenv":
        return fix + "; this pyenv Python (%s) cannot load it: `pyenv shell system` (or run %s), or a venv " \
            "made with %s" % (sys.executable, SYSTEM_PYTHON, remake)
    if kind in ("conda", "other"):
        return fix + "; this %s Python (%s) cannot load it: run the examples with %s, or in a venv made " \
            "with %s" % (kind, sys.executable, SYSTEM_PYTHON, remake)
    return fix


def main():
    kind, on_system = python_kind()
    print("python   %s (%s, %s)" % (sys.executable, sys.version.split()[0], kind))

    try:
        import gi
    except ImportError as e:
        report(False, "gi (PyGObject)", "%s. %s" % (e, gi_fix(kind, on_system)))
        return
    report(True, "gi (PyGObject) %s" % getattr(gi, "__version__", ""))

    try:
        gi.require_version("Gst", "1.0")
        from gi.repository import Gst
    except (ValueError, ImportError) as e:
        report(False, "Gst 1.0 typelib", "%s: apt-get install gir1.2-gstreamer-1.0" % e)
        return
    report(True, "Gst 1.0 typelib")

    for name in ("GstApp", "GstVideo"):
        try:
            gi.require_version(name, "1.0")
            __import__("gi.repository." + name)
            report(True, "%s 1.0 typelib" % name)
        except (ValueError, ImportError) as e:
            report(False, "%s 1.0 typelib" % name, "%s: apt-get install gir1.2-gst-plugins-base-1.0" % e)

    report(hasattr(Gst, "Fraction"), "Gst Python overrides (Gst.Fraction, ...)",
           "apt-get install python3-gst-1.0 (the examples run without it)", optional=True)

    try:
        import numpy
        report(True, "numpy %s" % numpy.__version__)
    except ImportError:
        report(False, "numpy", "apt-get install python3-numpy (only the numpy snippets of "
               "docs/guide/python-patterns.md use it)", optional=True)

    Gst.init(None)
    report(Gst.ElementFactory.find("videoconvert") is not None, "GStreamer base plugins (videoconvert, appsink)",
           "apt-get install gstreamer1.0-plugins-base")
    missing = [e for e in ("senxorsrc", "thermalnormalize", "thermalcolormap", "thermaloverlay")
               if Gst.ElementFactory.find(e) is None]
    report(not missing, "the senxor plugin (senxorsrc, thermalnormalize, thermalcolormap, thermaloverlay)",
           "GStreamer does not find %s: build this project (scripts/build.sh) and run through "
           "`meson devenv -C build -w . python3 ...` (or set GST_PLUGIN_PATH=BUILD/gst), or `meson install` it; "
           "if it is installed, delete ~/.cache/gstreamer-1.0 and check "
           "`GST_DEBUG=GST_PLUGIN_LOADING:4 gst-inspect-1.0 senxor`" % ", ".join(missing))


if __name__ == "__main__":
    main()
    if failures:
        print("%d missing: the examples cannot run with this Python" % failures)
        sys.exit(1)
    print("all set: the examples can run with this Python")
