#pragma once
// Population grids read through GDAL: people per cell, any CRS, never resampled.
#include "healthreach/geo/crs.hpp"

#include <ogr_spatialref.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace healthreach::geo {

// The raster's own grid: size, geotransform, CRS.
struct raster_grid {
    std::string path;
    int cols = 0, rows = 0;
    std::array<double, 6> gt{};
    OGRSpatialReference srs;

    std::size_t cell_count() const { return static_cast<std::size_t>(cols) * rows; }
    // Centre of a cell in the raster's CRS.
    double centre_x(int col, int row) const { return gt[0] + (col + 0.5) * gt[1] + (row + 0.5) * gt[2]; }
    double centre_y(int col, int row) const { return gt[3] + (col + 0.5) * gt[4] + (row + 0.5) * gt[5]; }
    // True area of a cell of row `row` in km2 (ellipsoidal band area for geographic grids).
    double cell_area_km2(int row) const;
};

// The populated cells (people > 0) of a raster; each cell's centre transformed to the metric CRS.
struct population_grid {
    raster_grid grid;
    std::vector<std::uint64_t> cell;  // row * cols + col
    std::vector<double> people, x, y, area_km2;
    double total = 0;
    std::size_t nodata_cells = 0;
    std::vector<std::uint8_t> valid;  // per raster cell: 1 unless nodata

    std::size_t size() const { return cell.size(); }
};

// input_error naming the raster and the cell for negative or NaN people, and for a raster with no
// valid cell at all.
population_grid read_population(const std::string& path, const OGRSpatialReference& metric);

// Opens a raster's grid without reading its cells.
raster_grid read_raster_grid(const std::string& path);

// Centres of every cell of one row, transformed to the metric CRS.
void row_centres(const raster_grid& grid, const transformer& to_metric, int row, std::vector<double>& x,
                 std::vector<double>& y);

}  // namespace healthreach::geo
