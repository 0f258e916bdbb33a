#!/usr/bin/python3
"""ctest access_matches_python_peer_on_accra: `healthreach access` against bench/access_peer.py on
the Accra extract of ../shared/data (roads, WorldPop 2015, health facilities with a made-up supply
field): ambulance (distance, from the facility, Gaussian decay) and community station (walking
time, to the facility, step decay). Every demand point's score and every facility's ratio must agree
to 1e-9 relative. Exit 77 (a visible skip) when the data are absent outside CI; under CI=true their
absence is a failure.

Usage: access_peer_check.py HEALTHREACH SHARED_DATA WORK_DIR
"""
import os
import subprocess
import sys

from osgeo import ogr

hr, data, work = sys.argv[1:4]
here = os.path.dirname(os.path.abspath(__file__))
peer = os.path.join(here, "..", "..", "bench", "access_peer.py")
roads, pop, health = (os.path.join(data, f) for f in ("accra-roads.gpkg", "accra-pop-2015.tif", "accra-health.gpkg"))
if not all(os.path.exists(p) for p in (roads, pop, health)):
    print(f"SKIPPED: the Accra extract of {data} is absent", file=sys.stderr)
    sys.exit(1 if os.environ.get("CI") == "true" else 77)
os.makedirs(work, exist_ok=True)

# The facilities with a supply field (1 to 5 by feature order), in the scratch directory.
fac = os.path.join(work, "accra-health-supply.gpkg")
if os.path.exists(fac):
    os.remove(fac)
src = ogr.Open(health)
lyr = src.GetLayer(0)
dst = ogr.GetDriverByName("GPKG").CreateDataSource(fac)
out = dst.CreateLayer("health", lyr.GetSpatialRef(), ogr.wkbPoint)
for i in range(lyr.GetLayerDefn().GetFieldCount()):
    out.CreateField(lyr.GetLayerDefn().GetFieldDefn(i))
out.CreateField(ogr.FieldDefn("doctors", ogr.OFTReal))
for k, f in enumerate(lyr):
    g = ogr.Feature(out.GetLayerDefn())
    g.SetFrom(f)
    g.SetField("doctors", float(k % 5 + 1))
    out.CreateFeature(g)
    g = None
out = dst = None
src = None

crs = "EPSG:32630"
failed = False
for service, profile, decay in (("ambulance", "drive", "gaussian"), ("community-station", "walk", "step")):
    net = os.path.join(work, f"net-{profile}.gpkg")
    gpkg = os.path.join(work, f"access-{service}.gpkg")
    js = os.path.join(work, f"access-{service}.json")
    subprocess.run([hr, "network", "--roads", roads, "--profile", profile, "--crs", crs, "--out", net, "--quiet"], check=True)
    with open(js, "w") as f:
        subprocess.run([hr, "access", "--roads", roads, "--population", pop, "--facilities", fac, "--all-facilities",
                        "--service", service, "--crs", crs, "--supply-field", "doctors", "--decay", decay, "--out", gpkg,
                        "--json", "--quiet"], check=True, stdout=f)
    r = subprocess.run(["/usr/bin/python3", peer, net, gpkg, js, "--snap-limit", "1000"])
    print(f"{service} ({profile}, {decay}): {'agrees' if r.returncode == 0 else 'DIFFERS'}", flush=True)
    failed |= r.returncode != 0
sys.exit(1 if failed else 0)
