// Coverage on hand-built cases with exact expected costs.
#include "support.hpp"
#include "test_paths.hpp"

#include "healthreach/geo/analysis.hpp"
#include "healthreach/error.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <fstream>
#include <limits>
#include <queue>

#include "healthreach/geo/crs.hpp"

using namespace healthreach;
using namespace healthreach::geo;

namespace {

// A one-way street (0,0) -> (1000,0) with a two-way return loop (1000,0)-(1000,500)-(0,500)-(0,0);
// ten cells of 10 people whose centres lie 10 m south of the street at x = 50, 150, ..., 950;
// everything rural (the urban polygon is far away).
struct one_way_case {
    std::string dir = test::scratch_dir("coverage");
    analysis_options options;

    explicit one_way_case(const std::string& facilities_props = "\"type\":\"ambulance-station\"", double fx = 300) {
        test::write_lines(dir + "/roads.geojson", {{{{0, 0}, {1000, 0}}, "\"highway\":\"residential\",\"oneway\":\"yes\""},
                                                   {{{1000, 0}, {1000, 500}, {0, 500}, {0, 0}}, "\"highway\":\"residential\""}});
        std::vector<float> people(10, 10.0f);
        test::write_raster(dir + "/pop.tif", 10, 1, 0, 40, 100, people);
        test::write_points(dir + "/fac.geojson", {{fx, 0, "\"id\":\"F1\"," + facilities_props}});
        test::write_boxes(dir + "/urban.geojson", {{{90000, 90000, 91000, 91000}}}, {"far"});
        options.roads = dir + "/roads.geojson";
        options.population = dir + "/pop.tif";
        options.facilities = dir + "/fac.geojson";
        options.urban = dir + "/urban.geojson";
        options.service = "ambulance";
        options.rural_limit = 600;
        options.crs = "EPSG:32650";
    }
    std::size_t cell_at(const analysis& a, double x) const {
        for (std::size_t d = 0; d < a.demand_x.size(); ++d)
            if (std::abs(a.demand_x[d] - x) < 1e-6) return d;
        FAIL("no demand at x = " << x);
        return 0;
    }
};

void check_totals_add_up(const analysis& a) {
    const population_split& t = a.total;
    CHECK(t.population == t.covered + t.uncovered + t.off_network + t.not_applicable);
}

}  // namespace

TEST_CASE("coverage along a one-way street, from a facility inside an edge", "[coverage]") {
    one_way_case c;
    const auto a = run_analysis(c.options);
    const double walk = 5 / 3.6, drive = 25 / 3.6;
    for (int k = 0; k < 10; ++k) {
        const double x = 50 + 100 * k;
        const std::size_t d = c.cell_at(*a, x);
        INFO("cell at x = " << x);
        CHECK(a->demand->snap_m(d) == Approx(10));
        // Downstream of the facility: straight along the street; upstream: round the loop (700 + 2000 + x).
        const double road = x >= 300 ? x - 300 : 2700 + x;
        CHECK(a->nearest.cost[d] == Approx(road + 10).epsilon(1e-12));
        CHECK(a->nearest.other[d] == Approx(road / drive + 10 / walk).epsilon(1e-12));
        const bool covered = road + 10 <= 600;
        CHECK(a->status[d] == (covered ? demand_status::covered : demand_status::uncovered));
    }
    CHECK(a->total.covered == 60);   // x = 350 .. 850
    CHECK(a->total.uncovered == 40);
    CHECK(a->pop_within_limit[0] == 60);
    CHECK(a->pop_nearest[0] == 100);
    check_totals_add_up(*a);
    CHECK(a->sites.size() == 1);
}

TEST_CASE("costs run in the service's direction: dispatch from the facility, travel to it", "[coverage][direction]") {
    // The one-way street runs east; the facility sits at x = 300 inside it. From the facility
    // (ambulance dispatch) a cell downstream is x - 300 away and one upstream 700 + 2000 + x (round
    // the loop); to the facility a cell upstream is 300 - x away and one downstream 1000 - x + 2000 + 300.
    const double walk = 5 / 3.6, drive = 25 / 3.6;
    for (direction dir : {direction::from_facility, direction::to_facility}) {
        one_way_case c;
        if (dir == direction::to_facility) {
            std::ofstream(c.dir + "/std.toml") << "[services.ambulance]\ndirection = \"to-facility\"\n";
            c.options.standards_file = c.dir + "/std.toml";
        }
        const auto a = run_analysis(c.options);
        CHECK(a->svc->cost_direction == dir);
        double covered = 0;
        for (int k = 0; k < 10; ++k) {
            const double x = 50 + 100 * k;
            const std::size_t d = c.cell_at(*a, x);
            INFO(direction_name(dir) << ", cell at x = " << x);
            const double road = dir == direction::from_facility ? (x >= 300 ? x - 300 : 2700 + x)
                                                                : (x <= 300 ? 300 - x : 3300 - x);
            CHECK(a->nearest.cost[d] == Approx(road + 10).epsilon(1e-12));
            CHECK(a->nearest.other[d] == Approx(road / drive + 10 / walk).epsilon(1e-12));
            if (road + 10 <= 600) covered += 10;
        }
        CHECK(covered == (dir == direction::from_facility ? 60 : 30));  // x = 350..850, or x = 50..250
        CHECK(a->total.covered == covered);
        double within = 0;
        for (const reached_point& r : a->within[0]) {
            within += a->demand_pop[r.point];
            CHECK(r.cost == Approx(a->nearest.cost[r.point]).epsilon(1e-12));
        }
        CHECK(within == covered);
        check_totals_add_up(*a);
    }
}

TEST_CASE("the limit is inclusive and partial edges count exactly up to it", "[coverage]") {
    one_way_case c;
    c.options.rural_limit = 560;  // x = 850: 550 + 10 = 560 exactly
    auto a = run_analysis(c.options);
    CHECK(a->status[c.cell_at(*a, 850)] == demand_status::covered);
    c.options.rural_limit = 559.999;
    a = run_analysis(c.options);
    CHECK(a->status[c.cell_at(*a, 850)] == demand_status::uncovered);
    CHECK(a->total.covered == 50);
}

TEST_CASE("a facility's start delay is added to time costs", "[coverage]") {
    one_way_case c("\"type\":\"township-centre\",\"delay\":2");
    c.options.service = "township-centre";  // drive time, rural 1800 s
    c.options.rural_limit.reset();
    c.options.delay_field = "delay";
    const auto a = run_analysis(c.options);
    const double walk = 5 / 3.6, drive = 25 / 3.6;
    const std::size_t d = c.cell_at(*a, 550);
    // People drive to a township centre (to-facility): from x = 550 on the one-way street east to
    // 1000, round the loop (2000) and east again to 300: 2750 m.
    CHECK(a->nearest.cost[d] == Approx(120 + 2750 / drive + 10 / walk).epsilon(1e-12));
    CHECK(a->nearest.other[d] == Approx(2760).epsilon(1e-12));  // metres are not delayed
    check_totals_add_up(*a);
}

TEST_CASE("a service without a limit for a class reports it as not applicable", "[coverage]") {
    one_way_case c("\"type\":\"community-station\"");
    c.options.service = "community-station";  // urban 15 minutes walking, no rural limit
    c.options.rural_limit.reset();
    const auto a = run_analysis(c.options);
    CHECK(a->total.not_applicable == 100);
    CHECK(a->total.covered == 0);
    check_totals_add_up(*a);
}

TEST_CASE("demand beyond the snap limit is off network, never dropped", "[coverage]") {
    one_way_case c;
    c.options.snap_limit_m = 5;  // every cell centre is 10 m away
    const auto a = run_analysis(c.options);
    CHECK(a->total.off_network == 100);
    CHECK(a->total.population == 100);
    check_totals_add_up(*a);
}

TEST_CASE("coverage bad input: clear errors naming the culprit", "[coverage]") {
    one_way_case c;
    SECTION("facilities none of which lie near the network") {
        test::write_points(c.dir + "/far.geojson", {{50000, 50000, "\"type\":\"ambulance-station\""}});
        c.options.facilities = c.dir + "/far.geojson";
        CHECK_THROWS_WITH(run_analysis(c.options), Catch::Contains("far.geojson") && Catch::Contains("snap limit"));
    }
    SECTION("no facility of the service's types") {
        test::write_points(c.dir + "/clinic.geojson", {{300, 0, "\"type\":\"village-clinic\""}});
        c.options.facilities = c.dir + "/clinic.geojson";
        CHECK_THROWS_WITH(run_analysis(c.options), Catch::Contains("clinic.geojson") && Catch::Contains("ambulance"));
    }
    SECTION("an all-nodata population raster") {
        test::write_raster(c.dir + "/empty.tif", 3, 1, 0, 40, 100, {-9999, -9999, -9999});
        c.options.population = c.dir + "/empty.tif";
        CHECK_THROWS_AS(run_analysis(c.options), input_error);
        CHECK_THROWS_WITH(run_analysis(c.options), Catch::Contains("empty.tif") && Catch::Contains("nodata"));
    }
    SECTION("negative people") {
        test::write_raster(c.dir + "/neg.tif", 3, 1, 0, 40, 100, {5, -2, 5});
        c.options.population = c.dir + "/neg.tif";
        CHECK_THROWS_WITH(run_analysis(c.options), Catch::Contains("neg.tif") && Catch::Contains("col 1, row 0"));
    }
    SECTION("a layer without a CRS") {
        // A shapefile written without a .prj.
        GDALDataset* ds = GetGDALDriverManager()->GetDriverByName("ESRI Shapefile")
                              ->Create((c.dir + "/nocrs.shp").c_str(), 0, 0, 0, GDT_Unknown, nullptr);
        OGRLayer* layer = ds->CreateLayer("nocrs", nullptr, wkbPoint, nullptr);
        OGRFeature* f = OGRFeature::CreateFeature(layer->GetLayerDefn());
        OGRPoint p(300, 0);
        f->SetGeometry(&p);
        REQUIRE(layer->CreateFeature(f) == OGRERR_NONE);
        OGRFeature::DestroyFeature(f);
        GDALClose(ds);
        c.options.facilities = c.dir + "/nocrs.shp";
        CHECK_THROWS_WITH(run_analysis(c.options), Catch::Contains("nocrs.shp") && Catch::Contains("no CRS"));
    }
    SECTION("a standards file with a misspelt key") {
        std::ofstream(c.dir + "/std.toml") << "[services.ambulance.urban]\nlimt = 4000\n";
        c.options.standards_file = c.dir + "/std.toml";
        CHECK_THROWS_WITH(run_analysis(c.options), Catch::Contains("std.toml") && Catch::Contains("services.ambulance.urban.limt"));
    }
    SECTION("a standards value out of range") {
        std::ofstream(c.dir + "/std.toml") << "[services.ambulance.urban]\nlimit = -5\n";
        c.options.standards_file = c.dir + "/std.toml";
        CHECK_THROWS_WITH(run_analysis(c.options), Catch::Contains("services.ambulance.urban.limit") && Catch::Contains("range"));
    }
    SECTION("an unknown service") {
        c.options.service = "dentist";
        CHECK_THROWS_WITH(run_analysis(c.options), Catch::Contains("dentist") && Catch::Contains("ambulance"));
    }
}

TEST_CASE("a user standards file overrides one field and keeps the rest", "[coverage][standards]") {
    const std::string dir = test::scratch_dir("standards");
    std::ofstream(dir + "/std.toml") << "[services.ambulance.urban]\nlimit = 4000.0\n";
    const standards s = load_standards(dir + "/std.toml");
    CHECK(*s.service_named("ambulance").urban.value == 4000);
    CHECK(*s.service_named("ambulance").rural.value == 20000);
    CHECK(s.service_named("ambulance").ratio->residents_per_unit == 30000);
    CHECK_FALSE(s.service_named("community-station").rural.value.has_value());
    CHECK(s.profiles.at("drive").speed_kmh.at("motorway") == 100);
    for (const auto& [name, svc] : load_standards().services) {
        INFO(name);
        CHECK_FALSE(svc.description.empty());
        for (const limit_rule* l : {&svc.urban, &svc.rural})
            if (l->value) CHECK_FALSE(l->source.empty());
    }
}

TEST_CASE("capacity runs out: most people served, at least cost", "[coverage][capacity]") {
    one_way_case c;
    test::write_points(c.dir + "/cap.geojson", {{300, 0, "\"id\":\"A\",\"type\":\"ambulance-station\",\"cap\":20"},
                                                 {700, 0, "\"id\":\"B\",\"type\":\"ambulance-station\",\"cap\":100"}});
    c.options.facilities = c.dir + "/cap.geojson";
    c.options.capacity_field = "cap";
    const auto a = run_analysis(c.options);
    REQUIRE(a->capacitated);
    // Covered: x = 350 .. 950 (70 people); A alone reaches 350 .. 650 and can serve 20 of those 40.
    CHECK(a->total.covered == 70);
    CHECK(a->population_served == Approx(50).margin(1e-6));
    CHECK(a->population_unserved_for_capacity == Approx(20).margin(1e-6));
    CHECK(a->capacity_used[0] == Approx(20).margin(1e-6));
    CHECK(a->capacity_used[1] == Approx(30).margin(1e-6));
    // Least cost: A serves its two nearest cells.
    CHECK(a->served[c.cell_at(*a, 350)] == Approx(10).margin(1e-6));
    CHECK(a->served[c.cell_at(*a, 450)] == Approx(10).margin(1e-6));
    CHECK(a->served[c.cell_at(*a, 550)] == Approx(0).margin(1e-6));
    CHECK(a->served_by[c.cell_at(*a, 850)] == 1);

    SECTION("ambulances as capacity: units x 30,000") {
        test::write_points(c.dir + "/amb.geojson", {{300, 0, "\"id\":\"A\",\"type\":\"ambulance-station\",\"ambulances\":2"}});
        c.options.facilities = c.dir + "/amb.geojson";
        c.options.capacity_field = "ambulances";
        const auto b = run_analysis(c.options);
        CHECK(b->capacity[0] == 60000);
        CHECK(b->population_unserved_for_capacity == Approx(0).margin(1e-6));  // LP tolerance
    }
}

TEST_CASE("coverage costs equal an independent Dijkstra on a real extract", "[coverage][real]") {
    const std::string roads = test::shared_data("kathmandu-roads.gpkg"), pop = test::shared_data("kathmandu-pop-2020.tif");
    if (roads.empty() || pop.empty()) return;
    // Facilities at three junctions of the routable network, found by a first run.
    const std::string dir = test::scratch_dir("coverage-real");
    analysis_options o;
    o.roads = roads;
    o.population = pop;
    o.service = "ambulance";
    o.threads = 2;
    o.service_areas = false;
    {
        const network net = build_network(read_roads(roads), test::builtin_profile("drive"), utm_zone_for(85.32, 27.7)).net;
        std::vector<test::point_feature> fac;
        for (node_id v : {node_id(0), node_id(net.node_count() / 2), node_id(net.node_count() - 1)})
            fac.push_back({net.node_x[v], net.node_y[v], "\"type\":\"ambulance-station\""});
        test::write_points(dir + "/fac.geojson", fac, 32645);
    }
    o.facilities = dir + "/fac.geojson";
    const auto a = run_analysis(o);
    const network& net = a->built.net;
    REQUIRE(a->sites.size() == 3);

    std::vector<std::vector<double>> ref;
    for (const site& s : a->sites)
        ref.push_back(test::reference_dijkstra(net, metric::length, s.offset_m == 0 ? net.edge_source[s.edge] : net.edge_target[s.edge]));
    std::size_t checked = 0;
    for (std::size_t k = 0; k < a->demand_pop.size(); k += 97) {
        const auto p = static_cast<std::uint32_t>(k);
        if (!a->demand->on_network(p)) continue;
        const edge_id e = a->demand->edge(p);
        const double u = a->demand->offset_m(p), len = net.edge_length_m[e];
        double best = std::numeric_limits<double>::infinity();
        for (const auto& d : ref) {
            best = std::min(best, d[net.edge_source[e]] + u);
            if (net.reverse_open(e)) best = std::min(best, d[net.edge_target[e]] + (len - u));
        }
        INFO("demand " << k);
        REQUIRE(a->nearest.cost[k] == Approx(best + a->demand->snap_m(p)).epsilon(1e-9));
        ++checked;
    }
    CHECK(checked > 100);
    const population_split& t = a->total;
    CHECK(t.population == t.covered + t.uncovered + t.off_network + t.not_applicable);
    CHECK(t.population == Approx(2063745).epsilon(1e-6));  // the raster's sum (data README)
}

TEST_CASE("per-site reach agrees with nearest-facility coverage on the sample region", "[coverage]") {
    // Every covered point lies within some facility's limit, and no uncovered one does; this caught
    // points snapped exactly onto the end of a one-way street.
    for (const std::string service : {"ambulance", "community-station", "township-centre"}) {
        INFO(service);
        analysis_options o;
        o.roads = std::string(HEALTHREACH_SAMPLE_DATA) + "/roads.gpkg";
        o.population = std::string(HEALTHREACH_SAMPLE_DATA) + "/population.tif";
        o.facilities = std::string(HEALTHREACH_SAMPLE_DATA) + "/facilities.gpkg";
        o.service = service;
        o.service_areas = false;
        o.threads = 2;
        const auto a = run_analysis(o);
        std::vector<int> count(a->demand_pop.size(), 0);
        for (const auto& list : a->within)
            for (const reached_point& p : list) {
                ++count[p.point];
                CHECK(p.cost >= a->nearest.cost[p.point] - 1e-6);  // nobody beats the nearest
            }
        std::size_t mismatches = 0;
        for (std::size_t d = 0; d < count.size(); ++d)
            mismatches += (a->status[d] == demand_status::covered) != (count[d] > 0);
        CHECK(mismatches == 0);
    }
}

TEST_CASE("warnings a planner cannot miss: facilities off the network, roads over part of the people, nobody covered",
          "[coverage][warnings]") {
    auto has = [](const analysis& a, const std::string& part) {
        INFO("warnings: " << [&] { std::string all; for (const auto& w : a.warnings) all += w + " | "; return all; }());
        return std::any_of(a.warnings.begin(), a.warnings.end(), [&](const std::string& w) { return w.find(part) != std::string::npos; });
    };
    SECTION("a facility beyond the snap limit is named") {
        one_way_case c;
        test::write_points(c.dir + "/fac2.geojson", {{300, 0, "\"id\":\"F1\",\"type\":\"ambulance-station\""},
                                                     {300, 5000, "\"id\":\"far\",\"type\":\"ambulance-station\""}});
        c.options.facilities = c.dir + "/fac2.geojson";
        const auto a = run_analysis(c.options);
        CHECK(has(*a, "1 of 2 ambulance facilities lie more than 1000 m"));
        CHECK(has(*a, ": far"));
    }
    SECTION("roads over a third of the populated extent; nobody within the limit") {
        // People along 3 km; the street (with the 100 m snap limit) spans 1.2 km of it, from -100 to
        // 1,100 m: 36 % of the people's 50-2,950 m; the limit of 1 m covers nobody.
        one_way_case c;
        std::vector<float> people(30, 10.0f);
        test::write_raster(c.dir + "/pop30.tif", 30, 1, 0, 40, 100, people);
        c.options.population = c.dir + "/pop30.tif";
        c.options.rural_limit = 1;
        c.options.snap_limit_m = 100;
        const auto a = run_analysis(c.options);
        CHECK(has(*a, "covers only 36 % of the extent of the populated cells"));
        CHECK(has(*a, "nobody is covered"));
    }
    SECTION("overlapping inputs with people covered: neither warning") {
        one_way_case c;
        const auto a = run_analysis(c.options);
        CHECK_FALSE(has(*a, "covers only"));
        CHECK_FALSE(has(*a, "nobody is covered"));
    }
}
