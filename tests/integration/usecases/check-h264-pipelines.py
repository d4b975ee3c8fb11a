#!/usr/bin/env python3
# Every x264enc in a pipeline the docs, the README, the examples or the demo
# give to users writes H.264 that browsers and phones play: 8-bit 4:2:0
# (format=I420 before the encoder), an explicit profile after it, and one
# slice per picture when tune=zerolatency is used (sliced-threads=false).
# The RTSP server's pipeline is not a file and is left out.
#   check-h264-pipelines.py SOURCE_ROOT
# SPDX-License-Identifier: LGPL-2.1-or-later
import glob
import os
import re
import sys

root = sys.argv[1]
EXCLUDED = {os.path.join("docs", "guide", "senxor-rtsp-server.md")}


def pipelines(path):
    """(line number, pipeline text) of every x264enc: the fenced code blocks
    of Markdown; in shell scripts, lines continued with a backslash joined;
    in C and Python, runs of lines with string literals joined."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    markdown, literals = path.endswith(".md"), path.endswith((".c", ".py"))
    code = not markdown
    blocks, current, start = [], [], 0
    for n, line in enumerate(lines, 1):
        if markdown and line.startswith("```"):
            # a block is one text: its commands go on over several lines
            if code and current:
                blocks.append((start, " ".join(current)))
            code, current, start = not code, [], n + 1
            continue
        if markdown:
            if code:
                current.append(line.strip().rstrip("\\"))
            continue
        if not code or (path.endswith(".sh") and line.lstrip().startswith("#")):
            continue
        if literals:
            parts = re.findall(r'"((?:[^"\\]|\\.)*)"', line)
            if parts:
                start = start if current else n
                current.extend(parts)
            elif current:
                blocks.append((start, " ".join(current)))
                current = []
            continue
        if not current:
            start = n
        current.append(line.strip().rstrip("\\"))
        if not line.rstrip().endswith("\\"):
            blocks.append((start, " ".join(current)))
            current = []
    if current:
        blocks.append((start, " ".join(current)))
    return [(n, text) for n, text in blocks if re.search(r"\bx264enc\b", text)]


files = [os.path.join(root, "README.md"), os.path.join(root, "scripts", "demo.sh")]
files += glob.glob(os.path.join(root, "docs", "**", "*.md"), recursive=True)
files += glob.glob(os.path.join(root, "docs", "examples", "*.c"))
files += glob.glob(os.path.join(root, "docs", "examples", "*.py"))
problems, checked = [], 0
for path in sorted(files):
    rel = os.path.relpath(path, root)
    if rel in EXCLUDED:
        continue
    for n, text in pipelines(path):
        for m in re.finditer(r"\bx264enc\b([^!]*)", text):
            checked += 1
            print("%s:%d: x264enc%s" % (os.path.relpath(path, root), n, m.group(1).rstrip()))
            before, after, props = text[:m.start()], text[m.end():], m.group(1)
            elements_before = [e.strip() for e in before.split("!")]
            caps_before = elements_before[-2] if len(elements_before) >= 2 else ""
            where = "%s:%d" % (rel, n)
            if "format=I420" not in caps_before:
                problems.append("%s: no video/x-raw,format=I420 right before x264enc" % where)
            if not re.match(r"\s*!\s*video/x-h264,[^!]*profile=", after):
                problems.append("%s: no video/x-h264,profile=... right after x264enc" % where)
            if "tune=zerolatency" in props and "sliced-threads=false" not in props:
                problems.append("%s: tune=zerolatency without sliced-threads=false" % where)
print("%d x264enc pipelines checked" % checked)
if checked == 0:
    print("FAIL: no x264enc found: the check reads nothing")
    sys.exit(1)
for p in problems:
    print("FAIL: " + p)
sys.exit(1 if problems else 0)
