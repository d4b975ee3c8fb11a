#!/bin/bash
# Install what is needed, build, and run every test (unit, element, integration,
# fuzz smoke runs).  Exit status is non-zero if any test fails.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
BUILD=${BUILD:-build} scripts/build.sh --werror
meson test -C "${BUILD:-build}" --print-errorlogs --num-processes 2 "$@"
