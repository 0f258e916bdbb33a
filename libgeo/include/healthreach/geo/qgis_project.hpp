#pragma once
// A QGIS project (.qgz: a zip holding one .qgs) that opens the output GeoPackage ready to use: every
// spatial layer with its default style from the `layer_styles` table, points above polygons, the
// data's CRS as the project CRS, the map zoomed to the layers.
#include "healthreach/geo/map_render.hpp"

#include <string>
#include <vector>

namespace healthreach::geo {

struct project_layer {
    std::string path;   // vector or raster file
    std::string layer;  // layer name in a vector file
    std::string title;  // name shown in the layer panel
    std::string qml;    // style (QML); empty: QGIS's default
    bool raster = false;
    bool visible = true;   // ticked in the layer panel
    bool context = false;  // roads and rasters: shown, but not what the project zooms to
};

// The spatial layers of an output GeoPackage in drawing order (top first), titled by their names,
// each with its default style from the file's layer_styles table.
std::vector<project_layer> output_layers(const std::string& gpkg);

// Writes the project atomically; paths are stored relative to the project file where possible. The
// map opens on `extent` (in the first layer's CRS) when given, else on the non-context layers.
void write_qgis_project(const std::vector<project_layer>& layers, const std::string& path, const std::string& title,
                        const ground_box* extent = nullptr);

}  // namespace healthreach::geo
