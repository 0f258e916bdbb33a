#include "support.hpp"

#include "healthreach/geo/crs.hpp"
#include "healthreach/geo/graph_cache.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <utility>

using namespace healthreach;
using namespace healthreach::geo;

namespace {

void require_same(const network& a, const network& b) {
    REQUIRE(a.node_count() == b.node_count());
    REQUIRE(a.edge_count() == b.edge_count());
    CHECK(a.node_x == b.node_x);
    CHECK(a.node_y == b.node_y);
    CHECK(a.edge_source == b.edge_source);
    CHECK(a.edge_target == b.edge_target);
    CHECK(a.edge_length_m == b.edge_length_m);
    CHECK(a.edge_time_s == b.edge_time_s);
    CHECK(a.edge_reverse_time_s == b.edge_reverse_time_s);
    CHECK(a.edge_class == b.edge_class);
    CHECK(a.classes == b.classes);
    CHECK(a.geom_first == b.geom_first);
    CHECK(a.geom_x == b.geom_x);
    CHECK(a.geom_y == b.geom_y);
    CHECK(crs_label(a.srs) == crs_label(b.srs));
}

}  // namespace

TEST_CASE("the graph cache reloads the same graph and is rebuilt when its inputs change", "[graph_cache]") {
    const std::string dir = test::scratch_dir("graph_cache");
    const std::vector<test::line_feature> lines = {{{{0, 0}, {100, 0}}, "\"highway\":\"primary\",\"oneway\":\"yes\""},
                                                   {{{100, 0}, {60, 70}, {0, 0}}, "\"highway\":\"tertiary\""}};
    const std::string roads = test::write_lines(dir + "/r.geojson", lines);
    const std::string cache = dir + "/graph.cache";
    graph_inputs in{roads, {}, test::builtin_profile("drive"), {}, ""};

    const graph_result first = load_or_build_graph(in, cache);
    CHECK(first.cache_status == "written");
    const graph_result again = load_or_build_graph(in, cache);
    CHECK(again.cache_status == "loaded");
    require_same(first.built.net, again.built.net);
    CHECK(again.built.lines_routable == first.built.lines_routable);
    CHECK(again.road_features == 2);
    CHECK(!first.road_layer.empty());
    CHECK(again.road_layer == first.road_layer);  // the run's JSON names the layer either way
    CHECK(crs_label(again.crs) == crs_label(first.crs));
    const graph_result uncached = load_or_build_graph(in, "");
    CHECK(uncached.cache_status.empty());
    require_same(uncached.built.net, again.built.net);

    SECTION("another profile") {
        in.prof = test::builtin_profile("walk");
        const graph_result walk = load_or_build_graph(in, cache);
        CHECK(walk.cache_status == "rebuilt: the profile or road options changed");
        CHECK(walk.built.net.edge_reverse_time_s[0] >= 0);  // walkers ignore one-ways
        CHECK(load_or_build_graph(in, cache).cache_status == "loaded");
    }
    SECTION("another speed in the same profile") {
        in.prof.speed_kmh["primary"] = 33;
        CHECK(load_or_build_graph(in, cache).cache_status == "rebuilt: the profile or road options changed");
    }
    SECTION("the road file changes, even with the same size") {
        std::string text = test::read_text(roads);
        const auto at = text.find("\"primary\"");
        text.replace(at, 9, "\"tertiar\"");  // same length, another class
        std::ofstream(roads, std::ios::binary | std::ios::trunc) << text;
        const graph_result changed = load_or_build_graph(in, cache);
        CHECK(changed.cache_status == "rebuilt: the road file changed");
        CHECK(changed.built.lines_skipped == 1);  // "tertiar" is no road class
    }
    SECTION("a damaged cache is rebuilt, never trusted") {
        const auto size = std::filesystem::file_size(cache);
        std::filesystem::resize_file(cache, size - 9);
        const graph_result rebuilt = load_or_build_graph(in, cache);
        CHECK(rebuilt.cache_status == "rebuilt: damaged cache");
        require_same(rebuilt.built.net, first.built.net);
        CHECK(std::filesystem::file_size(cache) == size);
    }
    SECTION("a file that is no cache") {
        std::ofstream(cache, std::ios::trunc) << "hello";
        CHECK(load_or_build_graph(in, cache).cache_status == "rebuilt: not a graph cache of this version");
    }
    for (const auto& name : test::list_dir(dir)) CHECK(name.find(".tmp") == std::string::npos);
}

// Regression (bench/fuzz.sh, graph_cache): a cache whose second edge had a negative length loaded,
// and the search's radix heap then shifted by 64 bits. Costs and coordinates are checked now.
TEST_CASE("a cache with a negative cost or a non-finite coordinate is damaged, never searched", "[graph_cache]") {
    const std::string dir = test::scratch_dir("graph_cache_values");
    const std::vector<test::line_feature> lines = {{{{0, 0}, {100, 0}}, "\"highway\":\"primary\",\"oneway\":\"yes\""},
                                                   {{{100, 0}, {60, 70}, {0, 0}}, "\"highway\":\"tertiary\""}};
    const std::string cache = dir + "/graph.cache";
    const graph_inputs in{test::write_lines(dir + "/r.geojson", lines), {}, test::builtin_profile("drive"), {}, ""};
    const graph_result first = load_or_build_graph(in, cache);
    const std::string written = test::read_text(cache);
    std::string why;
    REQUIRE(read_graph_cache(in, cache, why).has_value());

    // The cache with one value replaced (its 8 bytes found in the file).
    auto damaged = [&](double was, double now) {
        std::string bytes = written;
        const std::string from(reinterpret_cast<const char*>(&was), sizeof was);
        const auto at = bytes.find(from);
        REQUIRE(at != std::string::npos);
        bytes.replace(at, sizeof now, reinterpret_cast<const char*>(&now), sizeof now);
        std::ofstream(cache, std::ios::binary | std::ios::trunc) << bytes;
    };
    const network& net = first.built.net;
    for (const auto& [was, now] : {std::pair{net.edge_length_m.back(), -4.727526638680367e+305},  // the fuzzer's
                                   std::pair{net.edge_time_s.back(), -1.0},
                                   std::pair{net.edge_reverse_time_s.front(), std::nan("")},
                                   std::pair{net.node_x.back(), std::numeric_limits<double>::infinity()}}) {
        INFO(was << " -> " << now);
        damaged(was, now);
        CHECK_FALSE(read_graph_cache(in, cache, why).has_value());
        CHECK(why == "damaged cache");
        const graph_result rebuilt = load_or_build_graph(in, cache);
        CHECK(rebuilt.cache_status == "rebuilt: damaged cache");
        require_same(rebuilt.built.net, net);
    }
}
