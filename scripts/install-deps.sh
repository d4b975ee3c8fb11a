#!/bin/bash
# Install the Debian packages needed to build, demo and test senxor-gst.
# Usage: scripts/install-deps.sh        (uses sudo when not root)
set -euo pipefail

PACKAGES=(
  # build
  build-essential meson ninja-build pkg-config git
  libglib2.0-dev libusb-1.0-0-dev libgudev-1.0-dev
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev libgstrtspserver-1.0-dev
  libsoup-3.0-dev libcairo2-dev libpango1.0-dev
  fonts-dejavu-core  # thermaloverlay labels (Sans Bold)
  clang libclang-rt-14-dev
  # run and test
  gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good
  gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav
  gstreamer1.0-rtsp gstreamer1.0-plugins-base-apps
  gstreamer1.0-x gstreamer1.0-gl   # the demo's window: ximagesink/xvimagesink (X11), glimagesink (X11, Wayland)
  python3 python3-gi python3-gst-1.0 gir1.2-gstreamer-1.0 gir1.2-gst-plugins-base-1.0
  python3-venv   # the check_python.py test makes venvs
  gir1.2-gst-rtsp-server-1.0   # the RTSP RECORD receiver of the rtsp-publish test
  udev xvfb valgrind socat ffmpeg curl procps
  chromium   # headless browser test of senxor-http-server's page
  python3-serial python3-numpy python3-structlog   # optional vendor-pysenxor test (docs/emulator.md)
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "All ${#PACKAGES[@]} packages are installed."
  exit 0
fi

SUDO=
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
echo "Installing: ${missing[*]}"
$SUDO apt-get update
APT_OPTS=()
if [ -n "${CI:-}" ]; then
  # a throw-away CI machine: dpkg skips its fsync() after every file, which
  # on a busy 2-core machine made unpacking the ~600 packages take 11 minutes
  APT_OPTS+=(-o Dpkg::Options::=--force-unsafe-io)
fi
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends \
  "${APT_OPTS[@]}" "${missing[@]}"
