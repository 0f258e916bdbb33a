#pragma once
// Default QGIS styles stored the way QGIS stores them in a GeoPackage: rows of the `layer_styles`
// table (registered in gpkg_contents) that QGIS applies when it opens the layer.
#include "healthreach/geo/symbology.hpp"

#include <gdal_priv.h>

#include <string>
#include <tuple>
#include <vector>

namespace healthreach::geo::qgis {

// Text escaped for XML attributes and elements.
std::string xml_escape(const std::string& s);

// QML of one symbol for every feature, labelled by the style's label field.
std::string single(const symbology::style& s);
// The single-symbol QML of an output layer of the symbology table (facilities, proposed_sites, ...).
std::string layer_style(const std::string& layer);
// Classes by ranges of a field: (lower, upper, label, style).
std::string graduated(const std::string& field,
                      const std::vector<std::tuple<double, double, std::string, symbology::style>>& classes);

// Classes by QGIS filter expressions, first match wins: (label, expression, style); drawn from
// `min_scale` (a scale denominator) inwards, at every scale when 0.
std::string rule_based(const std::vector<std::tuple<std::string, std::string, symbology::style>>& rules, double min_scale = 0);
// The demand layer by status (covered, uncovered, off network, not applicable), as the map draws it;
// `snap_limit_m` tells people off the network apart (their snap_m is beyond it).
std::string demand_by_status(double snap_limit_m, const std::string& lang);
// Road lines by class of the field holding OSM highway values (symbology::road_of).
std::string roads_by_class(const std::string& highway_field);
// A cost raster (the travel raster) in the map's cost bands: upper edges and their labels.
std::string cost_bands(const std::vector<double>& edges, const std::vector<std::string>& labels);

// The bands layer (--bands): graduated on band_max in the cost ramp, labelled in km or minutes.
std::string cost_band_areas(const std::vector<double>& edges, bool by_length);

// Adds the row for `layer` (creating the table on first use); the layer's geometry column is `geom`.
void add_default_style(GDALDataset& ds, const std::string& layer, const std::string& qml);

}  // namespace healthreach::geo::qgis
