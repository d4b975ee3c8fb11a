#!/bin/bash
# Run the libFuzzer targets for a bounded time (or a number of executions).
#
#   tests/fuzz/run-fuzzers.sh [--time SECONDS | --runs N] [TARGET...] [-- LIBFUZZER-ARGS...]
#
#   --time SECONDS   per target (default 60)
#   --runs N         executions per target instead of a time limit
#                    (the long run: --runs 10000000)
#   TARGET           decoder, ... (default: every fuzz-* built)
#
# Builds a clang build directory first if needed (FUZZ_BUILD, default
# build-fuzz: CC=clang -Dfuzz=enabled).  Each target starts from its committed
# seed corpus (tests/fuzz/corpus/<target>) copied into a scratch directory, so
# the repository is not modified; new inputs found are kept in
# $FUZZ_BUILD/fuzz-corpus/<target> (minimise and copy into the seed corpus by
# hand when they are worth keeping).  Crash reproducers go to
# $FUZZ_BUILD/fuzz-artifacts/; replay one with
#   $FUZZ_BUILD/tests/fuzz/fuzz-<target> $FUZZ_BUILD/fuzz-artifacts/crash-...
# Exit status is non-zero if any target found a crash, leak or timeout.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${FUZZ_BUILD:-build-fuzz}
limit=(-max_total_time=60)
targets=()
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --time) limit=(-max_total_time="$2"); shift 2 ;;
    --runs) limit=(-runs="$2"); shift 2 ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    *) targets+=("$1"); shift ;;
  esac
done

# (warnings are checked by the gcc builds; this one only has to fuzz)
if [ ! -f "$BUILD/build.ninja" ]; then
  CC=clang meson setup "$BUILD" -Dfuzz=enabled -Dplugin=disabled -Dservers=disabled
fi

if [ ${#targets[@]} -eq 0 ]; then
  for src in tests/fuzz/fuzz-*.c; do
    t=${src#tests/fuzz/fuzz-}
    targets+=("${t%.c}")
  done
fi
# build only the fuzz targets
ninja -C "$BUILD" "${targets[@]/#/tests/fuzz/fuzz-}"

mkdir -p "$BUILD/fuzz-artifacts"
status=0
for t in "${targets[@]}"; do
  exe="$BUILD/tests/fuzz/fuzz-$t"
  seeds="tests/fuzz/corpus/$t"
  work="$BUILD/fuzz-corpus/$t"
  dict=()
  [ -f "tests/fuzz/$t.dict" ] && dict=(-dict="tests/fuzz/$t.dict")
  if [ ! -x "$exe" ]; then echo "run-fuzzers: no target $exe" >&2; status=1; continue; fi
  mkdir -p "$work"
  echo "=== fuzz-$t ${limit[*]} ==="
  log="$BUILD/fuzz-artifacts/$t.log"
  # the first directory receives new inputs; the seed corpus is only read
  set +e
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
    "$exe" "${limit[@]}" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$BUILD/fuzz-artifacts/$t-" "${dict[@]}" "${extra[@]}" \
    "$work" "$seeds" >"$log" 2>&1
  rc=$?
  set -e
  grep -vE '^#[0-9]+.*(NEW|REDUCE|pulse|RELOAD)|^"|Recommended dictionary' "$log" | tail -n 25
  if [ $rc -ne 0 ]; then
    echo "fuzz-$t FAILED (exit $rc): full log $log, reproducer in $BUILD/fuzz-artifacts/"
    status=1
  fi
done
exit $status
