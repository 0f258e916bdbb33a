#!/usr/bin/env bash
# Builds (if needed) and runs every test. Real-data tests read ../shared/data; under CI=true its
# absence is a failure, elsewhere those tests are skipped with a visible warning.
set -euo pipefail
cd "$(dirname "$0")/.."

# Test-only tools (DESIGN.md: QGIS and Chromium serve the tests, not the build): installed when we can.
test_packages=(python3-qgis chromium fonts-noto-cjk)
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
    echo "warning: ${missing[*]} not installed (not root): the QGIS and browser tests will be skipped" >&2
  fi
fi
[ -f build/CMakeCache.txt ] || cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"
cd build
ctest --output-on-failure -j"$(nproc)"
