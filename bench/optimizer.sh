#!/usr/bin/env bash
# Optimizer against CBC on the prefecture-scale region (issues #6 and #8): every model run with
# --heuristic (no MILP), as the tool runs it by default, and with --exact (CBC to proven optimality,
# started from the heuristic's answer). Heuristic and CBC runs alternate, three each, so that both
# meet the same machine; the fastest solve of each is kept. Prints, per model, the objectives, the
# heuristic's distance from CBC's optimum, whether every bound lies on the right side of it, and the
# ratio of solve times. Not part of the test suite.
# Usage: bash bench/optimizer.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
hr="$(pwd)/${1:-build}/healthreach"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$hr" synth --out "$work/pref" --scale prefecture --quiet
p=$work/pref
base=(optimize --roads $p/roads.gpkg --population $p/population.tif --facilities $p/facilities.gpkg
      --service ambulance --graph-cache $work/drive.graph --out $work/o.gpkg --json --time-limit 600)

# case NAME MODE-ARGS...: writes NAME.MODE.k.json/.err for MODE in heuristic, default, exact.
case_() {
  local name=$1; shift
  for k in 1 2 3; do
    "$hr" "${base[@]}" "$@" --heuristic > "$work/$name.heuristic.$k.json" 2> "$work/$name.heuristic.$k.err"
    "$hr" "${base[@]}" "$@" > "$work/$name.default.$k.json" 2> "$work/$name.default.$k.err"
    "$hr" "${base[@]}" "$@" --exact > "$work/$name.exact.$k.json" 2> "$work/$name.exact.$k.err"
  done
  echo "$name" >> "$work/cases"
}
"$hr" "${base[@]}" --objective max-cover --sites 1 --candidate-spacing 700 > /dev/null 2>&1  # writes the graph cache
case_ "max-cover N=20, 700 m" --objective max-cover --sites 20 --candidate-spacing 700
case_ "max-cover N=40, 700 m" --objective max-cover --sites 40 --candidate-spacing 700
case_ "cover-all, 700 m" --objective cover-all --candidate-spacing 700
case_ "backup N=20, 1500 m" --objective backup --sites 20 --candidate-spacing 1500
case_ "min-max N=20, 1500 m" --objective min-max --sites 20 --candidate-spacing 1500
case_ "expected V=20, q=0.3, 1500 m" --objective expected --vehicles 20 --busy-fraction 0.3 --candidate-spacing 1500

/usr/bin/python3 - "$work" <<'PY'
import json, re, sys
work = sys.argv[1]
def run(name, mode, k):
    d = json.load(open(f"{work}/{name}.{mode}.{k}.json"))
    err = open(f"{work}/{name}.{mode}.{k}.err").read()
    d["solve_s"] = float(re.search(r"solve ([0-9.]+) s", err).group(1))
    d["candidate_count"] = int(re.search(r"coverage matrix: (\d+) candidates", err).group(1))
    return d
ok = True
for name in open(f"{work}/cases").read().splitlines():
    runs = {m: [run(name, m, k) for k in (1, 2, 3)] for m in ("heuristic", "default", "exact")}
    exact = runs["exact"][0]
    optimum, maximise = exact["objective"], exact["objective_name"] not in ("cover-all", "min-distance", "min-max")
    print(f"== {name}: {exact['candidate_count']:,} candidates; CBC: {optimum:,.1f} ({exact['solver']}), "
          f"objective '{exact['objective_name']}'")
    t_exact = min(r["solve_s"] for r in runs["exact"])
    for mode in ("heuristic", "default"):
        r = runs[mode][0]
        off = (optimum - r["objective"]) / abs(optimum) if maximise else (r["objective"] - optimum) / abs(optimum)
        right_side = all((x["bound"] >= optimum * (1 - 1e-9)) if maximise else (x["bound"] <= optimum * (1 + 1e-9))
                         for x in runs[mode] + runs["exact"])
        same = len({x["objective"] for x in runs[mode]}) == 1
        t = min(x["solve_s"] for x in runs[mode])
        print(f"   {mode:9s} {r['objective']:14,.1f}  {100 * off:6.3f} % from CBC  bound {r['bound']:14,.1f} "
              f"({'right side' if right_side else 'WRONG SIDE'})  solve {t:6.2f} s vs CBC {t_exact:6.2f} s "
              f"= {t_exact / max(t, 1e-9):5.1f}x faster{'' if same else '  (NOT deterministic)'}  [{r['solver']}]")
        ok &= right_side and same
sys.exit(0 if ok else 1)
PY
