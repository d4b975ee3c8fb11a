#!/bin/bash
# Build and run every benchmark program (build/tests/bench/bench-*) and print
# their output as one report, with a summary table at the end.
# Usage: tests/bench/run-all.sh [--long] [BENCH-NAME-SUBSTRING...]
#   default: the short mode (a few minutes in all on an idle 2-core machine)
#   --long: longer runs (more frames, more repeats; sets SENXOR_BENCH_LONG=1,
#           which bench-pipeline reads), for figures worth recording.
#   BUILD=builddir  (default: build) selects the build directory.
# Benchmarks print their own figures and ratios against a reference measured
# in the same run; run them on an otherwise idle machine.
set -uo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
export SENXOR_BENCH_LONG=0
if [ "${1:-}" = "--long" ]; then SENXOR_BENCH_LONG=1; shift; fi
if [ "${1:-}" = "--quick" ]; then shift; fi

if [ ! -f "$BUILD/build.ninja" ]; then
  meson setup "$BUILD" || exit 1
fi
ninja -C "$BUILD" >/dev/null || { echo "run-all: build failed (ninja -C $BUILD)" >&2; exit 1; }

shopt -s nullglob
benches=()
for exe in "$BUILD"/tests/bench/bench-*; do
  [ -f "$exe" ] && [ -x "$exe" ] || continue
  name=$(basename "$exe")
  case "$name" in *.so|*.a|*.p) continue ;; esac
  if [ $# -gt 0 ]; then
    keep=0
    for want in "$@"; do [[ $name == *"$want"* ]] && keep=1; done
    [ $keep = 1 ] || continue
  fi
  benches+=("$exe")
done
if [ ${#benches[@]} -eq 0 ]; then
  echo "run-all: no bench-* programs in $BUILD/tests/bench" >&2
  exit 1
fi

summary=()
targets=()
failed=0
echo "senxor-gst benchmarks — $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(uname -m)"
echo "build: $BUILD ($(meson introspect --buildoptions "$BUILD" 2>/dev/null |
  python3 -c 'import json,sys; o={x["name"]:x["value"] for x in json.load(sys.stdin)}; print("buildtype=%s b_sanitize=%s" % (o.get("buildtype"), o.get("b_sanitize")))' 2>/dev/null))"
for exe in "${benches[@]}"; do
  name=$(basename "$exe")
  echo
  echo "=== $name ==="
  start=$(date +%s.%N)
  # the uninstalled library and plugin (meson devenv), as the tests see them
  out=$(meson devenv -C "$BUILD" "$PWD/$exe" 2>&1)
  rc=$?
  end=$(date +%s.%N)
  echo "$out"
  secs=$(awk "BEGIN { print $end - $start }")
  # the lines that carry a verdict: ratios and targets
  # the verdict: the last line about a target, else the last ratio figure
  verdict=$(echo "$out" | grep -i 'target' | tail -n 1 | sed 's/^ *//')
  if [ -z "$verdict" ]; then
    verdict=$(echo "$out" | grep -i 'ratio' | grep -E '[0-9]\.[0-9]' | tail -n 1 | sed 's/^ *//')
  fi
  status=ok
  if [ $rc -ne 0 ]; then status="FAILED($rc)"; failed=1; fi
  summary+=("$(printf '%-28s %-10s %8.1fs  %s' "$name" "$status" "$secs" "$verdict")")
  # every target line (some benchmarks check several targets)
  while IFS= read -r t; do
    [ -n "$t" ] && targets+=("$(printf '%-20s %s' "${name#bench-}" "$t")")
  done < <(echo "$out" | grep -i 'target' | sed 's/^ *//')
done

echo
echo "=== summary ==="
printf '%-28s %-10s %9s  %s\n' "benchmark" "status" "time" "verdict"
for line in "${summary[@]}"; do echo "$line"; done
if [ ${#targets[@]} -gt 0 ]; then
  echo
  echo "=== targets (docs/performance.md) ==="
  for line in "${targets[@]}"; do echo "$line"; done
fi
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
exit $failed
