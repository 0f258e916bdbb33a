#!/usr/bin/env bash
# Facility layers for the real areas of ../shared/data with a population raster, and coverage runs
# (ambulance, community-station) that map each layer's own vocabulary to the standards' types with
# --type-map. Writes outside the repository; prints what each run says it used; and, for review by
# eye, each run's map, report (with its headless-Chromium screenshot) and QGIS project (with its
# render) in Chinese and English. Not a test.
# Usage: bash bench/real-inputs.sh [OUT_DIR (default /tmp/hr-real)] [BUILD_DIR (default build)]
#   KATHMANDU_FACILITIES=FILE  a point layer of Kathmandu's health facilities (none in ../shared/data)
#   BRISTOL_FACILITIES=FILE    the same for Bristol
#   LANGS="zh en"              the languages of the maps and reports (empty: none)
# Each run leaves OUT_DIR/AREA-SERVICE.{gpkg,json,log} (the log is the run's stderr) and, per
# language, AREA-SERVICE-LANG-{map.png,report.png,qgis.png} with the .html and .qgz they show.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-/tmp/hr-real}"
hr="$(pwd)/${2:-build}/healthreach"
data=../shared/data
langs=${LANGS-zh en}
projects=()
mkdir -p "$out"

# Ghana's open data (accra-health.gpkg, field Type). Ambulances in Accra are based at hospitals and
# polyclinics; primary care is given by clinics, CHPS compounds and maternity homes (community
# stations) and by health centres and polyclinics (community centres). Directorates, training
# institutions, psychiatric hospitals and "Others" are no service point: left out, with a warning.
accra_ambulance="Hospital=ambulance-station,Teaching Hospital=ambulance-station,Polyclinic=ambulance-station"
accra_community="Clinic=community-station,CHPS=community-station,Maternity Home=community-station,Health Centre=community-centre,Polyclinic=community-centre"
# OSM hospitals (amenity=hospital): dispatch points for ambulances; for the 15-minute circle a
# hospital's outpatient department stands for a community centre.
osm_ambulance="hospital=ambulance-station"
osm_community="hospital=community-centre"

run() {  # area roads population facilities service [flags...]
  local area=$1 roads=$2 pop=$3 fac=$4 svc=$5; shift 5
  local base="$out/$area-$svc"
  echo "== $area $svc: healthreach coverage --roads $roads --population $pop --facilities $fac --service $svc $* --out $base.gpkg --json"
  if ! /usr/bin/time -f "%e s wall, %U s user, %S s sys, %M KiB peak" -o "$base.time" \
       "$hr" coverage --roads "$roads" --population "$pop" --facilities "$fac" --service "$svc" "$@" \
       --out "$base.gpkg" --json > "$base.json" 2> "$base.log"; then
    echo "   failed: $(tail -1 "$base.log")"
    return 0
  fi
  grep -E "^(input facilities|warning)" "$base.log" | sed 's/^/   /'
  for lang in $langs; do
    "$hr" coverage --roads "$roads" --population "$pop" --facilities "$fac" --service "$svc" "$@" --graph-cache "$out/$area-$svc.cache" \
      --out "$base-$lang.gpkg" --travel-raster "$base-$lang-cost.tif" --map "$base-$lang-map.png" --report "$base-$lang.html" \
      --qgis-project "$base-$lang.qgz" --admin-table "$base-$lang.csv" --lang "$lang" --quiet
    chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$out/.chromium" --window-size=1200,2600 \
      --screenshot="$base-$lang-report.png" "file://$(realpath "$base-$lang.html")" 2>/dev/null
    projects+=("$base-$lang.qgz" "$base-$lang-qgis.png")
  done
  /usr/bin/python3 - "$base.json" "$(cat "$base.time")" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
f = d["inputs"]["facilities"]
r = d["coverage_ratio"]
print(f"   population {d['population_total']:,.0f}, covered {d['population_covered']:,.0f}, "
      f"off network {d['population_off_network']:,.0f}, not applicable {d['population_not_applicable']:,.0f}, "
      f"ratio {'n/a' if r is None else format(r, '.3f')}; facilities used {d['facilities_used']} of "
      f"{f['features']} ({f.get('of_the_service')} of the service); fields {f['fields']}; "
      f"types_mapped {f.get('types_mapped', 0)}; {len(d['warnings'])} warnings; {sys.argv[2]}")
PY
}

run accra $data/accra-roads.gpkg $data/accra-pop-2015.tif $data/accra-health.gpkg ambulance --type-map "$accra_ambulance"
run accra $data/accra-roads.gpkg $data/accra-pop-2015.tif $data/accra-health.gpkg community-station --type-map "$accra_community"
# Porto Alegre's layer counts public facilities per H3 cell: no type, no name. Every cell is used,
# and the run says so.
run poa $data/poa.osm.pbf $data/poa-pop-hex.tif $data/poa-health.gpkg ambulance
run poa $data/poa.osm.pbf $data/poa-pop-hex.tif $data/poa-health.gpkg community-station

# ../shared/data holds no health facilities for Kathmandu or Bristol (its README: the road extracts
# are highways only). Given a layer (e.g. OSM amenity=hospital points, field `type` or `amenity`),
# the same runs:
for area in kathmandu bristol; do
  var=$(echo $area | tr a-z A-Z)_FACILITIES
  fac="${!var:-}"
  if [ -z "$fac" ]; then
    echo "== $area: no facility layer (set $var=FILE to run it)"
    continue
  fi
  roads=$data/$area-roads.gpkg
  pop=$data/$area-pop-2020.tif; [ $area = bristol ] && pop=$data/bristol-pop-2015.tif
  run $area "$roads" "$pop" "$fac" ambulance --type-map "$osm_ambulance" ${TYPE_FIELD:+--type-field "$TYPE_FIELD"}
  run $area "$roads" "$pop" "$fac" community-station --type-map "$osm_community" ${TYPE_FIELD:+--type-field "$TYPE_FIELD"}
done
[ ${#projects[@]} -eq 0 ] || /usr/bin/python3 bench/render_project.py "${projects[@]}"
