#include "support.hpp"

#include "healthreach/geo/crs.hpp"
#include "healthreach/geo/graph_io.hpp"

#include <catch2/catch.hpp>

#include <limits>

using namespace healthreach;
using namespace healthreach::geo;

TEST_CASE("the graph contract round-trips through a GeoPackage", "[graph_io]") {
    const std::string dir = test::scratch_dir("graph_io");
    const std::string path = test::write_lines(
        dir + "/r.geojson", {{{{0, 0}, {100, 0}}, "\"highway\":\"primary\",\"oneway\":\"yes\""},
                             {{{100, 0}, {60, 70}, {0, 0}}, "\"highway\":\"tertiary\""}});
    const network net = build_network(read_roads(path), test::builtin_profile("drive"), parse_crs("EPSG:32650")).net;
    write_network(net, dir + "/net.gpkg");
    const network back = read_network(dir + "/net.gpkg");
    REQUIRE(back.node_count() == net.node_count());
    REQUIRE(back.edge_count() == net.edge_count());
    for (edge_id e = 0; e < net.edge_count(); ++e) {
        CHECK(back.edge_source[e] == net.edge_source[e]);
        CHECK(back.edge_target[e] == net.edge_target[e]);
        CHECK(back.edge_length_m[e] == net.edge_length_m[e]);  // exact: doubles are never rounded
        CHECK(back.edge_time_s[e] == net.edge_time_s[e]);
        CHECK(back.edge_reverse_time_s[e] == net.edge_reverse_time_s[e]);
        CHECK(back.classes[back.edge_class[e]] == net.classes[net.edge_class[e]]);
    }
    CHECK(back.geom_x == net.geom_x);
    CHECK(crs_label(back.srs) == "EPSG:32650");
    for (const auto& name : test::list_dir(dir)) CHECK(name.find(".tmp") == std::string::npos);
}

// Regression (the sanitizer build): a graph whose time_s was negative reached the search, whose
// radix heap then shifted by 64 bits (undefined behaviour).
TEST_CASE("a graph with a negative or non-finite cost is an input error", "[graph_io]") {
    const std::string dir = test::scratch_dir("graph_io_costs");
    const std::string path = test::write_lines(
        dir + "/r.geojson", {{{{0, 0}, {100, 0}}, "\"highway\":\"primary\",\"oneway\":\"yes\""},
                             {{{100, 0}, {60, 70}, {0, 0}}, "\"highway\":\"tertiary\""}});
    const network net = build_network(read_roads(path), test::builtin_profile("drive"), parse_crs("EPSG:32650")).net;
    for (auto bad : {+[](network& n) { n.edge_time_s[0] = -5; }, +[](network& n) { n.edge_length_m[1] = -1; },
                     +[](network& n) { n.edge_reverse_time_s[1] = std::numeric_limits<double>::infinity(); }}) {
        network damaged = net;
        bad(damaged);
        write_network(damaged, dir + "/net.gpkg");
        CHECK_THROWS_WITH(read_network(dir + "/net.gpkg"), Catch::Contains("layer edges: feature") &&
                                                               (Catch::Contains("costs must be finite numbers >= 0") ||
                                                                Catch::Contains("reverse_time_s is")));
    }
}
