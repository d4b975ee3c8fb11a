#!/usr/bin/env python3
# Writes the decoder's seed corpus (tests/fuzz/corpus/decoder/): real
# protocol messages as docs/protocol.md describes them, built independently of the
# C encoder.  Re-run after changing it; the files are committed.
# SPDX-License-Identifier: LGPL-2.1-or-later
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus", "decoder")


def message(command, contents=b"", host=False):
    body_len = len(contents) + 8
    llll = b"%04X" % body_len
    if host:
        tail = b"XXXX"
    else:
        tail = b"%04X" % (sum(llll + command + contents) & 0xFFFF)
    return b"   #" + llll + command + contents + tail


LAYOUTS = {  # module: (w, h, reserved, header)
    "mi08": (80, 62, 160, 160),
    "mi16": (160, 120, 960, 320),
    "mi05": (50, 50, 100, 100),
}


def crc16_ccitt(data):
    crc = 0xFFFF
    for b in data:
        crc ^= b << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    return crc


def frame(module, header=True, counter=1):
    w, h, reserved, header_len = LAYOUTS[module]
    # a warm spot on a 25 °C background, in deci-Kelvin
    pixels = b"".join(
        struct.pack("<H", 2982 + (80 if abs(x - w // 2) < 5 and abs(y - h // 2) < 5 else 0)
                    + (x + y + counter) % 7)
        for y in range(h) for x in range(w))
    contents = bytes(reserved)
    if header:
        words = struct.pack("<8H", counter, 33000, 30315, (counter * 40) & 0xFFFF,
                            (counter * 40) >> 16, 3069, 2982, crc16_ccitt(pixels))
        contents += words + bytes(header_len - len(words))
    return message(b"GFRA", contents + pixels)


def main():
    os.makedirs(OUT, exist_ok=True)
    seeds = {
        "wreg-ack": message(b"WREG"),
        "rreg-request": message(b"RREG", b"B1", host=True),
        "rreg-request-old": message(b"RREG", b"B1XX", host=True),
        "rreg-reply": message(b"RREG", b"5A"),
        "wreg-request": message(b"WREG", b"B103", host=True),
        "rrse-request": message(b"RRSE", b"B2B3BAFF", host=True),
        "rrse-reply": message(b"RRSE", b"B212B303BA06"),
        "serr": message(b"SERR"),
        "gfra-mi05-header": frame("mi05", True),
        "gfra-mi05-noheader": frame("mi05", False),
        "gfra-mi08-header": frame("mi08", True),
        "gfra-mi16-header": frame("mi16", True),
        # what a device answers to the open sequence, then two frames
        "open-sequence": b"".join([
            message(b"RREG", b"00"), message(b"RREG", b"06"), message(b"RREG", b"00"),
            message(b"WREG"), message(b"RREG", b"12"), message(b"RREG", b"07"),
            message(b"RREG", b"00"), message(b"RREG", b"1C"), message(b"RREG", b"01"),
            message(b"RREG", b"18"), message(b"WREG"),
            frame("mi08", True, 1), frame("mi08", True, 2)]),
        # every kind of damage, then a good message
        "damaged": b"".join([
            b"garbage\x00\xff  #", message(b"WREG")[:-1] + b"E",
            b"   #00G8WREG01FD", b"   #0008\x01WRG01FD", message(b"RREG", b"ZZ"),
            message(b"GFRA", b"not a frame"), message(b"RREG", b"5A")[:10],
            message(b"RREG", b"5A")]),
    }
    for name, data in seeds.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
    print("wrote %d seeds to %s" % (len(seeds), OUT), file=sys.stderr)


if __name__ == "__main__":
    main()
