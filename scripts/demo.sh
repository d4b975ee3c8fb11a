#!/bin/bash
# Install what is needed, build, and run the demo on an emulated Senxor camera:
#   senxorsrc (emulator, MI16, "people" scene) ! thermalnormalize ! thermalcolormap ! thermaloverlay
# With a display it opens a window (close it or press Ctrl-C to stop).  Without one
# (headless, CI), or when no video window can be opened, it writes a PNG snapshot
# and a short recording and says where.
#
# Usage: scripts/demo.sh [--headless] [--device DEVICE] [--seconds N] [--output DIR] [--no-setup]
#   --seconds N   length of the recording (default 5)
#   --output DIR  where the files go (default ./senxor-demo-output)
#   --no-setup    neither install packages nor build: use the build in $BUILD (default ./build)
set -euo pipefail
cd "$(dirname "$0")/.."

DEVICE="emulator://demo?module=mi16&scene=people&seed=1"
SECONDS_TO_RECORD=5
HEADLESS=0
SETUP=1
OUT="$PWD/senxor-demo-output"
BUILD=${BUILD:-build}
while [ $# -gt 0 ]; do
  case "$1" in
    --headless) HEADLESS=1 ;;
    --device) DEVICE="${2:?--device needs a device}"; shift ;;
    --seconds) SECONDS_TO_RECORD="${2:?--seconds needs a number}"; shift ;;
    --output) OUT="${2:?--output needs a directory}"; shift ;;
    --no-setup) SETUP=0 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "unknown option: $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done
if ! [[ $SECONDS_TO_RECORD =~ ^[1-9][0-9]{0,4}$ ]]; then
  echo "--seconds: a whole number of seconds (1-99999), not '$SECONDS_TO_RECORD'" >&2
  exit 2
fi

if [ "$SETUP" = 1 ]; then
  scripts/install-deps.sh
  BUILD="$BUILD" scripts/build.sh
fi

# The uninstalled build's environment (plugin path, libraries, tools), set
# here once rather than through `meson devenv` per command: Ctrl-C in the
# window then reaches gst-launch-1.0 alone.
set +u
eval "$(meson devenv -C "$BUILD" --dump)"
set -u

echo
echo "== The plugin"
gst-inspect-1.0 senxor | sed -n '1,40p'

PICTURE="thermalnormalize mode=percentile ! thermalcolormap palette=ironbow \
  ! videoscale ! video/x-raw,width=640,height=480 \
  ! thermaloverlay hot-cold=true legend=true spots=0.5,0.5"

# The window: the first sink that shows a test frame on this display.  Not
# autovideosink: when no display can be opened it goes on to kmssink or
# dfbvideosink, which take over the console, crash or exit without a word.
SINK=""
WINDOW_FAILURES=""
find_window_sink() {
  local candidates=() sink out status
  if [ -n "${WAYLAND_DISPLAY:-}" ]; then candidates+=(waylandsink glimagesink); fi
  if [ -n "${DISPLAY:-}" ]; then candidates+=(xvimagesink ximagesink glimagesink); fi
  for sink in "${candidates[@]}"; do
    status=0
    out=$(timeout 20 gst-launch-1.0 -q videotestsrc num-buffers=1 pattern=black \
            ! video/x-raw,width=64,height=48 ! videoconvert ! "$sink" 2>&1) || status=$?
    if [ "$status" = 0 ]; then
      SINK=$sink
      return 0
    fi
    if [ "$status" = 124 ]; then
      out="no frame shown within 20 s"
    elif [ "$status" -gt 128 ] && [ "$status" -lt 160 ]; then
      out="crashed (signal $((status - 128)))"
    else
      out=$(printf '%s\n' "$out" | sed -n 's/^ERROR: from element [^ ]*: //p; s/^WARNING: erroneous pipeline: //p' | sed -n 1p)
    fi
    WINDOW_FAILURES+="${WINDOW_FAILURES:+; }$sink: ${out:-exit status $status}"
  done
  return 1
}

NO_WINDOW="No display"
if [ "$HEADLESS" = 1 ]; then
  NO_WINDOW="Headless"
elif [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
  if find_window_sink; then
    echo
    echo "== Live picture from $DEVICE in a window ($SINK; close it or Ctrl-C to stop)"
    exec gst-launch-1.0 -e senxorsrc device="$DEVICE" ! $PICTURE ! videoconvert ! "$SINK"
  fi
  case "$WINDOW_FAILURES" in
    *"no element"*) WINDOW_FAILURES+="; the video sinks are in gstreamer1.0-x and gstreamer1.0-gl" ;;
  esac
  echo "demo: no video window on ${WAYLAND_DISPLAY:+WAYLAND_DISPLAY=$WAYLAND_DISPLAY }${DISPLAY:+DISPLAY=$DISPLAY }($WINDOW_FAILURES); writing files instead" >&2
  NO_WINDOW="No window"
fi

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
echo
echo "== $NO_WINDOW: writing a snapshot and a ${SECONDS_TO_RECORD} s recording to $OUT"
# The snapshot is the last of SNAPSHOT_FRAMES frames, when the camera and
# the automatic range have settled: multifilesink writes each frame to the
# same file.
SNAPSHOT_FRAMES=10
gst-launch-1.0 -q senxorsrc device="$DEVICE" num-buffers="$SNAPSHOT_FRAMES" ! $PICTURE \
  ! videoconvert ! pngenc ! multifilesink location="$OUT/snapshot.png"

# Display video that browsers, phones and hardware decoders play: 8-bit 4:2:0,
# a profile they all decode, one slice per picture (tune=zerolatency would
# otherwise split each picture into one slice per encoder thread).
H264="videoconvert ! video/x-raw,format=I420 \
  ! x264enc tune=zerolatency sliced-threads=false speed-preset=ultrafast \
  ! video/x-h264,profile=constrained-baseline ! h264parse"
RECORDING="senxorsrc name=camera device=\"$DEVICE\" ! tee name=t \
  t. ! queue ! avenc_ffv1 ! matroskamux ! filesink location=\"$OUT/radiometric.mkv\" \
  t. ! queue ! $PICTURE ! $H264 ! mp4mux ! filesink location=\"$OUT/display.mp4\""

# gst-launch-1.0 can stop after a number of frames (num-buffers), not after a
# time: when the camera loses frames (a busy host) N frames last longer than
# N / fps.  This stops at the first frame captured SECONDS after the first
# one, so the files last SECONDS whatever was lost.
RECORD_FOR='
import signal
import sys
import gi
gi.require_version("Gst", "1.0")
from gi.repository import GLib, Gst

Gst.init(None)
seconds, launch = int(sys.argv[1]), sys.argv[2]
pipeline = Gst.parse_launch(launch)
start, frames, ended = None, 0, False


def on_frame(pad, info):
    global start, frames, ended
    buf = info.get_buffer()
    if start is None:
        start = buf.pts
    # The last frame starts half a frame before the end at the latest.
    half = buf.duration // 2 if buf.duration != Gst.CLOCK_TIME_NONE else 0
    if ended or buf.pts - start + half >= seconds * Gst.SECOND:
        if not ended:
            ended = True
            GLib.idle_add(lambda: pipeline.send_event(Gst.Event.new_eos()) and False)
        return Gst.PadProbeReturn.DROP
    frames += 1
    return Gst.PadProbeReturn.OK


pipeline.get_by_name("camera").get_static_pad("src").add_probe(Gst.PadProbeType.BUFFER, on_frame)
loop = GLib.MainLoop()
status = 0


def on_message(bus, msg):
    global status
    if msg.type == Gst.MessageType.WARNING:
        print("demo: warning: %s" % msg.parse_warning()[0].message, file=sys.stderr)
    elif msg.type == Gst.MessageType.ERROR:
        err, debug = msg.parse_error()
        print("demo: error: %s (%s)" % (err.message, debug), file=sys.stderr)
        status = 1
        loop.quit()
    elif msg.type == Gst.MessageType.EOS:
        loop.quit()


def on_interrupt():
    # Ctrl-C ends the files properly (the same as gst-launch-1.0 -e).
    pipeline.send_event(Gst.Event.new_eos())
    return GLib.SOURCE_REMOVE


GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT, on_interrupt)
bus = pipeline.get_bus()
bus.add_signal_watch()
bus.connect("message", on_message)
pipeline.set_state(Gst.State.PLAYING)
loop.run()
pipeline.set_state(Gst.State.NULL)
print(frames)
sys.exit(status)
'
PYTHON=python3
if ! "$PYTHON" -c "import gi" 2>/dev/null; then PYTHON=/usr/bin/python3; fi
echo "+ $RECORDING" | tr -s ' '
FRAMES=$("$PYTHON" -c "$RECORD_FOR" "$SECONDS_TO_RECORD" "$RECORDING")
echo
echo "Wrote:"
echo "  $OUT/snapshot.png     the colour picture with temperatures at frame $SNAPSHOT_FRAMES (any image viewer)"
echo "  $OUT/display.mp4      ${SECONDS_TO_RECORD} s of display video ($FRAMES frames, 8-bit 4:2:0 H.264: it plays in browsers)"
echo "  $OUT/radiometric.mkv  the same ${SECONDS_TO_RECORD} s as lossless temperatures (FFV1 GRAY16_LE, deci-Kelvin)"
echo "Play back the temperatures:  meson devenv -C $BUILD gst-launch-1.0 filesrc location=$OUT/radiometric.mkv ! matroskademux ! avdec_ffv1 ! thermalnormalize mode=fixed min-temp=20 max-temp=40 ! thermalcolormap ! videoconvert ! autovideosink"
