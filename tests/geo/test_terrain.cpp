// Terrain (--dem), closures and speed factors on hand-built networks with exact expected times.
#include "support.hpp"

#include "healthreach/error.hpp"
#include "healthreach/geo/analysis.hpp"
#include "healthreach/geo/crs.hpp"
#include "healthreach/geo/graph_cache.hpp"
#include "healthreach/geo/network.hpp"
#include "healthreach/geo/terrain.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>

using namespace healthreach;
using namespace healthreach::geo;

namespace {

// A planar DEM z = 0.1 x + 0.025 y (EPSG:32650) of 10 m cells over (-500, -500)-(1500, 1500): every
// cell centre's value is exact in Float32, and bilinear interpolation of a plane is the plane.
double plane(double x, double y) { return 0.1 * x + 0.025 * y; }

std::string write_planar_dem(const std::string& path, double nodata_below_x = -1e9) {
    const int n = 200;
    std::vector<float> z(n * n);
    for (int r = 0; r < n; ++r)
        for (int c = 0; c < n; ++c) {
            const double x = -500 + 10 * c + 5, y = 1500 - 10 * r - 5;
            z[r * n + c] = x < nodata_below_x ? -9999.0f : static_cast<float>(plane(x, y));
        }
    return test::write_raster(path, n, n, -500, 1500, 10, z);
}

const std::string residential = "\"highway\":\"residential\"";  // 25 km/h in the drive profile

// A(100,100) -> B(700,100) -> C(700,500) -> A, and a spur C -> D(760,580): slopes along the drawing
// direction 10 %, 2.5 %, -9.7 % and 8 %.
std::vector<test::line_feature> slope_lines() {
    return {{{{100, 100}, {700, 100}}, residential},
            {{{700, 100}, {700, 500}}, residential},
            {{{700, 500}, {100, 100}}, residential},
            {{{700, 500}, {760, 580}}, residential}};
}

network_build build(const std::string& dir, const std::vector<test::line_feature>& lines, const std::string& prof,
                    const network_options& options) {
    const std::string path = test::write_lines(dir + "/roads.geojson", lines);
    return build_network(read_roads(path), test::builtin_profile(prof), parse_crs("EPSG:32650"), options);
}

double tobler(double s) { return 6 * std::exp(-3.5 * std::abs(s + 0.05)); }

}  // namespace

TEST_CASE("on a planar DEM, walking times follow Tobler's function of the slope, each direction its own", "[terrain]") {
    const std::string dir = test::scratch_dir("terrain");
    network_options options;
    options.dem = write_planar_dem(dir + "/dem.tif");
    const network_build b = build(dir, slope_lines(), "walk", options);
    const network& net = b.net;
    REQUIRE(net.edge_count() == 4);
    for (edge_id e = 0; e < net.edge_count(); ++e) {
        const node_id s = net.edge_source[e], t = net.edge_target[e];
        const double len = std::hypot(net.node_x[t] - net.node_x[s], net.node_y[t] - net.node_y[s]);
        const double slope = (plane(net.node_x[t], net.node_y[t]) - plane(net.node_x[s], net.node_y[s])) / len;
        INFO("edge " << e << " slope " << slope);
        CHECK(net.edge_length_m[e] == Approx(len).epsilon(1e-12));  // planimetric
        CHECK(net.edge_time_s[e] == Approx(len / (tobler(slope) / 3.6)).epsilon(1e-9));
        CHECK(net.edge_reverse_time_s[e] == Approx(len / (tobler(-slope) / 3.6)).epsilon(1e-9));
        CHECK(net.edge_time_s[e] != Approx(net.edge_reverse_time_s[e]));  // up and down differ
    }
    CHECK(b.adjusted.dem_km == Approx(net.total_length_m() / 1000).epsilon(1e-12));
    CHECK(b.adjusted.off_dem_km == 0);
    // Tobler's function itself: 6 km/h at 5 % downhill, e^-0.175 x 6 on the flat.
    CHECK(tobler_speed_kmh(-0.05) == 6);
    CHECK(tobler_speed_kmh(0) == Approx(6 * std::exp(-0.175)).epsilon(1e-15));
}

TEST_CASE("on a planar DEM, driving speeds take the factor of their grade class in both directions", "[terrain]") {
    const std::string dir = test::scratch_dir("terrain");
    network_options options;
    options.dem = write_planar_dem(dir + "/dem.tif");
    const network_build b = build(dir, slope_lines(), "drive", options);
    const network& net = b.net;
    REQUIRE(net.edge_count() == 4);
    const double drive = 25 / 3.6;
    // Grades 10 % and 9.7 %: x0.5 (above 9 %); 2.5 %: x1 (up to 3 %); 8 %: x0.6 (7-9 %).
    auto factor_of = [](double grade) { return grade > 0.09 ? 0.5 : grade > 0.07 ? 0.6 : grade > 0.05 ? 0.75 : grade > 0.03 ? 0.9 : 1.0; };
    std::vector<double> seen;
    for (edge_id e = 0; e < net.edge_count(); ++e) {
        const node_id s = net.edge_source[e], t = net.edge_target[e];
        const double len = net.edge_length_m[e];
        const double grade = std::abs(plane(net.node_x[t], net.node_y[t]) - plane(net.node_x[s], net.node_y[s])) / len;
        INFO("edge " << e << " grade " << grade);
        seen.push_back(factor_of(grade));
        CHECK(net.edge_time_s[e] == Approx(len / (drive * factor_of(grade))).epsilon(1e-12));
        CHECK(net.edge_reverse_time_s[e] == Approx(net.edge_time_s[e]).epsilon(1e-12));
    }
    std::sort(seen.begin(), seen.end());
    CHECK(seen == std::vector<double>{0.5, 0.5, 0.6, 1.0});
}

TEST_CASE("off the DEM roads are flat and counted, and a DEM that misses most roads is refused", "[terrain]") {
    const std::string dir = test::scratch_dir("terrain");
    network_options options;
    SECTION("nodata west of x = 400: 300 of the 600 m of A-B, 300 of C-A's run are off") {
        options.dem = write_planar_dem(dir + "/dem.tif", 400);
        const network_build b = build(dir, slope_lines(), "walk", options);
        CHECK(b.adjusted.off_dem_km > 0.3);
        CHECK(b.adjusted.off_dem_km < 0.5 * b.adjusted.dem_km);
        // A piece is off when either end is: every piece of A-B west of x = 400 is flat.
        const network& net = b.net;
        for (edge_id e = 0; e < net.edge_count(); ++e)
            if (net.node_y[net.edge_source[e]] == 100 && net.node_y[net.edge_target[e]] == 100) {
                const double flat = 300 / (tobler(0) / 3.6), up = 300 / (tobler(0.1) / 3.6);
                // Pieces of 30 m: the one across x = 400 has a nodata end.
                CHECK(net.edge_time_s[e] > flat + up - 30 / (tobler(0.1) / 3.6) - 1e-9);
                CHECK(net.edge_time_s[e] < flat + up + 1e-9);
            }
        // The cache repeats the warning on a load.
        graph_inputs in{dir + "/roads.geojson", {}, test::builtin_profile("walk"), options, "EPSG:32650"};
        CHECK(load_or_build_graph(in, dir + "/g.cache").warnings.size() == 1);
        const graph_result loaded = load_or_build_graph(in, dir + "/g.cache");
        CHECK(loaded.cache_status == "loaded");
        REQUIRE(loaded.warnings.size() == 1);
        CHECK_THAT(loaded.warnings[0], Catch::Contains("dem.tif") && Catch::Contains("off the DEM"));
    }
    SECTION("a DEM far from the roads") {
        std::vector<float> z(100, 50.0f);
        options.dem = test::write_raster(dir + "/far.tif", 10, 10, 90000, 90000, 10, z);
        CHECK_THROWS_WITH(build(dir, slope_lines(), "walk", options),
                          Catch::Contains("far.tif") && Catch::Contains("does not cover the roads"));
    }
}

TEST_CASE("the graph cache is rebuilt when the DEM, closures or speed factors change", "[terrain][graph_cache]") {
    const std::string dir = test::scratch_dir("terrain");
    const std::string roads = test::write_lines(dir + "/roads.geojson", slope_lines());
    const std::string cache = dir + "/g.cache";
    graph_inputs in{roads, {}, test::builtin_profile("walk"), {}, "EPSG:32650"};
    CHECK(load_or_build_graph(in, cache).cache_status == "written");
    in.build.dem = write_planar_dem(dir + "/dem.tif");
    const graph_result with_dem = load_or_build_graph(in, cache);
    CHECK(with_dem.cache_status == "rebuilt: the profile or road options changed");
    const graph_result loaded = load_or_build_graph(in, cache);
    CHECK(loaded.cache_status == "loaded");
    CHECK(loaded.built.net.edge_time_s == with_dem.built.net.edge_time_s);
    CHECK(loaded.built.adjusted.dem_km == with_dem.built.adjusted.dem_km);
    write_planar_dem(dir + "/dem.tif", 200);  // same size, other content
    CHECK(load_or_build_graph(in, cache).cache_status == "rebuilt: the profile or road options changed");
    test::write_boxes(dir + "/closed.geojson", {{{650, 450, 750, 550}}}, {"pass"});
    in.build.closures = dir + "/closed.geojson";
    const graph_result closed = load_or_build_graph(in, cache);
    CHECK(closed.cache_status == "rebuilt: the profile or road options changed");
    CHECK(closed.built.adjusted.closed_edges == 3);  // every edge through C
    CHECK(load_or_build_graph(in, cache).built.adjusted.closed_edges == 3);
}

TEST_CASE("a speed factor multiplies speeds on the part of an edge inside its polygon", "[terrain][closures]") {
    const std::string dir = test::scratch_dir("closures");
    // Half of A-B (x 400..700) lies in a 0.5 polygon, all of B-C in a 0.25 one: times x1.5 and x4.
    std::ofstream(dir + "/snow.geojson")
        << "{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\",\"properties\":{\"name\":\"urn:ogc:def:crs:EPSG::32650\"}},"
           "\"features\":[{\"type\":\"Feature\",\"properties\":{\"factor\":0.5},\"geometry\":{\"type\":\"Polygon\","
           "\"coordinates\":[[[400,50],[690,50],[690,150],[400,150],[400,50]]]}},"
           "{\"type\":\"Feature\",\"properties\":{\"factor\":0.25},\"geometry\":{\"type\":\"Polygon\","
           "\"coordinates\":[[[690,50],[710,50],[710,510],[690,510],[690,50]]]}}]}";
    network_options options;
    options.speed_factors = dir + "/snow.geojson";
    const network_build flat = build(dir, slope_lines(), "drive", {});
    const network_build b = build(dir, slope_lines(), "drive", options);
    REQUIRE(b.net.edge_count() == flat.net.edge_count());
    const double drive = 25 / 3.6;
    for (edge_id e = 0; e < b.net.edge_count(); ++e) {
        const node_id s = b.net.edge_source[e], t = b.net.edge_target[e];
        const double sx = b.net.node_x[s], sy = b.net.node_y[s], tx = b.net.node_x[t], ty = b.net.node_y[t];
        const double len = b.net.edge_length_m[e];
        // Metres inside the 0.5 and the 0.25 polygon.
        double half = 0, quarter = 0;
        if (sy == 100 && ty == 100) half = 290, quarter = 10;                   // A-B: x 400..690, 690..700
        else if (sx == 700 && tx == 700) quarter = 400;                         // B-C
        else if (tx == 760) quarter = 12.5;                                     // C-D up to y = 510
        else quarter = 10 * std::hypot(600.0, 400.0) / 600;                     // C-A down to x = 690
        const double want = (len - half - quarter) / drive + half / drive / 0.5 + quarter / drive / 0.25;
        INFO("edge " << e);
        CHECK(b.net.edge_time_s[e] == Approx(want).epsilon(1e-9));
        CHECK(b.net.edge_reverse_time_s[e] == Approx(b.net.edge_time_s[e]).epsilon(1e-12));
    }
    CHECK(b.adjusted.slowed_edges == 4);
    CHECK(b.adjusted.slowed_km == Approx((300 + 400 + 12.5 + 10 * std::hypot(600.0, 400.0) / 600) / 1000).epsilon(1e-9));
    SECTION("bad factors are refused, naming the file") {
        test::write_boxes(dir + "/nofactor.geojson", {{{0, 0, 10, 10}}}, {"a"});
        options.speed_factors = dir + "/nofactor.geojson";
        CHECK_THROWS_WITH(build(dir, slope_lines(), "drive", options),
                          Catch::Contains("nofactor.geojson") && Catch::Contains("factor"));
        std::string text = test::read_text(dir + "/snow.geojson");
        text.replace(text.find("0.25"), 4, "-0.5");
        std::ofstream(dir + "/negative.geojson") << text;
        options.speed_factors = dir + "/negative.geojson";
        CHECK_THROWS_WITH(build(dir, slope_lines(), "drive", options),
                          Catch::Contains("negative.geojson") && Catch::Contains("-0.5") && Catch::Contains("> 0"));
    }
}

TEST_CASE("closing the only bridge leaves the far bank uncovered, exactly", "[terrain][closures]") {
    // Two two-way loops 1000 m apart joined by one bridge (1000,0)-(2000,0); ten cells of 10 people
    // 10 m south of each bank's river-side street; an ambulance on the west bank.
    const std::string dir = test::scratch_dir("closures");
    test::write_lines(dir + "/roads.geojson",
                      {{{{0, 0}, {1000, 0}, {1000, 500}, {0, 500}, {0, 0}}, residential},
                       {{{1000, 0}, {2000, 0}}, residential},
                       {{{2000, 0}, {3000, 0}, {3000, 500}, {2000, 500}, {2000, 0}}, residential}});
    std::vector<float> people(30, 0.0f);
    for (int k = 0; k < 10; ++k) people[k] = people[20 + k] = 10;  // x = 50..950 and 2050..2950
    test::write_raster(dir + "/pop.tif", 30, 1, 0, 40, 100, people);
    test::write_points(dir + "/fac.geojson", {{500, 0, "\"id\":\"F1\",\"type\":\"ambulance-station\""}});
    test::write_boxes(dir + "/urban.geojson", {{{90000, 90000, 91000, 91000}}}, {"far"});
    test::write_boxes(dir + "/flood.geojson", {{{1400, -50, 1600, 50}}}, {"bridge"});
    analysis_options o;
    o.roads = dir + "/roads.geojson";
    o.population = dir + "/pop.tif";
    o.facilities = dir + "/fac.geojson";
    o.urban = dir + "/urban.geojson";
    o.service = "ambulance";  // 20 km rural: everything is covered while the bridge stands
    o.crs = "EPSG:32650";
    const auto open = run_analysis(o);
    CHECK(open->total.covered == 200);
    o.network_build.closures = dir + "/flood.geojson";
    const auto closed = run_analysis(o);
    CHECK(closed->built.adjusted.closed_edges == 1);
    CHECK(closed->built.adjusted.closed_km == Approx(1.0).epsilon(1e-12));
    CHECK(closed->total.covered == 100);
    CHECK(closed->total.uncovered == 100);
    CHECK(closed->total.off_network == 0);
    for (std::size_t d = 0; d < closed->demand_x.size(); ++d) {
        INFO("cell at x = " << closed->demand_x[d]);
        const bool west = closed->demand_x[d] < 1000;
        CHECK(closed->status[d] == (west ? demand_status::covered : demand_status::uncovered));
        if (west) CHECK(closed->nearest.cost[d] == open->nearest.cost[d]);
        else CHECK(closed->nearest.site[d] == invalid_id);
    }
    bool reported = false;
    for (const input_summary& in : closed->inputs)
        if (in.role == "closures") reported = in.counts[0].first == "closed_km" && in.counts[0].second == 1;
    CHECK(reported);
    SECTION("a closure layer of points is refused, naming the file") {
        test::write_points(dir + "/points.geojson", {{1500, 0, "\"id\":\"x\""}});
        o.network_build.closures = dir + "/points.geojson";
        CHECK_THROWS_WITH(run_analysis(o), Catch::Contains("points.geojson") && Catch::Contains("not a polygon"));
    }
}

TEST_CASE("a clip reads only the roads meeting the clip polygons grown by the buffer", "[terrain][clip]") {
    const std::string dir = test::scratch_dir("clip");
    // Three east-west roads at y = 0, 1000 and 5000; the clip box covers y -100..100.
    const std::string path = test::write_lines(dir + "/roads.geojson", {{{{0, 0}, {1000, 0}}, residential},
                                                                        {{{0, 1000}, {1000, 1000}}, residential},
                                                                        {{{0, 5000}, {1000, 5000}}, residential}});
    test::write_boxes(dir + "/clip.geojson", {{{400, -100, 600, 100}}}, {"area"});
    road_options options;
    options.clip = dir + "/clip.geojson";
    CHECK(read_roads(path, options).lines.size() == 1);
    options.clip_buffer_m = 950;  // reaches y = 1050
    const road_set two = read_roads(path, options);
    CHECK(two.lines.size() == 2);
    CHECK(two.features_read == 2);
    options.clip_buffer_m = 850;
    CHECK(read_roads(path, options).lines.size() == 1);
    test::write_boxes(dir + "/far.geojson", {{{90000, 90000, 91000, 91000}}}, {"far"});
    options.clip = dir + "/far.geojson";
    CHECK_THROWS_WITH(read_roads(path, options), Catch::Contains("roads.geojson") && Catch::Contains("far.geojson"));
}

TEST_CASE("Andorra's DEM under its roads: walking times within Tobler's bounds, uphill and downhill apart", "[terrain][real]") {
    const std::string roads = test::shared_data("andorra-2021.osm.pbf"), dem = test::shared_data("andorra-dem.tif");
    if (roads.empty() || dem.empty()) return;
    const road_set set = read_roads(roads);
    double lon = 0, lat = 0;
    set.center_lonlat(lon, lat);
    const OGRSpatialReference metric = utm_zone_for(lon, lat);
    const profile walk = test::builtin_profile("walk");
    const network_build flat = build_network(set, walk, metric);
    network_options options;
    options.dem = dem;
    const network_build hilly = build_network(set, walk, metric, options);
    REQUIRE(hilly.net.edge_count() == flat.net.edge_count());
    CHECK(hilly.adjusted.off_dem_km < 0.01 * hilly.adjusted.dem_km);  // SRTM voids only
    double flat_s = 0, there_s = 0, back_s = 0;
    std::size_t steep = 0;
    for (edge_id e = 0; e < hilly.net.edge_count(); ++e) {
        const double len = hilly.net.edge_length_m[e];
        INFO("edge " << e << ", " << len << " m");
        // Never faster than Tobler's top speed (6 km/h at 5 % downhill), whatever the slope.
        CHECK(hilly.net.edge_time_s[e] >= len / (6 / 3.6) * (1 - 1e-12));
        CHECK(hilly.net.edge_reverse_time_s[e] >= len / (6 / 3.6) * (1 - 1e-12));
        flat_s += flat.net.edge_time_s[e];
        there_s += hilly.net.edge_time_s[e];
        back_s += hilly.net.edge_reverse_time_s[e];
        steep += std::abs(hilly.net.edge_time_s[e] - hilly.net.edge_reverse_time_s[e]) > 0.2 * hilly.net.edge_time_s[e];
    }
    // A mountain country: a round trip over every road takes far longer than on the flat.
    CHECK(there_s + back_s > 1.3 * 2 * flat_s);
    CHECK(steep > hilly.net.edge_count() / 10);
}

TEST_CASE("a bridge or a tunnel climbs evenly between its ends, whatever the ground below", "[terrain]") {
    // A V-shaped valley z = 0.5 |x - 400| (exact at every cell centre); a line from x = 100 to 700
    // at y = 100, both ends at 150 m.
    const std::string dir = test::scratch_dir("terrain");
    const int n = 200;
    std::vector<float> z(n * n);
    for (int r = 0; r < n; ++r)
        for (int c = 0; c < n; ++c) z[r * n + c] = static_cast<float>(0.5 * std::abs(-500 + 10 * c + 5 - 400.0));
    network_options options;
    options.dem = test::write_raster(dir + "/valley.tif", n, n, -500, 1500, 10, z);
    const double flat = 600 / (tobler(0) / 3.6);
    for (const std::string& tag : std::vector<std::string>{"\"bridge\":\"yes\"", "\"tunnel\":\"yes\"", "\"bridge\":\"no\"",
                                                        "\"tunnel\":\"building_passage\""}) {
        const network_build b = build(dir, {{{{100, 100}, {700, 100}}, residential + "," + tag}}, "walk", options);
        REQUIRE(b.net.edge_count() == 1);
        INFO(tag);
        const bool off_ground = tag == "\"bridge\":\"yes\"" || tag == "\"tunnel\":\"yes\"";
        if (off_ground) {
            CHECK(b.net.edge_time_s[0] == Approx(flat).epsilon(1e-9));
            CHECK(b.net.edge_reverse_time_s[0] == Approx(flat).epsilon(1e-9));
        } else {
            // Down 150 m and up 150 m over 300 m each: slopes -0.5 and 0.5, near the kink smoothed.
            CHECK(b.net.edge_time_s[0] > 1.5 * flat);
        }
    }
}
