// End-to-end: `healthreach coverage` on the bundled sample region, good and bad.
#include "support.hpp"
#include "test_paths.hpp"

#include "healthreach/geo/gdal.hpp"
#include "healthreach/geo/json_parse.hpp"
#include "healthreach/geo/population.hpp"

#include <catch2/catch.hpp>

#include <cpl_vsi.h>

#include <fstream>
#include <map>
#include <sstream>

using namespace healthreach;

namespace {

const std::string exe = HEALTHREACH_BINARY;
const std::string sample = HEALTHREACH_SAMPLE_DATA;

std::string coverage_args(const std::string& extra) {
    return exe + " coverage --roads " + sample + "/roads.gpkg --population " + sample + "/population.tif --facilities " +
           sample + "/facilities.gpkg --admin " + sample + "/admin.gpkg " + extra;
}

// The number after "key": in a JSON text.
double json_number(const std::string& json, const std::string& key) {
    const auto at = json.find("\"" + key + "\":");
    REQUIRE(at != std::string::npos);
    return std::stod(json.substr(at + key.size() + 3));
}

}  // namespace

TEST_CASE("coverage on the sample region writes every output", "[e2e][coverage]") {
    const std::string dir = test::scratch_dir("e2e-coverage");
    std::string err;
    REQUIRE(test::run(coverage_args("--service ambulance --travel-raster " + dir + "/cost.tif --out " + dir +
                                    "/amb.gpkg --json > " + dir + "/amb.json"),
                      &err) == 0);
    const std::string json = test::read_text(dir + "/amb.json");
    // stdout holds one JSON document and nothing else.
    CHECK(json.front() == '{');
    CHECK(json.find('\n') == json.size() - 1);
    for (const char* key : {"service", "metric", "population_total", "population_covered", "population_uncovered",
                            "population_off_network", "population_not_applicable", "coverage_ratio", "facilities_used",
                            "cost_percentiles", "p50", "p90", "max", "by_area_class", "urban", "rural", "by_admin",
                            "units_required", "units_present", "provenance", "version", "crs", "inputs"})
        CHECK(json.find(std::string("\"") + key + "\"") != std::string::npos);
    const double total = json_number(json, "population_total");
    CHECK(total == json_number(json, "population_covered") + json_number(json, "population_uncovered") +
                       json_number(json, "population_off_network") + json_number(json, "population_not_applicable"));
    // Every person of the raster (its valid cells, read here with GDAL) is counted once.
    geo::dataset_ptr population = geo::open_raster(sample + "/population.tif");
    GDALRasterBand* band = population->GetRasterBand(1);
    std::vector<float> cells(static_cast<std::size_t>(band->GetXSize()) * band->GetYSize());
    REQUIRE(band->RasterIO(GF_Read, 0, 0, band->GetXSize(), band->GetYSize(), cells.data(), band->GetXSize(),
                           band->GetYSize(), GDT_Float32, 0, 0) == CE_None);
    double raster_total = 0;
    for (float v : cells)
        if (v != band->GetNoDataValue()) raster_total += v;
    CHECK(total == Approx(raster_total).margin(1));

    geo::dataset_ptr ds = geo::open_vector(dir + "/amb.gpkg");
    for (const char* layer : {"demand", "facilities", "service_areas", "uncovered", "summary"})
        CHECK(ds->GetLayerByName(layer) != nullptr);
    CHECK(ds->GetLayerByName("facilities")->GetFeatureCount() == 6);  // emergency centre + 5 stations
    CHECK(ds->GetLayerByName("service_areas")->GetFeatureCount() == 6);
    CHECK(ds->GetLayerByName("summary")->GetFeatureCount() == 7);  // 6 admin units + total

    // The travel raster sits on exactly the population grid.
    const geo::raster_grid pop = geo::read_raster_grid(sample + "/population.tif");
    const geo::raster_grid cost = geo::read_raster_grid(dir + "/cost.tif");
    CHECK(cost.cols == pop.cols);
    CHECK(cost.rows == pop.rows);
    CHECK(cost.gt == pop.gt);
    CHECK(cost.srs.IsSame(&pop.srs));
}

TEST_CASE("coverage bad input: exit 2, message names the culprit, nothing written", "[e2e][coverage]") {
    const std::string dir = test::scratch_dir("e2e-coverage-bad");
    std::string err;
    const std::string out = " --out " + dir + "/out.gpkg --travel-raster " + dir + "/cost.tif";

    CHECK(test::run(coverage_args("--service dentist" + out), &err) == 2);
    CHECK(err.find("dentist") != std::string::npos);

    std::ofstream(dir + "/std.toml") << "[services.ambulance]\nmetrik = \"time\"\n";
    CHECK(test::run(coverage_args("--service ambulance --standards " + dir + "/std.toml" + out), &err) == 2);
    CHECK(err.find("services.ambulance.metrik") != std::string::npos);

    CHECK(test::run(exe + " coverage --roads " + sample + "/roads.gpkg --population " + dir +
                        "/none.tif --facilities " + sample + "/facilities.gpkg --service ambulance" + out, &err) == 2);
    CHECK(err.find("none.tif") != std::string::npos);

    test::write_raster(dir + "/negative.tif", 2, 1, 420000, 3987000, 100, {5, -1}, 32649);
    CHECK(test::run(exe + " coverage --roads " + sample + "/roads.gpkg --population " + dir +
                        "/negative.tif --facilities " + sample + "/facilities.gpkg --service ambulance" + out, &err) == 2);
    CHECK(err.find("negative.tif: cell (col 1, row 0)") != std::string::npos);

    CHECK(test::run(coverage_args("--service ambulance --admin-layer parishes" + out), &err) == 2);
    CHECK(err.find("parishes") != std::string::npos);

    for (const auto& f : test::list_dir(dir)) {
        CHECK(f != "out.gpkg");
        CHECK(f != "cost.tif");
        CHECK(f.find("out.") == std::string::npos);
        CHECK(f.find(".tmp") == std::string::npos);
    }
}

TEST_CASE("coverage with --graph-cache: the warm run loads the graph and answers the same", "[e2e][coverage]") {
    const std::string dir = test::scratch_dir("e2e-graph-cache");
    const std::string args = coverage_args("--service ambulance --graph-cache " + dir + "/drive.graph --json --out ");
    std::string err;
    REQUIRE(test::run(coverage_args("--service ambulance --json --out " + dir + "/plain.gpkg > " + dir + "/plain.json")) == 0);
    REQUIRE(test::run(args + dir + "/cold.gpkg > " + dir + "/cold.json", &err) == 0);
    CHECK(err.find("graph cache " + dir + "/drive.graph: written") != std::string::npos);
    REQUIRE(test::run(args + dir + "/warm.gpkg > " + dir + "/warm.json", &err) == 0);
    CHECK(err.find("graph cache " + dir + "/drive.graph: loaded") != std::string::npos);
    const std::string plain = test::read_text(dir + "/plain.json");
    for (const char* run : {"cold", "warm"}) {
        const std::string json = test::read_text(dir + "/" + run + ".json");
        for (const char* key : {"population_covered", "population_uncovered", "population_off_network"})
            CHECK(json_number(json, key) == json_number(plain, key));
    }
    // The walk profile of the community stations is another graph: the cache is rebuilt, not misused.
    REQUIRE(test::run(coverage_args("--service community-station --graph-cache " + dir + "/drive.graph --out " + dir +
                                    "/walk.gpkg"),
                      &err) == 0);
    CHECK(err.find("rebuilt: the profile or road options changed") != std::string::npos);
    // A cache in a directory that does not exist is bad usage, found before any work.
    CHECK(test::run(coverage_args("--service ambulance --graph-cache " + dir + "/none/drive.graph --out " + dir +
                                  "/x.gpkg"),
                    &err) == 2);
    CHECK(err.find(dir + "/none") != std::string::npos);
}

TEST_CASE("coverage writes the map (PNG and PDF), the QGIS project and the report, and bad names are exit 2",
          "[e2e][coverage][presentation]") {
    const std::string dir = test::scratch_dir("e2e-presentation");
    std::string err;
    REQUIRE(test::run(coverage_args("--service ambulance --out " + dir + "/a.gpkg --map " + dir + "/a.png --qgis-project " +
                                    dir + "/a.qgz --report " + dir + "/a.html"),
                      &err) == 0);
    const std::string png = test::read_text(dir + "/a.png");
    REQUIRE(png.size() > 24);
    CHECK(png.substr(1, 3) == "PNG");
    auto be32 = [&](std::size_t at) {
        return (static_cast<unsigned char>(png[at]) << 24) | (static_cast<unsigned char>(png[at + 1]) << 16) |
               (static_cast<unsigned char>(png[at + 2]) << 8) | static_cast<unsigned char>(png[at + 3]);
    };
    CHECK(be32(16) == 1754);  // A4 landscape at 150 dpi
    CHECK(be32(20) == 1240);
    CHECK(test::read_text(dir + "/a.qgz").substr(0, 2) == "PK");  // a zip
    const std::string html = test::read_text(dir + "/a.html");
    CHECK(html.find("<html lang=\"zh-CN\">") != std::string::npos);
    CHECK(html.find("data:image/png;base64,") != std::string::npos);
    CHECK(html.find("平顺县") != std::string::npos);  // an admin unit of the summary
    REQUIRE(test::run(coverage_args("--service ambulance --out " + dir + "/b.gpkg --map " + dir + "/b.pdf --lang en")) == 0);
    CHECK(test::read_text(dir + "/b.pdf").substr(0, 5) == "%PDF-");

    for (const std::string& bad : {"--map " + dir + "/m.jpg", "--qgis-project " + dir + "/p.qgs", "--report " + dir + "/r.txt",
                                   "--map " + dir + "/none/m.png"}) {
        INFO(bad);
        CHECK(test::run(coverage_args("--service ambulance --out " + dir + "/c.gpkg " + bad), &err) == 2);
        CHECK(err.find(bad.substr(bad.find(' ') + 1, bad.rfind('/') - bad.find(' ') - 1)) != std::string::npos);
        CHECK_FALSE(test::file_exists(dir + "/c.gpkg"));
    }
    CHECK(test::run(coverage_args("--service ambulance --out " + dir + "/c.gpkg --lang fr"), &err) == 2);
}

namespace {

// The people of the demand layer with a limit (covered not null), a facility reached and cost <= edge:
// the bands' figure recomputed from what the GeoPackage holds.
double demand_layer_within(GDALDataset& ds, const char* cost_field, double edge) {
    OGRLayer* demand = ds.GetLayerByName("demand");
    REQUIRE(demand);
    double people = 0;
    demand->ResetReading();
    for (geo::feature_ptr f(demand->GetNextFeature()); f; f.reset(demand->GetNextFeature())) {
        const int covered = f->GetFieldIndex("covered"), cost = f->GetFieldIndex(cost_field);
        if (!f->IsFieldSetAndNotNull(covered) || !f->IsFieldSetAndNotNull(cost)) continue;
        if (f->GetFieldAsDouble(cost) <= edge) people += f->GetFieldAsDouble("pop");
    }
    return people;
}

}  // namespace

TEST_CASE("coverage --bands and --population-group on the sample region", "[e2e][coverage][bands][groups][criticality]") {
    const std::string dir = test::scratch_dir("e2e-breakdown");
    const std::vector<double> edges = {2500, 5000, 12500, 20000, 30000};
    std::string err;
    REQUIRE(test::run(coverage_args("--service ambulance --bands 2500,5000,12500,20000,30000 --population-group everyone=" + sample +
                                    "/population.tif --out " + dir + "/amb.gpkg --qgis-project " + dir + "/amb.qgz --json > " + dir +
                                    "/amb.json"),
                      &err) == 0);
    const geo::json_value doc = geo::parse_json(test::read_text(dir + "/amb.json"));
    geo::dataset_ptr ds = geo::open_vector(dir + "/amb.gpkg");

    // Bands: cumulative, as recomputed from the demand layer.
    const auto& bands = doc.find("bands")->as_array("bands");
    REQUIRE(bands.size() == edges.size());
    double layer_total = 0, previous = 0;
    for (std::size_t k = 0; k < edges.size(); ++k) {
        INFO("band " << edges[k]);
        CHECK(bands[k].find("max")->as_number("max") == edges[k]);
        const double people = bands[k].find("population")->as_number("population");
        CHECK(people == Approx(demand_layer_within(*ds, "cost_m", edges[k])).epsilon(1e-12));
        CHECK(people >= previous);
        previous = people;
    }
    CHECK(previous <= doc.find("population_covered")->as_number("") + doc.find("population_uncovered")->as_number(""));
    // The layer: per ring, adding up to the last band.
    OGRLayer* layer = ds->GetLayerByName("bands");
    REQUIRE(layer);
    CHECK(layer->GetFeatureCount() == static_cast<GIntBig>(edges.size()));
    layer->ResetReading();
    std::size_t k = 0;
    for (geo::feature_ptr f(layer->GetNextFeature()); f; f.reset(layer->GetNextFeature()), ++k) {
        CHECK(f->GetFieldAsDouble("band_max") == edges[k]);
        CHECK(f->GetFieldAsDouble("band_min") == (k ? edges[k - 1] : 0));
        layer_total += f->GetFieldAsDouble("pop");
    }
    CHECK(layer_total == Approx(previous).epsilon(1e-12));
    // The project shows the layer in its graduated style.
    {
        VSILFILE* f = VSIFOpenL(("/vsizip/{" + dir + "/amb.qgz}/amb.qgs").c_str(), "rb");  // {}: the name does not end in .zip
        REQUIRE(f);
        std::string qgs;
        char buf[65536];
        for (std::size_t n; (n = VSIFReadL(buf, 1, sizeof buf, f)) > 0;) qgs.append(buf, n);
        VSIFCloseL(f);
        CHECK(qgs.find("layername=bands") != std::string::npos);
        CHECK(qgs.find("attr=\"band_max\"") != std::string::npos);
    }

    // A group equal to the population: the main figures, for the region and every admin unit.
    const geo::json_value* everyone = doc.find("groups")->find("everyone");
    REQUIRE(everyone);
    CHECK(everyone->find("population_total")->as_number("") == doc.find("population_total")->as_number(""));
    CHECK(everyone->find("population_covered")->as_number("") == doc.find("population_covered")->as_number(""));
    CHECK(everyone->find("coverage_ratio")->as_number("") == doc.find("coverage_ratio")->as_number(""));
    const auto& units = doc.find("by_admin")->as_array("by_admin");
    REQUIRE(!units.empty());
    for (const geo::json_value& u : units) {
        INFO(u.find("name")->as_string("name"));
        const geo::json_value* g = u.find("groups")->find("everyone");
        CHECK(g->find("population_total")->as_number("") == u.find("population")->as_number(""));
        CHECK(g->find("population_covered")->as_number("") == u.find("covered")->as_number(""));
        REQUIRE(u.find("bands")->as_array("bands").size() == edges.size());
    }
    // Per unit bands add up to at most the region's (people outside every unit are in the region only).
    for (std::size_t b = 0; b < edges.size(); ++b) {
        double sum = 0;
        for (const geo::json_value& u : units) sum += u.find("bands")->as_array("")[b].find("population")->as_number("");
        CHECK(sum <= bands[b].find("population")->as_number("") + 1e-6);
    }

    // Criticality: sorted by pop_sole, at most pop_within_limit, the same as the facilities layer.
    const auto& facilities = doc.find("facilities")->as_array("facilities");
    OGRLayer* fac = ds->GetLayerByName("facilities");
    REQUIRE(facilities.size() == static_cast<std::size_t>(fac->GetFeatureCount()));
    std::map<std::string, double> layer_sole;
    fac->ResetReading();
    for (geo::feature_ptr f(fac->GetNextFeature()); f; f.reset(fac->GetNextFeature()))
        layer_sole[f->GetFieldAsString("id")] = f->GetFieldAsDouble("pop_sole");
    double sole_total = 0;
    for (std::size_t i = 0; i < facilities.size(); ++i) {
        const double sole = facilities[i].find("pop_sole")->as_number("");
        CHECK(sole <= facilities[i].find("pop_within_limit")->as_number(""));
        if (i) CHECK(sole <= facilities[i - 1].find("pop_sole")->as_number(""));
        CHECK(layer_sole.at(facilities[i].find("id")->as_string("id")) == sole);
        sole_total += sole;
    }
    CHECK(sole_total <= doc.find("population_covered")->as_number(""));
    CHECK(facilities.front().find("pop_sole")->as_number("") > 0);
}

TEST_CASE("coverage without the demand points gives the same JSON, layers, map and report figures", "[e2e][coverage]") {
    const std::string dir = test::scratch_dir("e2e-coverage-demand-points");
    std::string err;
    auto run = [&](const std::string& name, const std::string& option) {
        REQUIRE(test::run(coverage_args("--service ambulance --rural-limit 10000 " + option + " --travel-raster " + dir + "/" + name +
                                        ".tif --out " + dir + "/" + name + ".gpkg --map " + dir + "/" + name + ".png --report " +
                                        dir + "/" + name + ".html --lang en --json > " + dir + "/" + name + ".json"),
                          &err) == 0);
    };
    run("auto", "");
    run("never", "--demand-points never");
    CHECK(test::read_text(dir + "/auto.json") == test::read_text(dir + "/never.json"));
    CHECK(test::read_text(dir + "/auto.tif") == test::read_text(dir + "/never.tif"));
    geo::dataset_ptr with = geo::open_vector(dir + "/auto.gpkg"), without = geo::open_vector(dir + "/never.gpkg");
    REQUIRE(with->GetLayerByName("demand") != nullptr);  // the sample is under the automatic threshold
    CHECK(without->GetLayerByName("demand") == nullptr);
    for (const char* name : {"facilities", "service_areas", "uncovered", "summary"}) {
        OGRLayer* a = with->GetLayerByName(name);
        OGRLayer* b = without->GetLayerByName(name);
        REQUIRE(b != nullptr);
        REQUIRE(a->GetFeatureCount() == b->GetFeatureCount());
        for (geo::feature_ptr fa(a->GetNextFeature()), fb(b->GetNextFeature()); fa; fa.reset(a->GetNextFeature()), fb.reset(b->GetNextFeature()))
        {
            REQUIRE(fa->GetFieldCount() == fb->GetFieldCount());
            for (int i = 0; i < fa->GetFieldCount(); ++i) {
                CHECK(std::string(fa->GetFieldAsString(i)) == fb->GetFieldAsString(i));
                CHECK(fa->GetFieldAsDouble(i) == fb->GetFieldAsDouble(i));
            }
            const OGRGeometry *ga = fa->GetGeometryRef(), *gb = fb->GetGeometryRef();
            REQUIRE((ga == nullptr) == (gb == nullptr));
            if (ga) CHECK(ga->Equals(gb));
        }
    }
    // The map draws the same picture (off-network dots and study area from memory) and the report
    // holds the same urban/rural table.
    // (Pixels above the footer, which names the file and the time of the run.)
    const auto pixels = [](const std::string& png) {
        geo::dataset_ptr img = geo::open_raster(png);
        REQUIRE(img);
        const int w = img->GetRasterXSize(), h = img->GetRasterYSize() - 60;
        std::vector<std::uint8_t> out(static_cast<std::size_t>(w) * h * img->GetRasterCount());
        REQUIRE(img->RasterIO(GF_Read, 0, 0, w, h, out.data(), w, h, GDT_Byte, img->GetRasterCount(), nullptr, 0, 0, 0) == CE_None);
        return out;
    };
    CHECK(pixels(dir + "/auto.png") == pixels(dir + "/never.png"));
    const std::string report_with = test::read_text(dir + "/auto.html"), report_without = test::read_text(dir + "/never.html");
    const auto table = [](const std::string& html) {
        const auto at = html.find("id=\"classes\"");
        REQUIRE(at != std::string::npos);
        return html.substr(at, html.find("</table>", at) - at);
    };
    CHECK(table(report_with) == table(report_without));
}

// Above the demand-point threshold (here forced by --demand-points never) there is no demand layer to
// hold the scores: access writes them to its raster and per-unit summaries instead of failing.
TEST_CASE("access without the demand points keeps its raster and summaries", "[e2e][access]") {
    const std::string dir = test::scratch_dir("e2e-access-no-points");
    std::string err;
    std::string args = coverage_args("--service ambulance --demand-points never --access-raster " + dir + "/access.tif --out " + dir +
                                     "/access.gpkg --json > " + dir + "/access.json");
    args.replace(args.find(" coverage "), 10, " access ");
    REQUIRE(test::run(args, &err) == 0);
    geo::dataset_ptr ds = geo::open_vector(dir + "/access.gpkg");
    CHECK(ds->GetLayerByName("demand") == nullptr);
    OGRLayer* summary = ds->GetLayerByName("access_summary");
    REQUIRE(summary != nullptr);
    CHECK(summary->GetFeatureCount() > 1);  // the admin units and the total
    geo::dataset_ptr raster = geo::open_raster(dir + "/access.tif");
    REQUIRE(raster);
    CHECK(json_number(test::read_text(dir + "/access.json"), "access_mean") > 0);
}
