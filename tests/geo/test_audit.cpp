// The whole-plan audit against the jobs it gathers: each assessed service's figures are exactly those
// of its own coverage run (JSON by_admin included), the rules are the compliance run's, the services
// whose facility types are absent are listed as not assessed, and each profile's graph loads once.
#include "support.hpp"
#include "test_paths.hpp"

#include "healthreach/geo/audit.hpp"
#include "healthreach/geo/audit_io.hpp"
#include "healthreach/geo/coverage_io.hpp"
#include "healthreach/geo/json_parse.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <map>
#include <set>

using namespace healthreach;
using namespace healthreach::geo;

namespace {

const std::string sample = HEALTHREACH_SAMPLE_DATA;

analysis_options sample_inputs() {
    analysis_options o;
    o.roads = sample + "/roads.gpkg";
    o.population = sample + "/population.tif";
    o.facilities = sample + "/facilities.gpkg";
    o.admin = sample + "/admin.gpkg";
    o.threads = 2;
    return o;
}

bool same_number(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

// The facility types of the sample, read independently of the audit.
std::set<std::string> sample_types() {
    OGRSpatialReference wgs84;
    wgs84.importFromEPSG(4326);
    wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    const point_set p = read_points(sample + "/facilities.gpkg", wgs84);
    return {p.type.begin(), p.type.end()};
}

}  // namespace

TEST_CASE("audit: every service's figures are its coverage run's, the rules the compliance run's", "[audit]") {
    audit_options request;
    request.inputs = sample_inputs();
    request.villages = sample + "/villages.gpkg";
    std::vector<std::string> phases;
    job_callbacks cb;
    double last = -1;
    bool monotone = true;
    cb.progress = [&](const std::string& phase, double done) {
        phases.push_back(phase);
        monotone = monotone && done >= last && done <= 1;
        last = done;
        return true;
    };
    const audit_result r = run_audit(request, cb);
    CHECK(monotone);
    const standards rules = load_standards();
    REQUIRE(r.services.size() == rules.services.size());

    const std::set<std::string> types = sample_types();
    std::set<std::string> profiles_used;
    std::size_t assessed = 0;
    for (const audit_service& s : r.services) {
        const service& svc = rules.service_named(s.name);
        bool present = false;
        for (const std::string& t : svc.facility_types) present = present || types.count(t);
        INFO(s.name);
        CHECK(s.assessed == present);
        if (!s.assessed) {
            CHECK(s.reason.find("no facility of type") != std::string::npos);
            CHECK(s.facilities_matching == 0);
            continue;
        }
        ++assessed;
        profiles_used.insert(svc.profile);

        analysis_options o = sample_inputs();
        o.service = s.name;
        const auto a = run_analysis(o);
        CHECK(s.total.people.population == a->total.population);
        CHECK(s.total.people.covered == a->total.covered);
        CHECK(s.total.people.uncovered == a->total.uncovered);
        CHECK(s.total.people.off_network == a->total.off_network);
        CHECK(s.total.people.not_applicable == a->total.not_applicable);
        CHECK(s.facilities_used == a->sites.size());
        CHECK(s.facilities_matching == a->facilities.size());

        // Per admin unit, against the coverage JSON's by_admin.
        json_writer j;
        j.begin_object();
        write_coverage_json(*a, j, "test");
        j.end_object();
        const json_value doc = parse_json(j.str());
        CHECK(same_number(s.total.coverage_ratio, doc.find("coverage_ratio")->is_null() ? std::nan("") : doc.find("coverage_ratio")->as_number("")));
        const auto& by_admin = doc.find("by_admin")->as_array("by_admin");
        REQUIRE(by_admin.size() == s.units.size());
        for (std::size_t u = 0; u < by_admin.size(); ++u) {
            const json_value& e = by_admin[u];
            CHECK(s.units[u].name == e.find("name")->as_string(""));
            CHECK(s.units[u].people.population == e.find("population")->as_number(""));
            CHECK(s.units[u].people.covered == e.find("covered")->as_number(""));
            const json_value* ratio = e.find("coverage_ratio");
            CHECK(same_number(s.units[u].coverage_ratio, ratio->is_null() ? std::nan("") : ratio->as_number("")));
            const json_value* req = e.find("units_required");
            CHECK(same_number(s.units[u].units_required, req->is_null() ? -1.0 : req->as_number("")));
            CHECK(s.units[u].units_present == e.find("units_present")->as_number(""));
        }
    }
    CHECK(assessed > 0);

    // One load per profile, whatever the number of services on it.
    REQUIRE(r.graphs.size() == profiles_used.size());
    for (const audit_graph& g : r.graphs) {
        CHECK(profiles_used.count(g.profile));
        CHECK(g.loads == 1);
    }
    std::size_t graph_phases = 0;
    for (const std::string& p : phases) graph_phases += p.rfind("graph ", 0) == 0;
    CHECK(graph_phases == profiles_used.size());

    // The rules: the compliance job on the same inputs.
    compliance_options c;
    c.population = request.inputs.population;
    c.facilities = request.inputs.facilities;
    c.admin = request.inputs.admin;
    c.villages = request.villages;
    const compliance_report ref = run_compliance(c);
    REQUIRE(r.compliance);
    REQUIRE(r.compliance->rows.size() == ref.rows.size());
    for (std::size_t i = 0; i < ref.rows.size(); ++i) {
        CHECK(r.compliance->rows[i].admin == ref.rows[i].admin);
        CHECK(r.compliance->rows[i].rule == ref.rows[i].rule);
        CHECK(r.compliance->rows[i].required == ref.rows[i].required);
        CHECK(r.compliance->rows[i].present == ref.rows[i].present);
        CHECK(r.compliance->rows[i].status == ref.rows[i].status);
    }
    CHECK(r.compliance->short_of == ref.short_of);
}

TEST_CASE("audit: only the services whose types are present, and cancel stops it", "[audit]") {
    const std::string dir = test::scratch_dir("audit-types");
    // Two of the sample's ambulance stations and three of its village clinics, as a table in its CRS.
    const std::string fac = dir + "/fac.csv";
    {
        OGRSpatialReference utm;
        utm.importFromEPSG(32649);
        utm.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
        const point_set p = read_points(sample + "/facilities.gpkg", utm);
        std::FILE* f = std::fopen(fac.c_str(), "w");
        std::fputs("id,name,type,x,y\n", f);
        std::map<std::string, int> kept;
        for (std::size_t i = 0; i < p.size(); ++i) {
            const int most = p.type[i] == "ambulance-station" ? 2 : p.type[i] == "village-clinic" ? 3 : 0;
            if (kept[p.type[i]]++ >= most) continue;
            std::fprintf(f, "%s,Station %s,%s,%.3f,%.3f\n", p.id[i].c_str(), p.id[i].c_str(), p.type[i].c_str(), p.x[i], p.y[i]);
        }
        std::fclose(f);
    }
    audit_options request;
    request.inputs = sample_inputs();
    request.inputs.facilities = fac;
    request.inputs.facility_fields.points_crs = "EPSG:32649";
    const audit_result r = run_audit(request);

    {  // a service whose facilities all lie off the network is assessed as covering nobody
        const std::string stray = dir + "/stray.csv";
        {
            std::string text = test::read_text(fac), out;
            std::size_t begin = 0;
            while (begin < text.size()) {  // the village clinics 500 km west, far from any road
                const std::size_t end = text.find('\n', begin);
                std::string line = text.substr(begin, end - begin);
                if (line.find(",village-clinic,") != std::string::npos) {
                    const std::size_t c = line.rfind(',', line.rfind(',') - 1);
                    const double x = std::stod(line.substr(c + 1));
                    line = line.substr(0, c + 1) + std::to_string(x - 500000) + line.substr(line.rfind(','));
                }
                out += line + "\n";
                begin = end + 1;
            }
            std::FILE* f = std::fopen(stray.c_str(), "w");
            std::fputs(out.c_str(), f);
            std::fclose(f);
        }
        audit_options moved = request;
        moved.inputs.facilities = stray;
        const audit_result m = run_audit(moved);
        const auto service = [](const audit_result& x, const std::string& name) {
            for (const audit_service& s : x.services)
                if (s.name == name) return s;
            FAIL("no service " << name);
            return audit_service{};
        };
        const audit_service clinic = service(m, "village-clinic");
        CHECK(clinic.assessed);
        CHECK(clinic.facilities_matching == 3);
        CHECK(clinic.facilities_used == 0);
        CHECK(clinic.total.people.covered == 0);
        CHECK(clinic.total.people.uncovered > 0);
        CHECK(!clinic.meets());
        bool said = false;
        for (const std::string& w : clinic.warnings) said = said || w.find("none of the 3 village-clinic facilities") != std::string::npos;
        CHECK(said);
        // The other services are untouched by the stray ones.
        CHECK(service(m, "ambulance").total.people.covered == service(r, "ambulance").total.people.covered);
        CHECK(service(m, "ambulance").total.people.uncovered == service(r, "ambulance").total.people.uncovered);
    }
    std::set<std::string> assessed;
    for (const audit_service& s : r.services)
        if (s.assessed) assessed.insert(s.name);
        else CHECK(!s.reason.empty());
    CHECK(assessed == std::set<std::string>{"ambulance", "village-clinic"});
    std::set<std::string> profiles;
    for (const audit_graph& g : r.graphs) profiles.insert(g.profile);
    CHECK(profiles == std::set<std::string>{"drive", "walk"});

    // JSON: the not-assessed services with their reasons.
    json_writer j;
    j.begin_object();
    write_audit_json(r, j, "test");
    j.end_object();
    const json_value doc = parse_json(j.str());
    CHECK(doc.find("services_assessed")->as_number("") == 2);
    for (const json_value& s : doc.find("services")->as_array("services"))
        if (!s.find("assessed")->as_bool("")) {
            CHECK(s.find("status")->as_string("") == "not-assessed");
            CHECK(!s.find("reason")->as_string("").empty());
        }

    job_callbacks stop;
    stop.progress = [](const std::string& phase, double) { return phase.find("reach") == std::string::npos; };
    CHECK_THROWS_AS(run_audit(request, stop), cancelled);

    audit_options untyped = request;
    untyped.inputs.facility_fields.type_field = "name";  // a field, but no service's types: nothing to audit
    try {
        run_audit(untyped);
        FAIL("no service assessed must be an error");
    } catch (const input_error& e) {
        CHECK(std::string(e.what()).find("fac.csv") != std::string::npos);
        CHECK(std::string(e.what()).find("Station ") != std::string::npos);
    }
}
