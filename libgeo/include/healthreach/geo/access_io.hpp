#pragma once
// Writing an access run: the coverage GeoPackage with the scores (demand `access`; facilities
// `supply`, `weighted_demand`, `ratio`; table `access_summary`), the score GeoTIFF and the JSON.
#include "healthreach/geo/access.hpp"
#include "healthreach/geo/json.hpp"

#include <string>

namespace healthreach::geo {

void write_access_gpkg(const access_result& r, const std::string& path);

// The score of every valid cell on exactly the population raster's grid (Float32, per 1,000
// people; nodata -1 off the network and where the cell's class has no limit).
void write_access_raster(const access_result& r, const std::string& path);

// The coverage keys plus `access`: decay, supply field, region mean, per admin unit, facilities.
void write_access_json(const access_result& r, json_writer& json, const std::string& version);

}  // namespace healthreach::geo
