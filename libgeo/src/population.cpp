#include "healthreach/geo/population.hpp"

#include "healthreach/geo/crs.hpp"
#include "healthreach/error.hpp"
#include "healthreach/geo/gdal.hpp"

#include <cmath>

namespace healthreach::geo {

double raster_grid::cell_area_km2(int row) const {
    if (srs.IsGeographic()) {
        // Band of an ellipsoid cell: authalic sphere, R = 6371007.2 m.
        constexpr double r = 6371007.2, deg = 3.14159265358979323846 / 180;
        const double lat1 = gt[3] + row * gt[5], lat2 = lat1 + gt[5];
        return std::abs(r * r * gt[1] * deg * (std::sin(lat1 * deg) - std::sin(lat2 * deg))) / 1e6;
    }
    const double unit = srs.GetLinearUnits();
    return std::abs(gt[1] * gt[5] - gt[2] * gt[4]) * unit * unit / 1e6;
}

raster_grid read_raster_grid(const std::string& path) {
    dataset_ptr ds = open_raster(path);
    raster_grid g;
    g.path = path;
    g.cols = ds->GetRasterXSize();
    g.rows = ds->GetRasterYSize();
    if (ds->GetGeoTransform(g.gt.data()) != CE_None) throw input_error(path + ": raster has no geotransform");
    // Cells of no size (or an unreadable transform) would put every cell at one point.
    const double det = g.gt[1] * g.gt[5] - g.gt[2] * g.gt[4];
    for (double v : g.gt)
        if (!std::isfinite(v)) throw input_error(path + ": the raster's geotransform holds a value that is not a finite number");
    if (det == 0)
        throw input_error(path + ": the raster's cells have no size (geotransform pixel size " + std::to_string(g.gt[1]) +
                          " x " + std::to_string(g.gt[5]) + ")");
    const OGRSpatialReference* srs = ds->GetSpatialRef();
    if (!srs) throw input_error(path + ": raster has no CRS");
    g.srs = traditional(*srs);
    return g;
}

void row_centres(const raster_grid& grid, const transformer& to_metric, int row, std::vector<double>& x,
                 std::vector<double>& y) {
    x.resize(grid.cols);
    y.resize(grid.cols);
    for (int c = 0; c < grid.cols; ++c) {
        x[c] = grid.centre_x(c, row);
        y[c] = grid.centre_y(c, row);
    }
    to_metric.apply(x, y, grid.path);
}

population_grid read_population(const std::string& path, const OGRSpatialReference& metric) {
    population_grid pop;
    pop.grid = read_raster_grid(path);
    const raster_grid& g = pop.grid;
    dataset_ptr ds = open_raster(path);
    GDALRasterBand* band = ds->GetRasterBand(1);
    int has_nodata = 0;
    const double nodata = band->GetNoDataValue(&has_nodata);
    const transformer to_metric(g.srs, metric);

    std::vector<double> row_buf(g.cols);
    pop.valid.assign(g.cell_count(), 1);
    for (int row = 0; row < g.rows; ++row) {
        if (band->RasterIO(GF_Read, 0, row, g.cols, 1, row_buf.data(), g.cols, 1, GDT_Float64, 0, 0) != CE_None)
            throw input_error(path + ": cannot read row " + std::to_string(row) + ": " + gdal_last_error());
        const std::size_t first = pop.size();
        for (int col = 0; col < g.cols; ++col) {
            const double v = row_buf[col];
            if (has_nodata && (v == nodata || (std::isnan(nodata) && std::isnan(v)))) {
                ++pop.nodata_cells;
                pop.valid[static_cast<std::size_t>(row) * g.cols + col] = 0;
                continue;
            }
            if (!std::isfinite(v) || v < 0)
                throw input_error(path + ": cell (col " + std::to_string(col) + ", row " + std::to_string(row) +
                                  ") holds " + (std::isnan(v) ? std::string("NaN") : std::isinf(v) ? std::string("infinite") : std::to_string(v)) +
                                  " people; population must be a finite number >= 0, or nodata");
            if (v == 0) continue;
            pop.cell.push_back(static_cast<std::uint64_t>(row) * g.cols + col);
            pop.people.push_back(v);
            pop.x.push_back(g.centre_x(col, row));
            pop.y.push_back(g.centre_y(col, row));
            pop.area_km2.push_back(g.cell_area_km2(row));
            pop.total += v;
        }
        to_metric.apply(pop.x.data() + first, pop.y.data() + first, pop.size() - first, path);
    }
    if (pop.nodata_cells == g.cell_count()) throw input_error(path + ": every cell is nodata: no population");
    return pop;
}

}  // namespace healthreach::geo
