#!/usr/bin/python3
"""Tile an OSM extract into a province-sized PBF, for measuring how the road reader scales.

    bench/tile_pbf.py IN.osm.pbf OUT.osm.pbf NX NY

Writes NX x NY copies of IN side by side (each shifted by the extract's width/height in degrees,
ids offset per copy so none collide), nodes first, then ways, then relations, each sorted by id as
readers of OSM files expect. Needs python3-pyosmium (Debian) under /usr/bin/python3.
"""
import sys

import osmium


def extent(path):
    box = osmium.io.Reader(path, osmium.osm.osm_entity_bits.NOTHING).header().box()
    return box.bottom_left.lon, box.bottom_left.lat, box.top_right.lon, box.top_right.lat


class MaxIds(osmium.SimpleHandler):
    def __init__(self):
        super().__init__()
        self.max = {"n": 0, "w": 0, "r": 0}

    def node(self, n):  # noqa: E0202 (pyosmium dispatches by method name)
        self.max["n"] = max(self.max["n"], n.id)

    def way(self, w):  # noqa: E0202
        self.max["w"] = max(self.max["w"], w.id)

    def relation(self, r):  # noqa: E0202
        self.max["r"] = max(self.max["r"], r.id)


class Shifted(osmium.SimpleHandler):
    """Copies one kind of object of the input, shifted by (dx, dy) degrees and by an id offset."""

    def __init__(self, writer, kind, dx, dy, offsets):
        super().__init__()
        self.writer, self.kind, self.dx, self.dy, self.off = writer, kind, dx, dy, offsets

    def node(self, n):  # noqa: E0202
        if self.kind != "n" or not n.location.valid():
            return
        self.writer.add_node(n.replace(id=n.id + self.off["n"],
                                       location=osmium.osm.Location(n.location.lon + self.dx,
                                                                    n.location.lat + self.dy)))

    def way(self, w):  # noqa: E0202
        if self.kind != "w":
            return
        self.writer.add_way(w.replace(id=w.id + self.off["w"], nodes=[r.ref + self.off["n"] for r in w.nodes]))

    def relation(self, r):  # noqa: E0202
        if self.kind != "r":
            return
        members = [(m.type, m.ref + self.off[m.type], m.role) for m in r.members if m.type in self.off]
        self.writer.add_relation(r.replace(id=r.id + self.off["r"], members=members))


def main():
    src, out, nx, ny = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    west, south, east, north = extent(src)
    ids = MaxIds()
    ids.apply_file(src)
    step = {key: value + 1 for key, value in ids.max.items()}
    writer = osmium.SimpleWriter(out)
    try:
        for kind in ("n", "w", "r"):
            for j in range(ny):
                for i in range(nx):
                    k = j * nx + i
                    offsets = {key: k * value for key, value in step.items()}
                    Shifted(writer, kind, i * (east - west), j * (north - south), offsets).apply_file(src)
    finally:
        writer.close()


if __name__ == "__main__":
    main()
