#pragma once
// Helpers shared by the tests: scratch directories, tiny GeoJSON layers, real data lookup.
#include "healthreach/geo/profile.hpp"
#include "healthreach/geo/reach.hpp"

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace healthreach::test {

// A travel profile (drive or walk) of the built-in standards.
geo::profile builtin_profile(const std::string& name);

// A fresh empty directory under the system temp dir, removed at exit.
std::string scratch_dir(const std::string& name);

struct line_feature {
    std::vector<std::pair<double, double>> coords;
    std::string properties;  // JSON object body, e.g. "\"highway\":\"residential\""
};

// Writes a GeoJSON LineString layer in the given EPSG code and returns its path.
std::string write_lines(const std::string& path, const std::vector<line_feature>& lines, int epsg = 32650);

// Writes a Float32 GeoTIFF: `values` row by row from the top; origin is the top-left corner.
std::string write_raster(const std::string& path, int cols, int rows, double origin_x, double origin_y, double cell,
                         const std::vector<float>& values, int epsg = 32650, double nodata = -9999);

struct point_feature {
    double x, y;
    std::string properties;
};
// Writes a GeoJSON Point layer.
std::string write_points(const std::string& path, const std::vector<point_feature>& points, int epsg = 32650);
// Writes a GeoJSON Polygon layer of axis-aligned boxes {x0, y0, x1, y1} named by `names`.
std::string write_boxes(const std::string& path, const std::vector<std::array<double, 4>>& boxes,
                        const std::vector<std::string>& names, int epsg = 32650);

// Path of a file in ../shared/data, or "" when the data are absent outside CI (the caller skips
// visibly); under CI=true absence is a test failure.
std::string shared_data(const std::string& name);

// Runs a shell command, returns its exit code; stderr goes to `err` when given.
int run(const std::string& command, std::string* err = nullptr);

bool file_exists(const std::string& path);
// The whole file as bytes.
std::string read_text(const std::string& path);

// The drive network of a file of ../shared/data in its UTM zone, or nullopt when the data are absent
// (see shared_data).
std::optional<geo::network> real_drive_network(const std::string& name);

// Textbook Dijkstra on adjacency lists, independent of Boost: the reference for searches.
std::vector<double> reference_dijkstra(const geo::network& net, geo::metric m, geo::node_id source);
// Files in a directory, names only.
std::vector<std::string> list_dir(const std::string& dir);

}  // namespace healthreach::test
