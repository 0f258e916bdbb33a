#pragma once
// Default QGIS styles stored the way QGIS stores them in a GeoPackage: rows of the `layer_styles`
// table (registered in gpkg_contents) that QGIS applies when it opens the layer.
#include <gdal_priv.h>

#include <string>
#include <utility>
#include <vector>

namespace healthreach::geo::qgis {

// Text escaped for XML attributes and elements.
std::string xml_escape(const std::string& s);

// A symbol: marker, fill or line, with an RGBA colour "r,g,b,a".
struct symbol {
    enum kind { marker, fill, line } type;
    std::string colour;
    double size = 2.5;           // marker size (mm) or line width
    std::string shape = "circle";
};

std::string single(const symbol& s, const std::string& label_field = "");
// Classes by value of a field: (value, label, symbol); value "" matches null.
std::string categorized(const std::string& field, const std::vector<std::tuple<std::string, std::string, symbol>>& classes);
// Classes by ranges of a field: (lower, upper, label, symbol).
std::string graduated(const std::string& field, const std::vector<std::tuple<double, double, std::string, symbol>>& classes);

// Adds the row for `layer` (creating the table on first use); the layer's geometry column is `geom`.
void add_default_style(GDALDataset& ds, const std::string& layer, const std::string& qml);

}  // namespace healthreach::geo::qgis
