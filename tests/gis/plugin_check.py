"""The QGIS plugin (qgis-plugin/healthreach) in headless QGIS: the provider loads from the repository,
its algorithms give the CLI's numbers on the sample region, load their outputs with their default
styles, take the inputs QGIS users have, stop cleanly when cancelled and fail with the CLI's message.

Usage: /usr/bin/python3 plugin_check.py HEALTHREACH SAMPLE_DIR SCRATCH_DIR PLUGIN_PARENT_DIR
Exit 0: all checks passed; 1: a check failed; 77: QGIS is not installed (outside CI only).
"""
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checklist import check, failures, missing_tool  # noqa: E402

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["GDAL_PAM_ENABLED"] = "NO"  # QGIS would write statistics beside the sample raster (.aux.xml)
exe, sample, scratch, plugin_parent = (os.path.abspath(a) for a in sys.argv[1:5])
shutil.rmtree(scratch, ignore_errors=True)
os.makedirs(scratch)

try:
    from qgis.core import (Qgis, QgsApplication, QgsFeatureRequest, QgsMapRendererParallelJob, QgsMapSettings,
                           QgsProcessingException, QgsProcessingFeatureSourceDefinition, QgsProcessingFeedback,
                           QgsProject, QgsRasterLayer, QgsVectorLayer)
    from qgis.PyQt.QtCore import QSize
    from qgis.PyQt.QtGui import QColor
except ImportError as e:
    missing_tool(f"python3-qgis ({e})")

app = QgsApplication([], False)
app.initQgis()
check(Qgis.QGIS_VERSION_INT >= 32200, f"QGIS {Qgis.QGIS_VERSION}")
sys.path.insert(0, "/usr/share/qgis/python/plugins")
import processing  # noqa: E402
from processing.core.Processing import Processing  # noqa: E402
from processing.core.ProcessingConfig import ProcessingConfig  # noqa: E402

Processing.initialize()
sys.dont_write_bytecode = True  # no __pycache__ in the repository
# Loaded as QGIS loads plugins (qgis_process the same way): found in a plugin folder by its
# metadata.txt, imported, started through classFactory and initProcessing.
import qgis.utils  # noqa: E402

qgis.utils.plugin_paths.insert(0, plugin_parent)
sys.path.insert(0, plugin_parent)
qgis.utils.updateAvailablePlugins()
metadata = {k: qgis.utils.pluginMetadata("healthreach", k) for k in ("qgisMinimumVersion", "hasProcessingProvider")}
check("healthreach" in qgis.utils.available_plugins and metadata == {"qgisMinimumVersion": "3.22",
                                                                       "hasProcessingProvider": "yes"},
      f"plugin found in {plugin_parent}: {metadata}")
check(qgis.utils.loadPlugin("healthreach") and qgis.utils.startProcessingPlugin("healthreach"), "plugin started")
from healthreach import options  # noqa: E402


def use_executable(path):
    """Sets the provider's setting for this process only (setSettingValue would save it in the user's
    QGIS settings)."""
    ProcessingConfig.settings["HEALTHREACH_EXECUTABLE"].value = path


use_executable(exe)
registry = QgsApplication.processingRegistry()
registry.providerById("healthreach").refreshAlgorithms()  # as the settings dialog does after a change
ids = sorted(a.id() for a in registry.providerById("healthreach").algorithms())
check(ids == sorted(f"healthreach:{c}" for c in ("coverage", "evaluate", "optimize", "compliance", "network", "access", "audit")),
      f"provider healthreach loaded from {plugin_parent}: {ids}")

# --- the parameters follow the CLI ----------------------------------------------------------------
with open(os.path.join(plugin_parent, "..", "libgeo", "standards", "default.toml"), "rb") as f:
    services = list(tomllib.load(f)["services"])
service_param = registry.algorithmById("healthreach:coverage").parameterDefinition("SERVICE")
check(service_param.options() == services, f"SERVICE lists the built-in services: {service_param.options()}")
for command in options.COMMANDS:
    alg = registry.algorithmById(f"healthreach:{command.name}")
    help_text = subprocess.run([exe, command.name, "--help"], capture_output=True, text=True).stdout
    cli = set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", help_text))
    table = {o.flag for o in command.options}
    unmapped = cli - table - set(options.HANDLED) - options.LAYER_FLAGS
    check(not unmapped, f"{command.name}: every option of the CLI is a parameter or handled (not: {sorted(unmapped)})")
    params = {p.name(): p for p in alg.parameterDefinitions()}
    offered = {o.flag: o.name for o in command.options if o.name in params}
    check(set(offered) == table & cli and set(offered.values()) | {"OUTPUT"} == set(params),
          f"{command.name}: parameters named after the options, those of this executable only "
          f"(not offered: {sorted(table - cli)})")
    layer_flags = {o.layer_flag for o in command.options if o.layer_flag}
    check(layer_flags == cli & options.LAYER_FLAGS, f"{command.name}: layer options given by the plugin")
    flat = " ".join(help_text.split())
    wrong = [n for n, p in params.items() if n != "OUTPUT" and (not p.help() or p.help() not in flat)]
    check(not wrong, f"{command.name}: every parameter has the CLI's help text (not: {wrong})")
check(registry.algorithmById("healthreach:optimize").parameterDefinition("SNAP_LIMIT").help()
      == "Largest snap distance in metres (default 1000)", "help text on the line after a long option column")
objective = registry.algorithmById("healthreach:optimize").parameterDefinition("OBJECTIVE").options()
check(" | ".join(objective) in subprocess.run([exe, "optimize", "--help"], capture_output=True, text=True).stdout,
      f"OBJECTIVE lists the CLI's objectives: {objective}")


# The CLI's stderr: a bar of 40 steps, broken by message lines, ended by " - done." or an error.
from healthreach.runner import ProgressParser  # noqa: E402

bar = ProgressParser("coverage")
check(bar.feed("coverage: 0...10") == [] and bar.percent() == 10, "progress: a bar being drawn")
check(bar.feed("..\ngraph cache g: built\n") == ["graph cache g: built"] and bar.percent() == 15,
      "progress: a message breaks the bar's line")
check(bar.feed(".20...30healthreach coverage: error: bad\n") == ["healthreach coverage: error: bad"]
      and bar.percent() == 30, "progress: the bar goes on after a message; an error ends it")
bar = ProgressParser("optimize")
lines = bar.feed("optimize: 0...10...20...30...40...50...60...70...80...90...100 - done.\noptimize: 5 new sites\n")
check(lines == ["optimize: 5 new sites"] and bar.percent() == 100, "progress: done; later lines are messages")
bar = ProgressParser(None)
check(bar.feed("compliance: 70 rows\n") == ["compliance: 70 rows"] and bar.percent() == 0,
      "progress: a command without a bar")

# The zip for "Install from ZIP": the plugin, the standards file, the project's version.
repo = os.path.dirname(plugin_parent)
subprocess.run(["bash", f"{repo}/scripts/plugin-zip.sh", f"{scratch}/plugin.zip"], check=True, capture_output=True)
import zipfile  # noqa: E402
with zipfile.ZipFile(f"{scratch}/plugin.zip") as z:
    names = set(z.namelist())
    metadata = z.read("healthreach/metadata.txt").decode()
    zipped_services = list(tomllib.loads(z.read("healthreach/default.toml").decode())["services"])
with open(f"{repo}/CMakeLists.txt") as f:
    version = re.search(r"project\(healthreach VERSION ([0-9.]+)", f.read()).group(1)
check({"healthreach/__init__.py", "healthreach/provider.py", "healthreach/icon.svg"} <= names
      and not any("__pycache__" in n for n in names) and f"version={version}" in metadata
      and zipped_services == services, f"plugin zip: the plugin, its standards, version {version}")

# --- helpers --------------------------------------------------------------------------------------
class Recorder(QgsProcessingFeedback):
    """Keeps the log; can cancel at the first progress."""

    def __init__(self, cancel_at_progress=False):
        super().__init__()
        self.log, self.progress_seen = [], []
        if cancel_at_progress:
            self.progressChanged.connect(self.cancel_now)

    def cancel_now(self, value):
        self.progress_seen.append(value)
        if value > 0 and not self.isCanceled():
            self.log.append(f"cancel at {value}%")
            self.cancel()

    def pushInfo(self, text):
        self.log.append(text)

    def pushCommandInfo(self, text):
        self.log.append(text)

    def pushWarning(self, text):
        self.log.append(text)

    def reportError(self, text, fatalError=False):
        self.log.append(text)


def run(alg, params, feedback=None, load=False):
    """(results, None, feedback) or (None, the QgsProcessingException's message, feedback)."""
    feedback = feedback or Recorder()
    try:
        runner = processing.runAndLoadResults if load else processing.run
        return runner(f"healthreach:{alg}", params, feedback=feedback), None, feedback
    except QgsProcessingException as e:
        return None, str(e), feedback


def cli(command, args):
    out = subprocess.run([exe, command] + args + ["--json", "--quiet"], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"healthreach {command} {' '.join(args)}: {out.stderr}")
    return json.loads(out.stdout)


def ogr2ogr(*args):
    subprocess.run(["ogr2ogr"] + list(args), check=True, capture_output=True)


S = sample
inputs = {"ROADS": f"{S}/roads.gpkg", "POPULATION": f"{S}/population.tif", "FACILITIES": f"{S}/facilities.gpkg",
          "ADMIN": f"{S}/admin.gpkg", "SERVICE": "ambulance"}
cli_inputs = ["--roads", f"{S}/roads.gpkg", "--population", f"{S}/population.tif", "--facilities",
              f"{S}/facilities.gpkg", "--admin", f"{S}/admin.gpkg", "--service", "ambulance"]
NUMBERS = ("population_total", "population_covered", "coverage_ratio")


def same_numbers(results, reference, keys, what):
    got = {k: results.get(options.result_name(k)) if results else None for k in keys}
    want = {}
    for k in keys:
        value = reference
        for part in k.split("."):
            value = value[part]
        want[k] = value
    check(got == want, f"{what}: {got} (CLI: {want})")


def without_paths(doc):
    doc = {k: v for k, v in doc.items() if k not in ("provenance", "inputs")}
    if "scenario" in doc:
        doc["scenario"] = {k: v for k, v in doc["scenario"].items() if k != "layer"}
    return doc


def command_line(feedback):
    return next((line for line in feedback.log if line.startswith(exe + " ")), "")


# --- coverage: the CLI's numbers, layers loaded with their default styles, rendered ---------------
reference = cli("coverage", cli_inputs + ["--out", f"{scratch}/cli-coverage.gpkg"])
QgsProject.instance().clear()
res, err, fb = run("coverage", {**inputs, "OUTPUT": f"{scratch}/coverage.gpkg",
                                "TRAVEL_RASTER": f"{scratch}/coverage-cost.tif"}, load=True)
check(err is None, f"coverage runs ({err})")
same_numbers(res, reference, NUMBERS + ("population_uncovered",), "coverage")
with open(res["SUMMARY_JSON"], encoding="utf-8") as f:
    summary = json.load(f)
check(without_paths(summary) == without_paths(reference), "coverage: SUMMARY_JSON is the CLI's --json")
check(command_line(fb).startswith(exe + " coverage "), "coverage: command line in the log")
facilities_line = "features {features}, of_the_service {of_the_service}".format(**reference["inputs"]["facilities"])
check(any(facilities_line in line for line in fb.log), f"coverage: the CLI's messages reach the log ({facilities_line})")
raster = QgsRasterLayer(res["TRAVEL_RASTER"], "cost")
population = QgsRasterLayer(f"{S}/population.tif", "population")
check(raster.isValid() and (raster.width(), raster.height()) == (population.width(), population.height()),
      f"coverage: TRAVEL_RASTER on the population grid ({raster.width()} x {raster.height()})")

def default_style_applied(layer):
    """The layer draws as its default style (layer_styles) says: as the same layer opened by QGIS with
    its default style, unlike it opened without (QGIS then draws one random colour)."""
    uri = layer.source()
    styled = QgsVectorLayer(uri, "styled", "ogr")
    plain_options = QgsVectorLayer.LayerOptions()
    plain_options.loadDefaultStyle = False
    plain = QgsVectorLayer(uri, "plain", "ogr", plain_options)
    return (layer.listStylesInDatabase()[0] >= 1
            and layer.renderer().dump() == styled.renderer().dump() != plain.renderer().dump())


STYLED = {"demand", "facilities", "service_areas", "uncovered"}
project = QgsProject.instance()
loaded = {layer.name(): layer for layer in project.mapLayers().values() if isinstance(layer, QgsVectorLayer)}
check(set(loaded) == {"demand", "facilities", "service_areas", "uncovered", "summary"},
      f"coverage: output layers added to the project ({sorted(loaded)})")
rasters = [layer.source() for layer in project.mapLayers().values() if isinstance(layer, QgsRasterLayer)]
check(rasters == [res["TRAVEL_RASTER"]], f"coverage: the travel raster added to the project ({rasters})")
for name, layer in loaded.items():
    check(layer.isValid(), f"coverage/{name}: valid")
    if name in STYLED:
        check(default_style_applied(layer), f"coverage/{name}: its default style applied ({layer.renderer().type()})")
# What the plugin works around: Processing itself opens a result without its default style.
from qgis.core import QgsProcessingContext, QgsProcessingUtils  # noqa: E402
plain_context = QgsProcessingContext()  # owns the layer it opens
unstyled = QgsProcessingUtils.mapLayerFromString(loaded["demand"].source(), plain_context)
check(unstyled is not None and not default_style_applied(unstyled),
      "Processing would open demand without its default style (the check can fail)")
order = [layer.name() for layer in project.layerTreeRoot().layerOrder()]
check(order.index("facilities") < order.index("demand") < order.index("uncovered") < order.index("service_areas"),
      f"coverage: drawing order of the CLI's project (top first: {order})")

settings = QgsMapSettings()
settings.setLayers([loaded[n] for n in order if n in loaded and n != "summary"])
settings.setDestinationCrs(loaded["demand"].crs())
settings.setExtent(loaded["demand"].extent().buffered(2000))
settings.setOutputSize(QSize(900, 900))
settings.setBackgroundColor(QColor(255, 255, 255))
job = QgsMapRendererParallelJob(settings)
job.start()
job.waitForFinished()
image = job.renderedImage()
image.save(f"{scratch}/coverage-render.png")
colours = {image.pixel(x, y) & 0xFFFFFF for y in range(0, image.height(), 5) for x in range(0, image.width(), 5)}
check(len(colours) > 10, f"coverage: render {scratch}/coverage-render.png not blank ({len(colours)} colours)")

# --- optimize max-cover and compliance: the CLI's numbers ----------------------------------------
opt_args = ["--candidate-spacing", "2000", "--objective", "max-cover", "--sites", "5"]
reference_opt = cli("optimize", cli_inputs + opt_args + ["--out", f"{scratch}/cli-optimize.gpkg"])
res, err, _ = run("optimize", {**inputs, "CANDIDATE_SPACING": 2000, "OBJECTIVE": "max-cover", "SITES": 5,
                               "OUTPUT": f"{scratch}/optimize.gpkg"})
check(err is None, f"optimize runs ({err})")
same_numbers(res, reference_opt, ("population_total", "population_covered", "objective", "bound"), "optimize max-cover")
with open(res["SUMMARY_JSON"], encoding="utf-8") as f:
    check(json.load(f)["selected"] == reference_opt["selected"], "optimize: the CLI's 5 new sites")
sites = QgsVectorLayer(f"{scratch}/optimize.gpkg|layername=proposed_sites", "sites", "ogr")
check(sites.isValid() and sites.featureCount() == 5 and default_style_applied(sites),
      "optimize: proposed_sites valid, 5 sites, default style stored")

comp_inputs = {"POPULATION": f"{S}/population.tif", "FACILITIES": f"{S}/facilities.gpkg", "ADMIN": f"{S}/admin.gpkg",
               "VILLAGES": f"{S}/villages.gpkg"}
reference_comp = cli("compliance", ["--population", f"{S}/population.tif", "--facilities", f"{S}/facilities.gpkg",
                                    "--admin", f"{S}/admin.gpkg", "--villages", f"{S}/villages.gpkg",
                                    "--out", f"{scratch}/cli-compliance.gpkg"])
res, err, _ = run("compliance", {**comp_inputs, "OUTPUT": f"{scratch}/compliance.gpkg"})
check(err is None, f"compliance runs ({err})")
same_numbers(res, reference_comp, ("counts.meets", "counts.short", "counts.cannot-check"), "compliance")
with open(res["SUMMARY_JSON"], encoding="utf-8") as f:
    check(json.load(f) == reference_comp, "compliance: SUMMARY_JSON is the CLI's --json")
units = QgsVectorLayer(f"{scratch}/compliance.gpkg|layername=compliance_units", "units", "ogr")
check(units.isValid() and units.featureCount() > 0 and units.listStylesInDatabase()[0] >= 1,
      f"compliance: compliance_units valid ({units.featureCount()} units), default style stored")

# --- audit: every service and the rules in one run; the CLI's figures, a styled layer per service ---
audit_inputs = {"ROADS": f"{S}/roads.gpkg", "POPULATION": f"{S}/population.tif", "FACILITIES": f"{S}/facilities.gpkg",
                "ADMIN": f"{S}/admin.gpkg", "VILLAGES": f"{S}/villages.gpkg"}
reference_audit = cli("audit", ["--roads", f"{S}/roads.gpkg", "--population", f"{S}/population.tif", "--facilities",
                                f"{S}/facilities.gpkg", "--admin", f"{S}/admin.gpkg", "--villages", f"{S}/villages.gpkg",
                                "--out", f"{scratch}/cli-audit.gpkg"])
res, err, _ = run("audit", {**audit_inputs, "OUTPUT": f"{scratch}/audit.gpkg", "REPORT": f"{scratch}/audit.html"})
check(err is None, f"audit runs ({err})")
same_numbers(res, reference_audit, ("services_assessed", "services_meet", "services_short", "services_not_assessed"), "audit")
with open(res["SUMMARY_JSON"], encoding="utf-8") as f:
    got = json.load(f)
check([s.get("population_covered") for s in got["services"]] == [s.get("population_covered") for s in reference_audit["services"]],
      "audit: each service's covered people are the CLI's")
ambulance = QgsVectorLayer(f"{scratch}/audit.gpkg|layername=coverage_ambulance", "ambulance", "ogr")
check(ambulance.isValid() and ambulance.featureCount() > 0 and default_style_applied(ambulance)
      and os.path.exists(f"{scratch}/audit.html"), "audit: coverage_ambulance valid and styled, report written")

# --- cancel: the process ends, nothing is left ----------------------------------------------------
cancel_dir = f"{scratch}/cancel"
os.makedirs(cancel_dir)
fb = Recorder(cancel_at_progress=True)
res, err, fb = run("coverage", {**inputs, "OUTPUT": f"{cancel_dir}/coverage.gpkg",
                                "TRAVEL_RASTER": f"{cancel_dir}/cost.tif"}, feedback=fb)
check(res is None and err and "Cancelled" in err, f"cancelled coverage fails as cancelled ({err})")
check(any(p > 0 for p in fb.progress_seen) and max(fb.progress_seen) < 100,
      f"cancelled after the progress started, before the end ({fb.progress_seen[:3]}...)")
left = os.listdir(cancel_dir)
check(left == [], f"cancelled run leaves no file ({left})")

# --- inputs QGIS users have -----------------------------------------------------------------------
# A memory layer.
facilities = QgsVectorLayer(f"{S}/facilities.gpkg|layername=facilities", "facilities", "ogr")
memory = facilities.materialize(QgsFeatureRequest())
check(memory.providerType() == "memory" and memory.featureCount() == facilities.featureCount(), "memory layer made")
res, err, fb = run("coverage", {**inputs, "FACILITIES": memory, "OUTPUT": f"{scratch}/memory.gpkg"})
check(err is None, f"memory layer as FACILITIES ({err})")
same_numbers(res, reference, NUMBERS, "memory layer as FACILITIES")
check(any("exported" in line for line in fb.log), "memory layer: exported for the CLI (said in the log)")

# A GeoPackage of several layers: villages (points) first, so that the CLI could not guess.
multi = f"{scratch}/multi.gpkg"
ogr2ogr("-f", "GPKG", multi, f"{S}/villages.gpkg", "-nln", "villages")
ogr2ogr("-update", multi, f"{S}/facilities.gpkg", "-nln", "facilities")
ogr2ogr("-update", multi, f"{S}/admin.gpkg", "counties", "-nln", "counties")
ogr2ogr("-update", multi, f"{S}/roads.gpkg", "-nln", "roads")
res, err, fb = run("coverage", {**inputs, "ROADS": f"{multi}|layername=roads", "FACILITIES": f"{multi}|layername=facilities",
                                "ADMIN": f"{multi}|layername=counties", "OUTPUT": f"{scratch}/multi-out.gpkg"})
check(err is None, f"layers of one GeoPackage by name ({err})")
same_numbers(res, reference, NUMBERS, "layers of one GeoPackage by name")
command = command_line(fb)
check(f"--facilities {multi} --facilities-layer facilities" in command and "--admin-layer counties" in command
      and "exported" not in " ".join(fb.log), "GeoPackage layers passed as file + layer option, not exported")
by_index = QgsVectorLayer(f"{multi}|layerid=1", "by index", "ogr")
res, err, fb = run("coverage", {**inputs, "FACILITIES": by_index, "OUTPUT": f"{scratch}/multi-index.gpkg"})
check(err is None and "--facilities-layer facilities" in command_line(fb), f"a layer opened by index (layerid=1) ({err})")
same_numbers(res, reference, NUMBERS, "a GeoPackage layer opened by index")

# evaluate: candidates from that GeoPackage by layer name; a scenario (an option without a layer
# option) exported alone from it.
reference_eval = cli("evaluate", cli_inputs + ["--candidates", f"{S}/villages.gpkg", "--scenario", f"{S}/facilities.gpkg",
                                               "--out", f"{scratch}/cli-evaluate.gpkg"])
res, err, fb = run("evaluate", {**inputs, "CANDIDATES": f"{multi}|layername=villages",
                                "SCENARIO": f"{multi}|layername=facilities", "OUTPUT": f"{scratch}/evaluate.gpkg"})
check(err is None, f"evaluate runs ({err})")
command = command_line(fb)
check(f"--candidates {multi} --candidates-layer villages" in command and f"--scenario {multi}" not in command
      and any(line.startswith("SCENARIO: layer") and "exported" in line for line in fb.log),
      "evaluate: CANDIDATES passed with its layer option, SCENARIO exported alone")
same_numbers(res, reference_eval, NUMBERS, "evaluate")
with open(res["SUMMARY_JSON"], encoding="utf-8") as f:
    check(without_paths(json.load(f)) == without_paths(reference_eval), "evaluate: SUMMARY_JSON is the CLI's --json")

# A selection, with "selected features only": 3 of the 6 ambulance stations.
project.addMapLayer(facilities)
stations = [f.id() for f in facilities.getFeatures()
            if f["type"] in ("emergency-centre", "ambulance-station")]
check(len(stations) == 6, f"6 ambulance facilities in the sample ({len(stations)})")
facilities.selectByIds(stations[:3])
ogr2ogr(f"{scratch}/three.gpkg", f"{S}/facilities.gpkg", "-where", f"fid IN ({','.join(map(str, stations[:3]))})")
reference_three = cli("coverage", cli_inputs[:4] + ["--facilities", f"{scratch}/three.gpkg"] + cli_inputs[6:]
                      + ["--out", f"{scratch}/cli-three.gpkg"])
res, err, _ = run("coverage", {**inputs, "FACILITIES": QgsProcessingFeatureSourceDefinition(facilities.id(), True),
                               "OUTPUT": f"{scratch}/selected.gpkg"})
check(err is None, f"selected features only ({err})")
same_numbers(res, reference_three, NUMBERS, "selected features only (3 stations)")
with open(res["SUMMARY_JSON"], encoding="utf-8") as f:
    check(json.load(f)["facilities_used"] == 3, "selected features only: 3 facilities used")
check(res["POPULATION_COVERED"] < reference["population_covered"], "3 stations cover fewer people than 6")
res, err, _ = run("coverage", {**inputs, "FACILITIES": QgsProcessingFeatureSourceDefinition(facilities.id(), False),
                               "OUTPUT": f"{scratch}/unselected.gpkg"})
same_numbers(res, reference, NUMBERS, "the same layer, selection not ticked: every facility")

# A shapefile.
ogr2ogr("-f", "ESRI Shapefile", f"{scratch}/facilities.shp", f"{S}/facilities.gpkg")
res, err, fb = run("coverage", {**inputs, "FACILITIES": f"{scratch}/facilities.shp", "OUTPUT": f"{scratch}/shp.gpkg"})
check(err is None and "exported" not in " ".join(fb.log), f"shapefile as FACILITIES, read as it is ({err})")
same_numbers(res, reference, NUMBERS, "shapefile as FACILITIES")

# A population raster in another CRS (Web Mercator), given as a raster layer.
warped = f"{scratch}/population-3857.tif"
subprocess.run(["gdalwarp", "-q", "-t_srs", "EPSG:3857", f"{S}/population.tif", warped], check=True)
warped_layer = QgsRasterLayer(warped, "population 3857")
check(warped_layer.crs().authid() == "EPSG:3857", f"warped raster in {warped_layer.crs().authid()}")
reference_warped = cli("coverage", cli_inputs[:2] + ["--population", warped] + cli_inputs[4:]
                       + ["--out", f"{scratch}/cli-warped.gpkg"])
res, err, _ = run("coverage", {**inputs, "POPULATION": warped_layer, "OUTPUT": f"{scratch}/warped.gpkg"})
check(err is None, f"raster in EPSG:3857 as POPULATION ({err})")
same_numbers(res, reference_warped, NUMBERS, "raster in EPSG:3857")

# --- bad input: the CLI's message, a failed algorithm, no traceback --------------------------------
roads = QgsVectorLayer(f"{S}/roads.gpkg|layername=roads", "roads", "ogr")
for what, params, message in [
        ("a line layer as FACILITIES (file)", {"FACILITIES": f"{S}/roads.gpkg"}, "is a LINESTRING, not a point"),
        ("a line layer as FACILITIES (memory)", {"FACILITIES": roads.materialize(QgsFeatureRequest())},
         "FACILITIES (layer 'roads'): feature 1 is a LINESTRING, not a point"),
        ("a missing field", {"ID_FIELD": "nosuch"}, "no field 'nosuch' (--id-field"),
        ("a missing field", {"ID_FIELD": "nosuch"}, "(--id-field is the parameter ID_FIELD)")]:
    res, err, fb = run("coverage", {**inputs, **params, "OUTPUT": f"{scratch}/bad.gpkg"})
    check(res is None and err is not None and message in err and "Traceback" not in err,
          f"{what}: failed with the CLI's message ({err})")
    check(any(line.startswith("healthreach coverage: error: ") for line in fb.log), f"{what}: the error in the log")
check(not glob.glob(f"{scratch}/bad*"), "bad input: no output written")

not_executable = f"{scratch}/not-healthreach"
open(not_executable, "w").close()
use_executable(not_executable)
res, err, _ = run("coverage", {**inputs, "OUTPUT": f"{scratch}/no-exe.gpkg"})
check(res is None and err and "cannot run the healthreach executable" in err, f"an executable that does not run: {err}")
use_executable("")
os.makedirs(f"{scratch}/bin")
os.symlink(exe, f"{scratch}/bin/healthreach")
os.environ["PATH"] = f"{scratch}/bin" + os.pathsep + os.environ.get("PATH", "")
res, err, fb = run("coverage", {**inputs, "OUTPUT": f"{scratch}/on-path.gpkg"})
check(err is None and any(line.startswith(f"{scratch}/bin/healthreach coverage ") for line in fb.log),
      f"setting empty: healthreach found on PATH ({err})")
use_executable(exe)

# --- network ---------------------------------------------------------------------------------------
res, err, _ = run("network", {"ROADS": f"{S}/roads.gpkg", "OUTPUT": f"{scratch}/network.gpkg"})
check(err is None and sorted(res["OUTPUT_LAYERS"]) == [f"{scratch}/network.gpkg|layername=edges",
                                                         f"{scratch}/network.gpkg|layername=nodes"],
      f"network: edges and nodes ({err})")

# --- as the algorithm dialog runs it: a task in a worker thread, results handled on the main thread --
from qgis.core import QgsProcessingAlgRunnerTask  # noqa: E402
from processing.gui.Postprocessing import handleAlgorithmResults  # noqa: E402
import time  # noqa: E402

project.clear()  # deletes the layers it held
facilities = QgsVectorLayer(f"{S}/facilities.gpkg|layername=facilities", "facilities", "ogr")
project.addMapLayer(facilities)
facilities.selectByIds(stations[:3])
alg = registry.createAlgorithmById("healthreach:coverage")
context = QgsProcessingContext()
context.setProject(project)
feedback = Recorder()
params = {**inputs, "FACILITIES": QgsProcessingFeatureSourceDefinition(facilities.id(), True),
          "OUTPUT": "TEMPORARY_OUTPUT"}
done = {}


def executed(ok, results):
    done.update(ok=ok, results=results)
    if ok:
        handleAlgorithmResults(alg, context, feedback, True, params)


task = QgsProcessingAlgRunnerTask(alg, params, context, feedback)
task.executed.connect(executed)
QgsApplication.taskManager().addTask(task)
start = time.time()
while "ok" not in done and time.time() - start < 300:
    app.processEvents()
    time.sleep(0.05)
check(done.get("ok") and done["results"]["POPULATION_COVERED"] == reference_three["population_covered"],
      "in a background task: the CLI's numbers for the 3 selected stations")
styled = sorted(layer.name() for layer in project.layerTreeRoot().layerOrder()
                if layer.name() in STYLED and default_style_applied(layer))
check(styled == sorted(STYLED), f"in a background task: output layers loaded on the main thread, styled ({styled})")

check(not glob.glob(f"{S}/*.aux.xml"), "nothing written beside the sample data")
check(qgis.utils.unloadPlugin("healthreach") and registry.providerById("healthreach") is None,
      "plugin unloads its provider")
print(f"{len(failures)} checks failed" if failures else "all plugin checks passed")
sys.stdout.flush()
os._exit(1 if failures else 0)  # QGIS may crash tearing down Python-held layers (PITFALLS.md)
