#!/usr/bin/env bash
# Performance figures (issue #8): the prefecture-scale synthetic region and every road extract of
# ../shared/data. Per run: wall time, peak memory and the phases the tool reports on stderr.
# Peers (pgRouting, networkx): bench/peers.sh. Not part of the test suite.
# Usage: bash bench/perf.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
hr="$(pwd)/${1:-build}/healthreach"
data=../shared/data
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# run LABEL healthreach-args...: one line with wall, peak and the tool's own time line.
run() {
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/time" "$hr" "$@" > "$work/stdout" 2> "$work/stderr"
  read -r wall kb < "$work/time"
  printf '%-34s wall %6.2f s  peak %5.0f MiB  | %s\n' "$label" "$wall" "$((kb / 1024))" \
    "$(grep -E '^(time|max-cover|cover-all|min-distance|coverage matrix|cost matrix|graph cache|rows)' "$work/stderr" | sed 's/^time: //' | tr '\n' ' ')"
}

"$hr" synth --out "$work/pref" --scale prefecture --quiet
p=$work/pref
cov=(coverage --roads $p/roads.gpkg --population $p/population.tif --facilities $p/facilities.gpkg --admin $p/admin.gpkg)
echo "== prefecture-scale region (synth --scale prefecture)"
run "ambulance coverage, cold" "${cov[@]}" --service ambulance --out $work/a.gpkg --travel-raster $work/a.tif --json
run "ambulance coverage, cache written" "${cov[@]}" --service ambulance --out $work/a.gpkg --graph-cache $work/drive.graph
run "ambulance coverage, cache loaded" "${cov[@]}" --service ambulance --out $work/a.gpkg --graph-cache $work/drive.graph
run "15-minute circle (community)" "${cov[@]}" --service community-station --out $work/c.gpkg --travel-raster $work/c.tif --json
opt=(optimize --roads $p/roads.gpkg --population $p/population.tif --facilities $p/facilities.gpkg --service ambulance
     --candidate-spacing 700 --graph-cache $work/drive.graph --out $work/o.gpkg)
run "max-cover N=20, heuristic" "${opt[@]}" --objective max-cover --sites 20 --heuristic
run "max-cover N=20, CBC" "${opt[@]}" --objective max-cover --sites 20 --exact
run "cover-all, heuristic" "${opt[@]}" --objective cover-all --heuristic
run "cover-all, CBC (300 s)" "${opt[@]}" --objective cover-all --exact --time-limit 300
"$hr" network --roads $p/roads.gpkg --out $work/net.gpkg --quiet
/usr/bin/python3 -c "
import sqlite3; c = sqlite3.connect('$work/net.gpkg'); n = c.execute('select count(*) from nodes').fetchone()[0]
print('node_id'); [print(k * (n // 100)) for k in range(100)]" > $work/sources.csv
run "reach, 100 sources, 20 km" reach --graph $work/net.gpkg --sources $work/sources.csv --limit 20000 --out $work/r.csv

if [ -d "$data" ]; then
  echo "== road extracts of ../shared/data (drive network)"
  for f in $data/*.osm.pbf $data/*-roads.gpkg; do
    run "network $(basename $f)" network --roads $f --out $work/n.gpkg
    grep -E '^graph:' "$work/stderr" | sed 's/^/    /'
  done
fi
