#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Faithfulness check: the vendor's own Python library (pysenxor-lite) opens
the emulator through a pty, reads its identity and streams frames.

The library is not bundled (it is not ours to copy).  Point
SENXOR_PYSENXOR_PATH at a checkout of github.com/MeridianInnovation/pysenxor-lite
(the directory holding the `senxor` package); it needs pyserial, numpy and
structlog (Debian: python3-serial python3-numpy python3-structlog).  Without
them the test is skipped (exit 77).
"""
import os
import subprocess
import sys
import time

SKIP = 77


def main():
    lib = os.environ.get("SENXOR_PYSENXOR_PATH")
    if not lib or not os.path.isdir(os.path.join(lib, "senxor")):
        print("SENXOR_PYSENXOR_PATH does not name a pysenxor-lite checkout: skipped")
        return SKIP
    sys.path.insert(0, lib)
    try:
        from serial.tools.list_ports_linux import SysFS
        import senxor
        from senxor.interface.serial_port.core import SerialPort
    except ImportError as e:
        print(f"pysenxor-lite cannot be imported ({e}): skipped")
        return SKIP

    results = []
    for module, width, height, module_type in (("mi16", 160, 120, "MI1602-M5S"),
                                              ("mi08", 80, 62, "MI0802-M5S"),
                                              ("mi05", 50, 50, "MI0502-M230F")):
        emu = subprocess.Popen(["senxor-emulator", "--module", module, "--serial",
                                "182A01001770", "--pty"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            path = emu.stdout.readline().strip()
            info = SysFS(path)
            # a pty has no USB ids: give it the EVK's so the library accepts it
            info.vid, info.pid = 0x0416, 0xB002
            dev = senxor.connect(SerialPort(info))
            assert dev.get_sn() == "182A01001770", dev.get_sn()
            assert dev.get_module_type() == module_type, dev.get_module_type()
            assert dev.get_fw_version() == "4.7.45", dev.get_fw_version()
            dev.start_stream()
            frames, t0 = 0, time.time()
            while frames < 20:
                header, frame = dev.read()
                if frame is None:
                    continue
                assert frame.shape == (height, width), frame.shape
                # the people scene: a background near 20-24 °C and a hot object
                assert 19.0 < frame.min() < 25.0, frame.min()
                assert 55.0 < frame.max() < 91.0, frame.max()
                assert header is not None and len(header) >= 8
                frames += 1
            fps = frames / (time.time() - t0)
            dev.stop_stream()
            dev.close()
            results.append(f"{module}: {frames} frames {width}x{height} at {fps:.1f} fps")
        finally:
            emu.terminate()
            assert emu.wait(timeout=10) == 0
    # and over TCP, as through an ESP32 bridge
    try:
        from senxor.interface.tcpip_serial.core import TCPIPPort
    except ImportError as e:
        TCPIPPort = None
        results.append(f"tcp: not checked, the library's TCP interface cannot be imported ({e})")
    if TCPIPPort:
        emu = subprocess.Popen(["senxor-emulator", "--module", "mi08", "--tcp", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            port = int(emu.stdout.readline().strip().rsplit(":", 1)[1])
            dev = senxor.connect(TCPIPPort("127.0.0.1", port))
            assert dev.get_module_type() == "MI0802-M5S", dev.get_module_type()
            dev.start_stream()
            frames = 0
            while frames < 10:
                header, frame = dev.read()
                if frame is not None:
                    assert frame.shape == (62, 80), frame.shape
                    frames += 1
            dev.stop_stream()
            dev.close()
            results.append(f"tcp: {frames} frames 80x62")
        finally:
            emu.terminate()
            assert emu.wait(timeout=10) == 0
    print("\n".join(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
