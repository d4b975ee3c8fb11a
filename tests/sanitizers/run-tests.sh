#!/bin/bash
# Build senxor-gst with AddressSanitizer + UndefinedBehaviorSanitizer and run
# the whole test suite in it.  Any ASan or UBSan report (and any LSan report
# where leaks are checked) fails the test that triggered it.
#
#   tests/sanitizers/run-tests.sh [TEST-NAME...]   (default: every test)
#   BUILD=dir                   build directory (default build-asan)
#   SENXOR_ASAN_ELEMENT_LEAKS=1 check leaks in the element tests too (slow:
#                               full stack unwinding on every allocation)
#   SENXOR_ASAN_KNOWN_LEAKS=0   do not apply tests/sanitizers/lsan-known-leaks.supp
#                               (leaks in our code that are known, not fixed)
#
# The environment is set here only:
#  - UBSan halts on the first report, with a stack trace;
#  - leaks: checked in the library-level suites (unit, fuzz, ...) with full
#    stacks, so that tests/sanitizers/lsan.supp can tell GLib's deliberate
#    process-lifetime allocations from ours.  The element suite runs with
#    leak detection off by default: Debian's GLib/GStreamer have no frame
#    pointers, so leaks there need the slow unwinder (minutes for the cairo
#    and pango heavy tests).  Element leaks are covered by valgrind
#    (docs/testing.md, `meson test --setup valgrind`).
#  - plugin scanning: GStreamer's scanner helper gets the ASan runtime
#    preloaded (tests/sanitizers/gst-plugin-scanner-asan);
#  - element tests run with the ASan runtime (and libstdc++, for C++ plugins)
#    preloaded, so that GStreamer tools they start (gst-device-monitor-1.0,
#    gst-launch-1.0) can load our instrumented plugin;
#  - integration tests (mostly Python, which loads our plugin into the
#    uninstrumented interpreter) run with the ASan runtime preloaded into every
#    process; memory errors and UB are caught, leaks are not checked (the
#    interpreter's and GStreamer's allocations are not ours).  Tests that
#    start Chromium (no_preload below) run without the preload.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build-asan}
SUPP=$PWD/tests/sanitizers

if [ ! -f "$BUILD/build.ninja" ]; then
  meson setup "$BUILD" -Db_sanitize=address,undefined -Db_lundef=false --werror
fi
sanitize=$(meson introspect --buildoptions "$BUILD" |
  python3 -c 'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"] == "b_sanitize"][0])')
if [[ $sanitize != *address* || $sanitize != *undefined* ]]; then
  echo "run-tests: $BUILD is configured with b_sanitize=$sanitize; use a fresh directory" \
    "or: meson configure $BUILD -Db_sanitize=address,undefined -Db_lundef=false" >&2
  exit 1
fi
ninja -C "$BUILD"

asan_runtime=$(${CC:-cc} -print-file-name=libasan.so)
export SENXOR_ASAN_RUNTIME=$asan_runtime
export GST_PLUGIN_SCANNER_1_0=$SUPP/gst-plugin-scanner-asan
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
lsan_supp=$SUPP/lsan.supp
if [ "${SENXOR_ASAN_KNOWN_LEAKS:-1}" != 0 ]; then
  lsan_supp=$BUILD/lsan-all.supp
  cat "$SUPP/lsan.supp" "$SUPP/lsan-known-leaks.supp" > "$lsan_supp"
fi
export LSAN_OPTIONS=suppressions=$(realpath "$lsan_supp"):print_suppressions=0
leaks_full=detect_leaks=1:fast_unwind_on_malloc=0
# a registry written by an earlier, differently set-up run may have
# blacklisted our plugin
rm -f "$BUILD/tests/test-registry.bin"

# the tests of each step, limited to the names given on the command line
no_preload="http-browser"   # they start Chromium, which cannot run with the ASan runtime preloaded
lists=$(meson introspect --tests "$BUILD" | python3 -c '
import json, sys
wanted = set(sys.argv[2:])
no_preload = set(sys.argv[1].split())
steps = {"lib": [], "elements": [], "integration": [], "plain": []}
for t in json.load(sys.stdin):
    suites = {s.split(":")[-1] for s in t["suite"]}
    name = t["name"]
    if wanted and name not in wanted:
        continue
    if "elements" in suites:
        steps["elements"].append(name)
    elif "integration" in suites:
        steps["plain" if name in no_preload else "integration"].append(name)
    else:
        steps["lib"].append(name)
for k, v in steps.items():
    print(k + "=" + " ".join(v))
' "$no_preload" "$@")
step_tests () { sed -n "s/^$1=//p" <<<"$lists"; }
read -r -a lib_tests <<<"$(step_tests lib)"
read -r -a element_tests <<<"$(step_tests elements)"
read -r -a preload_tests <<<"$(step_tests integration)"
read -r -a plain_tests <<<"$(step_tests plain)"
if [ $(( ${#lib_tests[@]} + ${#element_tests[@]} + ${#preload_tests[@]} + ${#plain_tests[@]} )) -eq 0 ]; then
  echo "run-tests: no such test: $*" >&2
  exit 1
fi

# preloaded with the ASan runtime so that C++ libraries (libproxy, ...) work
stdcxx=$(${CXX:-g++} -print-file-name=libstdc++.so 2>/dev/null || true)
[ -f "$stdcxx" ] || stdcxx=
preload="$asan_runtime${stdcxx:+ $stdcxx}"
mtest=(meson test -C "$BUILD" --print-errorlogs --num-processes 2)

status=0
if [ ${#lib_tests[@]} -gt 0 ]; then
  echo "=== ASan+UBSan: library-level tests (leaks checked) ==="
  ASAN_OPTIONS=$leaks_full "${mtest[@]}" "${lib_tests[@]}" || status=1
fi
if [ ${#element_tests[@]} -gt 0 ]; then
  echo "=== ASan+UBSan: element tests ==="
  if [ "${SENXOR_ASAN_ELEMENT_LEAKS:-0}" = 1 ]; then element_leaks=$leaks_full; else element_leaks=detect_leaks=0; fi
  LD_PRELOAD=$preload ASAN_OPTIONS=$element_leaks:verify_asan_link_order=0 \
    "${mtest[@]}" "${element_tests[@]}" || status=1
fi
if [ ${#preload_tests[@]} -gt 0 ]; then
  # Python tests load our plugin into the interpreter, and programs they start
  # (gst-launch-1.0, ...) load it too: the runtime is preloaded everywhere
  echo "=== ASan+UBSan: integration tests (runtime preloaded, leaks not checked) ==="
  LD_PRELOAD=$preload ASAN_OPTIONS=detect_leaks=0:verify_asan_link_order=0 \
    "${mtest[@]}" "${preload_tests[@]}" || status=1
fi
if [ ${#plain_tests[@]} -gt 0 ]; then
  echo "=== ASan+UBSan: integration tests that start Chromium (leaks not checked) ==="
  ASAN_OPTIONS=detect_leaks=0 "${mtest[@]}" "${plain_tests[@]}" || status=1
fi
exit $status
