"""Opens healthreach outputs in QGIS itself (headless): every layer valid with the expected feature
count and its default style applied, the project loads, and a render of it is not blank.

Usage: /usr/bin/python3 qgis_check.py HEALTHREACH SAMPLE_DIR SCRATCH_DIR
Exit 0: all checks passed; 1: a check failed; 77: QGIS is not installed (outside CI only).
"""
import json
import os
import sqlite3
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checklist import check, failures, missing_tool  # noqa: E402

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
exe, sample, scratch = sys.argv[1:4]
os.makedirs(scratch, exist_ok=True)

try:
    from qgis.core import (QgsApplication, QgsExpression, QgsFeatureRequest, QgsMapRendererParallelJob, QgsMapSettings,
                           QgsProject, QgsRasterLayer, QgsVectorLayer)
    from qgis.PyQt.QtCore import QSize
    from qgis.PyQt.QtGui import QColor
except ImportError as e:
    missing_tool(f"python3-qgis ({e})")

def run(args):
    return json.loads(subprocess.run([exe] + args + ["--quiet", "--json"], check=True, capture_output=True).stdout)


inputs = ["--roads", f"{sample}/roads.gpkg", "--population", f"{sample}/population.tif",
          "--facilities", f"{sample}/facilities.gpkg", "--admin", f"{sample}/admin.gpkg", "--service", "ambulance"]
summaries = {
    # A second run whose graph comes from the cache (which names no road layer) writes the project.
    "coverage": [run(["coverage"] + inputs + ["--out", f"{scratch}/warm.gpkg", "--graph-cache", f"{scratch}/graph.cache"]),
                 run(["coverage"] + inputs + ["--out", f"{scratch}/coverage.gpkg", "--qgis-project", f"{scratch}/coverage.qgz",
                                              "--travel-raster", f"{scratch}/coverage-cost.tif",
                                              "--graph-cache", f"{scratch}/graph.cache"])][1],
    "optimize": run(["optimize"] + inputs + ["--rural-limit", "10000", "--candidate-spacing", "2000", "--objective", "max-cover",
                                             "--sites", "3", "--out", f"{scratch}/optimize.gpkg",
                                             "--qgis-project", f"{scratch}/optimize.qgz"])}

# Renderer each layer's default style must give.
expected_renderer = {"demand": "RuleRenderer", "facilities": "singleSymbol", "service_areas": "singleSymbol",
                     "uncovered": "singleSymbol", "proposed_sites": "singleSymbol"}

app = QgsApplication([], False)
app.initQgis()
for name in ("coverage", "optimize"):
    gpkg = f"{scratch}/{name}.gpkg"
    db = sqlite3.connect(gpkg)
    spatial = [r[0] for r in db.execute("SELECT table_name FROM gpkg_contents WHERE data_type = 'features'")]
    counts = {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in spatial}
    db.close()
    check(set(expected_renderer) - {"proposed_sites"} <= set(spatial), f"{name}: layers {sorted(spatial)}")
    for table in spatial:
        layer = QgsVectorLayer(f"{gpkg}|layername={table}", table, "ogr")
        check(layer.isValid(), f"{name}/{table}: valid")
        check(layer.featureCount() == counts[table], f"{name}/{table}: {layer.featureCount()} features (file: {counts[table]})")
        stored = layer.listStylesInDatabase()[0]
        check(stored >= 1, f"{name}/{table}: default style stored ({stored})")
        renderer = layer.renderer().type() if layer.renderer() else None
        want = expected_renderer.get(table)
        check(want is None or renderer == want, f"{name}/{table}: renderer {renderer} (default style: {want})")
        if table == "demand":
            # The style's rules give each person the status the JSON counts (and the map draws).
            summary, people, rest = summaries[name], {}, None
            for rule in layer.renderer().rootRule().children():
                if rule.isElse():
                    rest = rule.label()
                    continue
                request = QgsFeatureRequest(QgsExpression(rule.filterExpression()))
                people[rule.label()] = sum(f["pop"] for f in layer.getFeatures(request))
            total = sum(f["pop"] for f in layer.getFeatures())
            people[rest] = total - sum(people.values())
            # optimize's demand layer is the state before its sites (the JSON's population_covered_existing).
            keys = ((("covered", "population_covered"), ("uncovered", "population_uncovered"),
                     ("off the road network", "population_off_network"), ("no limit in the plans (n/a)", "population_not_applicable"))
                    if name == "coverage" else (("covered", "population_covered_existing"),))
            for label, key in keys:
                check(abs(people.get(label, -1) - summary[key]) < 0.5,
                      f"{name}/demand: the '{label}' rule holds {people.get(label)} people (JSON {key}: {summary[key]})")
        if table == "newly_covered":
            gained = sum(f["pop"] for f in layer.getFeatures())
            want = summaries[name]["population_covered"] - summaries[name]["population_covered_existing"]
            check(abs(gained - want) < 0.5, f"{name}/newly_covered: {gained} people (JSON covered - covered_existing: {want})")
        if table == "uncovered":
            colour = layer.renderer().symbol().color()
            check(colour.red() > 200 and colour.green() < 60, f"{name}/uncovered: drawn in red ({colour.name()})")

    project = QgsProject.instance()
    project.clear()
    check(project.read(f"{scratch}/{name}.qgz"), f"{name}.qgz: project loads")
    layers = list(project.mapLayers().values())
    extra = 3 if name == "coverage" else 2
    check(len(layers) == len(spatial) + extra,
          f"{name}.qgz: {len(layers)} layers (outputs + admin borders + roads{' + travel raster' if extra == 3 else ''})")
    by_name = {l.name(): l for l in layers}
    roads = [l for l in layers if "roads.gpkg" in l.source()]
    check(len(roads) == 1 and roads[0].featureCount() > 100 and roads[0].renderer().type() == "RuleRenderer",
          f"{name}.qgz: the roads under the results, by class")
    if name == "coverage":
        raster = [l for l in layers if isinstance(l, QgsRasterLayer)]
        check(len(raster) == 1 and raster[0].isValid() and raster[0].renderer().type() == "singlebandpseudocolor",
              f"{name}.qgz: the travel raster in cost bands")
    check(all(l.isValid() for l in layers), f"{name}.qgz: every layer valid")
    check(project.crs().authid() == "EPSG:32649", f"{name}.qgz: project CRS {project.crs().authid()}")
    order = [l.name() for l in project.layerTreeRoot().layerOrder()]
    check(order.index("facilities") < order.index("uncovered"), f"{name}.qgz: points above areas ({order})")

    settings = QgsMapSettings()
    # What the user sees on opening the project: the ticked layers.
    settings.setLayers([l for l in project.layerTreeRoot().layerOrder() if project.layerTreeRoot().findLayer(l.id()).isVisible()])
    settings.setDestinationCrs(project.crs())
    extent = by_name["demand"].extent()
    settings.setExtent(extent)
    settings.setOutputSize(QSize(800, 600))
    settings.setBackgroundColor(QColor(255, 255, 255))
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    image = job.renderedImage()
    image.save(f"{scratch}/{name}.png")
    inked, colours = 0, set()
    for y in range(0, image.height(), 4):
        for x in range(0, image.width(), 4):
            c = image.pixel(x, y) & 0xFFFFFF
            colours.add(c)
            inked += c != 0xFFFFFF
    share = inked / ((image.height() // 4) * (image.width() // 4))
    check(share > 0.05 and len(colours) > 5, f"{name}.qgz: render not blank ({share:.0%} inked, {len(colours)} colours)")

print(f"{len(failures)} checks failed" if failures else "all QGIS checks passed")
sys.stdout.flush()
os._exit(1 if failures else 0)  # QGIS may crash tearing down Python-held layers (PITFALLS.md)
