#!/bin/bash
# Configure (once) and build senxor-gst in ./build.  Extra arguments go to meson setup.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
if [ ! -f "$BUILD/build.ninja" ]; then
  meson setup "$BUILD" "$@"
fi
ninja -C "$BUILD"
