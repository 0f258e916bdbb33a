#!/usr/bin/python3
"""An independent 2SFCA: the accessibility scores of `healthreach access`, recomputed from the graph
that `healthreach network` exports and the demand and facility points of the access GeoPackage.

Snapping (nearest segment of the edges' geometry; ties to the lower vertex), costs along partial
edges, the off-network leg and the service's direction are re-implemented here; shortest paths are
SciPy's Dijkstra from one virtual start per facility. Only each point's limit (the `limit` field of
the demand layer, i.e. healthreach's urban/rural class) is taken from healthreach.

Usage: access_peer.py NETWORK.gpkg ACCESS.gpkg ACCESS.json --snap-limit M [--leg-speed-kmh K]
Prints the worst relative difference of scores and ratios; exit 1 when one exceeds 1e-9.
"""
import argparse
import json
import math
import sys

import numpy as np
from osgeo import ogr
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

TOLERANCE = 1e-9


def read_edges(path):
    ds = ogr.Open(path)
    lyr = ds.GetLayerByName("edges")
    edges = []
    for f in lyr:
        g = f.GetGeometryRef()
        pts = [(g.GetX(i), g.GetY(i)) for i in range(g.GetPointCount())]
        edges.append((f.GetField("edge_id"), f.GetField("source"), f.GetField("target"), f.GetField("length_m"),
                      f.GetField("time_s"), f.GetField("reverse_time_s"), pts))
    edges.sort(key=lambda e: e[0])
    assert [e[0] for e in edges] == list(range(len(edges))), "edge ids are not 0..n-1"
    return edges


def read_points(path, layer, fields):
    ds = ogr.Open(path)
    lyr = ds.GetLayerByName(layer)
    out = {k: [] for k in ["x", "y"] + fields}
    for f in lyr:
        g = f.GetGeometryRef()
        out["x"].append(g.GetX())
        out["y"].append(g.GetY())
        for k in fields:
            out[k].append(f.GetField(k) if f.IsFieldSetAndNotNull(k) else None)
    return out


class Snapper:
    """Nearest point on any segment, by brute force over the segments near the point."""

    def __init__(self, edges, cell=500.0):
        ax, ay, bx, by, edge, before = [], [], [], [], [], []
        for e, (_, _, _, _, _, _, pts) in enumerate(edges):
            run = 0.0
            for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
                ax.append(x0); ay.append(y0); bx.append(x1); by.append(y1); edge.append(e); before.append(run)
                run += math.hypot(x1 - x0, y1 - y0)
        self.ax, self.ay, self.bx, self.by = map(np.array, (ax, ay, bx, by))
        self.edge, self.before = np.array(edge), np.array(before)
        self.cell = cell
        # Segments by the grid cells their bounding boxes touch.
        self.grid = {}
        c0 = np.floor(np.minimum(self.ax, self.bx) / cell).astype(int)
        c1 = np.floor(np.maximum(self.ax, self.bx) / cell).astype(int)
        r0 = np.floor(np.minimum(self.ay, self.by) / cell).astype(int)
        r1 = np.floor(np.maximum(self.ay, self.by) / cell).astype(int)
        for s in range(len(edge)):
            for c in range(c0[s], c1[s] + 1):
                for r in range(r0[s], r1[s] + 1):
                    self.grid.setdefault((c, r), []).append(s)

    def nearest(self, x, y, limit):
        """(edge, offset along it, distance), or None beyond `limit`."""
        k = int(math.ceil(limit / self.cell))
        c, r = int(math.floor(x / self.cell)), int(math.floor(y / self.cell))
        cand = set()
        for dc in range(-k, k + 1):
            for dr in range(-k, k + 1):
                cand.update(self.grid.get((c + dc, r + dr), ()))
        if not cand:
            return None
        s = np.array(sorted(cand))  # lower segment index first: ties go to it
        ax, ay = self.ax[s], self.ay[s]
        dx, dy = self.bx[s] - ax, self.by[s] - ay
        len2 = dx * dx + dy * dy
        with np.errstate(invalid="ignore", divide="ignore"):
            t = np.where(len2 > 0, ((x - ax) * dx + (y - ay) * dy) / len2, 0.0)
        t = np.clip(t, 0.0, 1.0)
        qx, qy = ax + t * dx, ay + t * dy
        d2 = (x - qx) * (x - qx) + (y - qy) * (y - qy)
        i = int(np.argmin(d2))
        dist = math.sqrt(d2[i])
        if dist > limit:
            return None
        seg = s[i]
        offset = self.before[seg] + t[i] * math.hypot(dx[i], dy[i])
        return int(self.edge[seg]), offset, dist


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("network")
    ap.add_argument("access")
    ap.add_argument("json")
    ap.add_argument("--snap-limit", type=float, default=1000)
    ap.add_argument("--leg-speed-kmh", type=float, default=5)
    args = ap.parse_args()
    doc = json.load(open(args.json))
    by_time = doc["metric"] == "time"
    to_facility = doc["direction"] == "to-facility"
    gaussian = doc["access"]["decay"] == "gaussian"
    leg_speed = args.leg_speed_kmh / 3.6

    edges = read_edges(args.network)
    n_nodes = 1 + max(max(e[1], e[2]) for e in edges)
    length = np.array([e[3] for e in edges])
    fwd = np.array([e[4] for e in edges]) if by_time else length.copy()
    rev_open = np.array([e[5] >= 0 for e in edges])
    rev = np.where(rev_open, np.array([e[5] for e in edges]) if by_time else length, np.inf)

    def partial(e, a, b):
        """Cost of travelling along edge e from offset a to offset b (inf where closed that way)."""
        d = abs(b - a)
        if b >= a:
            return d if not by_time else (fwd[e] * d / length[e] if length[e] > 0 else 0.0)
        if not rev_open[e]:
            return math.inf
        return d if not by_time else (rev[e] * d / length[e] if length[e] > 0 else 0.0)

    def toward_people(e, facility_offset, people_offset):
        # from-facility: the facility's side travels to the people; to-facility: the reverse.
        if to_facility:
            return partial(e, people_offset, facility_offset)
        return partial(e, facility_offset, people_offset)

    snap = Snapper(edges)
    dem = read_points(args.access, "demand", ["pop", "limit", "access"])
    fac = read_points(args.access, "facilities", ["id", "supply", "ratio", "on_network"])
    n_dem, n_fac = len(dem["x"]), len(fac["x"])

    def snap_all(pts):
        return [snap.nearest(x, y, args.snap_limit) for x, y in zip(pts["x"], pts["y"])]

    dsnap, fsnap = snap_all(dem), snap_all(fac)
    for j in range(n_fac):
        assert (fsnap[j] is not None) == bool(fac["on_network"][j]), f"facility {fac['id'][j]}: snapping differs"

    # Arcs in the search's direction: from a facility to the people (or, to_facility, the graph
    # reversed), parallel arcs reduced to the cheapest, zero costs kept as a tiny positive (SciPy
    # reads an explicit zero of a sparse matrix as no arc).
    arcs = {}

    def arc(u, v, c):
        if math.isfinite(c) and c < arcs.get((u, v), math.inf):
            arcs[(u, v)] = c

    for e, (_, s, t, _, _, _, _) in enumerate(edges):
        if to_facility:
            arc(t, s, fwd[e])
            if rev_open[e]:
                arc(s, t, rev[e])
        else:
            arc(s, t, fwd[e])
            if rev_open[e]:
                arc(t, s, rev[e])
    sites = [j for j in range(n_fac) if fsnap[j] is not None]
    for k, j in enumerate(sites):
        e, off, _ = fsnap[j]
        s, t = edges[e][1], edges[e][2]
        arc(n_nodes + k, t, toward_people(e, off, length[e]))
        arc(n_nodes + k, s, toward_people(e, off, 0.0))
    keys = list(arcs)
    rows = np.array([u for u, _ in keys])
    cols = np.array([v for _, v in keys])
    vals = np.maximum(np.array([arcs[k] for k in keys]), 1e-300)
    size = n_nodes + len(sites)
    graph = csr_matrix((vals, (rows, cols)), shape=(size, size))

    limit = np.array([math.nan if v is None else v for v in dem["limit"]])
    pop = np.array(dem["pop"], dtype=float)
    on = np.array([s is not None for s in dsnap])
    scored = on & ~np.isnan(limit)
    idx = np.nonzero(scored)[0]
    src = np.array([edges[dsnap[p][0]][1] for p in idx])
    tgt = np.array([edges[dsnap[p][0]][2] for p in idx])
    via_src = np.array([toward_people(dsnap[p][0], 0.0, dsnap[p][1]) for p in idx])
    via_tgt = np.array([toward_people(dsnap[p][0], length[dsnap[p][0]], dsnap[p][1]) for p in idx])
    leg = np.array([dsnap[p][2] / leg_speed if by_time else dsnap[p][2] for p in idx])
    d0 = limit[idx]
    by_edge = {}
    for q, p in enumerate(idx):
        by_edge.setdefault(dsnap[p][0], []).append(q)

    def weight(d, d0):
        if not gaussian:
            return np.ones_like(d)
        return (np.exp(-0.5 * (d / d0) ** 2) - math.exp(-0.5)) / (1 - math.exp(-0.5))

    # Costs from every site to every scored point, in chunks of sites.
    pairs = []  # (site k, point positions q, weights w)
    chunk = 32
    for k0 in range(0, len(sites), chunk):
        ks = list(range(k0, min(k0 + chunk, len(sites))))
        dist = dijkstra(graph, directed=True, indices=[n_nodes + k for k in ks], limit=float(np.nanmax(d0)))
        for r, k in enumerate(ks):
            cost = np.minimum(dist[r, src] + via_src, dist[r, tgt] + via_tgt)
            e, off, _ = fsnap[sites[k]]
            for q in by_edge.get(e, ()):  # people on the facility's own edge, reached along it
                cost[q] = min(cost[q], toward_people(e, off, dsnap[idx[q]][1]))
            cost = cost + leg
            q = np.nonzero(cost <= d0)[0]
            pairs.append((k, q, weight(cost[q], d0[q])))

    supply = np.array([float(v) for v in fac["supply"]])
    ratio = {}
    for k, q, w in pairs:
        wd = float(np.sum(pop[idx[q]] * w))
        ratio[k] = supply[sites[k]] / wd if wd > 0 else math.nan
    score = np.zeros(len(idx))
    for k, q, w in pairs:
        if ratio[k] > 0:
            np.add.at(score, q, ratio[k] * w)
    score *= 1000

    worst, where = 0.0, ""
    def compare(a, b, what):
        nonlocal worst, where
        if a is None or b is None or (isinstance(b, float) and math.isnan(b)):
            ok = (a is None) == (b is None or math.isnan(b))
            if not ok:
                worst, where = math.inf, f"{what}: healthreach {a}, peer {b}"
            return
        rel = abs(a - b) / max(abs(a), abs(b)) if a != b else 0.0
        if rel > worst:
            worst, where = rel, f"{what}: healthreach {a!r}, peer {b!r}"

    peer = [None] * n_dem
    for q, p in enumerate(idx):
        peer[p] = float(score[q])
    for p in range(n_dem):
        compare(dem["access"][p], peer[p], f"demand point {p + 1}")
    for k, j in enumerate(sites):
        compare(fac["ratio"][j], 1000 * ratio[k], f"facility {fac['id'][j]} ratio")
    mean = float(np.sum(pop[idx] * score) / np.sum(pop[idx]))
    compare(doc["access"]["access_mean"], mean, "region mean")
    n_pairs = sum(len(q) for _, q, _ in pairs)
    print(f"peer: {len(idx)} scored points of {n_dem}, {len(sites)} facilities on the network, {n_pairs} pairs within limits; "
          f"worst relative difference {worst:.3g} ({where or 'none'})")
    return 0 if worst <= TOLERANCE else 1


if __name__ == "__main__":
    sys.exit(main())
