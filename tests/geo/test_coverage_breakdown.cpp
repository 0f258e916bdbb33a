// Cost bands, criticality (pop_sole) and population groups: exact answers on a hand-built road
// checked against brute force, and a group equal to the population giving the main figures.
#include "support.hpp"
#include "test_paths.hpp"

#include "healthreach/error.hpp"
#include "healthreach/geo/coverage_breakdown.hpp"
#include "healthreach/geo/coverage_io.hpp"
#include "healthreach/geo/gdal.hpp"

#include <catch2/catch.hpp>

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

using namespace healthreach;
using namespace healthreach::geo;

namespace {

// A two-way street from (0,0) to (2000,0) drawn as two lines meeting at (1000,0); twenty cells of
// 100 m whose centres lie 10 m south of it at x = 50, 150, ..., 1950, holding 1, 2, ..., 20 people;
// everything rural; ambulance with a 600 m rural limit. Facilities: F1 at x = 300, F2 at 700, F3
// and F4 both at 1700 (a tie: each covers exactly what the other does, so neither covers anyone
// alone). A cell's cost to a facility is |x - fx| + 10 (the street, then the 10 m off-network leg).
struct street_case {
    std::string dir = test::scratch_dir("breakdown");
    analysis_options options;
    std::vector<double> fx = {300, 700, 1700, 1700};

    street_case() {
        test::write_lines(dir + "/roads.geojson", {{{{0, 0}, {1000, 0}}, "\"highway\":\"residential\""},
                                                   {{{1000, 0}, {2000, 0}}, "\"highway\":\"residential\""}});
        std::vector<float> people;
        for (int k = 0; k < 20; ++k) people.push_back(static_cast<float>(k + 1));
        test::write_raster(dir + "/pop.tif", 20, 1, 0, 40, 100, people);
        std::vector<test::point_feature> fac;
        for (std::size_t f = 0; f < fx.size(); ++f)
            fac.push_back({fx[f], 0, "\"id\":\"F" + std::to_string(f + 1) + "\",\"type\":\"ambulance-station\""});
        test::write_points(dir + "/fac.geojson", fac);
        test::write_boxes(dir + "/urban.geojson", {{{90000, 90000, 91000, 91000}}}, {"far"});
        // Two admin units split at x = 1000.
        test::write_boxes(dir + "/admin.geojson", {{{-100, -500, 1000, 500}}, {{1000, -500, 2100, 500}}}, {"west", "east"});
        options.roads = dir + "/roads.geojson";
        options.population = dir + "/pop.tif";
        options.facilities = dir + "/fac.geojson";
        options.urban = dir + "/urban.geojson";
        options.admin = dir + "/admin.geojson";
        options.service = "ambulance";
        options.rural_limit = 600;
        options.crs = "EPSG:32650";
        options.threads = 2;
    }
    // Brute force: every cell's cost to every facility by the formula.
    double cost(int cell, std::size_t f) const { return std::abs(50 + 100.0 * cell - fx[f]) + 10; }
    double people(int cell) const { return cell + 1; }
    double nearest(int cell) const {
        double best = INFINITY;
        for (std::size_t f = 0; f < fx.size(); ++f) best = std::min(best, cost(cell, f));
        return best;
    }
};

std::size_t demand_at(const analysis& a, double x) {
    for (std::size_t d = 0; d < a.demand_x.size(); ++d)
        if (std::abs(a.demand_x[d] - x) < 1e-6) return d;
    FAIL("no demand at x = " << x);
    return 0;
}

}  // namespace

TEST_CASE("pop_sole: people covered by one facility and no other, against brute force", "[coverage][criticality]") {
    street_case c;
    const auto a = run_analysis(c.options);
    REQUIRE(a->facilities.size() == 4);
    REQUIRE(a->sites.size() == 4);
    const double limit = 600;
    std::vector<double> sole(4, 0), within(4, 0);
    int shared_cells = 0;
    for (int k = 0; k < 20; ++k) {
        const std::size_t d = demand_at(*a, 50 + 100.0 * k);
        CHECK(a->nearest.cost[d] == Approx(c.nearest(k)).epsilon(1e-12));
        std::vector<std::size_t> covering;
        for (std::size_t f = 0; f < 4; ++f)
            if (c.cost(k, f) <= limit) covering.push_back(f), within[f] += c.people(k);
        CHECK(a->covering_sites[d] == covering.size());
        if (covering.size() == 1) sole[covering[0]] += c.people(k);
        shared_cells += covering.size() >= 2;
    }
    CHECK(shared_cells >= 3);  // x = 150..850 by F1 and F2, x = 1150..1950 by F3 and F4
    for (std::size_t f = 0; f < 4; ++f) {
        INFO("F" << f + 1);
        CHECK(a->pop_within_limit[f] == within[f]);
        CHECK(a->pop_sole[f] == sole[f]);
    }
    // Hand-computed: F1 alone covers x = 50 (1 person); F2 alone x = 950, 1050 (10 + 11); F3 and F4
    // share all they cover, so each has none alone.
    CHECK(a->pop_sole == std::vector<double>{1, 21, 0, 0});
    // Most critical first; F3 and F4 tie on pop_sole and pop_within_limit: layer order.
    CHECK(facilities_by_criticality(*a) == std::vector<std::size_t>{1, 0, 2, 3});
}

TEST_CASE("pop_sole: closing a facility loses exactly its pop_sole", "[coverage][criticality]") {
    street_case c;
    const auto all = run_analysis(c.options);
    for (std::size_t closed = 0; closed < c.fx.size(); ++closed) {
        INFO("F" << closed + 1 << " closed");
        std::vector<test::point_feature> fac;
        for (std::size_t f = 0; f < c.fx.size(); ++f)
            if (f != closed) fac.push_back({c.fx[f], 0, "\"id\":\"F" + std::to_string(f + 1) + "\",\"type\":\"ambulance-station\""});
        analysis_options o = c.options;
        o.facilities = test::write_points(c.dir + "/fac-" + std::to_string(closed) + ".geojson", fac);
        const auto fewer = run_analysis(o);
        CHECK(all->total.covered - fewer->total.covered == all->pop_sole[closed]);
    }
}

TEST_CASE("cost bands: cumulative people by cost, per admin unit, against brute force", "[coverage][bands]") {
    street_case c;
    c.options.bands = {100, 300, 600, 1000};
    const auto a = run_analysis(c.options);
    const std::vector<breakdown> b = breakdown_by_unit(*a);
    REQUIRE(b.size() == 4);  // west, east, outside every unit, region
    for (std::size_t k = 0; k < c.options.bands.size(); ++k) {
        const double edge = c.options.bands[k];
        double west = 0, east = 0;
        for (int cell = 0; cell < 20; ++cell)
            if (c.nearest(cell) <= edge) (50 + 100.0 * cell < 1000 ? west : east) += c.people(cell);
        INFO("band " << edge);
        CHECK(b[0].band_people[k] == west);
        CHECK(b[1].band_people[k] == east);
        CHECK(b[2].band_people[k] == 0);
        CHECK(b[3].band_people[k] == west + east);
    }
    // At the limit, the band holds exactly the covered people.
    CHECK(b[3].band_people[2] == a->total.covered);
    // Far enough, everybody on the network.
    CHECK(b[3].band_people[3] == a->total.population);
}

TEST_CASE("cost bands: a band edge equal to a cost counts it (cost <= edge)", "[coverage][bands]") {
    street_case c;
    // Costs of the cells nearest F1: x = 250 and 350 cost 60; x = 150 and 450 cost 160.
    c.options.bands = {60, 160};
    const auto a = run_analysis(c.options);
    const std::vector<breakdown> b = breakdown_by_unit(*a);
    double at60 = 0, at160 = 0;
    for (int cell = 0; cell < 20; ++cell) {
        if (c.nearest(cell) <= 60) at60 += c.people(cell);
        if (c.nearest(cell) <= 160) at160 += c.people(cell);
    }
    CHECK(at60 > 0);
    CHECK(b.back().band_people == std::vector<double>{at60, at160});
}

TEST_CASE("cost bands: the bands layer holds each ring's people and cells", "[coverage][bands]") {
    street_case c;
    c.options.bands = {100, 300, 600};
    const auto a = run_analysis(c.options);
    const std::string out = c.dir + "/bands.gpkg";
    write_coverage_gpkg(*a, out);
    dataset_ptr ds = open_vector(out);
    OGRLayer* layer = ds->GetLayerByName("bands");
    REQUIRE(layer);
    CHECK(wkbFlatten(layer->GetGeomType()) == wkbMultiPolygon);
    REQUIRE(layer->GetFeatureCount() == 3);
    layer->ResetReading();
    double lower = 0;
    for (double upper : c.options.bands) {
        feature_ptr f(layer->GetNextFeature());
        REQUIRE(f);
        double people = 0;
        int cells = 0;
        for (int cell = 0; cell < 20; ++cell) {
            const double cost = c.nearest(cell);
            if ((lower == 0 ? cost >= 0 : cost > lower) && cost <= upper) people += c.people(cell), ++cells;
        }
        INFO("band " << lower << " - " << upper);
        CHECK(f->GetFieldAsDouble("band_min") == lower);
        CHECK(f->GetFieldAsDouble("band_max") == upper);
        CHECK(f->GetFieldAsDouble("pop") == people);
        const auto* g = f->GetGeometryRef();
        REQUIRE(g);
        CHECK(g->toMultiPolygon()->get_Area() == Approx(cells * 100.0 * 100.0));
        lower = upper;
    }
    // The facilities layer carries pop_sole.
    OGRLayer* fac = ds->GetLayerByName("facilities");
    REQUIRE(fac);
    fac->ResetReading();
    std::vector<double> sole;
    for (feature_ptr f(fac->GetNextFeature()); f; f.reset(fac->GetNextFeature())) sole.push_back(f->GetFieldAsDouble("pop_sole"));
    CHECK(sole == a->pop_sole);
}

TEST_CASE("population groups: a group equal to the population gives the main figures", "[coverage][groups]") {
    street_case c;
    std::filesystem::copy_file(c.dir + "/pop.tif", c.dir + "/everyone.tif");
    c.options.groups = {{"everyone", c.dir + "/everyone.tif"}};
    SECTION("the raster's own cells") {}
    SECTION("--demand-cell aggregates") { c.options.demand_cell_m = 300; }
    const auto a = run_analysis(c.options);
    REQUIRE(a->groups.size() == 1);
    const std::vector<breakdown> b = breakdown_by_unit(*a);
    const population_split& g = b.back().groups[0];
    CHECK(g.population == a->total.population);
    CHECK(g.covered == a->total.covered);
    CHECK(g.uncovered == a->total.uncovered);
    CHECK(g.off_network == a->total.off_network);
    CHECK(g.not_applicable == a->total.not_applicable);
    double west = 0, west_covered = 0;
    for (std::size_t d = 0; d < a->demand_pop.size(); ++d)
        if (a->demand_unit[d] == 0) {
            west += a->demand_pop[d];
            west_covered += a->status[d] == demand_status::covered ? a->demand_pop[d] : 0;
        }
    CHECK(b[0].groups[0].population == west);
    CHECK(b[0].groups[0].covered == west_covered);
}

TEST_CASE("population groups: a group is its own demand", "[coverage][groups]") {
    street_case c;
    // One person each at x = 50, 1050 and 1950; with a 300 m limit x = 50 is 260 from F1 and x = 1950
    // 260 from F3 (covered), x = 1050 is 360 from F2 and 660 from F3 (uncovered).
    std::vector<float> v(20, 0.0f);
    v[0] = 1;
    v[10] = 1;
    v[19] = 1;
    test::write_raster(c.dir + "/few.tif", 20, 1, 0, 40, 100, v);
    c.options.groups = {{"few", c.dir + "/few.tif"}};
    c.options.rural_limit = 300;
    const auto a = run_analysis(c.options);
    const std::vector<breakdown> b = breakdown_by_unit(*a);
    const population_split& g = b.back().groups[0];
    CHECK(g.population == 3);
    CHECK(g.covered == 2);
    CHECK(g.uncovered == 1);
}

TEST_CASE("bands and groups: bad values are refused, naming them", "[coverage][bands][groups]") {
    auto message = [](auto f) {
        try {
            f();
        } catch (const input_error& e) {
            return std::string(e.what());
        }
        return std::string("(no error)");
    };
    CHECK(parse_cost_bands("2500,5000,10000") == std::vector<double>{2500, 5000, 10000});
    CHECK(parse_cost_bands(" 900 , 1800") == std::vector<double>{900, 1800});
    CHECK_THAT(message([] { parse_cost_bands("5000,2500"); }), Catch::Contains("2500") && Catch::Contains("ascending"));
    CHECK_THAT(message([] { parse_cost_bands("5000,5000"); }), Catch::Contains("5000") && Catch::Contains("ascending"));
    CHECK_THAT(message([] { parse_cost_bands("0,5000"); }), Catch::Contains("--bands") && Catch::Contains("0 is not a positive"));
    CHECK_THAT(message([] { parse_cost_bands("-100"); }), Catch::Contains("-100"));
    CHECK_THAT(message([] { parse_cost_bands("5km"); }), Catch::Contains("'5km'"));
    CHECK_THAT(message([] { parse_cost_bands("1000,,2000"); }), Catch::Contains("''"));
    CHECK_THAT(message([] { parse_cost_bands("nan"); }), Catch::Contains("nan"));
    CHECK_THAT(message([] { parse_population_groups({"elderly"}); }), Catch::Contains("'elderly'") && Catch::Contains("'='"));
    CHECK_THAT(message([] { parse_population_groups({"=x.tif"}); }), Catch::Contains("'=x.tif'"));
    CHECK_THAT(message([] { parse_population_groups({"a=x.tif", "a=y.tif"}); }), Catch::Contains("'a'") && Catch::Contains("twice"));
    CHECK(parse_population_groups({"65+=a=b.tif"})[0].raster == "a=b.tif");

    street_case c;
    SECTION("a missing group raster") {
        c.options.groups = {{"elderly", c.dir + "/no-such.tif"}};
        CHECK_THAT(message([&] { run_analysis(c.options); }), Catch::Contains("no-such.tif") && Catch::Contains("elderly"));
    }
    SECTION("a group raster on another grid") {
        std::vector<float> v(10, 1.0f);
        test::write_raster(c.dir + "/coarse.tif", 10, 1, 0, 40, 200, v);
        c.options.groups = {{"elderly", c.dir + "/coarse.tif"}};
        CHECK_THAT(message([&] { run_analysis(c.options); }),
                   Catch::Contains("coarse.tif") && Catch::Contains("10 x 1") && Catch::Contains("20 x 1"));
        test::write_raster(c.dir + "/shifted.tif", 20, 1, 50, 40, 100, std::vector<float>(20, 1.0f));
        c.options.groups = {{"elderly", c.dir + "/shifted.tif"}};
        CHECK_THAT(message([&] { run_analysis(c.options); }), Catch::Contains("shifted.tif") && Catch::Contains("geotransform"));
        test::write_raster(c.dir + "/other-crs.tif", 20, 1, 0, 40, 100, std::vector<float>(20, 1.0f), 32651);
        c.options.groups = {{"elderly", c.dir + "/other-crs.tif"}};
        CHECK_THAT(message([&] { run_analysis(c.options); }), Catch::Contains("other-crs.tif") && Catch::Contains("CRS"));
    }
    SECTION("bands given by a library caller") {
        c.options.bands = {600, 300};
        CHECK_THAT(message([&] { run_analysis(c.options); }), Catch::Contains("300") && Catch::Contains("ascending"));
    }
}

TEST_CASE("population groups: a group equal to the population gives the main figures on a real area", "[coverage][groups][real]") {
    const std::string roads = test::shared_data("accra-roads.gpkg"), pop = test::shared_data("accra-pop-2015.tif"),
                      health = test::shared_data("accra-health.gpkg");
    if (roads.empty() || pop.empty() || health.empty()) return;
    analysis_options o;
    o.roads = roads;
    o.population = pop;
    o.facilities = health;
    o.facility_fields.types = {{"Hospital", "ambulance-station"}, {"Teaching Hospital", "ambulance-station"}, {"Polyclinic", "ambulance-station"}};
    o.service = "ambulance";
    o.threads = 2;
    o.service_areas = false;
    o.bands = {1000, 5000, 20000};
    o.groups = {{"everyone", pop}};
    const auto a = run_analysis(o);
    const std::vector<breakdown> b = breakdown_by_unit(*a);
    const population_split& g = b.back().groups[0];
    CHECK(a->total.population > 3e6);  // WorldPop's 3.9 million: the whole raster was read
    CHECK(g.population == a->total.population);
    CHECK(g.covered == a->total.covered);
    CHECK(g.uncovered == a->total.uncovered);
    CHECK(g.off_network == a->total.off_network);
    // At the urban limit every covered urban person is in the band; at the rural limit every covered one.
    CHECK(b.back().band_people[1] >= a->by_class[0].covered);
    CHECK(b.back().band_people[2] >= a->total.covered);
    CHECK(b.back().band_people[2] <= a->total.covered + a->total.uncovered);
    // Criticality: nobody is counted alone twice, and every person counted alone is covered.
    double sole = 0;
    for (double s : a->pop_sole) sole += s;
    CHECK(sole <= a->total.covered);
    CHECK(sole > 0);
}
