#!/usr/bin/env bash
# Coverage figures and timings on the sample region, the prefecture-scale region and the real areas of
# ../shared/data that have a population raster and health facilities. Not part of the test suite.
# Usage: bash bench/coverage.sh [BUILD_DIR]   (prints one line per run: area, service, limits, figures)
set -euo pipefail
cd "$(dirname "$0")/.."
hr="${1:-build}/healthreach"
data=../shared/data
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$hr" synth --out "$work/pref" --scale prefecture --quiet

run() {  # area roads population facilities service [extra flags...]
  local area=$1 roads=$2 pop=$3 fac=$4 svc=$5; shift 5
  local t0=$(date +%s.%N)
  /usr/bin/time -f "%M" -o "$work/mem" "$hr" coverage --roads "$roads" --population "$pop" --facilities "$fac" \
      --service "$svc" --out "$work/out.gpkg" --travel-raster "$work/cost.tif" --json --quiet "$@" > "$work/out.json"
  local t1=$(date +%s.%N)
  /usr/bin/python3 - "$work/out.json" "$area" "$svc" "$*" "$(echo "$t1 - $t0" | bc)" "$(cat "$work/mem")" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
lim = d["limits"]
print(f"{sys.argv[2]:<10} {sys.argv[3]:<18} urban {lim['urban']} rural {lim['rural']} {sys.argv[4]:<18} "
      f"total {d['population_total']:,.0f} covered {d['population_covered']:,.0f} uncovered {d['population_uncovered']:,.0f} "
      f"off-network {d['population_off_network']:,.0f} n/a {d['population_not_applicable']:,.0f} "
      f"ratio {d['coverage_ratio'] if d['coverage_ratio'] is not None else float('nan'):.3f} "
      f"facilities {d['facilities_used']}/{d['facilities_matching']} wall {float(sys.argv[5]):.2f} s peak {int(sys.argv[6])/1024:.0f} MiB")
PY
}

for s in sample pref; do
  dir=sample-data; [ $s = pref ] && dir=$work/pref
  run $s $dir/roads.gpkg $dir/population.tif $dir/facilities.gpkg ambulance
  run $s $dir/roads.gpkg $dir/population.tif $dir/facilities.gpkg ambulance --rural-limit 10000
  run $s $dir/roads.gpkg $dir/population.tif $dir/facilities.gpkg community-station
done
if [ -d "$data" ]; then
  for svc in "ambulance" "ambulance --rural-limit 10000" "community-station"; do
    run accra $data/accra-roads.gpkg $data/accra-pop-2015.tif $data/accra-health.gpkg $svc --all-facilities
    run poa $data/poa.osm.pbf $data/poa-pop-hex.tif $data/poa-health.gpkg $svc --all-facilities
  done
fi
