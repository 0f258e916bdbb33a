"""One Processing algorithm per sub-command of the CLI, built from its table in options.py."""
import json
import os
import re
from html import escape

from qgis.core import (QgsProcessing, QgsProcessingAlgorithm, QgsProcessingContext, QgsProcessingException,
                       QgsProcessingOutputFile, QgsProcessingOutputMultipleLayers, QgsProcessingOutputNumber,
                       QgsProcessingParameterBoolean, QgsProcessingParameterCrs, QgsProcessingParameterDefinition,
                       QgsProcessingParameterEnum, QgsProcessingParameterFeatureSource,
                       QgsProcessingParameterField, QgsProcessingParameterFile,
                       QgsProcessingParameterFileDestination, QgsProcessingParameterNumber,
                       QgsProcessingParameterRasterDestination, QgsProcessingParameterRasterLayer,
                       QgsProcessingParameterString, QgsVectorLayer)

from . import inputs, runner
from . import options as opt

GEOMETRY = {opt.LINES: [QgsProcessing.TypeVectorLine],
            # The CLI takes polygons as points (on their surface), with a warning.
            opt.POINTS: [QgsProcessing.TypeVectorPoint, QgsProcessing.TypeVectorPolygon],
            opt.POLYGONS: [QgsProcessing.TypeVectorPolygon]}

# Layers of the output GeoPackage from the bottom of the layer tree to its top (the drawing order of
# the CLI's QGIS project, docs/decisions.md); tables and unknown layers go below.
DRAWING_ORDER = ["audit_units", "compliance_units", "service_areas", "uncovered", "bands", "demand", "facilities", "candidates",
                 "proposed_sites", "edges", "nodes"]


class HealthreachAlgorithm(QgsProcessingAlgorithm):
    def __init__(self, command, services, executable, cli):
        super().__init__()
        self.command = command
        self.services = services          # the SERVICE parameter's values
        self.executable = executable      # callable: the executable's path, or None
        self.cli = cli                    # the executable's help (cli_help.CommandHelp), or None
        # The options offered: those the executable has (all of the table when it cannot tell).
        self.options = [o for o in command.options if cli is None or o.flag in cli.options]
        self.output_gpkg = None
        self.output_files = {}    # the extra output files of the run, by parameter

    # --- identity ---------------------------------------------------------------------------------
    def createInstance(self):
        return HealthreachAlgorithm(self.command, self.services, self.executable, self.cli)

    def name(self):
        return self.command.name

    def displayName(self):
        return self.command.display

    def help_text(self, o):
        return self.cli.options.get(o.flag, "") if self.cli else ""

    def shortHelpString(self):
        c = self.command
        if self.cli is None:
            return (f"<p>Runs <code>healthreach {c.name}</code>, which was not found: install it or set its path "
                    "in Settings &gt; Options &gt; Processing &gt; Providers &gt; healthreach (the algorithms are "
                    "rebuilt from it when the setting is saved).</p>")
        lines = [f"<p>{escape(self.cli.description)}. Runs <code>healthreach {c.name}</code>; each parameter is "
                 "the option of the same name (RURAL_LIMIT is <code>--rural-limit</code>).</p><dl>"]
        for o in self.options:
            lines.append(f"<dt>{o.name} ({o.flag})</dt><dd>{escape(self.help_text(o))}</dd>")
        lines.append("</dl>")
        return "".join(lines)

    # --- parameters -------------------------------------------------------------------------------
    def initAlgorithm(self, config=None):
        for o in self.options:
            p = self.parameter(o)
            p.setHelp(self.help_text(o))
            if o.advanced:
                p.setFlags(p.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
            self.addParameter(p)
        self.addParameter(QgsProcessingParameterFileDestination(
            "OUTPUT", "Output GeoPackage", "GeoPackage (*.gpkg *.GPKG)"))
        if self.command.json:
            self.addOutput(QgsProcessingOutputFile("SUMMARY_JSON", "JSON summary"))
        for key in self.command.results:
            self.addOutput(QgsProcessingOutputNumber(opt.result_name(key), key))
        self.addOutput(QgsProcessingOutputMultipleLayers("OUTPUT_LAYERS", "Layers of the output GeoPackage"))

    def parameter(self, o):
        n, label, optional = o.name, o.label, o.optional
        if o.kind in GEOMETRY:
            return QgsProcessingParameterFeatureSource(n, label, GEOMETRY[o.kind], None, optional)
        if o.kind == opt.RASTER:
            return QgsProcessingParameterRasterLayer(n, label, None, optional)
        if o.kind == opt.FIELD:
            kind = QgsProcessingParameterField.Numeric if o.numeric_field else QgsProcessingParameterField.Any
            return QgsProcessingParameterField(n, label, None, o.parent, kind, False, optional)
        if o.kind in (opt.NUMBER, opt.INTEGER):
            kind = QgsProcessingParameterNumber.Double if o.kind == opt.NUMBER else QgsProcessingParameterNumber.Integer
            p = QgsProcessingParameterNumber(n, label, kind, o.default, optional)
            if o.minimum is not None:
                p.setMinimum(o.minimum)
            if o.maximum is not None:
                p.setMaximum(o.maximum)
            return p
        if o.kind == opt.ENUM:
            values = self.services if o.values == opt.SERVICES else list(o.values)
            default = o.default if o.default in values else (values[0] if values and not optional else None)
            return QgsProcessingParameterEnum(n, label, values, False, default, optional, True)
        if o.kind == opt.BOOLEAN:
            return QgsProcessingParameterBoolean(n, label, o.default, optional)
        if o.kind == opt.FILE:
            return QgsProcessingParameterFile(n, label, QgsProcessingParameterFile.File, o.file_filter, None, optional)
        if o.kind == opt.CRS:
            return QgsProcessingParameterCrs(n, label, None, optional)
        if o.kind == opt.STRING:
            return QgsProcessingParameterString(n, label, None, False, optional)
        if o.kind == opt.FILE_OUT:
            return QgsProcessingParameterFileDestination(n, label, o.file_filter, None, optional, False)
        if o.kind == opt.RASTER_OUT:
            return QgsProcessingParameterRasterDestination(n, label, None, optional, False)
        raise ValueError(o.kind)

    # --- running ----------------------------------------------------------------------------------
    def arguments(self, parameters, context, feedback):
        """The CLI's arguments for `parameters`, and how to name the exported inputs in messages
        (the CLI's words for them -> the parameter and layer)."""
        args, exported = [self.command.name], {}
        self.output_files = {}
        for o in self.options:
            n = o.name
            if o.kind in GEOMETRY:
                passed = inputs.vector(self, parameters, n, context, feedback, o.layer_flag is not None)
                if passed is None:
                    continue
                args += [o.flag, passed.path]
                if passed.layer and o.layer_flag:
                    args += [o.layer_flag, passed.layer]
                if passed.exported_from:
                    # The CLI names the file and its layer: name the parameter and the user's layer.
                    what = f"{n} (layer '{passed.exported_from}')"
                    for name in inputs.layer_names(passed.path):
                        exported[f"{passed.path} layer {name}"] = what
                    exported[passed.path] = what
            elif parameters.get(n) is None:
                continue
            elif o.kind == opt.RASTER:
                args += [o.flag, inputs.raster(self, parameters, n, context)]
            elif o.kind == opt.FIELD:
                fields = self.parameterAsFields(parameters, n, context)
                if fields:
                    args += [o.flag, fields[0]]
            elif o.kind == opt.NUMBER:
                args += [o.flag, repr(self.parameterAsDouble(parameters, n, context))]
            elif o.kind == opt.INTEGER:
                args += [o.flag, str(self.parameterAsInt(parameters, n, context))]
            elif o.kind == opt.ENUM:
                value = self.parameterAsEnumString(parameters, n, context)
                if value:
                    args += [o.flag, value]
            elif o.kind == opt.BOOLEAN:
                if self.parameterAsBoolean(parameters, n, context):
                    args.append(o.flag)
            elif o.kind == opt.CRS:
                crs = self.parameterAsCrs(parameters, n, context)
                if crs.isValid():
                    args += [o.flag, crs.authid() or crs.toWkt()]
            elif o.kind == opt.STRING and o.repeated:
                for value in self.parameterAsString(parameters, n, context).split(";"):
                    if value.strip():
                        args += [o.flag, value.strip()]
            elif o.kind in (opt.FILE, opt.STRING):
                value = self.parameterAsString(parameters, n, context)
                if value:
                    args += [o.flag, value]
            elif o.kind in (opt.FILE_OUT, opt.RASTER_OUT):
                # Evaluated once: a temporary output gets a new name at each evaluation.
                value = (self.parameterAsFileOutput(parameters, n, context) if o.kind == opt.FILE_OUT
                         else self.parameterAsOutputLayer(parameters, n, context))
                if value:
                    args += [o.flag, value]
                    self.output_files[n] = value
        self.output_gpkg = self.parameterAsFileOutput(parameters, "OUTPUT", context)
        args += ["--out", self.output_gpkg]
        if self.command.json:
            args.append("--json")
        return args, exported

    def processAlgorithm(self, parameters, context, feedback):
        executable = self.executable()
        if not executable:
            raise QgsProcessingException(
                "healthreach executable not found: install it (bash scripts/setup.sh installs it in /usr/local/bin) "
                "or set its path in Settings > Options > Processing > Providers > healthreach")
        args, exported = self.arguments(parameters, context, feedback)
        summary = (inputs.temporary_path("summary", "json") if self.command.json
                   else inputs.temporary_path("stdout", "txt"))

        def describe(message):
            for path, what in exported.items():
                message = message.replace(path, what)
            named = [(o.flag, o.name) for o in self.options] + [("--out", "OUTPUT")]
            named = [(flag, name) for flag, name in named if re.search(re.escape(flag) + r"(?![\w-])", message)]
            if named:
                message += " (" + ", ".join(f"{flag} is the parameter {name}" for flag, name in named) + ")"
            return message

        try:
            runner.run(executable, args, feedback, summary, self.command.name if self.command.progress else None,
                       describe)
        except QgsProcessingException:
            if os.path.exists(summary):
                os.remove(summary)
            raise
        results = {"OUTPUT": self.output_gpkg,
                   "OUTPUT_LAYERS": [f"{self.output_gpkg}|layername={t}"
                                     for t, _ in inputs.output_layers(self.output_gpkg)]}
        results.update(self.output_files)
        if self.command.json:
            results["SUMMARY_JSON"] = summary
            with open(summary, encoding="utf-8") as f:
                doc = json.load(f)
            for key in self.command.results:
                value = doc
                for part in key.split("."):
                    value = value.get(part) if isinstance(value, dict) else None
                results[opt.result_name(key)] = value
        return results

    def postProcessAlgorithm(self, context, feedback):
        """Adds the output layers to the project, each with its default style (the GeoPackage's
        layer_styles). Runs on the main thread. Processing would open them itself without their
        default style (QgsProcessingUtils opens layers with loadDefaultStyle off), so they go to the
        context's store already open, and Processing takes them from there."""
        if not self.output_gpkg or not os.path.exists(self.output_gpkg):
            return {}
        tables = inputs.output_layers(self.output_gpkg)
        order = {name: i for i, name in enumerate(DRAWING_ORDER)}
        tables.sort(key=lambda t: (t[1], order.get(t[0], -1)))
        for rank, (table, _) in enumerate(tables):
            # QGIS 3.22 loads the layers in the order of their ids, and adds each on top of the tree:
            # an id beginning with the rank keeps the drawing order (the id is made from the name
            # given here; the layer is renamed after).
            layer = QgsVectorLayer(f"{self.output_gpkg}|layername={table}", f"healthreach_{rank:02d}_{table}", "ogr")
            if not layer.isValid():
                feedback.reportError(f"cannot open layer {table} of {self.output_gpkg}")
                continue
            layer.setName(table)
            context.temporaryLayerStore().addMapLayer(layer)
            context.addLayerToLoadOnCompletion(layer.id(), QgsProcessingContext.LayerDetails(
                table, context.project(), "OUTPUT"))
        return {}
