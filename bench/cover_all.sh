#!/usr/bin/env bash
# Cover-all before (main's optimizer) and after (this tree's), issue #24. Per instance, two runs of
# each version: the heuristic alone (what --heuristic runs) and the default (CBC from the heuristic's
# answer within the time limit when the gap calls for it): value, bound, gap, solver, wall and CPU s.
# Instances: the lattice town of tests/opt/cover_instances.hpp; OR-Library set covering from
# $HEALTHREACH_SCP_DIR (scp4x, scp5x, scp6x, scpa-e, the unicost scpclr and scpcyc; left out when
# unset); the prefecture-scale synthetic region through the CLI (ambulance, cover-all,
# --candidate-spacing 1500). The machine's load makes wall times noisy: read the CPU times beside them.
# Not part of the test suite.
# Usage: bash bench/cover_all.sh [BUILD_DIR]
#   BEFORE_REF          the version to compare with (default: main)
#   HEALTHREACH_BEFORE  that version's healthreach binary (default: built from BEFORE_REF here)
#   TIME_LIMIT          --time-limit of the default runs (default 60)
#   PREF                a `synth --scale prefecture` folder (default: generated here)
#   SCP                 OR-Library instances to run (default: every scp*.txt of HEALTHREACH_SCP_DIR)
set -euo pipefail
cd "$(dirname "$0")/.."
build=$(pwd)/${1:-build}
ref=${BEFORE_REF:-main}
limit=${TIME_LIMIT:-60}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The bench program against each version's optimizer sources (the optimizer needs no build system).
mkdir -p "$work/before"
git archive "$ref" | tar -x -C "$work/before"
bench() {  # bench TREE OUT
  g++ -std=c++17 -O2 -DNDEBUG -I "$1/optimizer/include" -I "$1/core/include" -I tests -I /usr/include/eigen3 \
      $(pkg-config --cflags cbc) bench/cover_all_bench.cpp "$1"/optimizer/src/*.cpp $(pkg-config --libs cbc) -pthread -o "$2"
}
bench "$work/before" "$work/bench-before"
bench . "$work/bench-after"

instances=(lattice)
if [ -n "${HEALTHREACH_SCP_DIR:-}" ]; then
  for name in ${SCP:-$(cd "$HEALTHREACH_SCP_DIR" && ls scp*.txt | sed 's/\.txt$//' | sort -V)}; do
    instances+=("$HEALTHREACH_SCP_DIR/$name.txt")
  done
fi
echo "== set covering, opt::cover_all (time limit $limit s)"
for i in "${instances[@]}"; do
  "$work/bench-before" --time-limit "$limit" "$i" | sed 's/^/before  /'
  "$work/bench-after" --time-limit "$limit" "$i" | sed 's/^/after   /'
done

# The prefecture-scale region through the CLI.
hr_after=$build/healthreach
hr_before=${HEALTHREACH_BEFORE:-}
if [ -z "$hr_before" ]; then
  cmake -S "$work/before" -B "$work/before/build" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF > /dev/null
  cmake --build "$work/before/build" -j2 --target healthreach > /dev/null
  hr_before=$work/before/build/healthreach
fi
pref=${PREF:-}
if [ -z "$pref" ]; then
  pref=$work/pref
  "$hr_after" synth --out "$pref" --scale prefecture --quiet
fi
echo "== prefecture-scale region: optimize --service ambulance --objective cover-all --candidate-spacing 1500"
args=(optimize --roads "$pref/roads.gpkg" --population "$pref/population.tif" --facilities "$pref/facilities.gpkg"
      --service ambulance --objective cover-all --candidate-spacing 1500 --time-limit "$limit" --quiet --json)
for version in before after; do
  hr=$hr_before; [ "$version" = after ] && hr=$hr_after
  for mode in heuristic default; do
    extra=(); [ "$mode" = heuristic ] && extra=(--heuristic)
    /usr/bin/time -f "%e %U %S" -o "$work/time" "$hr" "${args[@]}" "${extra[@]}" --graph-cache "$work/$version.graph" \
      --out "$work/o.gpkg" > "$work/o.json"
    read -r wall user sys < "$work/time"
    /usr/bin/python3 -c "
import json, sys
j = json.load(open('$work/o.json'))
print('%-7s %-10s %-9s value %8.6g  bound %8.6g  gap %6.2f %%  sites %5d  %-24s %7.2f s wall %7.2f s cpu (whole run)' % (
    '$version', 'prefecture', '$mode', j['objective'], j['bound'], 100 * j['gap'], len(j['selected']), j['solver'], $wall, $user + $sys))"
  done
done
