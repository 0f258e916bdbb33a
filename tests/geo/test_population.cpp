// Population grids: reading, urban/rural by the Degree of Urbanisation, demand aggregation.
#include "support.hpp"

#include "healthreach/geo/analysis.hpp"
#include "healthreach/geo/crs.hpp"
#include "healthreach/geo/population.hpp"
#include "healthreach/geo/urbanisation.hpp"

#include <catch2/catch.hpp>

using namespace healthreach;
using namespace healthreach::geo;

TEST_CASE("Degree of Urbanisation: centres, gap filling, clusters, rural", "[population][urbanisation]") {
    // 1 km cells (origin 0, 7000): a ring of eight 7,000-people cells around a 100-people hole (an
    // urban centre once the hole is filled), a pair of 2,600-people cells (an urban cluster of
    // 5,200), and a lone 400-people cell (dense enough, too few people: rural).
    const int cols = 7, rows = 7;
    std::vector<float> v(cols * rows, 0.0f);
    auto at = [&](int c, int r) -> float& { return v[r * cols + c]; };
    for (int r = 1; r <= 3; ++r)
        for (int c = 1; c <= 3; ++c) at(c, r) = 7000;
    at(2, 2) = 100;
    at(5, 5) = at(6, 5) = 2600;
    at(5, 1) = 400;
    const std::string path = test::write_raster(test::scratch_dir("dou") + "/pop.tif", cols, rows, 0, 7000, 1000, v);
    const population_grid pop = read_population(path, parse_crs("EPSG:32650"));
    CHECK(pop.total == Approx(8 * 7000 + 100 + 2 * 2600 + 400));
    urbanisation_rules rules = load_standards().urbanisation;
    REQUIRE_FALSE(rules.clusters_urban);  // the plans' city areas are urban centres only
    const urbanisation_grid u = degree_of_urbanisation(pop, rules);
    auto kind = [&](int c, int r) { return u.at(c * 1000 + 500, 7000 - r * 1000 - 500); };
    CHECK(kind(1, 1) == area_class::urban);
    CHECK(kind(2, 2) == area_class::urban);  // the hole, filled
    CHECK(u.centre_cells == 9);
    CHECK(u.kind_at(5 * 1000 + 500, 7000 - 5 * 1000 - 500) == 1);  // cluster, with the rural limit
    CHECK(kind(5, 5) == area_class::rural);
    CHECK(kind(6, 5) == area_class::rural);
    CHECK(u.cluster_cells == 2);
    CHECK(kind(5, 1) == area_class::rural);
    CHECK(kind(0, 6) == area_class::rural);

    rules.clusters_urban = true;  // [urbanisation] clusters_are = "urban"
    const urbanisation_grid towns_urban = degree_of_urbanisation(pop, rules);
    CHECK(towns_urban.at(5 * 1000 + 500, 7000 - 5 * 1000 - 500) == area_class::urban);
    CHECK(towns_urban.at(1 * 1000 + 500, 7000 - 1 * 1000 - 500) == area_class::urban);
    CHECK(towns_urban.at(5 * 1000 + 500, 7000 - 1 * 1000 - 500) == area_class::rural);
}

TEST_CASE("demand aggregation by --demand-cell keeps the total, at the centroid", "[population]") {
    const std::string dir = test::scratch_dir("demand-cell");
    test::write_lines(dir + "/roads.geojson", {{{{0, 0}, {1000, 0}}, "\"highway\":\"residential\""},
                                               {{{1000, 0}, {1000, 400}}, "\"highway\":\"residential\""}});
    // Four 100 m cells in one 200 m square: 10, 20, 30, 40 people.
    test::write_raster(dir + "/pop.tif", 2, 2, 0, 200, 100, {10, 20, 30, 40});
    test::write_points(dir + "/fac.geojson", {{0, 0, "\"type\":\"ambulance-station\""}});
    analysis_options o;
    o.roads = dir + "/roads.geojson";
    o.population = dir + "/pop.tif";
    o.facilities = dir + "/fac.geojson";
    o.service = "ambulance";
    o.crs = "EPSG:32650";
    o.demand_cell_m = 200;
    const auto a = run_analysis(o);
    REQUIRE(a->demand_pop.size() == 1);
    CHECK(a->demand_pop[0] == 100);
    CHECK(a->demand_x[0] == Approx((10 * 50 + 20 * 150 + 30 * 50 + 40 * 150) / 100.0));
    CHECK(a->demand_y[0] == Approx((10 * 150 + 20 * 150 + 30 * 50 + 40 * 50) / 100.0));
    o.demand_cell_m = 0;
    CHECK(run_analysis(o)->demand_pop.size() == 4);
}
