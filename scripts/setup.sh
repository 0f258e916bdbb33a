#!/usr/bin/env bash
# Installs the build dependencies from Debian 12 packages (as root, or through sudo), builds
# healthreach in ./build and installs it in /usr/local (where the QGIS plugin finds the executable).
# Safe to run again: apt skips what is installed, cmake rebuilds what changed.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(g++ make cmake pkg-config ca-certificates
          libgdal-dev gdal-bin libgeos-dev libboost-graph-dev libeigen3-dev catch2
          libcli11-dev libtomlplusplus-dev coinor-libcbc-dev libcairo2-dev fonts-noto-cjk
          libcpp-httplib-dev libjs-leaflet)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"
# /usr/local/bin/healthreach, its libraries, headers and CMake package, share/healthreach/default.toml.
$sudo cmake --install build >/dev/null
