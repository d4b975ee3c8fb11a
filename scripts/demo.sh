#!/bin/bash
# Install what is needed, build, and run the demo on an emulated Senxor camera:
#   senxorsrc (emulator, MI16, "people" scene) ! thermalnormalize ! thermalcolormap ! thermaloverlay
# With a display it opens a window (close it or press Ctrl-C to stop).  Without one
# (headless, CI) it writes a PNG snapshot and a short recording and says where.
#
# Usage: scripts/demo.sh [--headless] [--device DEVICE] [--seconds N]
set -euo pipefail
cd "$(dirname "$0")/.."

DEVICE="emulator://demo?module=mi16&scene=people&seed=1"
SECONDS_TO_RECORD=5
HEADLESS=0
while [ $# -gt 0 ]; do
  case "$1" in
    --headless) HEADLESS=1 ;;
    --device) DEVICE="$2"; shift ;;
    --seconds) SECONDS_TO_RECORD="$2"; shift ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "unknown option: $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done

scripts/install-deps.sh
scripts/build.sh

run() { meson devenv -C build -w . "$@"; }

echo
echo "== The plugin"
run gst-inspect-1.0 senxor | sed -n '1,40p'

PICTURE="thermalnormalize mode=percentile ! thermalcolormap palette=ironbow \
  ! videoscale ! video/x-raw,width=640,height=480 \
  ! thermaloverlay hot-cold=true legend=true spots=0.5,0.5"

if [ "$HEADLESS" = 0 ] && { [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; }; then
  echo
  echo "== Live picture from the emulated camera (close the window or Ctrl-C to stop)"
  run gst-launch-1.0 -e senxorsrc device="$DEVICE" ! $PICTURE ! videoconvert ! autovideosink
  exit 0
fi

OUT="$PWD/senxor-demo-output"
mkdir -p "$OUT"
FRAMES=$((SECONDS_TO_RECORD * 25))
echo
echo "== No display: writing a snapshot and a ${SECONDS_TO_RECORD} s recording to $OUT"
run gst-launch-1.0 -q senxorsrc device="$DEVICE" num-buffers=10 ! $PICTURE \
  ! videoconvert ! pngenc snapshot=true ! filesink location="$OUT/snapshot.png"
run gst-launch-1.0 -q -e senxorsrc device="$DEVICE" num-buffers="$FRAMES" ! tee name=t \
  t. ! queue ! avenc_ffv1 ! matroskamux ! filesink location="$OUT/radiometric.mkv" \
  t. ! queue ! $PICTURE ! videoconvert ! x264enc tune=zerolatency speed-preset=ultrafast \
     ! h264parse ! mp4mux ! filesink location="$OUT/display.mp4"
echo
echo "Wrote:"
echo "  $OUT/snapshot.png     the colour picture with temperatures (open it in any image viewer)"
echo "  $OUT/display.mp4      ${SECONDS_TO_RECORD} s of display video (H.264)"
echo "  $OUT/radiometric.mkv  the same ${SECONDS_TO_RECORD} s as lossless temperatures (FFV1 GRAY16_LE, deci-Kelvin)"
echo "Play back the temperatures:  meson devenv -C build gst-launch-1.0 filesrc location=$OUT/radiometric.mkv ! matroskademux ! avdec_ffv1 ! thermalnormalize mode=fixed min-temp=20 max-temp=40 ! thermalcolormap ! videoconvert ! autovideosink"
