"""Renders QGIS projects to PNG as a user sees them on opening (the ticked layers, the project's
study area), for review beside the map and the report (bench/real-inputs.sh).

Usage: /usr/bin/python3 render_project.py PROJECT.qgz OUT.png [PROJECT.qgz OUT.png ...]
"""
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from qgis.core import QgsApplication, QgsMapRendererParallelJob, QgsMapSettings, QgsProject  # noqa: E402
from qgis.PyQt.QtCore import QSize  # noqa: E402
from qgis.PyQt.QtGui import QColor  # noqa: E402

app = QgsApplication([], False)
app.initQgis()
args = sys.argv[1:]
for project_path, png in zip(args[0::2], args[1::2]):
    project = QgsProject.instance()
    project.clear()
    if not project.read(project_path):
        print(f"{project_path}: does not load", file=sys.stderr)
        continue
    root = project.layerTreeRoot()
    ticked = [l for l in root.layerOrder() if root.findLayer(l.id()).isVisible()]
    settings = QgsMapSettings()
    settings.setLayers(ticked)
    settings.setDestinationCrs(project.crs())
    # The project's saved view (the study area), as QGIS opens it.
    settings.setExtent(project.viewSettings().defaultViewExtent() if not project.viewSettings().defaultViewExtent().isEmpty()
                       else ticked[-1].extent())
    settings.setOutputSize(QSize(1200, 900))
    settings.setBackgroundColor(QColor(255, 255, 255))
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    job.renderedImage().save(png)
    print(f"{png}: {len(ticked)} layers drawn")
sys.stdout.flush()
os._exit(0)  # QGIS may crash tearing down Python-held layers
