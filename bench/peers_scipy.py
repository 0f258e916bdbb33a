"""scipy's C Dijkstra (scipy.sparse.csgraph.dijkstra with limit=) from the sources of
healthreach_peers_bench, one thread, timed in CPU time (user + sys) on its compute phase (graph built
first, not timed); every source's reach must equal healthreach's: the same row count and the same
order-free hash of its (node, cost bits) rows, as the bench wrote them, else exit 1.
Usage: /usr/bin/python3 bench/peers_scipy.py GRAPH.gpkg SOURCES LIMIT REPEATS HASHES"""
import sqlite3
import sys
import time

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

graph, count, limit, repeats, hashes = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
db = sqlite3.connect(graph)  # a GeoPackage is an SQLite file
n = db.execute("SELECT COUNT(*) FROM nodes").fetchone()[0]
edges = np.array(db.execute("SELECT source, target, length_m, reverse_time_s FROM edges").fetchall(), dtype=np.float64)
back = edges[:, 3] >= 0
tail = np.concatenate([edges[:, 0], edges[back, 1]]).astype(np.int64)
head = np.concatenate([edges[:, 1], edges[back, 0]]).astype(np.int64)
weight = np.concatenate([edges[:, 2], edges[back, 2]])
# A sparse matrix sums parallel arcs: keep the shortest of each instead.
order = np.lexsort((weight, head, tail))
tail, head, weight = tail[order], head[order], weight[order]
first = np.ones(len(tail), dtype=bool)
first[1:] = (tail[1:] != tail[:-1]) | (head[1:] != head[:-1])
g = csr_matrix((weight[first], (tail[first], head[first])), shape=(n, n))

sources = np.array([k * (n // count) for k in range(count)], dtype=np.int64)
expected = [tuple(int(x) for x in line.split()) for line in open(hashes)]
assert [e[0] for e in expected] == list(sources), "the bench's sources differ"

MASK = np.uint64(0xFFFFFFFFFFFFFFFF)


def row_hash(nodes, costs):  # the bench's splitmix64 sum, in wrapping uint64 arithmetic
    with np.errstate(over="ignore"):
        x = costs.view(np.uint64) + nodes.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
        x ^= x >> np.uint64(30)
        x *= np.uint64(0xBF58476D1CE4E5B9)
        x ^= x >> np.uint64(27)
        x *= np.uint64(0x94D049BB133111EB)
        x ^= x >> np.uint64(31)
        return int(x.sum(dtype=np.uint64) & MASK)


block = 100  # a dense row of every node per source: blocks keep that in memory
times, walls, bad = [], [], 0
for rep in range(repeats):
    cpu, wall = 0.0, 0.0
    for b in range(0, count, block):
        part = sources[b:b + block]
        c0, w0 = time.process_time(), time.perf_counter()
        dist = dijkstra(g, directed=True, indices=part, limit=limit)
        cpu += time.process_time() - c0
        wall += time.perf_counter() - w0
        if rep > 0:
            continue
        for k in range(len(part)):
            reached = np.flatnonzero(np.isfinite(dist[k]))
            got = (int(part[k]), len(reached), row_hash(reached, np.ascontiguousarray(dist[k][reached])))
            if got != expected[b + k]:
                bad += 1
                if bad <= 5:
                    print(f"source {part[k]}: scipy {got[1]} rows, healthreach {expected[b + k][1]}, not the same", file=sys.stderr)
    times.append(cpu)
    walls.append(wall)
print(f"{'scipy.sparse.csgraph.dijkstra':45s} cpu_s median {sorted(times)[len(times) // 2]:.4f} min {min(times):.4f}; "
      f"wall_s median {sorted(walls)[len(walls) // 2]:.4f}; same reach: {'yes' if bad == 0 else f'NO ({bad} sources differ)'}")
sys.exit(0 if bad == 0 else 1)
