#!/usr/bin/env bash
# Builds (if needed) and runs every test. Real-data tests read ../shared/data; under CI=true its
# absence is a failure, elsewhere those tests are skipped with a visible warning.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f build/CMakeCache.txt ] || cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"
cd build
ctest --output-on-failure -j"$(nproc)"
