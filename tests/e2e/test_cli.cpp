// End-to-end: the real executable on small files, good and bad.
#include "support.hpp"
#include "test_paths.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

using namespace healthreach;

namespace {

const std::string exe = HEALTHREACH_BINARY;

void require_no_output_left(const std::string& dir, const std::string& name) {
    for (const auto& f : test::list_dir(dir)) {
        CHECK(f != name);
        CHECK(f.find(".tmp") == std::string::npos);
    }
}

}  // namespace

TEST_CASE("network then reach on a small layer", "[e2e]") {
    const std::string dir = test::scratch_dir("e2e-network");
    test::write_lines(dir + "/roads.geojson", {{{{0, 0}, {100, 0}}, "\"highway\":\"residential\""},
                                               {{{100, 0}, {100, 50}}, "\"highway\":\"residential\""}});
    std::string err;
    REQUIRE(test::run(exe + " network --roads " + dir + "/roads.geojson --crs EPSG:32650 --out " + dir +
                          "/net.gpkg", &err) == 0);
    CHECK(err.find("3 nodes, 2 edges") != std::string::npos);
    std::ofstream(dir + "/s.csv") << "node_id\n0\n";
    REQUIRE(test::run(exe + " reach --graph " + dir + "/net.gpkg --sources " + dir + "/s.csv --limit 100 --out " +
                          dir + "/reach.csv", &err) == 0);
    CHECK(err.rfind("compute_s=") == err.rfind('\n', err.size() - 2) + 1);  // the last line
    const std::string csv = test::read_text(dir + "/reach.csv");
    CHECK(csv.rfind("source,node_id,cost\n0,0,0\n", 0) == 0);
    CHECK(std::count(csv.begin(), csv.end(), '\n') == 3);  // node 0, node 1 at 100 (inclusive); not 150

    // Two sources: each one's rows in turn, in the sources' order; with --nearest, one row per node.
    std::ofstream(dir + "/s2.csv") << "node_id\n2\n0\n";
    REQUIRE(test::run(exe + " reach --graph " + dir + "/net.gpkg --sources " + dir + "/s2.csv --limit 100 --out " +
                          dir + "/each.csv --threads 2", &err) == 0);
    CHECK(test::read_text(dir + "/each.csv") == "source,node_id,cost\n2,2,0\n2,1,50\n0,0,0\n0,1,100\n");
    REQUIRE(test::run(exe + " reach --graph " + dir + "/net.gpkg --sources " + dir + "/s2.csv --limit 100 --nearest --out " +
                          dir + "/nearest.csv", &err) == 0);
    const std::string nearest = test::read_text(dir + "/nearest.csv");  // the two at cost 0 in either order
    CHECK(nearest.size() == std::string("source,node_id,cost\n0,0,0\n2,2,0\n2,1,50\n").size());
    for (const char* row : {"\n0,0,0\n", "\n2,2,0\n", "\n2,1,50\n"}) CHECK(nearest.find(row) != std::string::npos);

    // Costs are written as printf's %.17g writes them (DESIGN.md): times in seconds have every digit.
    REQUIRE(test::run(exe + " reach --graph " + dir + "/net.gpkg --sources " + dir + "/s.csv --limit 100 --metric time --out " +
                          dir + "/time.csv", &err) == 0);
    std::istringstream rows(test::read_text(dir + "/time.csv"));
    std::size_t long_costs = 0;
    for (std::string line; std::getline(rows, line);) {
        if (line == "source,node_id,cost") continue;
        const std::string cost = line.substr(line.rfind(',') + 1);
        char printed[64];
        std::snprintf(printed, sizeof printed, "%.17g", std::strtod(cost.c_str(), nullptr));
        CHECK(cost == printed);
        long_costs += cost.size() > 10;
    }
    CHECK(long_costs > 0);

    // A source that is not a node of the graph.
    std::ofstream(dir + "/bad.csv") << "node_id\n99\n";
    CHECK(test::run(exe + " reach --graph " + dir + "/net.gpkg --sources " + dir + "/bad.csv --limit 1 --out " +
                        dir + "/bad-reach.csv", &err) == 2);
    CHECK(err.find("node_id '99'") != std::string::npos);
    require_no_output_left(dir, "bad-reach.csv");

    // A negative limit: the option, the rule and the value.
    CHECK(test::run(exe + " reach --graph " + dir + "/net.gpkg --sources " + dir + "/s.csv --limit -5 --out " +
                        dir + "/bad-reach.csv", &err) == 2);
    CHECK(err.find("--limit: must be a number >= 0, got '-5'") != std::string::npos);
    require_no_output_left(dir, "bad-reach.csv");
}

TEST_CASE("bad inputs: clear message, exit 2, nothing written", "[e2e]") {
    const std::string dir = test::scratch_dir("e2e-bad");
    std::string err;
    const std::string out = " --out " + dir + "/net.gpkg";

    CHECK(test::run(exe + " network --roads " + dir + "/missing.gpkg" + out, &err) == 2);
    CHECK(err.find("missing.gpkg: no such file") != std::string::npos);

    std::ofstream(dir + "/notes.txt") << "these are not roads\n";
    CHECK(test::run(exe + " network --roads " + dir + "/notes.txt" + out, &err) == 2);
    CHECK(err.find("notes.txt") != std::string::npos);

    test::write_lines(dir + "/roads.geojson", {{{{0, 0}, {100, 0}}, "\"highway\":\"residential\""}});
    CHECK(test::run(exe + " network --roads " + dir + "/roads.geojson --roads-layer streets" + out, &err) == 2);
    CHECK(err.find("no layer 'streets'") != std::string::npos);

    test::write_lines(dir + "/empty.geojson", {});
    CHECK(test::run(exe + " network --roads " + dir + "/empty.geojson" + out, &err) == 2);
    CHECK(err.find("empty.geojson") != std::string::npos);
    CHECK(err.find("no road line") != std::string::npos);

    CHECK(test::run(exe + " network --roads " + dir + "/roads.geojson --profile bike" + out, &err) == 2);
    CHECK(test::run(exe + " network --roads " + dir + "/roads.geojson --crs EPSG:4326" + out, &err) == 2);
    CHECK(err.find("EPSG:4326") != std::string::npos);

    require_no_output_left(dir, "net.gpkg");
}

TEST_CASE("network on a real OSM extract", "[e2e][real]") {
    const std::string pbf = test::shared_data("andorra-2021.osm.pbf");
    if (pbf.empty()) return;
    const std::string dir = test::scratch_dir("e2e-real");
    std::string err;
    REQUIRE(test::run(exe + " network --roads " + pbf + " --out " + dir + "/andorra.gpkg", &err) == 0);
    CHECK(err.find("crs: EPSG:32631") != std::string::npos);
    CHECK(err.find("3479 nodes, 4189 edges") != std::string::npos);
}
