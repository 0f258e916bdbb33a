#!/usr/bin/env bash
# The installable package as another project uses it: install into a scratch prefix, configure and
# build examples/ with find_package(healthreach), run it on the sample and compare its figure with
# the CLI's JSON.
# Usage: package_check.sh BUILD_DIR SOURCE_DIR WORK_DIR
set -euo pipefail
build=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
cmake --install "$build" --prefix "$work/prefix" >/dev/null
cmake -S "$src/examples" -B "$work/example" -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$work/example" -j2 >/dev/null
s=$src/sample-data
line=$("$work/example/coverage_ratio" "$s/roads.gpkg" "$s/population.tif" "$s/facilities.gpkg" ambulance)
echo "example: $line"
"$work/prefix/bin/healthreach" coverage --roads "$s/roads.gpkg" --population "$s/population.tif" \
  --facilities "$s/facilities.gpkg" --service ambulance --out "$work/cli.gpkg" --json --quiet > "$work/cli.json"
expected=$(/usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print('%.4f' % d['coverage_ratio'])" "$work/cli.json")
case "$line" in
  *"($expected)"*) echo "coverage ratio $expected, as the CLI's JSON says" ;;
  *) echo "example says '$line', the CLI's JSON $expected" >&2; exit 1 ;;
esac
