#include "support.hpp"

#include "healthreach/geo/standards.hpp"

#include "test_paths.hpp"

#include "healthreach/geo/crs.hpp"

#include <catch2/catch.hpp>

#include <gdal_priv.h>
#include <ogr_spatialref.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <queue>
#include <sstream>
#include <sys/wait.h>

namespace healthreach::test {

geo::profile builtin_profile(const std::string& name) { return geo::load_standards().profile_named(name); }

namespace fs = std::filesystem;

std::string scratch_dir(const std::string& name) {
    const fs::path dir = fs::temp_directory_path() / ("healthreach-test-" + std::to_string(::getpid())) / name;
    fs::remove_all(dir);
    fs::create_directories(dir);
    static struct cleanup {
        ~cleanup() {
            std::error_code ec;
            fs::remove_all(fs::temp_directory_path() / ("healthreach-test-" + std::to_string(::getpid())), ec);
        }
    } at_exit;
    return dir.string();
}

namespace {
std::string crs_member(int epsg) {
    return "\"crs\":{\"type\":\"name\",\"properties\":{\"name\":\"urn:ogc:def:crs:EPSG::" + std::to_string(epsg) + "\"}},";
}
}  // namespace

std::string write_lines(const std::string& path, const std::vector<line_feature>& lines, int epsg) {
    std::ofstream out(path);
    out.precision(17);
    out << "{\"type\":\"FeatureCollection\"," << crs_member(epsg) << "\"features\":[";
    for (std::size_t i = 0; i < lines.size(); ++i) {
        out << (i ? "," : "") << "{\"type\":\"Feature\",\"properties\":{" << lines[i].properties
            << "},\"geometry\":{\"type\":\"LineString\",\"coordinates\":[";
        for (std::size_t j = 0; j < lines[i].coords.size(); ++j)
            out << (j ? "," : "") << "[" << lines[i].coords[j].first << "," << lines[i].coords[j].second << "]";
        out << "]}}";
    }
    out << "]}\n";
    return path;
}

std::string write_raster(const std::string& path, int cols, int rows, double origin_x, double origin_y, double cell,
                         const std::vector<float>& values, int epsg, double nodata) {
    GDALAllRegister();
    GDALDriver* gtiff = GetGDALDriverManager()->GetDriverByName("GTiff");
    GDALDataset* ds = gtiff->Create(path.c_str(), cols, rows, 1, GDT_Float32, nullptr);
    double gt[6] = {origin_x, cell, 0, origin_y, 0, -cell};
    ds->SetGeoTransform(gt);
    OGRSpatialReference srs;
    srs.importFromEPSG(epsg);
    ds->SetSpatialRef(&srs);
    ds->GetRasterBand(1)->SetNoDataValue(nodata);
    std::vector<float> v(values);
    if (ds->GetRasterBand(1)->RasterIO(GF_Write, 0, 0, cols, rows, v.data(), cols, rows, GDT_Float32, 0, 0) != CE_None)
        FAIL("cannot write " << path);
    GDALClose(ds);
    return path;
}


std::string write_points(const std::string& path, const std::vector<point_feature>& points, int epsg) {
    std::ofstream out(path);
    out.precision(17);
    out << "{\"type\":\"FeatureCollection\"," << crs_member(epsg) << "\"features\":[";
    for (std::size_t i = 0; i < points.size(); ++i)
        out << (i ? "," : "") << "{\"type\":\"Feature\",\"properties\":{" << points[i].properties
            << "},\"geometry\":{\"type\":\"Point\",\"coordinates\":[" << points[i].x << "," << points[i].y << "]}}";
    out << "]}\n";
    return path;
}

std::string write_boxes(const std::string& path, const std::vector<std::array<double, 4>>& boxes,
                        const std::vector<std::string>& names, int epsg) {
    std::ofstream out(path);
    out.precision(17);
    out << "{\"type\":\"FeatureCollection\"," << crs_member(epsg) << "\"features\":[";
    for (std::size_t i = 0; i < boxes.size(); ++i) {
        const auto& b = boxes[i];
        out << (i ? "," : "") << "{\"type\":\"Feature\",\"properties\":{\"name\":\"" << names[i]
            << "\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[" << b[0] << "," << b[1] << "],[" << b[2]
            << "," << b[1] << "],[" << b[2] << "," << b[3] << "],[" << b[0] << "," << b[3] << "],[" << b[0] << "," << b[1]
            << "]]]}}";
    }
    out << "]}\n";
    return path;
}

std::string shared_data(const std::string& name) {
    const fs::path p = fs::path(HEALTHREACH_SHARED_DATA) / name;
    if (fs::exists(p)) return p.string();
    const char* ci = std::getenv("CI");
    if (ci && std::string(ci) == "true") FAIL("real data missing under CI: " << p);
    WARN("SKIPPED: real data absent: " << p);
    return "";
}

int run(const std::string& command, std::string* err) {
    std::string cmd = command;
    std::string err_file;
    if (err) {
        err_file = (fs::temp_directory_path() / ("healthreach-stderr-" + std::to_string(::getpid()))).string();
        cmd += " 2>" + err_file;
    }
    const int status = std::system(cmd.c_str());
    if (err) {
        std::ifstream in(err_file);
        std::stringstream ss;
        ss << in.rdbuf();
        *err = ss.str();
        fs::remove(err_file);
        // GCC's UndefinedBehaviorSanitizer writes to stderr whatever its log_path: a report of the
        // command's must reach the test's output even when the test keeps the command's stderr.
        if (err->find("runtime error:") != std::string::npos) std::fputs(err->c_str(), stderr);
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

bool file_exists(const std::string& path) { return fs::exists(path); }

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::optional<geo::network> real_drive_network(const std::string& name) {
    const std::string path = shared_data(name);
    if (path.empty()) return std::nullopt;
    const geo::road_set roads = geo::read_roads(path);
    double lon, lat;
    roads.center_lonlat(lon, lat);
    return geo::build_network(roads, builtin_profile("drive"), geo::utm_zone_for(lon, lat)).net;
}

std::vector<double> reference_dijkstra(const geo::network& net, geo::metric m, geo::node_id source) {
    std::vector<std::vector<std::pair<geo::node_id, double>>> adj(net.node_count());
    for (geo::edge_id e = 0; e < net.edge_count(); ++e) {
        const double len = net.edge_length_m[e];
        adj[net.edge_source[e]].push_back({net.edge_target[e], m == geo::metric::length ? len : net.edge_time_s[e]});
        if (net.reverse_open(e))
            adj[net.edge_target[e]].push_back({net.edge_source[e], m == geo::metric::length ? len : net.edge_reverse_time_s[e]});
    }
    std::vector<double> d(net.node_count(), std::numeric_limits<double>::infinity());
    using item = std::pair<double, geo::node_id>;
    std::priority_queue<item, std::vector<item>, std::greater<item>> q;
    d[source] = 0;
    q.push({0, source});
    while (!q.empty()) {
        const auto [du, u] = q.top();
        q.pop();
        if (du > d[u]) continue;
        for (const auto& [v, w] : adj[u])
            if (du + w < d[v]) {
                d[v] = du + w;
                q.push({d[v], v});
            }
    }
    return d;
}

std::vector<std::string> list_dir(const std::string& dir) {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
    return names;
}

}  // namespace healthreach::test
