#!/usr/bin/env bash
# Builds (if needed) and runs every test in the release build (build), then again in the sanitizer
# build (build-asan). Real-data tests read ../shared/data; under CI=true its absence is a failure,
# elsewhere those tests are skipped with a visible warning.
set -euo pipefail
cd "$(dirname "$0")/.."

# Test-only tools (DESIGN.md: QGIS and Chromium serve the tests, not the build): installed when we can.
# OpenMPI builds healthreach-mpi in the release build, whose e2e test runs it under mpirun -np 1-3.
test_packages=(python3-qgis chromium fonts-noto-cjk libopenmpi-dev openmpi-bin)
missing=()
for p in "${test_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "warning: ${missing[*]} not installed (not root): the QGIS, browser and MPI tests will be skipped" >&2
  fi
fi
[ -f build/CMakeCache.txt ] || cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
# healthreach-mpi and its test when OpenMPI is there (installed above when root); not in the sanitizer
# build below, where OpenMPI's own allocations would be reported as leaks.
if command -v mpicxx >/dev/null && command -v mpirun >/dev/null; then
  cmake -S . -B build -DHEALTHREACH_MPI=ON >/dev/null
fi
cmake --build build -j"$(nproc)"
(cd build && ctest --output-on-failure -j"$(nproc)")

# The same tests built with AddressSanitizer (LeakSanitizer included) and UndefinedBehaviorSanitizer
# (docs/decisions.md, "Sanitizers and fuzzing"). ASan and LSan reports go to files in
# build-asan/sanitizer-reports, also those of a CLI run whose exit code a test does not look at, and
# any file there fails the run; GCC's UBSan writes to stderr whatever its log_path, and its exit code
# fails the test. Left out: tests labelled `slow` (tagged [slow]): the OR-Library p-median test, four
# minutes under ASan against half a minute in release, its code covered by the small min-distance tests.
[ -f build-asan/CMakeCache.txt ] || cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Asan >/dev/null
cmake --build build-asan -j"$(nproc)"
reports="$PWD/build-asan/sanitizer-reports"
rm -rf "$reports"
mkdir -p "$reports"
export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:log_path=$reports/asan"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$reports/ubsan"
export LSAN_OPTIONS="suppressions=$PWD/tests/lsan-suppressions.txt:print_suppressions=0"
status=0
(cd build-asan && ctest --output-on-failure -j"$(nproc)" -LE slow) || status=$?
if [ -n "$(ls -A "$reports")" ]; then
  for f in "$reports"/*; do echo "== $f" >&2; cat "$f" >&2; done
  echo "error: sanitizer reports above" >&2
  status=1
fi
exit $status
