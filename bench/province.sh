#!/usr/bin/env bash
# The province on one machine (issue #21, docs/scale.md "The province on one machine"): generates
# `synth --scale province` (36.5 M people, 16.7 M cells; ~20 s of CPU, 1.1 GB of files) unless DIR
# already holds it, then the ambulance and 15-minute-walk coverage with admin units by prefecture,
# urban areas, travel raster and JSON, each with its graph built and then from the cache: wall time,
# CPU, peak memory and the phases the tool reports. Needs ~6 GiB of memory. Not part of the tests.
# Usage: bash bench/province.sh [BUILD_DIR] [DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
hr="$(pwd)/${1:-build}/healthreach"
work=$(mktemp -d)
region=${2:-$work/province}  # without DIR, generated for this run and removed with it
trap 'rm -rf "$work"' EXIT

[ -f "$region/roads.gpkg" ] || "$hr" synth --out "$region" --scale province --seed 1 --quiet

run() {  # LABEL healthreach-args...
  local label=$1; shift
  /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$hr" "$@" > "$work/stdout" 2> "$work/stderr"
  read -r wall user sys kb < "$work/time"
  printf '%-36s wall %6.2f s  CPU %6.1f s  peak %5.2f GiB\n    %s\n' "$label" "$wall" "$(awk "BEGIN{print $user + $sys}")" \
    "$(awk "BEGIN{print $kb / 1048576}")" "$(grep -E '^time:' "$work/stderr" | sed 's/^time: //')"
}

p=$region
cov=(coverage --roads "$p/roads.gpkg" --population "$p/population.tif" --facilities "$p/facilities.gpkg" --admin "$p/admin.gpkg"
     --admin-layer prefectures --urban "$p/urban.gpkg")
for service in ambulance community-station; do
  run "$service, graph built" "${cov[@]}" --service $service --out $work/$service.gpkg --travel-raster $work/$service.tif \
    --graph-cache $work/$service.graph --json
  run "$service, graph cached" "${cov[@]}" --service $service --out $work/$service.gpkg --travel-raster $work/$service.tif \
    --graph-cache $work/$service.graph --json
  /usr/bin/python3 -c "
import json, sys
d = json.load(open('$work/stdout'))
print(f\"    population {d['population_total']:,.0f}, covered {d['population_covered']:,.0f}, off network \"
      f\"{d['population_off_network']:,.0f}, ratio {d['coverage_ratio']:.4f}; facilities on the network \"
      f\"{d['inputs']['facilities']['on_network']} of {d['inputs']['facilities']['of_the_service']}; graph \"
      f\"{d['inputs']['roads']['graph_nodes']:,} nodes, {d['inputs']['roads']['graph_edges']:,} edges\")"
done
