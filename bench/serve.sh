#!/usr/bin/env bash
# The workbench (healthreach serve) on the prefecture-scale region: start-up against a cold
# `coverage` run of the same inputs, and the server-side time (elapsed_ms) of adding or removing one
# site, 50 requests each (p50, p95, max), with the client's wall time beside it; peak memory of both.
# Usage: bash bench/serve.sh [BUILD_DIR] [SERVICE]   (this machine is shared: CPU time is printed too)
set -euo pipefail
cd "$(dirname "$0")/.."
hr="$(realpath "${1:-build}")/healthreach"
svc="${2:-ambulance}"
work=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
pref=/work/baseline/pref
if [ ! -f "$pref/roads.gpkg" ]; then
  pref=$work/pref
  "$hr" synth --out "$pref" --scale prefecture --quiet
fi
inputs=(--roads "$pref/roads.gpkg" --population "$pref/population.tif" --facilities "$pref/facilities.gpkg"
        --admin "$pref/admin.gpkg" --service "$svc")

# A cold coverage run (no graph cache): wall time, CPU time and peak memory.
/usr/bin/time -f "%e %U %S %M" -o "$work/cold" "$hr" coverage "${inputs[@]}" --out "$work/cold.gpkg" --quiet
read -r cold_wall cold_user cold_sys cold_kib < "$work/cold"
echo "cold coverage run: wall ${cold_wall} s, CPU $(echo "$cold_user + $cold_sys" | bc) s, peak $((cold_kib / 1024)) MiB"

port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
t0=$(date +%s.%N)
"$hr" serve "${inputs[@]}" --port "$port" --quiet 2> "$work/serve.err" &
pid=$!
until grep -q "healthreach serve: http://" "$work/serve.err"; do
  kill -0 "$pid" 2>/dev/null || { cat "$work/serve.err"; exit 1; }
  sleep 0.05
done
t1=$(date +%s.%N)
read -r user_ticks sys_ticks < <(awk '{print $14, $15}' "/proc/$pid/stat")
hz=$(getconf CLK_TCK)
echo "serve start-up: wall $(echo "$t1 - $t0" | bc) s, CPU $(echo "($user_ticks + $sys_ticks) / $hz" | bc -l | cut -c1-5) s" \
     "(limit: cold run + 2 s = $(echo "$cold_wall + 2" | bc) s)"

/usr/bin/python3 - "$port" "$pid" <<'PY'
import json, os, statistics, sys, time, urllib.request
port, pid = int(sys.argv[1]), sys.argv[2]
def cpu_s():
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
def post(body):
    req = urllib.request.Request(f"http://127.0.0.1:{port}/api/coverage", json.dumps(body).encode(),
                                 {"Content-Type": "application/json"})
    t = time.perf_counter()
    with urllib.request.urlopen(req, timeout=300) as r:
        d = json.loads(r.read())
    return d, 1000 * (time.perf_counter() - t)
region = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/api/region").read())
base, _ = post({"grid": True})
g = base["grid"]
cells = sorted(base["grid"]["cells"], key=lambda c: -c[1])
step = max(1, len(cells) // 50)
points = [(g["lon0"] + (c[0] % g["cols"] + 0.5) * g["dlon"], g["lat0"] + (c[0] // g["cols"] + 0.5) * g["dlat"]) for c in cells[::step]]
ids = [f["id"] for f in region["facilities"] if f["on_network"]]
def run(label, bodies):
    server, client, refused = [], [], 0
    cpu0 = cpu_s()
    for body in bodies:
        try:
            d, wall = post(body)
        except urllib.error.HTTPError:
            refused += 1
            continue
        server.append(d["elapsed_ms"])
        client.append(wall)
    cpu = 1000 * (cpu_s() - cpu0) / max(1, len(bodies))
    q = statistics.quantiles(server, n=20)
    print(f"{label}: {len(server)} requests ({refused} refused: beyond the snap limit); server elapsed_ms p50 {statistics.median(server):.1f}, "
          f"p95 {q[18]:.1f}, max {max(server):.1f}; server CPU {cpu:.1f} ms per request; "
          f"client wall p50 {statistics.median(client):.1f} ms, p95 {statistics.quantiles(client, n=20)[18]:.1f} ms")
print(f"region: {len(region['facilities'])} facilities ({len(ids)} on the network), {len(cells)} populated drawing cells, "
      f"population {base['population_total']:,.0f}, covered {base['population_covered']:,.0f}")
run("add one site", [{"add": [{"lon": lon, "lat": lat}]} for lon, lat in points[:50]])
run("remove one site", [{"remove": [ids[k % len(ids)]]} for k in range(50)])
run("add one site, page request (with the drawing grid)", [{"add": [{"lon": lon, "lat": lat}], "grid": True} for lon, lat in points[:50]])
PY
echo "serve memory: $(grep -E 'VmHWM|VmRSS' /proc/$pid/status | tr -s ' \n' ' ')"
kill -TERM "$pid"
wait "$pid" && echo "serve: exit 0 on SIGTERM"
pid=""
