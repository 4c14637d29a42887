#!/usr/bin/env bash
# Builds acceldse and runs every test. With ACCELDSE_SANITIZE=1 the tests run in a
# second build under AddressSanitizer + UndefinedBehaviorSanitizer as well.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
jobs="$(nproc)"
"$root/scripts/build.sh" "$root/build"
(cd "$root/build" && ctest --output-on-failure -j "$jobs")
if [ "${ACCELDSE_SANITIZE:-0}" = 1 ]; then
  "$root/scripts/build.sh" "$root/build-asan" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DACCELDSE_SANITIZE=ON -DACCELDSE_BENCH=OFF
  (cd "$root/build-asan" && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j "$jobs")
fi
