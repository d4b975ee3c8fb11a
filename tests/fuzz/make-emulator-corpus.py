#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Writes the seed corpus of fuzz-emulator (tests/fuzz/corpus/emulator/).

Format (see fuzz-emulator.c): a configuration byte, then records: a byte
>= 0x80 advances the clock by (byte & 0x7F) * 5 ms, a byte n < 0x80 is
followed by n bytes the host sends."""
import os
import sys


def rreg(a):
    return b"   #000ARREG%02XXXXX" % a


def rreg_old(a):
    return b"   #000CRREG%02XXXXXXX" % a


def wreg(a, v):
    return b"   #000CWREG%02X%02XXXXX" % (a, v)


def rrse(addrs):
    body = b"".join(b"%02X" % a for a in addrs) + b"FF"
    return b"   #%04XRRSE" % (len(body) + 8) + body + b"XXXX"


def send(msg):
    out = b""
    while msg:
        out += bytes([min(len(msg), 0x7F)]) + msg[:0x7F]
        msg = msg[0x7F:]
    return out


def wait(ms):
    out = b""
    ticks = ms // 5
    while ticks > 0:
        out += bytes([0x80 | min(ticks, 0x7F)])
        ticks -= 0x7F
    return out


# the vendor's open sequence, then a stream with a divider, stop
open_seq = (send(rreg(0xB1)) + send(rreg(0xBA)) + send(rreg(0xB4)) +
            send(wreg(0xB1, 0x20)) + b"".join(send(rreg(a)) for a in
            (0xB2, 0xB3, 0xB6, 0xBB, 0x33, 0xE0, 0xE1, 0xE2, 0xE3, 0xE4, 0xE5, 0xE6)) +
            send(rreg(0x31)) + send(rreg(0xB1)) + send(wreg(0xB1, 0x00)))
seeds = {
    "vendor-open-mi16": bytes([0x01]) + open_seq + send(wreg(0xB1, 0x02)) + wait(200) +
    send(wreg(0xB4, 3)) + wait(300) + send(wreg(0xB1, 0x00)) + wait(100),
    "fast-units-mi05": bytes([0x26]) + send(wreg(0xB1, 0x02)) + wait(5) +
    b"".join(send(wreg(0x31, u)) + wait(5) for u in (1, 2, 4, 5, 6, 3, 7, 0)) +
    send(wreg(0xB1, 0x82)) + wait(5) + send(wreg(0xB1, 0xA2)) + wait(5),
    "single-frames-mi08": bytes([0x30]) + send(wreg(0xB1, 0x01)) + wait(50) +
    send(wreg(0xB1, 0x21)) + wait(50) + send(wreg(0xCA, 40) + wreg(0xCB, 0xF0)) +
    send(wreg(0xB1, 0x01)) + wait(50),
    "nomodule": bytes([0x08]) + send(rreg(0xBA)) + send(wreg(0xB1, 0x02)) + wait(100) +
    send(wreg(0xB1, 0x01)) + wait(10),
    "registers": bytes([0x00]) + send(rreg_old(0xBA)) + send(rrse([0xB1, 0xBA, 0xE5, 0x77])) +
    send(rrse([])) + send(wreg(0xBA, 1) + rreg(0xBA)) + send(b"garbage   #00" + rreg(0xB2)) +
    send(wreg(0x00, 1)) + send(rreg(0xB1)) + send(b"   #0010ABCDXXXX"),
}

outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__),
                                                            "corpus", "emulator")
os.makedirs(outdir, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(outdir, name), "wb") as f:
        f.write(data)
print(f"{len(seeds)} seeds in {outdir}")
