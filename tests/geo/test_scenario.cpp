// The workbench's trials (scenario_engine): the incremental answer (loaded reach and cover counts,
// plus and minus the changed sites) against independent references: the loaded analysis itself,
// a nearest-site search over the trial's sites, the evaluate job's gain of one candidate, and a
// fresh analysis with another rural limit.
#include "support.hpp"
#include "test_paths.hpp"

#include "healthreach/error.hpp"
#include "healthreach/geo/coverage_io.hpp"
#include "healthreach/geo/evaluate.hpp"
#include "healthreach/geo/json_parse.hpp"
#include "healthreach/geo/scenario.hpp"

#include <catch2/catch.hpp>

#include <cmath>

using namespace healthreach;
using namespace healthreach::geo;

namespace {

const std::string sample = HEALTHREACH_SAMPLE_DATA;

analysis_options sample_options() {
    analysis_options o;
    o.roads = sample + "/roads.gpkg";
    o.population = sample + "/population.tif";
    o.facilities = sample + "/facilities.gpkg";
    o.admin = sample + "/admin.gpkg";
    o.service = "ambulance";
    o.threads = 2;
    return o;
}

json_value coverage_of(scenario_engine& e, const scenario_request& r) {
    json_writer j;
    j.begin_object();
    e.coverage_json(r, j, "test", true);
    j.end_object();
    return parse_json(j.str());
}

double number(const json_value& v, const std::string& key) { return v.find(key)->as_number(key); }

// Status of every demand point from the nearest open site's cost: the analysis' own rule.
std::vector<demand_status> status_by_nearest(const analysis& a, const std::vector<site>& sites) {
    const nearest_result n = nearest_sites(a.built.net, *a.route, *a.demand, sites);
    std::vector<demand_status> s(a.demand_pop.size());
    for (std::size_t d = 0; d < s.size(); ++d) {
        const double lim = a.limit_of(a.demand_class[d]);
        if (lim == no_limit) s[d] = demand_status::not_applicable;
        else if (!a.demand->on_network(static_cast<std::uint32_t>(d))) s[d] = demand_status::off_network;
        else s[d] = n.site[d] != invalid_id && n.cost[d] <= lim ? demand_status::covered : demand_status::uncovered;
    }
    return s;
}

}  // namespace

TEST_CASE("scenario: the empty trial is the loaded analysis, JSON byte for byte", "[scenario]") {
    auto a = run_analysis(sample_options());
    json_writer expected;
    expected.begin_object();
    write_coverage_json(*a, expected, "test");
    const std::vector<demand_status> status = a->status;
    scenario_engine e(std::move(a), std::nullopt);
    json_writer got;
    got.begin_object();
    e.with_scenario({}, false, [&](const analysis& view) {
        CHECK(view.status == status);
        write_coverage_json(view, got, "test");
    });
    CHECK(got.str() == expected.str());
}

TEST_CASE("scenario: closing and adding sites equals a search over the trial's sites", "[scenario]") {
    scenario_engine e(run_analysis(sample_options()), std::nullopt);
    const analysis& base = e.base();
    REQUIRE(base.sites.size() >= 3);
    const std::string closed = base.facilities.id[base.facility_of_site[1]];
    // Inside a trial base() is the trial's view: keep what the loaded analysis holds.
    const std::size_t facilities = base.facilities.size(), sites = base.sites.size();
    scenario_request r;
    r.remove = {closed};
    // Two new sites: on a demand point far from any facility, and on a network node.
    std::size_t far = 0;
    for (std::size_t d = 0; d < base.demand_pop.size(); ++d)
        if (base.status[d] == demand_status::uncovered && base.demand->on_network(static_cast<std::uint32_t>(d))) far = d;
    r.add = {{base.demand_x[far], base.demand_y[far]}, {base.built.net.node_x[10], base.built.net.node_y[10]}};
    e.with_scenario(r, true, [&](const analysis& v) {
        CHECK(v.facilities.size() == facilities - 1 + 2);
        CHECK(std::find(v.facilities.id.begin(), v.facilities.id.end(), closed) == v.facilities.id.end());
        CHECK(v.facilities.id.back() == "new-2");
        CHECK(v.sites.size() == sites - 1 + 2);
        const std::vector<demand_status> reference = status_by_nearest(v, v.sites);
        CHECK(v.status == reference);
        double covered = 0;
        for (std::size_t d = 0; d < reference.size(); ++d) covered += reference[d] == demand_status::covered ? v.demand_pop[d] : 0;
        CHECK(v.total.covered == covered);
        // Each site's reach (outputs) equals a search from that site alone.
        const auto within = points_within_limits(v.built.net, *v.route, *v.demand, v.sites, [&] {
            std::vector<double> l;
            for (area_class c : v.demand_class) l.push_back(v.limit_of(c));
            return l;
        }(), v.max_limit(), 1);
        REQUIRE(within.size() == v.within.size());
        for (std::size_t s = 0; s < within.size(); ++s) {
            REQUIRE(within[s].size() == v.within[s].size());
            for (std::size_t k = 0; k < within[s].size(); ++k) CHECK(within[s][k].point == v.within[s][k].point);
        }
        CHECK(v.cells_within.size() == v.sites.size());
        // Criticality of the trial's facilities from those searches: the points one site alone covers.
        std::vector<std::uint32_t> count(v.demand_pop.size(), 0);
        for (const auto& list : within)
            for (const reached_point& p : list) ++count[p.point];
        std::vector<double> sole(v.facilities.size(), 0.0);
        for (std::size_t s = 0; s < within.size(); ++s)
            for (const reached_point& p : within[s])
                if (count[p.point] == 1) sole[v.facility_of_site[s]] += v.demand_pop[p.point];
        REQUIRE(v.pop_sole.size() == sole.size());
        for (std::size_t f = 0; f < sole.size(); ++f) CHECK(v.pop_sole[f] == Approx(sole[f]).margin(1e-6));
        CHECK(v.covering_sites == count);
    });
    // The loaded analysis is back as it was.
    CHECK(e.base().sites.size() == sites);
    CHECK(e.base().facilities.id[base.facility_of_site[1]] == closed);
}

TEST_CASE("scenario: adding one candidate gives evaluate's gain over the existing coverage", "[scenario]") {
    evaluate_request q;
    q.analysis = sample_options();
    q.candidates = sample + "/villages.gpkg";
    const evaluate_result ev = run_evaluate(q);
    scenario_engine e(run_analysis(sample_options()), std::nullopt);
    const double existing = number(coverage_of(e, {}), "population_covered");
    REQUIRE(!ev.candidates.empty());
    int checked = 0;
    for (std::size_t k = 0; k < ev.candidates.size() && checked < 8; k += std::max<std::size_t>(1, ev.candidates.size() / 8), ++checked) {
        const candidate_evaluation& c = ev.candidates[k];
        scenario_request r;
        r.add = {{c.x, c.y}};
        const json_value got = coverage_of(e, r);
        INFO(c.id);
        CHECK(number(got, "population_covered") == existing + c.gain);
        CHECK(number(got, "elapsed_ms") >= 0);
    }
}

TEST_CASE("scenario: another rural limit equals a fresh analysis with --rural-limit", "[scenario]") {
    analysis_options o = sample_options();
    o.rural_limit = 12000;
    auto fresh = run_analysis(o);
    scenario_engine e(run_analysis(sample_options()), std::nullopt);
    scenario_request r;
    r.rural_limit = 12000;
    for (int round = 0; round < 2; ++round) {  // the second from the cached limits
        const json_value got = coverage_of(e, r);
        CHECK(number(got, "population_covered") == fresh->total.covered);
        CHECK(number(got, "population_uncovered") == fresh->total.uncovered);
        const auto& admin = got.find("by_admin")->as_array("by_admin");
        REQUIRE(fresh->admin);
        REQUIRE(admin.size() == fresh->admin->size());
    }
    // Back to the loaded limits.
    CHECK(number(coverage_of(e, {}), "population_covered") == e.base().total.covered);
}

TEST_CASE("scenario: requests read strictly, bad ones name the key", "[scenario]") {
    scenario_engine e(run_analysis(sample_options()), std::nullopt);
    const analysis& a = e.base();
    const std::string id = a.facilities.id.front();
    const scenario_request r = e.read_request(
        parse_json("{\"service\":\"ambulance\",\"limits\":{\"rural\":15000},\"add\":[{\"x\":1,\"y\":2}],\"remove\":[\"" + id + "\"]}"));
    CHECK(r.add.size() == 1);
    CHECK(r.add[0][0] == 1);
    CHECK(*r.rural_limit == 15000);
    CHECK_FALSE(r.urban_limit);
    CHECK(r.remove == std::vector<std::string>{id});
    const std::pair<const char*, const char*> bad[] = {
        {"{\"service\":\"nope\"}", "not this workbench's"},
        {"{\"remove\":[\"no-such-id\"]}", "no-such-id"},
        {"{\"remvoe\":[]}", "unknown key 'remvoe'"},
        {"{\"add\":[{\"lon\":1}]}", "add[0]"},
        {"{\"add\":[{\"lon\":500,\"lat\":1}]}", "not a WGS 84 position"},
        {"{\"add\":{\"x\":1,\"y\":2}}", "add: expected an array"},
        {"{\"limits\":{\"rural\":-5}}", "limits.rural"},
        {"{\"limits\":{\"rural\":\"5\"}}", "limits.rural"},
        {"[1]", "request: expected an object"}};
    for (const auto& [body, message] : bad) {
        INFO(body);
        CHECK_THROWS_WITH(e.read_request(parse_json(body)), Catch::Contains(message));
    }
    CHECK_THROWS_WITH(e.read_optimize_request(parse_json("{\"objective\":\"max-cover\"}")), Catch::Contains("sites"));
    CHECK_THROWS_WITH(e.read_optimize_request(parse_json("{\"objective\":\"min-max\",\"sites\":2}")), Catch::Contains("not offered"));
    // A point far beyond the snap limit: an input error, and the engine still answers.
    scenario_request far;
    far.add = {{a.demand_x[0] + 1e6, a.demand_y[0]}};
    CHECK_THROWS_WITH(e.coverage_json(far, *std::make_unique<json_writer>(), "test"), Catch::Contains("beyond the snap limit"));
    CHECK(number(coverage_of(e, {}), "population_covered") == a.total.covered);
}

TEST_CASE("scenario: max-cover from a trial never proposes less than the trial covers", "[scenario]") {
    optimize_request q;
    q.analysis = sample_options();
    q.candidate_spacing_m = 2000;
    q.goal = objective::max_cover;
    q.sites = 2;
    const optimize_result cli = run_optimize(q);
    auto a = run_analysis(sample_options());
    candidate_set cand = candidates_on_spacing(*a, 2000);
    scenario_engine e(std::move(a), std::move(cand));
    scenario_optimize_request r;
    r.goal = objective::max_cover;
    r.sites = 2;
    json_writer j;
    j.begin_object();
    e.optimize_json(r, j, "test");
    j.end_object();
    const json_value got = parse_json(j.str());
    // From the loaded scenario the request is the CLI's optimize run.
    CHECK(number(got, "population_covered") == Approx(cli.solution.covered));
    const auto& sel = got.find("selected")->as_array("selected");
    REQUIRE(sel.size() == 2);
    CHECK(sel[0].find("lon"));
    // From a trial with one site closed, the existing coverage is the trial's.
    r.scenario.remove = {e.base().facilities.id[e.base().facility_of_site[0]]};
    const double trial = number(coverage_of(e, r.scenario), "population_covered");
    json_writer k;
    k.begin_object();
    e.optimize_json(r, k, "test");
    k.end_object();
    const json_value after = parse_json(k.str());
    CHECK(number(after, "population_covered_existing") == trial);
    CHECK(number(after, "population_covered") >= trial);
}
