// End-to-end: `healthreach audit` on the sample region against the separate `coverage` runs of each
// assessed service and the `compliance` run, through the executable's JSON (figures compared
// exactly, none written down here: the sample may be regenerated), and its GeoPackage and reports.
#include "support.hpp"
#include "test_paths.hpp"

#include "healthreach/geo/gdal.hpp"
#include "healthreach/geo/json_parse.hpp"

#include <gdal_utils.h>

#include <catch2/catch.hpp>

#include <cmath>

using namespace healthreach;
using geo::json_value;

namespace {

const std::string exe = HEALTHREACH_BINARY;
const std::string sample = HEALTHREACH_SAMPLE_DATA;

const std::string region = " --roads " + sample + "/roads.gpkg --population " + sample + "/population.tif --admin " + sample +
                           "/admin.gpkg --quiet --threads 2";
const std::string inputs = region + " --facilities " + sample + "/facilities.gpkg";

json_value run_json(const std::string& command, const std::string& out) {
    std::string err;
    INFO(command);
    REQUIRE(test::run(command + " > " + out, &err) == 0);
    return geo::parse_json(test::read_text(out));
}

double number_or_nan(const json_value* v) { return !v || v->is_null() ? std::nan("") : v->as_number(""); }
bool same(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

}  // namespace

TEST_CASE("audit equals the coverage runs and the compliance run", "[e2e][audit]") {
    const std::string dir = test::scratch_dir("e2e-audit");
    // The sample's facilities without sub-centres and city hospitals: two services have none.
    const std::string fac = dir + "/facilities.gpkg";
    {
        geo::dataset_ptr src = geo::open_vector(sample + "/facilities.gpkg");
        const char* argv[] = {"-f", "GPKG", "-where", "type NOT IN ('sub-centre', 'city-hospital')", nullptr};
        GDALVectorTranslateOptions* opts = GDALVectorTranslateOptionsNew(const_cast<char**>(argv), nullptr);
        GDALDatasetH h = src.get();
        GDALDatasetH made = GDALVectorTranslate(fac.c_str(), nullptr, 1, &h, opts, nullptr);
        GDALVectorTranslateOptionsFree(opts);
        REQUIRE(made != nullptr);
        GDALClose(made);
    }
    const std::string inputs = region + " --facilities " + fac;
    const json_value audit = run_json(exe + " audit" + inputs + " --villages " + sample + "/villages.gpkg --out " + dir +
                                          "/audit.gpkg --report " + dir + "/audit.html --lang both --json",
                                      dir + "/audit.json");
    std::size_t assessed = 0, not_assessed = 0;
    for (const json_value& s : audit.find("services")->as_array("services")) {
        const std::string name = s.find("service")->as_string("");
        INFO(name);
        if (!s.find("assessed")->as_bool("")) {
            ++not_assessed;
            CHECK(s.find("status")->as_string("") == "not-assessed");
            CHECK(s.find("reason")->as_string("").find("no facility of type") != std::string::npos);
            // The coverage command agrees: no facility of the service's types.
            std::string err;
            CHECK(test::run(exe + " coverage" + inputs + " --service " + name + " --out " + dir + "/none.gpkg", &err) == 2);
            CHECK(err.find("no facility of the " + name) != std::string::npos);
            continue;
        }
        ++assessed;
        const json_value cov = run_json(exe + " coverage" + inputs + " --service " + name + " --out " + dir + "/" + name + ".gpkg --json",
                                        dir + "/" + name + ".json");
        for (const char* key : {"population_total", "population_covered", "population_uncovered", "population_off_network",
                                "population_not_applicable", "coverage_ratio", "facilities_used"}) {
            INFO(key);
            CHECK(same(number_or_nan(s.find(key)), number_or_nan(cov.find(key))));
        }
        const auto& units = s.find("by_admin")->as_array("");
        const auto& ref = cov.find("by_admin")->as_array("");
        REQUIRE(units.size() == ref.size());
        for (std::size_t u = 0; u < ref.size(); ++u) {
            CHECK(units[u].find("name")->as_string("") == ref[u].find("name")->as_string(""));
            for (const char* key : {"population", "covered", "coverage_ratio", "units_required", "units_present"}) {
                INFO(key);
                CHECK(same(number_or_nan(units[u].find(key)), number_or_nan(ref[u].find(key))));
            }
            CHECK(number_or_nan(units[u].find("uncovered")) + number_or_nan(units[u].find("covered")) +
                      number_or_nan(units[u].find("off_network")) + number_or_nan(units[u].find("not_applicable")) ==
                  number_or_nan(units[u].find("population")));
        }
    }
    CHECK(assessed > 0);
    CHECK(not_assessed > 0);
    for (const auto& [profile, loads] : audit.find("graph_loads")->as_object("")) CHECK(loads.as_number("") == 1);

    const json_value comp = run_json(exe + " compliance --population " + sample + "/population.tif --facilities " + fac +
                                         " --admin " + sample + "/admin.gpkg --villages " + sample +
                                         "/villages.gpkg --quiet --out " + dir + "/comp.gpkg --json",
                                     dir + "/comp.json");
    const auto& rules = audit.find("compliance")->find("rules")->as_array("");
    const auto& ref_rules = comp.find("rules")->as_array("");
    REQUIRE(rules.size() == ref_rules.size());
    for (std::size_t i = 0; i < rules.size(); ++i)
        for (const char* key : {"admin", "rule", "status"}) CHECK(rules[i].find(key)->as_string("") == ref_rules[i].find(key)->as_string(""));
    for (std::size_t i = 0; i < rules.size(); ++i)
        for (const char* key : {"required", "present"}) CHECK(same(number_or_nan(rules[i].find(key)), number_or_nan(ref_rules[i].find(key))));

    // The GeoPackage: a styled layer per assessed service, the tables, the overview.
    geo::dataset_ptr ds = geo::open_vector(dir + "/audit.gpkg");
    for (const char* layer : {"services", "audit", "audit_units", "compliance", "compliance_units", "coverage_ambulance"})
        CHECK(ds->GetLayerByName(layer) != nullptr);
    CHECK(ds->GetLayerByName("services")->GetFeatureCount() == static_cast<GIntBig>(assessed + not_assessed));
    CHECK(ds->GetLayerByName("audit")->GetFeatureCount() ==
          static_cast<GIntBig>(assessed * (ds->GetLayerByName("audit_units")->GetFeatureCount() + 1)));
    // Both reports, in their languages.
    const std::string zh = test::read_text(dir + "/audit.html"), en = test::read_text(dir + "/audit.en.html");
    CHECK(zh.find("lang=\"zh-CN\"") != std::string::npos);
    CHECK(zh.find("一页摘要") != std::string::npos);
    CHECK(en.find("lang=\"en\"") != std::string::npos);
    CHECK(en.find("Services not assessed") != std::string::npos);
}

TEST_CASE("audit: bad input exits 2 naming the culprit", "[e2e][audit]") {
    const std::string dir = test::scratch_dir("e2e-audit-bad");
    std::string err;
    // --profile does not apply: each service runs on its own.
    CHECK(test::run(exe + " audit" + inputs + " --profile walk --out " + dir + "/a.gpkg", &err) == 2);
    CHECK(err.find("--profile") != std::string::npos);
    CHECK(test::run(exe + " audit" + inputs + " --type-field nosuchfield --out " + dir + "/a.gpkg", &err) == 2);
    CHECK(err.find("nosuchfield") != std::string::npos);
    CHECK(test::run(exe + " audit" + inputs + " --out " + dir + "/a.gpkg --report " + sample + "/admin.gpkg", &err) == 2);
    CHECK(err.find("--report") != std::string::npos);
    CHECK(!test::file_exists(dir + "/a.gpkg"));
}
