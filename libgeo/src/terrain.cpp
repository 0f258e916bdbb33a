#include "healthreach/geo/terrain.hpp"

#include "healthreach/geo/crs.hpp"
#include "healthreach/geo/gdal.hpp"
#include "healthreach/geo/population.hpp"
#include "healthreach/error.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace healthreach::geo {

double tobler_speed_kmh(double slope) { return 6 * std::exp(-3.5 * std::abs(slope + 0.05)); }

double grade_factor(const profile& prof, double grade) {
    const double percent = std::abs(grade) * 100;
    for (const auto& [upto, factor] : prof.grade_factors)
        if (percent <= upto) return factor;
    return prof.grade_factors.empty() ? 1.0 : prof.grade_factors.back().second;
}

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

// The DEM's cells over a window, read once; elevation at a point by bilinear interpolation of the
// four nearest cell centres, none where one of them is missing: a fallback to the nearest cell would
// make steps in the surface, and a step inside a piece of a metre is a false cliff that Tobler's
// function prices at hours.
class elevation_window {
public:
    elevation_window(const std::string& path, const raster_grid& grid, double px0, double py0, double px1, double py1)
        : grid_(grid) {
        col0_ = std::max(0, static_cast<int>(std::floor(px0)) - 1);
        row0_ = std::max(0, static_cast<int>(std::floor(py0)) - 1);
        const int col1 = std::min(grid.cols, static_cast<int>(std::floor(px1)) + 2);
        const int row1 = std::min(grid.rows, static_cast<int>(std::floor(py1)) + 2);
        cols_ = std::max(0, col1 - col0_);
        rows_ = std::max(0, row1 - row0_);
        if (cols_ == 0 || rows_ == 0) return;
        dataset_ptr ds = open_raster(path);
        GDALRasterBand* band = ds->GetRasterBand(1);
        int has_nodata = 0;
        const double nodata = band->GetNoDataValue(&has_nodata);
        z_.resize(static_cast<std::size_t>(cols_) * rows_);
        if (band->RasterIO(GF_Read, col0_, row0_, cols_, rows_, z_.data(), cols_, rows_, GDT_Float64, 0, 0) != CE_None)
            throw input_error(path + ": cannot read the elevation: " + gdal_last_error());
        for (double& v : z_)
            if ((has_nodata && v == nodata) || !std::isfinite(v)) v = nan;
    }

    // Elevation at pixel coordinates (column, row as fractions of cells from the raster's corner).
    double at(double px, double py) const {
        if (!(px >= 0 && py >= 0 && px < grid_.cols && py < grid_.rows)) return nan;
        const double u = px - 0.5, v = py - 0.5;
        const int c = static_cast<int>(std::floor(u)), r = static_cast<int>(std::floor(v));
        const double fu = u - c, fv = v - r;
        const double z00 = cell(c, r), z10 = cell(c + 1, r), z01 = cell(c, r + 1), z11 = cell(c + 1, r + 1);
        return (z00 * (1 - fu) + z10 * fu) * (1 - fv) + (z01 * (1 - fu) + z11 * fu) * fv;  // NaN if one is missing
    }

private:
    double cell(int c, int r) const {
        c -= col0_;
        r -= row0_;
        if (c < 0 || r < 0 || c >= cols_ || r >= rows_) return nan;
        return z_[static_cast<std::size_t>(r) * cols_ + c];
    }
    const raster_grid& grid_;
    int col0_ = 0, row0_ = 0, cols_ = 0, rows_ = 0;
    std::vector<double> z_;
};

std::string km_text(double km) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f km", km);
    return buf;
}

}  // namespace

void apply_terrain(network& net, const profile& prof, const std::string& dem_path, network_adjustments& report,
                   const std::vector<std::uint8_t>& off_ground) {
    const raster_grid grid = read_raster_grid(dem_path);
    double inverse[6];
    if (!GDALInvGeoTransform(const_cast<double*>(grid.gt.data()), inverse))
        throw input_error(dem_path + ": the raster's geotransform cannot be inverted");

    // Sample points of every edge: its vertices and equal steps of at most dem_sample_spacing_m between.
    std::vector<std::uint64_t> first{0};
    std::vector<double> sx, sy;
    for (edge_id e = 0; e < net.edge_count(); ++e) {
        for (std::uint64_t v = net.geom_first[e]; v < net.geom_first[e + 1]; ++v) {
            if (v > net.geom_first[e]) {
                const double x0 = net.geom_x[v - 1], y0 = net.geom_y[v - 1];
                const double dx = net.geom_x[v] - x0, dy = net.geom_y[v] - y0;
                const auto steps = static_cast<std::uint64_t>(std::ceil(std::hypot(dx, dy) / dem_sample_spacing_m));
                for (std::uint64_t k = 1; k < steps; ++k) {
                    const double f = static_cast<double>(k) / static_cast<double>(steps);
                    sx.push_back(x0 + f * dx);
                    sy.push_back(y0 + f * dy);
                }
            }
            sx.push_back(net.geom_x[v]);
            sy.push_back(net.geom_y[v]);
        }
        first.push_back(sx.size());
    }
    // Metric positions are kept for the lengths; the DEM is read at their pixel coordinates.
    std::vector<double> px(sx), py(sy);
    transformer(net.srs, grid.srs).apply(px, py, dem_path);
    double px0 = std::numeric_limits<double>::infinity(), py0 = px0, px1 = -px0, py1 = -px0;
    for (std::size_t i = 0; i < px.size(); ++i) {
        const double gx = px[i], gy = py[i];
        px[i] = inverse[0] + gx * inverse[1] + gy * inverse[2];
        py[i] = inverse[3] + gx * inverse[4] + gy * inverse[5];
        px0 = std::min(px0, px[i]), px1 = std::max(px1, px[i]);
        py0 = std::min(py0, py[i]), py1 = std::max(py1, py[i]);
    }
    const elevation_window dem(dem_path, grid, std::max(px0, 0.0), std::max(py0, 0.0), std::min(px1, double(grid.cols)),
                               std::min(py1, double(grid.rows)));
    std::vector<double> z(px.size());
    for (std::size_t i = 0; i < px.size(); ++i) z[i] = dem.at(px[i], py[i]);
    // A tunnel or a bridge climbs evenly from one end to the other, whatever the ground does.
    for (edge_id e = 0; e < off_ground.size() && e < net.edge_count(); ++e) {
        if (!off_ground[e]) continue;
        const std::uint64_t a = first[e], b = first[e + 1] - 1;
        const double length = net.edge_length_m[e];
        double run = 0;
        for (std::uint64_t i = a + 1; i < b; ++i) {
            run += std::hypot(sx[i] - sx[i - 1], sy[i] - sy[i - 1]);
            z[i] = length > 0 ? z[a] + (z[b] - z[a]) * std::min(1.0, run / length) : z[a];
        }
    }

    const bool walk = prof.mode == travel_mode::walk;
    const double walk_scale = prof.walk_speed_kmh / 5;
    double total_m = 0, off_m = 0;
    for (edge_id e = 0; e < net.edge_count(); ++e) {
        const double length = net.edge_length_m[e];
        const bool reverse_open = net.reverse_open(e);
        // The edge's flat speeds (metres per second), each direction its own.
        const double flat = length / net.edge_time_s[e];
        const double flat_back = reverse_open ? length / net.edge_reverse_time_s[e] : 0;
        double there = 0, back = 0;
        for (std::uint64_t i = first[e] + 1; i < first[e + 1]; ++i) {
            const double d = std::hypot(sx[i] - sx[i - 1], sy[i] - sy[i - 1]);
            if (d <= 0) continue;
            double s = 0;  // slope source -> target
            if (std::isfinite(z[i]) && std::isfinite(z[i - 1])) s = (z[i] - z[i - 1]) / d;
            else off_m += d;
            total_m += d;
            if (walk) {
                there += d / (walk_scale * tobler_speed_kmh(s) / 3.6);
                back += d / (walk_scale * tobler_speed_kmh(-s) / 3.6);
            } else {
                const double f = grade_factor(prof, s);
                there += d / (flat * f);
                if (reverse_open) back += d / (flat_back * f);
            }
        }
        if (!(length > 0)) continue;
        net.edge_time_s[e] = there;
        if (reverse_open) net.edge_reverse_time_s[e] = back;
    }
    report.dem_km = total_m / 1000;
    report.off_dem_km = off_m / 1000;
    if (total_m > 0 && off_m > 0.5 * total_m)
        throw input_error(dem_path + ": the DEM does not cover the roads: " + km_text(off_m / 1000) + " of the " +
                          km_text(total_m / 1000) + " of routable roads lie outside it or on nodata cells (more than half); "
                          "is it the DEM of this area?");
}

}  // namespace healthreach::geo
