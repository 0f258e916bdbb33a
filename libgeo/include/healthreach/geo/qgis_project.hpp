#pragma once
// A QGIS project (.qgz: a zip holding one .qgs) that opens the output GeoPackage ready to use: every
// spatial layer with its default style from the `layer_styles` table, points above polygons, the
// data's CRS as the project CRS, the map zoomed to the layers.
#include <string>
#include <vector>

namespace healthreach::geo {

struct project_layer {
    std::string path;   // vector file
    std::string layer;  // layer name in it
    std::string title;  // name shown in the layer panel
    std::string qml;    // style (QML); empty: QGIS's default
};

// The spatial layers of an output GeoPackage in drawing order (top first), titled by their names,
// each with its default style from the file's layer_styles table.
std::vector<project_layer> output_layers(const std::string& gpkg);

// Writes the project atomically; paths are stored relative to the project file where possible.
void write_qgis_project(const std::vector<project_layer>& layers, const std::string& path, const std::string& title);

}  // namespace healthreach::geo
