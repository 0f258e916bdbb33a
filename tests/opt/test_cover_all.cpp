// Cover-all's set-covering heuristic: against brute force (counts and site costs, whole and partial
// targets), on the lattice town where greedy is weak, and on OR-Library's set-covering instances
// against their best known values (files read from $HEALTHREACH_SCP_DIR; a visible skip without them,
// CI included: they are not part of ../shared/data).
#include "opt/cover_instances.hpp"
#include "support.hpp"
#include "test_paths.hpp"

#include "healthreach/error.hpp"
#include "healthreach/geo/optimize.hpp"
#include "healthreach/opt/siting.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <map>

using namespace healthreach;
using namespace healthreach::opt;

namespace {

struct lcg {
    std::uint64_t s;
    std::uint32_t next() {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        return static_cast<std::uint32_t>(s >> 33);
    }
};

// Points and candidates on a plane; a candidate covers the points within 260; every seventh point
// already covered by an existing facility.
coverage_matrix plane(std::uint64_t seed, std::size_t candidates, std::size_t points) {
    lcg r{seed};
    std::vector<double> px(points), py(points), pop(points);
    std::vector<std::uint8_t> existing(points);
    for (std::size_t i = 0; i < points; ++i) {
        px[i] = r.next() % 1000, py[i] = r.next() % 1000, pop[i] = 1 + r.next() % 500;
        existing[i] = r.next() % 7 == 0;
    }
    std::vector<coverage_matrix::entry> entries;
    for (std::uint32_t j = 0; j < candidates; ++j) {
        const double cx = r.next() % 1000, cy = r.next() % 1000;
        for (std::uint32_t i = 0; i < points; ++i)
            if (const double d = std::hypot(px[i] - cx, py[i] - cy); d <= 260) entries.push_back({j, i, d});
    }
    return coverage_matrix::from_entries(candidates, pop, existing, entries);
}

// The least total cost of candidates covering `target` of the coverable people, every subset tried.
double brute_cover_all(const coverage_matrix& m, const std::vector<double>& cost, double target) {
    const std::size_t n = m.candidate_count();
    const double goal = target * m.coverable_population() - 1e-9;
    double best = std::numeric_limits<double>::infinity();
    std::vector<std::uint32_t> open;
    for (std::uint32_t mask = 0; mask < (1u << n); ++mask) {
        double total = 0;
        open.clear();
        for (std::uint32_t j = 0; j < n; ++j)
            if (mask & (1u << j)) open.push_back(j), total += cost[j];
        if (total < best && covered_population(m, open) >= goal) best = total;
    }
    return best;
}

double cost_of(const siting_result& r, const std::vector<double>& cost) {
    double total = 0;
    for (std::uint32_t j : r.selected) total += cost[j];
    return total;
}

siting_options heuristic_only() {
    siting_options o;
    o.exact_below = 0;
    o.polish_above_gap = std::numeric_limits<double>::infinity();
    return o;
}

// Plain greedy (most people newly covered per site) until every coverable person is covered: the
// reference the heuristic must beat where greedy is weak.
std::size_t plain_greedy(const coverage_matrix& m) {
    std::vector<std::uint8_t> covered(m.covered_by_existing);
    const double goal = m.coverable_population() - 1e-6;
    double now = m.existing_population();
    std::size_t sites = 0;
    while (now < goal) {
        double best = 0;
        std::int64_t pick = -1;
        for (std::int64_t j = 0; j < m.cost.outerSize(); ++j) {
            double gain = 0;
            for (coverage_matrix::sparse::InnerIterator it(m.cost, j); it; ++it)
                if (!covered[it.row()]) gain += m.population[it.row()];
            if (gain > best) best = gain, pick = j;
        }
        for (coverage_matrix::sparse::InnerIterator it(m.cost, pick); it; ++it) covered[it.row()] = 1;
        now += best;
        ++sites;
    }
    return sites;
}

}  // namespace

TEST_CASE("cover-all with site costs equals brute force (whole and partial targets)", "[opt][cover-all]") {
    for (std::uint64_t seed = 61; seed <= 72; ++seed) {
        const coverage_matrix m = plane(seed, 14, 60);
        lcg r{seed * 7};
        std::vector<double> cost(14);
        for (double& c : cost) c = 1 + r.next() % 20;
        if (seed % 4 == 0) cost[seed % 14] = 0;  // a free site
        for (double target : {1.0, 0.85}) {
            INFO("seed " << seed << ", target " << target);
            const double optimum = brute_cover_all(m, cost, target);
            siting_options o;
            o.target = target;
            o.site_cost = std::vector<double>(cost.begin(), cost.end());
            const siting_result exact = cover_all(m, o);  // small: CBC from the heuristic's answer
            CHECK(exact.objective == Approx(optimum));
            CHECK(cost_of(exact, cost) == Approx(exact.objective));
            CHECK(exact.bound <= optimum + 1e-9);
            CHECK(covered_population(m, exact.selected) >= target * m.coverable_population() - 1e-6);

            siting_options h = heuristic_only();
            h.target = target;
            h.site_cost = std::vector<double>(cost.begin(), cost.end());
            const siting_result heuristic = cover_all(m, h);
            CHECK(heuristic.objective >= optimum - 1e-9);
            CHECK(heuristic.bound <= optimum + 1e-9);
            CHECK(covered_population(m, heuristic.selected) >= target * m.coverable_population() - 1e-6);
            CHECK(exact.objective <= heuristic.objective + 1e-9);  // the default run never worse than its heuristic
            if (target == 1.0) CHECK(heuristic.objective == Approx(optimum));  // the set-covering heuristic finds these
        }
    }
}

TEST_CASE("cover-all by count: the heuristic alone finds the brute-force optimum with an honest bound", "[opt][cover-all]") {
    for (std::uint64_t seed = 81; seed <= 96; ++seed) {
        const coverage_matrix m = plane(seed, 16, 80);
        INFO("seed " << seed);
        const double optimum = brute_cover_all(m, std::vector<double>(16, 1.0), 1.0);
        const siting_result r = cover_all(m, heuristic_only());
        CHECK(r.objective == optimum);
        CHECK(r.selected.size() == static_cast<std::size_t>(optimum));
        CHECK(r.bound <= optimum);
        CHECK(r.bound == std::ceil(r.bound));  // counts: the bound rounds up
        CHECK(r.solver == "lagrangian+local search");
    }
}

TEST_CASE("cover-all rejects site costs that are negative or not numbers", "[opt][cover-all]") {
    const coverage_matrix m = plane(5, 6, 30);
    siting_options o;
    o.site_cost = {1, 2, -3, 4, 5, 6};
    CHECK_THROWS_AS(cover_all(m, o), input_error);
    CHECK_THROWS_WITH(cover_all(m, o), Catch::Contains("cost -3 of candidate 2"));
    o.site_cost[2] = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS_AS(cover_all(m, o), input_error);
    o.site_cost = {1, 2};
    CHECK_THROWS_AS(cover_all(m, o), std::invalid_argument);
}

TEST_CASE("cover-all on the lattice town: far below greedy, close to its Lagrangian bound, in seconds", "[opt][cover-all]") {
    const test::cover_instance town = test::lattice_town();
    REQUIRE(town.m.candidate_count() == 1200);
    REQUIRE(town.m.demand_count() == 13300);
    const std::size_t greedy = plain_greedy(town.m);
    const auto t0 = std::chrono::steady_clock::now();
    const siting_result r = cover_all(town.m, heuristic_only());
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("lattice town: plain greedy %zu, heuristic %.0f, bound %.0f (gap %.1f %%), %.2f s\n", greedy, r.objective, r.bound,
                100 * r.gap, s);
    CHECK(covered_population(town.m, r.selected) >= town.m.coverable_population() - 1e-6);
    CHECK(r.objective == static_cast<double>(r.selected.size()));
    // Greedy opens 38 sites (main's greedy + drop too); the LP bound is 25.5 and the optimum 27 (CBC
    // proved offline that no 26 sites cover the reduced core: docs/decisions.md, "Cover-all: the
    // lattice town and OR-Library after the CBC change (#24)").
    CHECK(greedy >= 36);
    CHECK(r.objective == 27);
    CHECK(r.bound >= 25);
    CHECK(r.bound <= 26);
}

TEST_CASE("cover-all on the lattice town: the default run, CBC stopped by its time limit, is never worse than its heuristic",
          "[opt][cover-all][slow]") {
    const test::cover_instance town = test::lattice_town();
    const siting_result heuristic = cover_all(town.m, heuristic_only());
    siting_options o;
    o.time_limit_s = 6;  // the heuristic takes about 3 s of it; CBC cannot close a gap of 2 sites in the rest
    const siting_result r = cover_all(town.m, o);
    std::printf("lattice town, default run: %.0f (%s), bound %.0f; heuristic %.0f, bound %.0f\n", r.objective, r.solver.c_str(),
                r.bound, heuristic.objective, heuristic.bound);
    CHECK(covered_population(town.m, r.selected) >= town.m.coverable_population() - 1e-6);
    CHECK(r.objective == static_cast<double>(r.selected.size()));
    CHECK(r.objective <= heuristic.objective);
    CHECK(r.bound >= heuristic.bound);
    CHECK(r.bound <= r.objective);
}

namespace {

// Optimal or best known values of OR-Library's set-covering instances (Beasley's list; for the
// unicost classes the best known of the literature, e.g. Gao, Weise and Li 2015). scpcyc08: the lists
// give 344; this heuristic finds a cover of 342, checked feasible below, so 342 is the reference.
struct scp_reference {
    const char* name;
    double best;
};
constexpr scp_reference scp_best[] = {
    {"scp41", 429},  {"scp42", 512},  {"scp43", 516},  {"scp44", 494},  {"scp45", 512},   {"scp46", 560},   {"scp47", 430},
    {"scp48", 492},  {"scp49", 641},  {"scp410", 514}, {"scp51", 253},  {"scp52", 302},   {"scp53", 226},   {"scp54", 242},
    {"scp55", 211},  {"scp56", 213},  {"scp57", 293},  {"scp58", 288},  {"scp59", 279},   {"scp510", 265},  {"scp61", 138},
    {"scp62", 146},  {"scp63", 145},  {"scp64", 131},  {"scp65", 161},  {"scpa1", 253},   {"scpa2", 252},   {"scpa3", 232},
    {"scpa4", 234},  {"scpa5", 236},  {"scpb1", 69},   {"scpb2", 76},   {"scpb3", 80},    {"scpb4", 79},    {"scpb5", 72},
    {"scpc1", 227},  {"scpc2", 219},  {"scpc3", 243},  {"scpc4", 219},  {"scpc5", 215},   {"scpd1", 60},    {"scpd2", 66},
    {"scpd3", 72},   {"scpd4", 62},   {"scpd5", 61},   {"scpe1", 5},    {"scpe2", 5},     {"scpe3", 5},     {"scpe4", 5},
    {"scpe5", 5},    {"scpclr10", 25}, {"scpclr11", 23}, {"scpclr12", 23}, {"scpclr13", 23}, {"scpcyc06", 60}, {"scpcyc07", 144},
    {"scpcyc08", 342}, {"scpcyc09", 780}, {"scpcyc10", 1792}, {"scpcyc11", 4024}};

}  // namespace

TEST_CASE("cover-all on OR-Library set covering: within 2 % of the best known, with the bound", "[opt][cover-all][orlib][slow]") {
    const char* dir = std::getenv("HEALTHREACH_SCP_DIR");
    if (!dir || !std::ifstream(std::string(dir) + "/scp41.txt")) {
        WARN("SKIPPED: OR-Library set-covering files absent (set HEALTHREACH_SCP_DIR to the folder of scp41.txt ...)");
        return;
    }
    int worse = 0;
    for (const scp_reference& ref : scp_best) {
        const std::string path = std::string(dir) + "/" + ref.name + ".txt";
        if (!std::ifstream(path)) {
            WARN("SKIPPED: " << path << " absent");
            continue;
        }
        const test::cover_instance inst = test::read_scp(path);
        siting_options o = heuristic_only();
        o.site_cost = std::vector<double>(inst.cost.begin(), inst.cost.end());
        const auto t0 = std::chrono::steady_clock::now();
        const siting_result r = cover_all(inst.m, o);
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::printf("%-9s best %6.0f  heuristic %6.0f (%+.2f %%)  bound %6.0f  %.2f s\n", ref.name, ref.best, r.objective,
                    100 * (r.objective - ref.best) / ref.best, r.bound, s);
        INFO(ref.name);
        CHECK(r.bound <= ref.best);
        CHECK(r.objective >= r.bound);
        CHECK(cost_of(r, inst.cost) == Approx(r.objective));
        CHECK(covered_population(inst.m, r.selected) == inst.m.coverable_population());
        CHECK(r.objective <= 1.02 * ref.best);
        worse += r.objective > ref.best;
    }
    std::printf("OR-Library set covering: %d instances above the best known\n", worse);
}

TEST_CASE("optimize cover-all --cost-field: the candidates' costs, their total minimised, bad costs naming the field",
          "[optimize][library][cover-all]") {
    const std::string sample = HEALTHREACH_SAMPLE_DATA;
    const std::string dir = test::scratch_dir("cover-all-costs");
    // Candidates in the sample region's uncovered east and west (EPSG:32649), one of them dear.
    const std::vector<std::pair<double, double>> at = {{448888.18, 3978444.30}, {426009.63, 3965527.37}, {446501.88, 3966627.29},
                                                      {437000.00, 3972000.00}, {452000.00, 3970000.00}};
    const std::map<std::string, double> price = {{"a", 4}, {"b", 1}, {"c", 2.5}, {"d", 30}, {"e", 3}};
    auto candidates = [&](const std::string& name, const std::vector<std::string>& costs) {
        std::vector<test::point_feature> points;
        const char* ids[] = {"a", "b", "c", "d", "e"};
        for (std::size_t k = 0; k < at.size(); ++k)
            points.push_back({at[k].first, at[k].second, std::string("\"id\":\"") + ids[k] + "\",\"cost\":" + costs[k]});
        return test::write_points(dir + "/" + name + ".geojson", points, 32649);
    };
    geo::optimize_request r;
    r.analysis.roads = sample + "/roads.gpkg";
    r.analysis.population = sample + "/population.tif";
    r.analysis.facilities = sample + "/facilities.gpkg";
    r.analysis.service = "ambulance";
    r.analysis.rural_limit = 10000;  // the plans' lower rural limit: the eastern county has people to reach
    r.analysis.threads = 2;
    r.goal = geo::objective::cover_all;
    r.candidates = candidates("priced", {"4", "1", "2.5", "30", "3"});
    r.cost_field = "cost";
    const geo::optimize_result o = geo::run_optimize(r);
    REQUIRE(!o.selected.empty());
    double total = 0;
    for (const geo::proposed_site& s : o.selected) total += price.at(s.id);
    CHECK(o.solution.objective == Approx(total));
    CHECK(o.solution.bound <= o.solution.objective + 1e-9);
    r.cost_field.clear();
    const geo::optimize_result by_count = geo::run_optimize(r);
    CHECK(by_count.solution.objective == static_cast<double>(by_count.selected.size()));
    CHECK(by_count.solution.covered == Approx(o.solution.covered));  // the same people either way: all coverable

    r.cost_field = "price";
    CHECK_THROWS_WITH(geo::run_optimize(r), Catch::Contains("no field 'price'"));
    r.cost_field = "cost";
    r.candidates = candidates("negative", {"4", "-1", "2.5", "30", "3"});
    CHECK_THROWS_AS(geo::run_optimize(r), input_error);
    CHECK_THROWS_WITH(geo::run_optimize(r), Catch::Contains("field 'cost' of candidate b"));
    r.candidates = candidates("text", {"4", "\"cheap\"", "2.5", "30", "3"});
    CHECK_THROWS_WITH(geo::run_optimize(r), Catch::Contains("'cost'") && Catch::Contains("not a number"));
    r.candidates.clear();
    r.candidate_spacing_m = 2000;
    CHECK_THROWS_WITH(geo::run_optimize(r), Catch::Contains("--cost-field cost needs --candidates"));
    r.candidates = candidates("priced", {"4", "1", "2.5", "30", "3"});
    r.candidate_spacing_m = 0;
    r.goal = geo::objective::max_cover;
    r.sites = 1;
    CHECK_THROWS_WITH(geo::run_optimize(r), Catch::Contains("--cost-field applies to cover-all only"));
}
