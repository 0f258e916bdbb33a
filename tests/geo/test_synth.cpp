#include "support.hpp"
#include "test_paths.hpp"

#include "healthreach/geo/compliance.hpp"
#include "healthreach/geo/crs.hpp"
#include "healthreach/geo/features.hpp"
#include "healthreach/geo/gdal.hpp"
#include "healthreach/geo/network.hpp"
#include "healthreach/geo/snap.hpp"
#include "healthreach/geo/synth.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

using namespace healthreach;
using namespace healthreach::geo;

namespace {

std::size_t feature_count(const std::string& path, const std::string& layer) {
    dataset_ptr ds = open_vector(path);
    OGRLayer& l = find_layer(*ds, path, layer);
    CHECK(crs_label(*l.GetSpatialRef()) == "EPSG:32649");
    return static_cast<std::size_t>(l.GetFeatureCount(TRUE));
}

struct raster {
    std::vector<float> v;
    double gt[6];
    int cols = 0, rows = 0;
    double nodata = 0;
};

raster read_population(const std::string& path) {
    dataset_ptr ds = open_raster(path);
    raster out;
    GDALRasterBand* band = ds->GetRasterBand(1);
    out.cols = band->GetXSize();
    out.rows = band->GetYSize();
    out.nodata = band->GetNoDataValue();
    ds->GetGeoTransform(out.gt);
    out.v.resize(static_cast<std::size_t>(out.cols) * out.rows);
    REQUIRE(band->RasterIO(GF_Read, 0, 0, out.cols, out.rows, out.v.data(), out.cols, out.rows, GDT_Float32, 0, 0) == CE_None);
    return out;
}

}  // namespace

TEST_CASE("the synthetic region opens with GDAL and holds what it says", "[synth]") {
    const std::string dir = test::scratch_dir("synth");
    const synth_summary s = write_synthetic_region(dir, synth_scale::small, 1);

    CHECK(feature_count(dir + "/roads.gpkg", "roads") == s.road_lines);
    CHECK(feature_count(dir + "/facilities.gpkg", "facilities") == s.facilities);
    CHECK(feature_count(dir + "/admin.gpkg", "counties") == s.counties);
    CHECK(feature_count(dir + "/admin.gpkg", "townships") == s.townships);
    CHECK(feature_count(dir + "/villages.gpkg", "villages") == s.villages);
    CHECK(feature_count(dir + "/urban.gpkg", "urban") >= 2);
    {
        dataset_ptr admin = open_vector(dir + "/admin.gpkg");
        CHECK(std::string(admin->GetLayer(0)->GetName()) == "counties");  // counties first, then townships
    }
    CHECK(s.counties == 6);  // four districts and two counties
    CHECK(s.population > 250000);
    CHECK(s.population < 350000);

    // The raster holds the population (Float32 cells, so a relative tolerance; water is NoData).
    const raster pop = read_population(dir + "/population.tif");
    CHECK(crs_label(*open_raster(dir + "/population.tif")->GetSpatialRef()) == "EPSG:32649");
    double total = 0;
    for (float v : pop.v) {
        if (v == pop.nodata) continue;
        REQUIRE(v >= 0);
        total += v;
    }
    CHECK(total == Approx(s.population).epsilon(1e-5));

    // Every facility lies within the snap limit (1,000 m) of the routable drive network.
    const road_set roads = read_roads(dir + "/roads.gpkg");
    const network net = build_network(roads, test::builtin_profile("drive"), roads.srs).net;
    const snapper snap(net);
    dataset_ptr fac = open_vector(dir + "/facilities.gpkg");
    OGRLayer& layer = *fac->GetLayer(0);
    std::size_t typed = 0;
    for (feature_ptr f(layer.GetNextFeature()); f; f.reset(layer.GetNextFeature())) {
        const OGRPoint* p = f->GetGeometryRef()->toPoint();
        CHECK(snap.nearest(p->getX(), p->getY()).distance_m <= 1000);
        typed += std::string(f->GetFieldAsString("type")).empty() ? 0 : 1;
    }
    CHECK(typed == s.facilities);
}

TEST_CASE("the same seed gives the same bytes, and sample-data is the generator's own output", "[synth]") {
    const std::string a = test::scratch_dir("synth-a"), b = test::scratch_dir("synth-b");
    write_synthetic_region(a, synth_scale::small, 1);
    write_synthetic_region(b, synth_scale::small, 1);
    for (const char* f : {"roads.gpkg", "population.tif", "facilities.gpkg", "admin.gpkg", "villages.gpkg", "urban.gpkg",
                          "README.md"}) {
        INFO(f);
        CHECK(test::read_text(a + "/" + f) == test::read_text(b + "/" + f));
        CHECK(test::read_text(a + "/" + f) == test::read_text(std::string(HEALTHREACH_SAMPLE_DATA) + "/" + f));
    }
    const std::string c = test::scratch_dir("synth-c");
    write_synthetic_region(c, synth_scale::small, 2);
    CHECK(test::read_text(a + "/roads.gpkg") != test::read_text(c + "/roads.gpkg"));
}

TEST_CASE("the modelled background: nearly every land cell holds people, nobody on water or crests, townships keep "
          "their totals, the planted gaps stay", "[synth]") {
    const std::string dir = test::scratch_dir("synth-background");
    const synth_summary s = write_synthetic_region(dir, synth_scale::small, 3);
    const raster pop = read_population(dir + "/population.tif");
    const double x0 = pop.gt[0], y1 = pop.gt[3], cell = pop.gt[1], width = pop.cols * cell;

    // Water is NoData (a river and a reservoir: some cells, a few per cent at most); the valid cells
    // without people are the crests of the eastern mountains (east of three quarters of the width).
    std::size_t water = 0, valid = 0, populated = 0, empty_west = 0;
    for (std::size_t i = 0; i < pop.v.size(); ++i) {
        if (pop.v[i] == pop.nodata) {
            ++water;
            continue;
        }
        REQUIRE(pop.v[i] >= 0);
        ++valid;
        if (pop.v[i] > 0) ++populated;
        else if (x0 + (static_cast<double>(i % pop.cols) + 0.5) * cell < x0 + 0.75 * width) ++empty_west;
    }
    CHECK(water > 0);
    CHECK(water < pop.v.size() / 30);
    CHECK(valid == s.valid_cells);
    CHECK(populated == s.populated_cells);
    CHECK(empty_west == 0);
    CHECK(valid - populated > 0);  // the crests
    CHECK(static_cast<double>(populated) / static_cast<double>(valid) > 0.9);
    CHECK(test::read_text(dir + "/README.md").find("Populated cells: " + std::to_string(populated) + " of " +
                                                   std::to_string(valid) + " valid cells") != std::string::npos);

    // Each township polygon holds the people its settlements placed (cells by their centre; the urban
    // zone's circle is a polygon in the layer, so a little tolerance at its edge).
    OGRSpatialReference utm;
    utm.importFromEPSG(32649);
    const polygon_set townships = read_polygons(dir + "/admin.gpkg", traditional(utm), "townships");
    REQUIRE(townships.name.size() == s.township_population.size());
    const polygon_locator in(townships);
    std::vector<double> held(townships.name.size(), 0.0);
    for (std::size_t i = 0; i < pop.v.size(); ++i) {
        if (!(pop.v[i] > 0)) continue;
        const int t = in.find(x0 + (static_cast<double>(i % pop.cols) + 0.5) * cell,
                              y1 - (static_cast<double>(i / pop.cols) + 0.5) * cell);
        REQUIRE(t >= 0);
        held[t] += pop.v[i];
    }
    double placed = 0;
    for (std::size_t t = 0; t < held.size(); ++t) {
        INFO(townships.name[t]);
        CHECK(held[t] == Approx(s.township_population[t]).epsilon(0.005));
        placed += s.township_population[t];
    }
    CHECK(placed == Approx(s.population).epsilon(1e-9));

    // The facilities are sized to these totals: the plans' count and ratio rules hold except where a
    // gap is planted (README), and every planted gap shows.
    compliance_options o;
    o.population = dir + "/population.tif";
    o.facilities = dir + "/facilities.gpkg";
    o.admin = dir + "/admin.gpkg";
    o.villages = dir + "/villages.gpkg";
    const compliance_report report = run_compliance(o);
    const std::set<std::string> planted = {
        "ambulances-per-30000",           "ambulances-0.2-per-10000",     "beds-per-1000",
        "sub-centre-share",               "sub-centres-per-county",       "township-centre-per-township",
        "community-centre-per-sub-district", "village-clinic-every-village", "village-clinic-over-800",
        "demonstration-clinic-over-1000"};
    std::set<std::string> short_rules;
    std::set<std::string> short_ambulances;
    for (const compliance_row& r : report.rows) {
        INFO(r.admin << " " << r.rule);
        CHECK(r.status != rule_status::cannot_check);
        if (r.status != rule_status::short_of) continue;
        CHECK(planted.count(r.rule) == 1);
        short_rules.insert(r.rule);
        if (r.rule == "ambulances-per-30000") short_ambulances.insert(r.admin);
    }
    for (const char* rule : {"ambulances-per-30000", "beds-per-1000", "sub-centres-per-county", "township-centre-per-township",
                             "community-centre-per-sub-district", "village-clinic-every-village"}) {
        INFO(rule);
        CHECK(short_rules.count(rule) == 1);
    }
    CHECK(short_ambulances.count("潞城区") == 1);  // Lucheng has no station of its own
    CHECK(short_ambulances.size() == 2);            // and the easternmost county a single ambulance
}

TEST_CASE("roads across a prefecture border: walkable classes, ends on the places of either side", "[synth]") {
    // Two 20 km squares side by side, the border at x = 20 km: a county town, two township seats and
    // villages on each side, and a mountain road of the western one ending on the border.
    synth_border_side a, b;
    a.towns = {{9000, 10000}};
    b.towns = {{31000, 12000}};
    a.town_radius = b.town_radius = 1500;
    a.town_spacing = b.town_spacing = 200;
    a.seats = {{14000, 4000}, {14000, 16000}};
    b.seats = {{26000, 5000}, {27000, 15000}};
    a.villages = {{18500, 2000}, {17000, 9000}, {16500, 18000}, {3000, 3000}};
    b.villages = {{21500, 2500}, {22000, 10000}, {24500, 17500}, {38000, 4000}};
    a.road_ends = {{20000, 13000}};
    const double border = 20000;

    std::vector<synth_road> roads;
    add_border_roads(roads, a, b, true, border, 0, 20000, 0, 7);
    auto is = [](synth_point p, const std::vector<synth_point>& among) {
        return std::any_of(among.begin(), among.end(), [&](synth_point q) { return p.x == q.x && p.y == q.y; });
    };
    // A vertex of a county town's street grid: on its lattice, within its radius.
    auto on_grid = [](synth_point p, const synth_border_side& s) {
        for (synth_point c : s.towns) {
            const double i = (p.x - c.x) / s.town_spacing, j = (p.y - c.y) / s.town_spacing;
            if (i == std::round(i) && j == std::round(j) && std::hypot(p.x - c.x, p.y - c.y) <= s.town_radius) return true;
        }
        return false;
    };
    std::map<std::string, int> by_class;
    std::set<std::pair<double, double>> linked_villages;
    for (const synth_road& r : roads) {
        INFO(r.highway << " " << r.name);
        REQUIRE(r.pts.size() >= 2);
        ++by_class[r.highway];
        const synth_point p = r.pts.front(), q = r.pts.back();
        if (r.highway == "primary") {
            CHECK(on_grid(p, a));
            CHECK(on_grid(q, b));
        } else if (r.highway == "secondary") {
            CHECK(is(p, a.seats));
            CHECK(is(q, b.seats));
        } else if (r.highway == "unclassified") {
            // Begun from whichever side's village was near the border: one end on each side.
            const bool forward = is(p, a.villages) && is(q, b.villages), backward = is(p, b.villages) && is(q, a.villages);
            CHECK((forward || backward));
            CHECK(std::hypot(p.x - q.x, p.y - q.y) <= 7000);
            linked_villages.insert({p.x, p.y});
            linked_villages.insert({q.x, q.y});
        } else {
            CHECK(r.highway == "tertiary");
            CHECK(is(p, a.road_ends));
            std::vector<synth_point> across = b.seats;
            across.insert(across.end(), b.villages.begin(), b.villages.end());
            CHECK(is(q, across));
        }
        CHECK((p.x - border) * (q.x - border) <= 0);  // it crosses the border (or starts on it)
        for (const char* excluded : {"motorway", "motorway_link"}) CHECK(r.highway != excluded);
    }
    CHECK(by_class["primary"] == 1);
    CHECK(by_class["secondary"] >= 2);  // the quarters' nearest seats: each pair once
    CHECK(by_class["tertiary"] == 1);
    // Every village within 5 km of the border has a road across (its nearest across is within 7 km
    // here); the villages far from it have none.
    for (synth_point v : {a.villages[0], a.villages[1], b.villages[0], b.villages[1]}) CHECK(linked_villages.count({v.x, v.y}) == 1);
    CHECK(linked_villages.count({16500, 18000}) == 0);  // near, but its nearest across is 8 km away
    CHECK(linked_villages.count({3000, 3000}) == 0);
    CHECK(linked_villages.count({38000, 4000}) == 0);

    // The same seed, the same roads; a northern neighbour (everything mirrored on the diagonal) gets
    // the same roads mirrored but for their bends.
    std::vector<synth_road> again;
    add_border_roads(again, a, b, true, border, 0, 20000, 0, 7);
    REQUIRE(again.size() == roads.size());
    for (std::size_t i = 0; i < roads.size(); ++i) {
        CHECK(again[i].highway == roads[i].highway);
        CHECK(again[i].name == roads[i].name);
        REQUIRE(again[i].pts.size() == roads[i].pts.size());
        for (std::size_t k = 0; k < roads[i].pts.size(); ++k)
            CHECK((again[i].pts[k].x == roads[i].pts[k].x && again[i].pts[k].y == roads[i].pts[k].y));
    }
    auto mirror = [](synth_border_side s) {
        for (auto* v : {&s.towns, &s.seats, &s.villages, &s.road_ends})
            for (synth_point& p : *v) std::swap(p.x, p.y);
        s.road_ends.clear();  // mountain roads end on the eastern edge only
        return s;
    };
    std::vector<synth_road> north;
    add_border_roads(north, mirror(a), mirror(b), false, border, 0, 20000, 0, 7);
    REQUIRE(north.size() == roads.size() - 1);
    for (std::size_t i = 0; i + 1 < roads.size(); ++i) {
        CHECK(north[i].highway == roads[i].highway);
        CHECK(north[i].pts.front().x == roads[i].pts.front().y);
        CHECK(north[i].pts.back().y == roads[i].pts.back().x);
    }
}
