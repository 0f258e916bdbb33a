#!/usr/bin/python3
"""Draws an access raster (`healthreach access --access-raster`) for review by eye: the score in classes
relative to the region's mean (0 dark grey; below it red, above it blue), facilities as circles sized
by their supply. Not part of the test suite.

Usage: /usr/bin/python3 access_render.py ACCESS.tif ACCESS.gpkg ACCESS.json OUT.png [TITLE]
"""
import json
import sys

import matplotlib
import numpy as np
from osgeo import gdal, ogr, osr

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.colors import BoundaryNorm, ListedColormap  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

raster, gpkg, summary, out = sys.argv[1:5]
title = sys.argv[5] if len(sys.argv) > 5 else raster
ds = gdal.Open(raster)
a = ds.GetRasterBand(1).ReadAsArray().astype(float)
a[a == ds.GetRasterBand(1).GetNoDataValue()] = np.nan
gt = ds.GetGeoTransform()
mean = json.load(open(summary))["access"]["access_mean"]
shares = [0.25, 0.5, 0.75, 1, 1.5, 2, 4]
edges = [0, 1e-12] + [s * mean for s in shares] + [max(np.nanmax(a), 4 * mean) + 1]
labels = ["0 (no facility)", "< 25 % of the mean", "25-50 %", "50-75 %", "75-100 %", "100-150 %", "150-200 %", "200-400 %",
          "> 400 %"]
colors = ["#444444", "#b2182b", "#ef8a62", "#fddbc7", "#f7f7f7", "#d1e5f0", "#92c5de", "#4393c3", "#2166ac"]
extent = [gt[0], gt[0] + gt[1] * a.shape[1], gt[3] + gt[5] * a.shape[0], gt[3]]
fig, ax = plt.subplots(figsize=(10, 9), dpi=120)
ax.imshow(a, extent=extent, cmap=ListedColormap(colors), norm=BoundaryNorm(edges, len(colors)), interpolation="nearest")

vec = ogr.Open(gpkg)
layer = vec.GetLayerByName("facilities")
to_raster = osr.CoordinateTransformation(layer.GetSpatialRef(), ds.GetSpatialRef() or layer.GetSpatialRef())
for srs in (layer.GetSpatialRef(), ds.GetSpatialRef()):
    if srs:
        srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
to_raster = osr.CoordinateTransformation(layer.GetSpatialRef(), ds.GetSpatialRef())
xs, ys, sizes = [], [], []
for f in layer:
    g = f.GetGeometryRef().Clone()
    g.Transform(to_raster)
    xs.append(g.GetX())
    ys.append(g.GetY())
    sizes.append(4 * (f.GetField("supply") or 0) + 2)
dots = ax.scatter(xs, ys, s=sizes, facecolors="none", edgecolors="k", linewidths=0.5, label="facility (size: supply)")
ax.set_xlim(extent[0], extent[1])
ax.set_ylim(extent[2], extent[3])
ax.legend(handles=[Patch(color=c, label=l) for c, l in zip(colors, labels)] + [dots], loc="lower right", fontsize=8,
          title=f"score against the region's mean ({mean:.3g} per 1,000)")
ax.set_title(title)
fig.savefig(out, bbox_inches="tight")
