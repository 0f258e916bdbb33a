// Hand-built road layouts and the exact graph each must give.
#include "support.hpp"

#include "healthreach/geo/crs.hpp"
#include "healthreach/geo/network.hpp"

#include <catch2/catch.hpp>

#include <cmath>

using namespace healthreach;
using namespace healthreach::geo;
using test::line_feature;

namespace {

const std::string residential = "\"highway\":\"residential\"";  // 25 km/h in the drive profile

network_build build(const std::vector<line_feature>& lines, const std::string& prof = "drive",
                    network_options options = {}) {
    const std::string path = test::write_lines(test::scratch_dir("network") + "/roads.geojson", lines);
    const road_set roads = read_roads(path);
    return build_network(roads, test::builtin_profile(prof), parse_crs("EPSG:32650"), options);
}

node_id node_at(const network& net, double x, double y) {
    for (node_id v = 0; v < net.node_count(); ++v)
        if (net.node_x[v] == x && net.node_y[v] == y) return v;
    return invalid_id;
}

// Edges from a to b (as stored: source a, target b).
std::vector<edge_id> edges_between(const network& net, node_id a, node_id b) {
    std::vector<edge_id> out;
    for (edge_id e = 0; e < net.edge_count(); ++e)
        if (net.edge_source[e] == a && net.edge_target[e] == b) out.push_back(e);
    return out;
}

// A two-way loop through (100,0), (100,100), (0,100), (0,0) that keeps the tests' one-way pieces
// inside one strongly connected component.
line_feature return_path() { return {{{100, 0}, {100, 100}, {0, 100}, {0, 0}}, residential}; }

}  // namespace

TEST_CASE("a one-way street is traversable only in its drawing direction", "[network]") {
    const auto built = build({{{{0, 0}, {100, 0}}, residential + ",\"oneway\":\"yes\""}, return_path()});
    const network& net = built.net;
    REQUIRE(net.node_count() == 2);  // the loop's corners are not junctions
    const node_id a = node_at(net, 0, 0), b = node_at(net, 100, 0);
    REQUIRE(a != invalid_id);
    REQUIRE(b != invalid_id);
    const auto ab = edges_between(net, a, b);
    REQUIRE(ab.size() == 1);
    CHECK(net.edge_length_m[ab[0]] == Approx(100).epsilon(1e-12));
    CHECK(net.edge_time_s[ab[0]] == Approx(100 / (25 / 3.6)).epsilon(1e-12));
    CHECK(net.edge_reverse_time_s[ab[0]] == -1);
    const auto ba = edges_between(net, b, a);
    REQUIRE(ba.size() == 1);
    CHECK(net.edge_length_m[ba[0]] == Approx(300).epsilon(1e-12));
    CHECK(net.edge_reverse_time_s[ba[0]] == Approx(net.edge_time_s[ba[0]]));
}

TEST_CASE("oneway=-1 is stored flipped, its geometry running from source to target", "[network]") {
    const auto built = build({{{{0, 0}, {50, 0}, {100, 0}}, residential + ",\"oneway\":\"-1\""}, return_path()});
    const network& net = built.net;
    const node_id a = node_at(net, 0, 0), b = node_at(net, 100, 0);
    const auto ba = edges_between(net, b, a);
    REQUIRE(ba.size() == 2);  // the one-way piece and the return loop, both drawn from (100,0)
    const edge_id e = net.edge_length_m[ba[0]] < 150 ? ba[0] : ba[1];
    CHECK(net.edge_reverse_time_s[e] == -1);
    const auto first = net.geom_first[e];
    CHECK(net.geom_x[first] == 100);
    CHECK(net.geom_x[first + 1] == 50);
    CHECK(net.geom_x[first + 2] == 0);
    CHECK(edges_between(net, a, b).empty());
}

TEST_CASE("a roundabout is one-way in its drawing direction and split at its entries", "[network]") {
    // Counter-clockwise ring through four entry vertices; four two-way spokes joined by an outer road.
    const auto built = build({
        {{{10, 0}, {0, 10}, {-10, 0}, {0, -10}, {10, 0}}, residential + ",\"junction\":\"roundabout\""},
        {{{10, 0}, {100, 0}}, residential},
        {{{0, 10}, {0, 100}}, residential},
        {{{-10, 0}, {-100, 0}}, residential},
        {{{0, -10}, {0, -100}}, residential},
        {{{100, 0}, {0, 100}, {-100, 0}, {0, -100}, {100, 0}}, residential},
    });
    const network& net = built.net;
    CHECK(net.node_count() == 8);
    const node_id e = node_at(net, 10, 0), n = node_at(net, 0, 10), w = node_at(net, -10, 0), s = node_at(net, 0, -10);
    for (auto [a, b] : {std::pair{e, n}, {n, w}, {w, s}, {s, e}}) {
        const auto fwd = edges_between(net, a, b);
        REQUIRE(fwd.size() == 1);
        CHECK(net.edge_reverse_time_s[fwd[0]] == -1);
        CHECK(net.edge_length_m[fwd[0]] == Approx(std::sqrt(200.0)));
        CHECK(edges_between(net, b, a).empty());
    }
}

TEST_CASE("lines crossing without a shared vertex do not meet", "[network]") {
    // A bridge: (0,50)-(100,50) crosses (50,0)-(50,100) with no vertex at (50,50).
    const auto built = build({
        {{{0, 50}, {100, 50}}, residential},
        {{{50, 0}, {50, 100}}, residential},
        {{{100, 50}, {50, 100}}, residential},
        {{{0, 50}, {50, 0}}, residential},
    });
    CHECK(built.net.node_count() == 4);
    CHECK(built.net.edge_count() == 4);
    CHECK(node_at(built.net, 50, 50) == invalid_id);
}

TEST_CASE("ways meeting mid-line are split at the shared vertex", "[network]") {
    const auto built = build({
        {{{0, 0}, {50, 0}, {100, 0}}, residential},
        {{{50, 0}, {50, 100}}, residential},
    });
    const network& net = built.net;
    CHECK(net.node_count() == 4);
    CHECK(net.edge_count() == 3);
    CHECK(net.total_length_m() == Approx(200));
    REQUIRE(node_at(net, 50, 0) != invalid_id);

    SECTION("unless junctions are only line ends") {
        network_options options;
        options.junctions = junction_mode::endpoints;
        const auto ends = build({{{{0, 0}, {50, 0}, {100, 0}}, residential}, {{{50, 0}, {50, 100}}, residential}},
                                "drive", options);
        CHECK(ends.net.node_count() == 2);  // two separate lines: only one survives as the largest component
        CHECK(ends.components.dropped.size() == 1);
    }
}

TEST_CASE("a disconnected island is dropped and reported", "[network]") {
    const auto built = build({
        {{{0, 0}, {100, 0}}, residential},
        {{{100, 0}, {100, 100}}, residential},
        {{{5000, 5000}, {5100, 5000}}, residential},
    });
    CHECK(built.net.node_count() == 3);
    CHECK(built.components.components == 2);
    REQUIRE(built.components.dropped.size() == 1);
    CHECK(built.components.dropped[0] == 2);
    CHECK(built.components.dropped_edges == 1);
}

TEST_CASE("profiles: private access, footways and motorways", "[network]") {
    const std::vector<line_feature> lines = {
        {{{0, 0}, {100, 0}}, residential},
        {{{100, 0}, {200, 0}}, "\"highway\":\"footway\""},
        {{{0, 0}, {0, 100}}, "\"highway\":\"motorway\""},
        {{{100, 0}, {100, 100}}, residential + ",\"access\":\"private\""},
    };
    const auto drive = build(lines, "drive");
    CHECK(drive.lines_routable == 2);
    CHECK(drive.net.total_length_m() == Approx(200));
    const auto walk = build(lines, "walk");
    CHECK(walk.lines_routable == 2);  // residential and footway; private access closed, motorway excluded
    CHECK(walk.net.total_length_m() == Approx(200));
    CHECK(walk.net.edge_time_s[0] == Approx(100 / (5 / 3.6)));
}
