#!/usr/bin/env python3
# Seeds for fuzz-session: scripted device answers to the session's open
# sequence, then frames.  Byte 0 of each seed picks the read chunk size.
# SPDX-License-Identifier: LGPL-2.1-or-later
import os
import struct

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "session")


def msg(cmd, contents=b""):
    body = b"%04X" % (len(contents) + 8) + cmd + contents
    return b"   #" + body + b"%04X" % (sum(body) & 0xFFFF)


def rreg(v):
    return msg(b"RREG", b"%02X" % v)


ACK = msg(b"WREG")


def frame(w, h, reserved, header_words, counter, header=True):
    c = bytearray(reserved)
    if header:
        hdr = struct.pack("<8H", counter, 33000, 30000, 1, 0, 3100, 2900, 0)
        c += hdr + bytes(header_words * 2 - len(hdr))
    c += struct.pack("<%dH" % (w * h), *[2932 + (i % w) for i in range(w * h)])
    return msg(b"GFRA", bytes(c))


def open_sequence(senxor_type, fm=0x20, units=1):
    out = rreg(fm) + rreg(senxor_type) + rreg(0) + ACK
    out += rreg(0x47) + rreg(0x2D) + rreg(0) + rreg(28) + rreg(1)
    out += b"".join(rreg(v) for v in (0x18, 0x2A, 0x01, 0x00, 0x17, 0x69, 0))
    out += rreg(units) + (ACK if units else b"")
    out += rreg(fm) + (ACK if fm & 0x20 else b"")
    return out


def write(name, chunk, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(bytes([chunk]) + data)


os.makedirs(HERE, exist_ok=True)
mi16 = open_sequence(6) + ACK + b"".join(frame(160, 120, 960, 160, n) for n in (7, 8, 10))
write("mi16-stream", 0, mi16)
mi08 = open_sequence(1, fm=0, units=0) + ACK + frame(80, 62, 160, 80, 65535) + \
    b"garbage\x00\xff" + frame(80, 62, 160, 80, 0) + frame(80, 62, 160, 80, 1, header=False)
write("mi08-wrap-garbage", 7, mi08)
mi05 = open_sequence(9) + ACK + frame(50, 50, 100, 50, 1) + msg(b"SERR")
write("mi05-serr", 1, mi05)
write("mi05-small-chunks", 3, open_sequence(9) + ACK + frame(50, 50, 100, 50, 4) * 2)
write("unsupported", 0, open_sequence(7))
write("serr-at-open", 0, msg(b"SERR"))
bad = bytearray(mi08)
bad[200] ^= 0x55
write("mi08-corrupt", 5, bytes(bad))
