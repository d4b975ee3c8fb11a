#!/usr/bin/env python3
# asyncio_latest.py: camera frames in an asyncio program.
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The pattern "a worker polls the camera and stores the latest frame; async
# handlers read it", done with GStreamer: senxorsrc runs on its own streaming
# thread; appsink's new-sample callback puts each frame into an asyncio.Queue
# through loop.call_soon_threadsafe (the only thread crossing; the queue holds
# one frame and the oldest gives way).  On the loop a task moves frames from
# the queue into a LatestFrame slot, which wakes every waiting consumer;
# consumers that are slower simply skip frames.  Nothing on the event loop
# ever blocks on the camera.
#
# It serves the latest frame's statistics as JSON over HTTP
# (http://127.0.0.1:PORT/, asyncio streams, no extra packages) and runs two
# async consumers.
#
#   python3 asyncio_latest.py [--device DEV] [--seconds N] [--port 8081]
import argparse
import array
import asyncio
import json
import signal
import sys
import time

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstVideo", "1.0")
from gi.repository import Gst, GstVideo  # noqa: E402


def deci_kelvin(sample):
    """(width, height, pixels) of a GRAY16_LE frame: an array of deci-Kelvin
    values, row by row (v / 10 - 273.15 is °C)."""
    info = GstVideo.VideoInfo.new_from_caps(sample.get_caps())
    width, height, stride = info.width, info.height, info.stride[0]
    data = sample.get_buffer().extract_dup(0, stride * height)
    pixels = array.array("H")
    for y in range(height):
        pixels.frombytes(data[y * stride:y * stride + width * 2])
    if sys.byteorder == "big":
        pixels.byteswap()
    return width, height, pixels


class Frame:
    def __init__(self, number, width, height, values):
        self.number = number
        self.width = width
        self.height = height
        self.values = values  # deci-Kelvin, row by row

    def stats(self):
        return {"frame": self.number, "width": self.width, "height": self.height,
                "min_c": round(min(self.values) / 10 - 273.15, 2),
                "max_c": round(max(self.values) / 10 - 273.15, 2),
                "mean_c": round(sum(self.values) / len(self.values) / 10 - 273.15, 2)}


def offer(queue, frame):
    """On the loop: queue the frame, dropping the oldest if the queue is full."""
    if queue.full():
        queue.get_nowait()
    queue.put_nowait(frame)


async def distribute(queue, latest):
    """Frames from GStreamer's thread (via the queue) into the latest-frame slot."""
    while True:
        await latest.set(await queue.get())


class LatestFrame:
    """The latest-frame slot, on the event loop: set() from the loop only."""

    def __init__(self):
        self.frame = None
        self.changed = asyncio.Condition()

    async def set(self, frame):
        async with self.changed:
            self.frame = frame
            self.changed.notify_all()

    async def next(self, after):
        """The newest frame numbered above `after` (waits for one)."""
        async with self.changed:
            await self.changed.wait_for(lambda: self.frame is not None and self.frame.number > after)
            return self.frame


def start_camera(device, loop, queue):
    pipeline = Gst.parse_launch("senxorsrc name=src ! appsink name=sink emit-signals=true "
                                "drop=true max-buffers=1 sync=false caps=video/x-raw,format=GRAY16_LE")
    pipeline.get_by_name("src").set_property("device", device)
    counter = [0]

    def on_new_sample(sink):
        # GStreamer's streaming thread: read the frame, hand it to the loop.
        sample = sink.emit("pull-sample")
        width, height, values = deci_kelvin(sample)
        counter[0] += 1
        frame = Frame(counter[0], width, height, values)
        loop.call_soon_threadsafe(offer, queue, frame)
        return Gst.FlowReturn.OK

    pipeline.get_by_name("sink").connect("new-sample", on_new_sample)
    return pipeline


async def consumer(name, latest, delay, results, stop):
    """An async consumer; `delay` stands for its own (async) work per frame."""
    last = 0
    got = 0
    while not stop.is_set():
        try:
            frame = await asyncio.wait_for(latest.next(last), timeout=1.0)
        except asyncio.TimeoutError:
            continue
        if frame.number <= last:
            raise RuntimeError("%s got frame %d after %d" % (name, frame.number, last))
        last = frame.number
        got += 1
        await asyncio.sleep(delay)
    results[name] = {"frames": got, "last": last}


async def ticker(results, stop):
    """Measures how late the event loop runs a 10 ms timer: it stays small
    because no camera I/O happens on the loop."""
    worst = 0.0
    ticks = 0
    while not stop.is_set():
        t = time.monotonic()
        await asyncio.sleep(0.01)
        worst = max(worst, time.monotonic() - t - 0.01)
        ticks += 1
    results["loop"] = {"ticks": ticks, "worst_lag_ms": round(worst * 1000, 1)}


async def serve(latest, port):
    async def handle(reader, writer):
        await reader.readline()  # the request line; headers are ignored
        frame = latest.frame
        body = json.dumps(frame.stats() if frame else {"error": "no frame yet"}).encode()
        status = b"200 OK" if frame else b"503 Service Unavailable"
        writer.write(b"HTTP/1.1 " + status + b"\r\nContent-Type: application/json\r\nContent-Length: " +
                     str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)
        await writer.drain()
        writer.close()

    return await asyncio.start_server(handle, "127.0.0.1", port)


async def main_async(args):
    loop = asyncio.get_running_loop()
    latest = LatestFrame()
    queue = asyncio.Queue(maxsize=1)
    pipeline = start_camera(args.device, loop, queue)
    distributor = asyncio.create_task(distribute(queue, latest))
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGINT, stop.set)
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    server = await serve(latest, args.port)
    print("serving the latest frame at http://127.0.0.1:%d/" % server.sockets[0].getsockname()[1], flush=True)

    bus = pipeline.get_bus()
    pipeline.set_state(Gst.State.PLAYING)
    results = {}
    tasks = [asyncio.create_task(consumer("fast", latest, 0.0, results, stop)),
             asyncio.create_task(consumer("slow", latest, 0.2, results, stop)),
             asyncio.create_task(ticker(results, stop))]
    if args.seconds > 0:
        loop.call_later(args.seconds, stop.set)
    status = 0
    while not stop.is_set():
        # Errors from the camera, checked without blocking the loop.
        msg = bus.pop_filtered(Gst.MessageType.ERROR)
        if msg is not None:
            err, debug = msg.parse_error()
            print("camera error: %s" % err.message, file=sys.stderr)
            status = 1
            stop.set()
        await asyncio.sleep(0.1)
    await asyncio.gather(*tasks)
    pipeline.set_state(Gst.State.NULL)
    distributor.cancel()
    server.close()
    await server.wait_closed()
    for name in ("fast", "slow"):
        print("consumer %s: %d frames, last frame %d" % (name, results[name]["frames"], results[name]["last"]))
    print("event loop: %d ticks, worst lag %.1f ms" % (results["loop"]["ticks"], results["loop"]["worst_lag_ms"]))
    return status


def main():
    parser = argparse.ArgumentParser(description="Senxor frames in an asyncio program.")
    parser.add_argument("--device", default="emulator://?module=mi08&scene=people")
    parser.add_argument("--seconds", type=float, default=0, help="stop after N seconds (default: Ctrl-C)")
    parser.add_argument("--port", type=int, default=8081, help="HTTP port (0: any free port)")
    args = parser.parse_args()
    Gst.init(None)
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    sys.exit(main())
