// The optimize and evaluate jobs as library calls (no executable): cross-checked against each
// other, the standards' rules driving the sub-centre model, bad requests and cancellation.
#include "support.hpp"
#include "test_paths.hpp"

#include "healthreach/error.hpp"
#include "healthreach/geo/evaluate.hpp"
#include "healthreach/geo/optimize.hpp"
#include "healthreach/opt/siting.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>

using namespace healthreach;
using namespace healthreach::geo;

namespace {

const std::string sample = HEALTHREACH_SAMPLE_DATA;

analysis_options sample_options(const std::string& service) {
    analysis_options o;
    o.roads = sample + "/roads.gpkg";
    o.population = sample + "/population.tif";
    o.facilities = sample + "/facilities.gpkg";
    o.admin = sample + "/admin.gpkg";
    o.service = service;
    o.threads = 2;
    return o;
}

optimize_request sub_centre_request() {
    optimize_request r;
    r.analysis = sample_options("sub-centre");
    r.analysis.facilities.clear();  // no existing sub-centres: every one is new
    r.candidates = sample + "/facilities.gpkg";
    r.goal = objective::sub_centres;
    return r;
}

std::size_t township_centres() {
    optimize_request r = sub_centre_request();
    const auto a = run_analysis(r.analysis);
    return candidates_from_points(*a, r.candidates, {}, {"township-centre"}).sites.size();
}

}  // namespace

TEST_CASE("optimize max-cover with one site picks the candidate evaluate ranks first", "[optimize][library]") {
    evaluate_request e;
    e.analysis = sample_options("ambulance");
    e.analysis.rural_limit = 10000;  // the plans' countryside range is 10-20 km: at 10 the east has gaps
    e.candidates = sample + "/facilities.gpkg";
    const evaluate_result ev = run_evaluate(e);
    REQUIRE(ev.candidates.size() > 3);
    const candidate_evaluation& best = ev.candidates[ev.order.front()];
    REQUIRE(best.gain > 0);

    optimize_request r;
    r.analysis = e.analysis;
    r.candidates = e.candidates;
    r.goal = objective::max_cover;
    r.sites = 1;
    r.exact = true;
    const optimize_result o = run_optimize(r);
    REQUIRE(o.selected.size() == 1);
    // Two computations of one number: evaluate's gains over the matrix, and the MILP's optimum.
    CHECK(o.selected[0].gain == Approx(best.gain).epsilon(1e-12));
    CHECK(o.solution.covered == Approx(o.covered_existing + best.gain).epsilon(1e-12));
    CHECK(o.selected[0].cumulative_covered == Approx(o.solution.covered).epsilon(1e-12));
    CHECK(o.solution.gap == 0);
}

TEST_CASE("the matrix over uncovered demand holds every pair max-cover and cover-all look at", "[optimize][library]") {
    analysis_options o = sample_options("ambulance");
    o.rural_limit = 10000;  // at 10 km the east has gaps: some demand covered, some not
    const auto a = run_analysis(o);
    const candidate_set cand = candidates_on_spacing(*a, 1500);
    const opt::coverage_matrix all = candidate_matrix(*a, cand);
    const opt::coverage_matrix part = candidate_matrix(*a, cand, true);
    REQUIRE(all.demand_count() == part.demand_count());
    CHECK(part.population == all.population);
    CHECK(part.covered_by_existing == all.covered_by_existing);
    CHECK(part.existing_population() == all.existing_population());
    CHECK(part.coverable_population() == Approx(all.coverable_population()).epsilon(1e-12));
    REQUIRE(part.cost.nonZeros() < all.cost.nonZeros());
    REQUIRE(part.cost.nonZeros() > 0);
    // Pair by pair: the part is the full matrix less the pairs of covered or empty demand.
    std::size_t kept = 0;
    for (std::int64_t j = 0; j < all.cost.outerSize(); ++j)
        for (opt::coverage_matrix::sparse::InnerIterator it(all.cost, j); it; ++it) {
            const auto d = static_cast<std::size_t>(it.row());
            if (all.covered_by_existing[d] || !(all.population[d] > 0)) continue;
            ++kept;
            CHECK(part.cost.coeff(it.row(), j) == it.value());
        }
    CHECK(kept == static_cast<std::size_t>(part.cost.nonZeros()));
    opt::siting_options so;
    so.sites = 3;
    so.exact = true;
    const opt::siting_result x = opt::max_cover(all, so), y = opt::max_cover(part, so);
    CHECK(y.selected == x.selected);
    CHECK(y.covered == Approx(x.covered).epsilon(1e-12));
    CHECK(y.bound == Approx(x.bound).epsilon(1e-9));
}

TEST_CASE("evaluate: ranks follow gains and the scenario's existing coverage is the analysis'", "[evaluate][library]") {
    evaluate_request e;
    e.analysis = sample_options("ambulance");
    e.analysis.rural_limit = 10000;  // the plans' countryside range is 10-20 km: at 10 the east has gaps
    e.candidates = sample + "/facilities.gpkg";
    e.scenario = sample + "/facilities.gpkg";
    const evaluate_result ev = run_evaluate(e);
    for (std::size_t k = 0; k + 1 < ev.order.size(); ++k) {
        CHECK(ev.candidates[ev.order[k]].gain >= ev.candidates[ev.order[k + 1]].gain);
        CHECK(ev.candidates[ev.order[k]].rank == k + 1);
    }
    double existing = 0, scenario = 0;
    for (const scenario_row& row : ev.scenario_rows) {
        existing += row.covered_existing;
        scenario += row.covered_scenario;
        CHECK(row.covered_scenario >= row.covered_existing);
    }
    CHECK(existing == Approx(ev.a->total.covered).epsilon(1e-12));
    // Opening every candidate covers at least the existing people plus the best single gain.
    CHECK(scenario >= existing + ev.candidates[ev.order.front()].gain - 1e-6);
}

TEST_CASE("optimize sub-centres: the share comes from the standards file", "[optimize][library][standards]") {
    const std::size_t n = township_centres();
    REQUIRE(n >= 4);
    const optimize_result base = run_optimize(sub_centre_request());
    CHECK(base.selected.size() == static_cast<std::size_t>(std::ceil(0.15 * n - 1e-9)));

    const std::string dir = test::scratch_dir("optimize-standards");
    std::ofstream(dir + "/share.toml") << R"([[rules]]
id = "sub-centre-share"
description = "30 % of township health centres become county sub-centres"
source = "test override"
kind = "share_of_type"
level = "city"
facility_types = ["sub-centre"]
of_types = ["township-centre", "sub-centre"]
share = 0.30
)";
    optimize_request r = sub_centre_request();
    r.analysis.standards_file = dir + "/share.toml";
    const optimize_result more = run_optimize(r);
    CHECK(more.selected.size() == static_cast<std::size_t>(std::ceil(0.30 * n - 1e-9)));
    CHECK(more.selected.size() > base.selected.size());

    // The residents a sub-centre must radiate come from the standards too.
    std::ofstream(dir + "/radiates.toml") << "[services.sub-centre.radiates]\nresidents = 1.0\n";
    r.analysis.standards_file = dir + "/radiates.toml";
    const optimize_result lenient = run_optimize(r);
    for (const std::string& rule : lenient.rules_unmet) CHECK(rule.find("under") == std::string::npos);
    bool base_has_radiates = false;
    for (const std::string& rule : base.rules_unmet) base_has_radiates |= rule.find("under 100,000") != std::string::npos;
    CHECK(base_has_radiates);  // the sample's townships are all under 100,000 residents
}

TEST_CASE("optimize sub-centres: at most the standards' sites per county", "[optimize][library][standards]") {
    const std::string dir = test::scratch_dir("optimize-per-county");
    std::ofstream(dir + "/one.toml") << R"([[rules]]
id = "sub-centres-per-county"
description = "Each county picks exactly 1 sub-centre"
source = "test override"
kind = "count_per_unit"
level = "county"
unit_kinds = ["county"]
facility_types = ["sub-centre"]
min = 1
max = 1
)";
    optimize_request r = sub_centre_request();
    r.analysis.standards_file = dir + "/one.toml";
    r.sites = 2;
    const optimize_result o = run_optimize(r);
    std::set<std::string> counties;
    const polygon_locator units(*o.a->admin);
    for (const proposed_site& p : o.selected) {
        const int u = units.find(p.x, p.y);
        REQUIRE(u >= 0);
        CHECK(counties.insert(o.a->admin->name[u]).second);  // never two in one county
    }
}

TEST_CASE("optimize bad requests are input errors naming the value", "[optimize][library]") {
    optimize_request r;
    r.analysis = sample_options("ambulance");
    r.candidate_spacing_m = 5000;
    r.goal = objective::min_distance;
    r.sites = 0;
    CHECK_THROWS_AS(run_optimize(r), input_error);
    CHECK_THROWS_WITH(run_optimize(r), Catch::Contains("--sites 0"));
    r.analysis.facilities.clear();  // the issue's case: no facilities, no sites
    CHECK_THROWS_AS(run_optimize(r), input_error);
    r.sites = 3;
    r.busy_fraction = 1.5;
    CHECK_THROWS_WITH(run_optimize(r), Catch::Contains("--busy-fraction"));
    r.busy_fraction = 0.3;
    r.goal = objective::expected;
    CHECK_THROWS_WITH(run_optimize(r), Catch::Contains("--vehicles"));
    CHECK_THROWS_WITH(parse_objective("max-coverage"), Catch::Contains("max-coverage") && Catch::Contains("max-cover"));
    r.goal = objective::max_cover;
    r.sites = 100000;
    CHECK_THROWS_WITH(run_optimize(r), Catch::Contains("--sites 100000"));
}

TEST_CASE("a job stops when its progress callback says so", "[optimize][library]") {
    optimize_request r;
    r.analysis = sample_options("ambulance");
    r.candidate_spacing_m = 5000;
    r.goal = objective::max_cover;
    r.sites = 2;
    std::vector<std::string> phases;
    job_callbacks cb;
    cb.progress = [&](const std::string& phase, double done) {
        CHECK(done >= 0);
        CHECK(done <= 1);
        phases.push_back(phase);
        return phase != "reach";
    };
    CHECK_THROWS_AS(run_optimize(r, cb), cancelled);
    REQUIRE(!phases.empty());
    CHECK(phases.back() == "reach");
    CHECK(std::find(phases.begin(), phases.end(), "solve") == phases.end());
}
