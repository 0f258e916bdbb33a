#pragma once
// Writing a coverage analysis: the GeoPackage layers, the travel-cost GeoTIFF and the JSON summary
// of DESIGN.md.
#include "healthreach/geo/analysis.hpp"
#include "healthreach/geo/json.hpp"

#include <gdal_priv.h>
#include <ogr_geometry.h>

#include <functional>
#include <memory>
#include <string>

namespace healthreach::geo {

// Layers demand, facilities, service_areas, uncovered and summary, written atomically; `more` adds
// a command's own layers (proposed_sites, candidates) before the file is moved into place.
void write_coverage_gpkg(const analysis& a, const std::string& path,
                         const std::function<void(GDALDataset&)>& more = {});

// Cost to the nearest facility on exactly the population raster's grid (Float32; nodata elsewhere).
void write_travel_raster(const analysis& a, const std::string& path);
// A value per cell of `g` (row-major, cell_count() of them) as a tiled, compressed Float32 GeoTIFF,
// written atomically: the travel raster's and the access raster's writer.
void write_cell_raster(const raster_grid& g, const std::vector<float>& values, float nodata, const char* description,
                       const std::string& path);

// `inputs` (per input: file, layer, fields read, counts) and `warnings` (every warning of the run),
// written into an open object.
void write_inputs_and_warnings_json(const analysis& a, json_writer& json);
void write_inputs_and_warnings_json(const std::vector<input_summary>& inputs, const std::vector<std::string>& warnings,
                                    json_writer& json);

// The coverage keys of the JSON summary (inputs and warnings included), written into an open object.
void write_coverage_json(const analysis& a, json_writer& json, const std::string& version);

// The union of raster cells (indices row * cols + col) as polygons in the analysis' metric CRS.
std::unique_ptr<OGRMultiPolygon> polygonize_cells(const raster_grid& grid, const OGRSpatialReference& metric,
                                                  const std::vector<std::uint64_t>& cells);

}  // namespace healthreach::geo
