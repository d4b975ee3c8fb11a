#!/bin/sh
# Runs one gst-check test of one test binary again and again, in parallel
# loops, and keeps the debug log of the failing runs only.
#   scripts/stress-test.sh BINARY TEST [LOOPS] [RUNS] [GST_DEBUG]
# e.g. scripts/stress-test.sh elements-senxorsrc test_reconnect_across_flush
# Run from the source root after scripts/build.sh; logs go to
# build/stress/<TEST>/fail-<loop>-<run>.log.
set -u
bin=$1 test=$2 loops=${3:-2} runs=${4:-60} debug=${5:-senxorsrc:6}
root=$(pwd)
out=$root/build/stress/$test
mkdir -p "$out"
rm -f "$out"/*.log "$out"/result-*
export GST_REGISTRY_1_0="$root/build/tests/test-registry.bin" \
  GST_PLUGIN_PATH_1_0="$root/build/gst" \
  LD_LIBRARY_PATH="$root/build/src:$root/build/gst" \
  FONTCONFIG_FILE="$root/build/tests/fonts.conf" \
  SENXOR_BUILD_ROOT="$root/build" SENXOR_SOURCE_ROOT="$root" \
  G_DEBUG=fatal-warnings GST_CHECKS="$test" GST_DEBUG="$debug" \
  GST_DEBUG_NO_COLOR=1
loop() {
  pass=0 fail=0 i=1
  while [ "$i" -le "$runs" ]; do
    log=$out/run-$1-$i.log
    if GST_DEBUG_FILE=$log "$root/build/tests/elements/$bin" \
        >"$log.out" 2>&1; then
      pass=$((pass + 1))
      rm -f "$log" "$log.out"
    else
      fail=$((fail + 1))
      cat "$log.out" >>"$log"
      rm -f "$log.out"
      mv "$log" "$out/fail-$1-$i.log"
    fi
    i=$((i + 1))
  done
  echo "$pass $fail" >"$out/result-$1"
}
l=1
while [ "$l" -le "$loops" ]; do
  loop "$l" &
  l=$((l + 1))
done
wait
cat "$out"/result-* | awk '{ p += $1; f += $2 } END { print p " passed, " f " failed" }'
ls "$out"/fail-*.log 2>/dev/null
