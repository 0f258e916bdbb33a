// The accessibility score (2SFCA) on a hand-built line with hand-computed ratios and scores.
#include "support.hpp"

#include "healthreach/geo/access.hpp"
#include "healthreach/error.hpp"

#include <catch2/catch.hpp>

#include <cmath>

using namespace healthreach;
using namespace healthreach::geo;

namespace {

// A two-way street (0,0)-(5000,0); cells of 100 m whose centres lie 10 m south of it (row 0) or
// 110 m south (row 1, off the network at a 50 m snap limit). People: A 10 at x = 50, B 20 at
// x = 1050, C 30 at x = 4950, D 5 at x = 50 in row 1. Facilities F1 (supply 2) at x = 50, F2
// (supply 3) at x = 1550, F3 (supply 4) at x = 3000, nobody within its reach. Rural limit 1200 m;
// B may lie in an urban box (the ambulance's urban limit, 5000 m). Admin units West (x < 2000)
// and East. A cost is the distance along the street plus the 10 m leg.
struct line_case {
    std::string dir = test::scratch_dir("access");
    access_request request;

    explicit line_case(bool b_urban = false) {
        test::write_lines(dir + "/roads.geojson", {{{{0, 0}, {5000, 0}}, "\"highway\":\"residential\""}});
        std::vector<float> people(100, 0.0f);
        people[0] = 10, people[10] = 20, people[49] = 30, people[50] = 5;
        test::write_raster(dir + "/pop.tif", 50, 2, 0, 40, 100, people);
        test::write_points(dir + "/fac.geojson", {{50, 0, "\"id\":\"F1\",\"supply\":2"},
                                                  {1550, 0, "\"id\":\"F2\",\"supply\":3"},
                                                  {3000, 0, "\"id\":\"F3\",\"supply\":4"}});
        if (b_urban) test::write_boxes(dir + "/urban.geojson", {{{1000, -100, 1100, 40}}}, {"town"});
        else test::write_boxes(dir + "/urban.geojson", {{{90000, 90000, 91000, 91000}}}, {"far"});
        test::write_boxes(dir + "/admin.geojson", {{{-100, -500, 2000, 500}}, {{2000, -500, 6000, 500}}}, {"West", "East"});
        analysis_options& o = request.analysis;
        o.roads = dir + "/roads.geojson";
        o.population = dir + "/pop.tif";
        o.facilities = dir + "/fac.geojson";
        o.urban = dir + "/urban.geojson";
        o.admin = dir + "/admin.geojson";
        o.service = "ambulance";
        o.rural_limit = 1200;
        o.snap_limit_m = 50;
        o.crs = "EPSG:32650";
        request.supply_field = "supply";
    }
};

std::size_t point_at(const analysis& a, double x, double y) {
    for (std::size_t d = 0; d < a.demand_x.size(); ++d)
        if (std::abs(a.demand_x[d] - x) < 1e-6 && std::abs(a.demand_y[d] - y) < 1e-6) return d;
    FAIL("no demand at " << x << ", " << y);
    return 0;
}

double cell_score_at(const access_result& r, double x) {
    const analysis& a = *r.a;
    const std::uint64_t cell = static_cast<std::uint64_t>(x / 100);  // row 0
    for (std::size_t c = 0; c < a.cell_index.size(); ++c)
        if (a.cell_index[c] == cell) return r.cell_score[c];
    FAIL("no cell at x = " << x);
    return 0;
}

// The Gaussian weight written out again.
double gauss(double d, double d0) { return (std::exp(-0.5 * (d / d0) * (d / d0)) - std::exp(-0.5)) / (1 - std::exp(-0.5)); }

}  // namespace

TEST_CASE("access, step decay: the classic 2SFCA by hand", "[access]") {
    line_case c;
    c.request.decay = access_decay::step;
    const access_result r = run_access(c.request);
    const analysis& a = *r.a;
    // F1 reaches A (10 m) and B (1010 m); F2 reaches B (510 m), not A (1510 m); C reaches nobody (F3
    // at 1960 m); F3 reaches nobody.
    CHECK(r.weighted_demand[0] == 30);
    CHECK(r.weighted_demand[1] == 20);
    CHECK(r.weighted_demand[2] == 0);
    CHECK(r.ratio[0] == Approx(1000 * 2.0 / 30).epsilon(1e-12));
    CHECK(r.ratio[1] == Approx(1000 * 3.0 / 20).epsilon(1e-12));
    CHECK(std::isnan(r.ratio[2]));
    CHECK(r.facilities_without_demand == 1);
    const std::size_t A = point_at(a, 50, -10), B = point_at(a, 1050, -10), C = point_at(a, 4950, -10), D = point_at(a, 50, -110);
    CHECK(r.score[A] == Approx(1000 * (2.0 / 30)).epsilon(1e-12));
    CHECK(r.score[B] == Approx(1000 * (2.0 / 30 + 3.0 / 20)).epsilon(1e-12));
    CHECK(r.score[C] == 0);
    CHECK(std::isnan(r.score[D]));  // off network: no score, counted apart
    CHECK(r.population_off_network == 5);
    // Every unit of supply that reaches anyone is shared out: sum P_i A_i = 1000 (S1 + S2).
    CHECK(r.total.population == 60);
    CHECK(r.total.mean == Approx(1000 * 5.0 / 60).epsilon(1e-12));
    CHECK(r.supply_total == 9);
    CHECK(r.supply_reaching_people == 5);
    CHECK(r.total.below_half_mean == 30);  // C
    CHECK(r.total.no_access == 30);
    REQUIRE(r.by_admin.size() == 2);
    CHECK(r.by_admin[0].name == "West");
    CHECK(r.by_admin[0].mean == Approx(1000 * 5.0 / 30).epsilon(1e-12));
    CHECK(r.by_admin[0].share_below_half_mean() == 0);
    CHECK(r.by_admin[1].name == "East");
    CHECK(r.by_admin[1].mean == 0);
    CHECK(r.by_admin[1].share_below_half_mean() == 1);
    // Cells without people are scored too (the access raster): x = 550 reaches F1 (510 m) and F2
    // (1010 m); x = 2250 reaches F2 (710 m) and F3 (760 m, undefined ratio: counts nothing).
    CHECK(cell_score_at(r, 550) == Approx(1000 * (2.0 / 30 + 3.0 / 20)).epsilon(1e-12));
    CHECK(cell_score_at(r, 2250) == Approx(1000 * 3.0 / 20).epsilon(1e-12));
    CHECK(cell_score_at(r, 4050) == 0);
}

TEST_CASE("access, gaussian decay with each point's own limit by hand", "[access]") {
    line_case c(true);  // B urban: its limit is the ambulance's urban 5000 m
    const access_result r = run_access(c.request);
    const analysis& a = *r.a;
    const std::size_t A = point_at(a, 50, -10), B = point_at(a, 1050, -10), C = point_at(a, 4950, -10);
    REQUIRE(a.demand_class[B] == area_class::urban);
    // With its 5000 m limit B also reaches F3 (1960 m), whose only weight B then is.
    const double w1A = gauss(10, 1200), w1B = gauss(1010, 5000), w2B = gauss(510, 5000), w3B = gauss(1960, 5000);
    const double R1 = 2 / (10 * w1A + 20 * w1B), R2 = 3 / (20 * w2B), R3 = 4 / (20 * w3B);
    CHECK(r.weighted_demand[0] == Approx(10 * w1A + 20 * w1B).epsilon(1e-12));
    CHECK(r.ratio[0] == Approx(1000 * R1).epsilon(1e-12));
    CHECK(r.ratio[1] == Approx(1000 * R2).epsilon(1e-12));
    CHECK(r.ratio[2] == Approx(1000 * R3).epsilon(1e-12));
    CHECK(r.facilities_without_demand == 0);
    CHECK(r.score[A] == Approx(1000 * R1 * w1A).epsilon(1e-12));
    CHECK(r.score[B] == Approx(1000 * (R1 * w1B + R2 * w2B + R3 * w3B)).epsilon(1e-12));
    CHECK(r.score[C] == 0);
    double sum = 0;
    for (std::size_t d = 0; d < a.demand_pop.size(); ++d)
        if (!std::isnan(r.score[d])) sum += a.demand_pop[d] * r.score[d];
    CHECK(sum == Approx(1000 * r.supply_reaching_people).epsilon(1e-12));
    // At the limit the Gaussian weight is exactly 0, at the facility exactly 1.
    CHECK(access_weight(access_decay::gaussian, 1200, 1200) == 0);
    CHECK(access_weight(access_decay::gaussian, 0, 1200) == 1);
}

TEST_CASE("access without a supply field counts one per facility", "[access]") {
    line_case c;
    c.request.supply_field.clear();
    c.request.decay = access_decay::step;
    const access_result r = run_access(c.request);
    CHECK(r.ratio[0] == Approx(1000.0 / 30).epsilon(1e-12));
    CHECK(r.ratio[1] == Approx(1000.0 / 20).epsilon(1e-12));
    CHECK(r.supply_total == 3);
}

TEST_CASE("access bad input names the field, facility and value", "[access]") {
    line_case c;
    SECTION("missing supply field: the layer's fields listed") {
        c.request.supply_field = "beds";
        CHECK_THROWS_AS(run_access(c.request), input_error);
        CHECK_THROWS_WITH(run_access(c.request), Catch::Contains("fac.geojson") && Catch::Contains("'beds'") &&
                                                     Catch::Contains("fields: id, supply"));
    }
    SECTION("negative supply") {
        test::write_points(c.dir + "/fac.geojson", {{50, 0, "\"id\":\"F1\",\"supply\":2"}, {1550, 0, "\"id\":\"F2\",\"supply\":-3"}});
        CHECK_THROWS_WITH(run_access(c.request), Catch::Contains("facility F2") && Catch::Contains("-3"));
    }
    SECTION("non-numeric supply") {
        test::write_points(c.dir + "/fac.geojson", {{50, 0, "\"id\":\"F1\",\"supply\":\"many\""}});
        CHECK_THROWS_AS(run_access(c.request), input_error);
        CHECK_THROWS_WITH(run_access(c.request), Catch::Contains("'supply'") && Catch::Contains("'many'"));
    }
    SECTION("empty supply") {
        test::write_points(c.dir + "/fac.geojson", {{50, 0, "\"id\":\"F1\",\"supply\":null"}, {1550, 0, "\"id\":\"F2\",\"supply\":1"}});
        CHECK_THROWS_WITH(run_access(c.request), Catch::Contains("facility F1") && Catch::Contains("empty"));
    }
    SECTION("unknown decay") {
        CHECK_THROWS_AS(parse_access_decay("linear"), input_error);
        CHECK_THROWS_WITH(parse_access_decay("linear"), Catch::Contains("'linear'") && Catch::Contains("step or gaussian"));
    }
}
