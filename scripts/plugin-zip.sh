#!/usr/bin/env bash
# Builds the QGIS plugin zip for Plugins > Manage and Install Plugins > Install from ZIP: the folder
# qgis-plugin/healthreach with the built-in standards file beside it (the SERVICE list) and the
# project's version in metadata.txt.
# Usage: bash scripts/plugin-zip.sh [OUT.zip]   (default: build/healthreach-qgis-plugin-VERSION.zip)
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(sed -n 's/^project(healthreach VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
out=$(realpath -m "${1:-build/healthreach-qgis-plugin-$version.zip}")
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cp -r qgis-plugin/healthreach "$stage/"
rm -rf "$stage/healthreach/__pycache__"
cp libgeo/standards/default.toml "$stage/healthreach/"
sed -i "s/^version=.*/version=$version/" "$stage/healthreach/metadata.txt"
mkdir -p "$(dirname "$out")"
rm -f "$out"
(cd "$stage" && /usr/bin/python3 -m zipfile -c "$out" healthreach)
echo "$out"
