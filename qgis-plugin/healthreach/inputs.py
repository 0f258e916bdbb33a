"""Turns the layers a QGIS user picks into what the CLI reads: a file and, for a file of several
layers, the layer's name. A layer that is no plain file (a memory layer, a database table, a filtered
layer, "selected features only", a feature limit, a CSV opened as points) is exported first."""
import os

from osgeo import ogr
from qgis.core import (QgsProcessingException, QgsProcessingFeatureSourceDefinition, QgsProcessingUtils, QgsProperty,
                       QgsProviderRegistry, QgsVectorFileWriter, QgsVectorLayer)

# Extensions of the files the CLI reads as they are (through GDAL, like QGIS's ogr provider).
READABLE = sorted(set(QgsVectorFileWriter.supportedFormatExtensions())
                  | {"gpkg", "shp", "geojson", "json", "fgb", "sqlite", "gml", "kml", "tab", "osm", "pbf"})


class Passed:
    """What the CLI gets for one vector parameter."""

    def __init__(self, path, layer="", exported_from=None):
        self.path, self.layer, self.exported_from = path, layer, exported_from


def layer_names(path):
    ds = ogr.Open(path)
    if ds is None:
        return []
    names = [ds.GetLayer(i).GetName() for i in range(ds.GetLayerCount())]
    ds = None
    return names


def same_file(a, b):
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def source_layer(value, context):
    """The layer a feature source parameter's value names (a layer, its id or source, a
    QgsProcessingFeatureSourceDefinition, an expression)."""
    if isinstance(value, QgsProcessingFeatureSourceDefinition):
        value = value.source
    if isinstance(value, QgsProperty):
        value = value.valueAsString(context.expressionContext())[0]
    if isinstance(value, QgsVectorLayer):
        return value
    return QgsProcessingUtils.mapLayerFromString(str(value), context, True, QgsProcessingUtils.LayerHint.Vector)


def vector(alg, parameters, name, context, feedback, has_layer_flag):
    """The file (and layer) to give the CLI for the vector parameter `name`; None when it is empty."""
    if parameters.get(name) is None:
        return None
    layer = source_layer(parameters[name], context)
    if layer is None:
        raise QgsProcessingException(f"{name}: cannot open {parameters[name]!r} as a vector layer")
    path, layer_name = alg.parameterAsCompatibleSourceLayerPathAndLayerName(
        parameters, name, context, READABLE, "gpkg", feedback)
    source = QgsProviderRegistry.instance().decodeUri(layer.providerType(), layer.source())
    exported = not (layer.providerType() == "ogr" and same_file(path, source.get("path", "")))
    if not exported and not layer_name:
        # QGIS reads a file of several layers by index (`|layerid=N`) or, without either, its first
        # layer; the CLI would pick by geometry instead, so name the layer QGIS shows.
        names = layer_names(path)
        if len(names) > 1:
            index = int(source.get("layerId") or 0)
            layer_name = names[index] if 0 <= index < len(names) else ""
    if not exported and layer_name and not has_layer_flag and len(layer_names(path)) > 1:
        # The CLI reads this input without a layer option: give it a file of that layer alone.
        path, layer_name = alg.parameterAsCompatibleSourceLayerPathAndLayerName(
            parameters, name, context, [], "gpkg", feedback)
        exported = True
    if exported:
        feedback.pushInfo(f"{name}: layer '{layer.name()}' exported to {path} for healthreach")
    return Passed(path, layer_name, layer.name() if exported else None)


def raster(alg, parameters, name, context):
    layer = alg.parameterAsRasterLayer(parameters, name, context)
    if layer is None:
        raise QgsProcessingException(f"{name}: cannot open {parameters.get(name)!r} as a raster layer")
    if layer.providerType() != "gdal":
        raise QgsProcessingException(
            f"{name}: layer '{layer.name()}' is not a raster file GDAL reads (provider {layer.providerType()}); "
            "save it as a GeoTIFF first")
    return layer.source()


def output_layers(gpkg):
    """The tables of an output GeoPackage: (name, has geometry), in the file's order."""
    ds = ogr.Open(gpkg)
    if ds is None:
        return []
    tables = [(ds.GetLayer(i).GetName(), ds.GetLayer(i).GetGeomType() != ogr.wkbNone)
              for i in range(ds.GetLayerCount())]
    ds = None
    return [t for t in tables if t[0] != "layer_styles"]


def temporary_path(name, extension):
    return QgsProcessingUtils.generateTempFilename(f"{name}.{extension}")
