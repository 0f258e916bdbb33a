#!/usr/bin/env bash
# Every real area with population × ambulance and community station × zh/en: the map, the report
# (and its headless-Chromium screenshot) and the QGIS project (and its render), for review by eye.
# Usage: bash bench/showcase.sh OUT_DIR [DATA_DIR] [FACILITIES_DIR]
#   DATA_DIR: the real-data kit (default ../shared/data); FACILITIES_DIR: facility layers made for
#   the areas that have none (kathmandu-health.gpkg, bristol-health.gpkg), with their type maps in
#   kathmandu.types / bristol.types (one --type-map argument each); areas without one are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?OUT_DIR}
data=${2:-../shared/data}
made=${3:-}
exe=build/healthreach
mkdir -p "$out"
areas=(accra poa kathmandu bristol)
for area in "${areas[@]}"; do
  type_args=(--all-facilities)
  case $area in
    accra) roads=$data/accra-roads.gpkg pop=$data/accra-pop-2015.tif fac=$data/accra-health.gpkg ;;
    poa) roads=$data/poa.osm.pbf pop=$data/poa-pop-hex.tif fac=$data/poa-health.gpkg ;;
    kathmandu) roads=$data/kathmandu-roads.gpkg pop=$data/kathmandu-pop-2020.tif fac=$made/kathmandu-health.gpkg ;;
    bristol) roads=$data/bristol-roads.gpkg pop=$data/bristol-pop-2015.tif fac=$made/bristol-health.gpkg ;;
  esac
  [ -f "$fac" ] || { echo "skipped: $area (no facility layer at $fac)"; continue; }
  [ -f "${fac%-health.gpkg}.types" ] && type_args=(--type-map "$(cat "${fac%-health.gpkg}.types")")
  for service in ambulance community-station; do
    for lang in zh en; do
      name=$area-$service-$lang
      start=$(date +%s.%N)
      "$exe" coverage --roads "$roads" --population "$pop" --facilities "$fac" "${type_args[@]}" --service "$service" \
        --graph-cache "$out/$area-$service.cache" --out "$out/$name.gpkg" --travel-raster "$out/$name-cost.tif" \
        --map "$out/$name-map.png" --report "$out/$name.html" --qgis-project "$out/$name.qgz" \
        --admin-table "$out/$name.csv" --lang "$lang" --json > "$out/$name.json" 2> "$out/$name.log"
      printf '%-32s %6.1f s  coverage %s\n' "$name" "$(echo "$(date +%s.%N) - $start" | bc)" \
        "$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['coverage_ratio'])" "$out/$name.json")"
      chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$out/.chromium" \
        --window-size=1200,2400 --screenshot="$out/$name-report.png" "file://$(realpath "$out/$name.html")" 2>/dev/null
      projects+=("$out/$name.qgz" "$out/$name-qgis.png")
    done
  done
done
/usr/bin/python3 bench/render_project.py "${projects[@]}"
