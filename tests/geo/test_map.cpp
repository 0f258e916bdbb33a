// The printed map: its data frame shows the study area (admin units, else the populated cells) at a
// scale its scale bar states, whatever empty geometries or far-off facilities the outputs hold; its
// legend counts the people and sites the run reported.
#include "support.hpp"
#include "test_paths.hpp"

#include "healthreach/error.hpp"
#include "healthreach/geo/gdal.hpp"
#include "healthreach/geo/map_render.hpp"
#include "healthreach/geo/text.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

using namespace healthreach;

namespace {

// A frame a planner can use: the study area whole and filling the frame in one direction, and a scale
// bar of a round length drawn at the frame's scale, a sensible part of the frame.
void check_frame(const geo::map_layout& l, const geo::ground_box& study) {
    CHECK(l.study_area.min_x == Approx(study.min_x));
    CHECK(l.study_area.min_y == Approx(study.min_y));
    CHECK(l.study_area.max_x == Approx(study.max_x));
    CHECK(l.study_area.max_y == Approx(study.max_y));
    CHECK(l.frame.min_x <= study.min_x);
    CHECK(l.frame.min_y <= study.min_y);
    CHECK(l.frame.max_x >= study.max_x);
    CHECK(l.frame.max_y >= study.max_y);
    const double fill = std::max(study.width() / l.frame.width(), study.height() / l.frame.height());
    INFO("the study area spans " << fill << " of the frame");
    CHECK(fill > 0.85);
    CHECK(l.mm_per_metre > 0);
    CHECK(l.scale_bar_mm == Approx(l.scale_bar_m * l.mm_per_metre));
    CHECK(l.scale_bar_m >= l.frame.width() / 20);
    CHECK(l.scale_bar_m <= l.frame.width() / 2);
    const double mantissa = l.scale_bar_m / std::pow(10.0, std::floor(std::log10(l.scale_bar_m)));
    CHECK((mantissa == Approx(1) || mantissa == Approx(2) || mantissa == Approx(5)));
}

bool has(const std::vector<std::string>& labels, const std::string& label) {
    INFO("legend: " << [&] {
        std::string all;
        for (const auto& s : labels) all += s + " | ";
        return all;
    }());
    return std::find(labels.begin(), labels.end(), label) != labels.end();
}

struct demand_row {
    double x, y, pop;
    int covered;  // 1, 0, or -1 for null (not applicable)
    double snap_m;
};

// An output GeoPackage shaped as coverage_io writes it, in UTM 50N: demand points, facilities (one of
// them far outside and off the network), one empty and one real service area, an empty uncovered layer
// (as when nobody is uncovered) and the summary's total row.
std::string write_outputs(const std::string& path, const std::vector<demand_row>& demand) {
    OGRSpatialReference utm;
    utm.importFromEPSG(32650);
    geo::dataset_ptr ds = geo::create_vector("GPKG", path);
    OGRLayer& d = geo::create_layer(*ds, "demand", wkbPoint, &utm,
                                    {{"pop", OFTReal}, {"area_class", OFTString}, {"covered", OFTInteger}, {"snap_m", OFTReal}});
    double total = 0, covered = 0, uncovered_pop = 0, off = 0, na = 0;
    for (const demand_row& r : demand) {
        geo::feature_ptr f(OGRFeature::CreateFeature(d.GetLayerDefn()));
        f->SetField("pop", r.pop);
        f->SetField("area_class", "urban");
        if (r.covered < 0) f->SetFieldNull(f->GetFieldIndex("covered"));
        else f->SetField("covered", r.covered);
        f->SetField("snap_m", r.snap_m);
        OGRPoint p(r.x, r.y);
        f->SetGeometry(&p);
        geo::add_feature(d, *f);
        total += r.pop;
        if (r.covered < 0) na += r.pop;
        else if (r.covered == 1) covered += r.pop;
        else if (r.snap_m > 1000) off += r.pop;
        else uncovered_pop += r.pop;
    }
    OGRLayer& fac = geo::create_layer(*ds, "facilities", wkbPoint, &utm, {{"id", OFTString}, {"on_network", OFTInteger}});
    for (const auto& [x, y, on] : {std::tuple{510000.0, 3006000.0, 1}, std::tuple{900000.0, 3500000.0, 0}}) {
        geo::feature_ptr f(OGRFeature::CreateFeature(fac.GetLayerDefn()));
        f->SetField("id", on ? "near" : "far");
        f->SetField("on_network", on);
        OGRPoint p(x, y);
        f->SetGeometry(&p);
        geo::add_feature(fac, *f);
    }
    OGRLayer& areas = geo::create_layer(*ds, "service_areas", wkbMultiPolygon, &utm, {{"id", OFTString}});
    OGRLayer& uncovered = geo::create_layer(*ds, "uncovered", wkbMultiPolygon, &utm, {{"pop", OFTReal}});
    for (OGRLayer* l : {&areas, &uncovered}) {
        geo::feature_ptr f(OGRFeature::CreateFeature(l->GetLayerDefn()));
        OGRMultiPolygon empty;
        f->SetGeometry(&empty);
        geo::add_feature(*l, *f);
    }
    {
        geo::feature_ptr f(OGRFeature::CreateFeature(areas.GetLayerDefn()));
        OGRGeometry* g = nullptr;
        OGRGeometryFactory::createFromWkt("MULTIPOLYGON(((505000 3003000,515000 3003000,515000 3009000,505000 3009000,505000 3003000)))",
                                          &utm, &g);
        f->SetGeometryDirectly(g);
        geo::add_feature(areas, *f);
    }
    OGRLayer& summary = geo::create_layer(*ds, "summary", wkbNone, nullptr,
                                          {{"name", OFTString}, {"population", OFTReal}, {"covered", OFTReal}, {"uncovered", OFTReal},
                                           {"off_network", OFTReal}, {"not_applicable", OFTReal}});
    geo::feature_ptr f(OGRFeature::CreateFeature(summary.GetLayerDefn()));
    f->SetField("name", "total");
    f->SetField("population", total);
    f->SetField("covered", covered);
    f->SetField("uncovered", uncovered_pop);
    f->SetField("off_network", off);
    f->SetField("not_applicable", na);
    geo::add_feature(summary, *f);
    return path;
}

// A 20 x 12 km grid of populated cells every kilometre; the four corners lie off the network.
std::vector<demand_row> grid_demand() {
    std::vector<demand_row> rows;
    for (int i = 0; i <= 20; ++i)
        for (int j = 0; j <= 12; ++j) {
            const bool corner = (i == 0 || i == 20) && (j == 0 || j == 12);
            rows.push_back({500000.0 + 1000 * i, 3000000.0 + 1000 * j, 10, corner ? 0 : 1, corner ? 1500.0 : 50.0});
        }
    return rows;
}

// The number after "key": in a JSON text.
double json_number(const std::string& json, const std::string& key) {
    const auto at = json.find("\"" + key + "\":");
    REQUIRE(at != std::string::npos);
    return std::stod(json.substr(at + key.size() + 3));
}

}  // namespace

TEST_CASE("map frame: the populated cells, not empty geometries or a far-off facility", "[map]") {
    geo::init_gdal();
    const std::string dir = test::scratch_dir("map-frame");
    geo::map_request r;
    r.gpkg = write_outputs(dir + "/out.gpkg", grid_demand());
    r.lang = "en";
    const geo::map_layout l = geo::layout_map(r);
    check_frame(l, {500000, 3000000, 520000, 3012000});
    CHECK(l.frame.width() < 30000);  // an empty geometry's (0,0) or the far facility would make it hundreds of km

    const std::vector<std::string> legend = geo::map_legend(r);
    CHECK(has(legend, "Uncovered population (0)"));  // nobody uncovered is said, not left out
    CHECK(has(legend, "Off the road network (40)"));
    CHECK(has(legend, "Existing facilities (1)"));
    CHECK(has(legend, "Facilities off the network, unused (1, 1 outside the map)"));
    CHECK(has(legend, "Service areas: covered (2,690)"));
    r.lang = "zh";
    CHECK(has(geo::map_legend(r), "未覆盖人口（0 人）"));
    CHECK(has(geo::map_legend(r), "路网外人口（40 人）"));

    const std::string png = geo::render_map_png(r);
    CHECK(png.substr(1, 3) == "PNG");
    geo::render_map(r, dir + "/out.pdf");
    CHECK(test::read_text(dir + "/out.pdf").substr(0, 5) == "%PDF-");
}

TEST_CASE("map frame: admin units decide it when given", "[map]") {
    geo::init_gdal();
    const std::string dir = test::scratch_dir("map-admin");
    geo::map_request r;
    r.gpkg = write_outputs(dir + "/out.gpkg", grid_demand());
    r.admin = test::write_boxes(dir + "/admin.geojson", {{495000, 2995000, 510000, 3015000}, {510000, 2995000, 530000, 3015000}},
                                {"west", "east"});
    check_frame(geo::layout_map(r), {495000, 2995000, 530000, 3015000});
}

TEST_CASE("map frame: every paper size and orientation frames the study area with a bar that fits", "[map]") {
    geo::init_gdal();
    const std::string dir = test::scratch_dir("map-sizes");
    geo::map_request r;
    r.gpkg = write_outputs(dir + "/out.gpkg", grid_demand());
    r.admin = test::write_boxes(dir + "/admin.geojson", {{495000, 2995000, 510000, 3015000}, {510000, 2995000, 530000, 3015000}},
                                {"west", "east"});
    r.admin_field = "name";
    double a4_scale = 0;
    for (const std::string& size : geo::map_sizes()) {
        INFO(size);
        r.size = size;
        const geo::map_layout l = geo::layout_map(r);
        check_frame(l, {495000, 2995000, 530000, 3015000});
        // The same study area on A3 is drawn larger than on A4 in the same orientation.
        if (size == "a4-landscape") a4_scale = l.mm_per_metre;
        if (size == "a3-landscape") CHECK(l.mm_per_metre > 1.3 * a4_scale);
        const std::string png = geo::render_map_png(r);
        CHECK(png.substr(1, 3) == "PNG");
        // PNG width and height (IHDR), at 150 dpi: portrait pages are taller than wide.
        auto be32 = [&](std::size_t at) {
            return (static_cast<unsigned char>(png[at]) << 24) | (static_cast<unsigned char>(png[at + 1]) << 16) |
                   (static_cast<unsigned char>(png[at + 2]) << 8) | static_cast<unsigned char>(png[at + 3]);
        };
        const bool portrait = size.find("portrait") != std::string::npos, a3 = size.rfind("a3", 0) == 0;
        const double long_px = (a3 ? 420 : 297) / 25.4 * 150, short_px = (a3 ? 297 : 210) / 25.4 * 150;
        CHECK(be32(16) == Approx(portrait ? short_px : long_px).margin(1));
        CHECK(be32(20) == Approx(portrait ? long_px : short_px).margin(1));
    }
    r.size = "a5";
    CHECK_THROWS_AS(geo::layout_map(r), input_error);
}

TEST_CASE("map frame: a single populated cell still gives a kilometre-wide frame and a sane bar", "[map]") {
    geo::init_gdal();
    const std::string dir = test::scratch_dir("map-point");
    geo::map_request r;
    r.gpkg = write_outputs(dir + "/out.gpkg", {{510000, 3006000, 25, 1, 10}});
    const geo::map_layout l = geo::layout_map(r);
    CHECK(std::isfinite(l.mm_per_metre));
    CHECK(l.frame.width() >= 1000);
    CHECK(l.frame.height() >= 1000);
    CHECK(l.frame.width() < 2000);
    CHECK(l.scale_bar_mm == Approx(l.scale_bar_m * l.mm_per_metre));
    CHECK(l.scale_bar_m >= 100);
    CHECK(l.scale_bar_m <= 1000);
}

// The two real runs whose A4 map was an empty frame with a 100-1000 km scale bar: Porto Alegre
// ambulance (nobody uncovered: an empty uncovered layer) and Accra community station (facilities with
// empty service areas, or outside the population grid).
TEST_CASE("map frame and legend on real coverage runs", "[map][real]") {
    geo::init_gdal();
    struct real_run {
        std::string name, roads, population, facilities, service;
    };
    const std::vector<real_run> runs = {
        {"poa-ambulance", "poa.osm.pbf", "poa-pop-hex.tif", "poa-health.gpkg", "ambulance"},
        {"accra-community-station", "accra-roads.gpkg", "accra-pop-2015.tif", "accra-health.gpkg", "community-station"}};
    const std::string dir = test::scratch_dir("map-real");
    for (const real_run& run : runs) {
        INFO(run.name);
        const std::string roads = test::shared_data(run.roads), pop = test::shared_data(run.population),
                          fac = test::shared_data(run.facilities);
        if (roads.empty() || pop.empty() || fac.empty()) continue;
        const std::string out = dir + "/" + run.name;
        REQUIRE(test::run(std::string(HEALTHREACH_BINARY) + " coverage --roads " + roads + " --population " + pop + " --facilities " +
                          fac + " --all-facilities --service " + run.service + " --lang en --out " + out + ".gpkg --map " + out +
                          ".png --json --quiet > " + out + ".json 2>/dev/null") == 0);
        const std::string json = test::read_text(out + ".json");

        geo::map_request r;
        r.gpkg = out + ".gpkg";
        r.lang = "en";
        OGREnvelope populated;
        {
            geo::dataset_ptr ds = geo::open_vector(r.gpkg);
            REQUIRE(ds->GetLayerByName("demand")->GetExtent(&populated, TRUE) == OGRERR_NONE);
        }
        check_frame(geo::layout_map(r), {populated.MinX, populated.MinY, populated.MaxX, populated.MaxY});

        const std::vector<std::string> legend = geo::map_legend(r);
        CHECK(has(legend, "Uncovered population (" + geo::format_number(json_number(json, "population_uncovered")) + ")"));
        const double off = json_number(json, "population_off_network");
        REQUIRE(off > 0);
        CHECK(has(legend, "Off the road network (" + geo::format_number(off) + ")"));
    }
}
