// End-to-end: `healthreach optimize` on the sample region, good and bad.
#include "support.hpp"
#include "test_paths.hpp"

#include "healthreach/geo/gdal.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

using namespace healthreach;

namespace {

const std::string exe = HEALTHREACH_BINARY;
const std::string sample = HEALTHREACH_SAMPLE_DATA;

std::string optimize_args(const std::string& extra) {
    return exe + " optimize --roads " + sample + "/roads.gpkg --population " + sample + "/population.tif --facilities " +
           sample + "/facilities.gpkg --service ambulance --quiet " + extra;
}

}  // namespace

TEST_CASE("optimize max-cover on the sample region", "[e2e][optimize]") {
    const std::string dir = test::scratch_dir("e2e-optimize");
    REQUIRE(test::run(optimize_args("--candidate-spacing 2000 --objective max-cover --sites 3 --out " + dir +
                                    "/opt.gpkg --json > " + dir + "/opt.json")) == 0);
    const std::string json = test::read_text(dir + "/opt.json");
    CHECK(json.front() == '{');  // nothing but the JSON document on stdout: no solver log
    CHECK(json.find('\n') == json.size() - 1);
    for (const char* key : {"objective", "bound", "gap", "solver", "selected", "population_covered"})
        CHECK(json.find(std::string("\"") + key + "\"") != std::string::npos);
    geo::dataset_ptr ds = geo::open_vector(dir + "/opt.gpkg");
    REQUIRE(ds->GetLayerByName("proposed_sites") != nullptr);
    CHECK(ds->GetLayerByName("proposed_sites")->GetFeatureCount() == 3);
}

TEST_CASE("optimize bad input: exit 2 with a clear message", "[e2e][optimize]") {
    const std::string dir = test::scratch_dir("e2e-optimize-bad");
    std::string err;
    const std::string out = " --out " + dir + "/opt.gpkg";
    CHECK(test::run(optimize_args("--candidate-spacing 5000 --objective max-cover --sites 100000" + out), &err) == 2);
    CHECK(err.find("--sites 100000") != std::string::npos);
    CHECK(test::run(optimize_args("--candidate-spacing 2000 --objective cover-all --target 1.5" + out), &err) == 2);
    CHECK(err.find("--target") != std::string::npos);
    test::write_points(dir + "/far.geojson", {{0, 0, "\"id\":\"far\""}}, 32649);
    CHECK(test::run(optimize_args("--candidates " + dir + "/far.geojson --objective max-cover --sites 1" + out), &err) == 2);
    CHECK(err.find("far.geojson") != std::string::npos);
    CHECK(test::run(optimize_args("--candidate-spacing 2000 --objective best-ever --sites 1" + out), &err) == 2);
    for (const auto& f : test::list_dir(dir)) CHECK(f.find("opt.gpkg") == std::string::npos);
}

TEST_CASE("evaluate ranks candidates and compares a scenario per admin unit", "[e2e][evaluate]") {
    const std::string dir = test::scratch_dir("e2e-evaluate");
    // Two candidates: one in the uncovered eastern county (uncovered with the plans' 10 km rural
    // limit), one beside an existing station.
    test::write_points(dir + "/cand.geojson", {{448888.18, 3978444.30, "\"id\":\"east\""}, {425100, 3960100, "\"id\":\"west\""}},
                       32649);
    REQUIRE(test::run(exe + " evaluate --roads " + sample + "/roads.gpkg --population " + sample + "/population.tif --facilities " +
                      sample + "/facilities.gpkg --admin " + sample + "/admin.gpkg --service ambulance --rural-limit 10000 --quiet " +
                      "--candidates " + dir + "/cand.geojson --scenario " + dir + "/cand.geojson --out " + dir + "/eval.gpkg --json > " + dir +
                      "/eval.json") == 0);
    geo::dataset_ptr ds = geo::open_vector(dir + "/eval.gpkg");
    OGRLayer* cand = ds->GetLayerByName("candidates");
    REQUIRE(cand != nullptr);
    CHECK(cand->GetFeatureCount() == 2);
    double gain_sum = 0;
    for (geo::feature_ptr f(cand->GetNextFeature()); f; f.reset(cand->GetNextFeature())) {
        gain_sum += f->GetFieldAsDouble("gain");
        if (std::string(f->GetFieldAsString("id")) == "east") {
            CHECK(f->GetFieldAsInteger("rank") == 1);
            CHECK(f->GetFieldAsDouble("gain") > 5000);  // 7,837 people of the eastern county
        }
    }
    OGRLayer* scenario = ds->GetLayerByName("scenario");
    REQUIRE(scenario != nullptr);
    double scenario_gain = 0;
    for (geo::feature_ptr f(scenario->GetNextFeature()); f; f.reset(scenario->GetNextFeature())) {
        CHECK(f->GetFieldAsDouble("covered_scenario") >= f->GetFieldAsDouble("covered_existing"));
        scenario_gain += f->GetFieldAsDouble("gain");
    }
    CHECK(scenario_gain <= gain_sum + 1e-6);  // overlapping gains count once in a scenario
    CHECK(scenario_gain > 0);
    CHECK(test::read_text(dir + "/eval.json").find("\"admin_units\"") != std::string::npos);
}

TEST_CASE("optimize expected (MEXCLP) places every new vehicle", "[e2e][optimize]") {
    const std::string dir = test::scratch_dir("e2e-expected");
    REQUIRE(test::run(optimize_args("--candidate-spacing 2000 --objective expected --vehicles 3 --busy-fraction 0.4 --out " +
                                    dir + "/exp.gpkg")) == 0);
    geo::dataset_ptr ds = geo::open_vector(dir + "/exp.gpkg");
    OGRLayer* sites = ds->GetLayerByName("proposed_sites");
    REQUIRE(sites != nullptr);
    int vehicles = 0;
    for (geo::feature_ptr f(sites->GetNextFeature()); f; f.reset(sites->GetNextFeature())) vehicles += f->GetFieldAsInteger("vehicles");
    CHECK(vehicles == 3);
    std::string err;
    CHECK(test::run(optimize_args("--candidate-spacing 2000 --objective expected --vehicles 3 --busy-fraction 1.2 --out " +
                                  dir + "/bad.gpkg"), &err) == 2);
    CHECK(err.find("--busy-fraction") != std::string::npos);
}

TEST_CASE("optimize min-distance, min-max and backup open exactly N sites", "[e2e][optimize]") {
    const std::string dir = test::scratch_dir("e2e-cost-models");
    for (const std::string objective : {"min-distance", "min-max", "backup"}) {
        INFO(objective);
        REQUIRE(test::run(optimize_args("--candidate-spacing 3000 --objective " + objective + " --sites 2 --out " + dir + "/" +
                                        objective + ".gpkg --json > " + dir + "/" + objective + ".json")) == 0);
        geo::dataset_ptr ds = geo::open_vector(dir + "/" + objective + ".gpkg");
        CHECK(ds->GetLayerByName("proposed_sites")->GetFeatureCount() == 2);
        const std::string json = test::read_text(dir + "/" + objective + ".json");
        CHECK(json.find("\"bound\"") != std::string::npos);
    }
}

TEST_CASE("optimize sub-centres: 15 % of township centres, served population reported", "[e2e][optimize]") {
    const std::string dir = test::scratch_dir("e2e-sub-centres");
    REQUIRE(test::run(exe + " optimize --roads " + sample + "/roads.gpkg --population " + sample +
                      "/population.tif --service sub-centre --quiet --candidates " + sample + "/facilities.gpkg --admin " +
                      sample + "/admin.gpkg --objective sub-centres --out " + dir + "/sc.gpkg --json > " + dir + "/sc.json") == 0);
    geo::dataset_ptr ds = geo::open_vector(dir + "/sc.gpkg");
    OGRLayer* sites = ds->GetLayerByName("proposed_sites");
    REQUIRE(sites != nullptr);
    CHECK(sites->GetFeatureCount() == 2);  // ceil(15 % of 8 township centres)
    for (geo::feature_ptr f(sites->GetNextFeature()); f; f.reset(sites->GetNextFeature()))
        CHECK(f->GetFieldAsDouble("served") >= f->GetFieldAsDouble("gain"));
    const std::string json = test::read_text(dir + "/sc.json");
    CHECK(json.find("\"rules_unmet\"") != std::string::npos);
    CHECK(json.find("\"served\"") != std::string::npos);
}

TEST_CASE("optimize capacitated max-cover serves no more than the capacities allow", "[e2e][optimize]") {
    const std::string dir = test::scratch_dir("e2e-capacitated");
    // Three candidates with two ambulances each (60,000 people) in the uncovered east and west.
    test::write_points(dir + "/cand.geojson",
                       {{448888.18, 3978444.30, "\"id\":\"a\",\"ambulances\":2"}, {426009.63, 3965527.37, "\"id\":\"b\",\"ambulances\":2"},
                        {446501.88, 3966627.29, "\"id\":\"c\",\"ambulances\":1"}},
                       32649);
    REQUIRE(test::run(optimize_args("--capacity-field ambulances --candidates " + dir +
                                    "/cand.geojson --objective max-cover --sites 2 --out " + dir + "/cap.gpkg --json > " + dir +
                                    "/cap.json")) == 0);
    const std::string json = test::read_text(dir + "/cap.json");
    auto number = [&](const std::string& key) {
        const auto at = json.find("\"" + key + "\":");
        REQUIRE(at != std::string::npos);
        return std::stod(json.substr(at + key.size() + 3));
    };
    CHECK(number("objective") <= number("bound") + 1e-6);
    CHECK(number("objective") == number("population_covered"));
    geo::dataset_ptr ds = geo::open_vector(dir + "/cap.gpkg");
    CHECK(ds->GetLayerByName("proposed_sites")->GetFeatureCount() == 2);
}
