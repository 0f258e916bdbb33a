// Siting models against brute-force enumeration on small random instances.
#include "healthreach/error.hpp"
#include "healthreach/opt/siting.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <array>
#include <functional>
#include <limits>

using namespace healthreach::opt;

namespace {

// The same per-county bounds for every county of `group` (the built-in standards' 1-3).
siting_result sub_centres_uniform(const coverage_matrix& m, const std::vector<int>& group, int lo, int hi,
                                  const siting_options& o) {
    const int groups = group.empty() ? 0 : *std::max_element(group.begin(), group.end()) + 1;
    return sub_centres(m, group, std::vector<int>(groups, lo), std::vector<int>(groups, hi), o);
}

struct lcg {
    std::uint64_t s;
    std::uint32_t next() {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        return static_cast<std::uint32_t>(s >> 33);
    }
};

// Random instance: demand points and candidates on a line-ish plane; a candidate covers points
// within a radius; some points already covered by existing facilities.
coverage_matrix random_instance(std::uint64_t seed, std::size_t candidates, std::size_t points) {
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
        for (std::uint32_t i = 0; i < points; ++i) {
            const double d = std::hypot(px[i] - cx, py[i] - cy);
            if (d <= 260) entries.push_back({j, i, d});
        }
    }
    return coverage_matrix::from_entries(candidates, pop, existing, entries);
}

// Best covered population with exactly k of n candidates, by enumeration.
double brute_max_cover(const coverage_matrix& m, int k) {
    const std::size_t n = m.candidate_count();
    double best = -1;
    std::vector<std::uint32_t> open;
    for (std::uint32_t mask = 0; mask < (1u << n); ++mask) {
        if (__builtin_popcount(mask) != k) continue;
        open.clear();
        for (std::uint32_t j = 0; j < n; ++j)
            if (mask & (1u << j)) open.push_back(j);
        best = std::max(best, covered_population(m, open));
    }
    return best;
}

int brute_cover_all(const coverage_matrix& m, double target) {
    const double goal = target * m.coverable_population();
    for (int k = 0; k <= static_cast<int>(m.candidate_count()); ++k)
        if (brute_max_cover(m, k) >= goal - 1e-9) return k;
    return -1;
}

}  // namespace

TEST_CASE("max-cover equals brute force on small instances", "[opt][siting]") {
    for (std::uint64_t seed = 1; seed <= 12; ++seed) {
        const coverage_matrix m = random_instance(seed, 14, 60);
        for (int k : {1, 2, 3, 5}) {
            INFO("seed " << seed << ", " << k << " sites");
            const double optimum = brute_max_cover(m, k);
            siting_options o;
            o.sites = k;
            const siting_result exact = max_cover(m, o);  // small: the MILP runs automatically
            CHECK(exact.objective == Approx(optimum));
            CHECK(exact.selected.size() == static_cast<std::size_t>(k));
            CHECK(covered_population(m, exact.selected) == Approx(exact.covered));
            CHECK(exact.bound >= optimum - 1e-6);

            o.exact_below = 0;  // the heuristic alone
            o.polish_above_gap = 1e300;
            const siting_result heuristic = max_cover(m, o);
            CHECK(heuristic.objective <= optimum + 1e-6);
            CHECK(heuristic.bound >= optimum - 1e-6);  // an honest bound
            CHECK(heuristic.objective >= 0.9 * optimum);
        }
    }
}

TEST_CASE("cover-all equals brute force on small instances", "[opt][siting]") {
    for (std::uint64_t seed = 21; seed <= 30; ++seed) {
        const coverage_matrix m = random_instance(seed, 14, 50);
        for (double target : {0.8, 1.0}) {
            INFO("seed " << seed << ", target " << target);
            const int optimum = brute_cover_all(m, target);
            siting_options o;
            o.target = target;
            const siting_result exact = cover_all(m, o);
            CHECK(exact.objective == optimum);
            CHECK(covered_population(m, exact.selected) >= target * m.coverable_population() - 1e-6);
            o.exact_below = 0;
            o.polish_above_gap = 1e300;
            const siting_result heuristic = cover_all(m, o);
            CHECK(heuristic.objective >= optimum);
            CHECK(heuristic.bound <= optimum);
            CHECK(covered_population(m, heuristic.selected) >= target * m.coverable_population() - 1e-6);
        }
    }
}

TEST_CASE("a time limit too short for CBC leaves the heuristic's answer and an honest bound", "[opt][siting]") {
    // Whether CBC stops in its root LP (then it does not start) or at its first node, what comes back
    // must be a feasible answer no worse than the heuristic's, with a bound on the right side of the
    // brute-force optimum. The assertions hold wherever the stop falls, so the test needs no clock.
    for (std::uint64_t seed = 41; seed <= 48; ++seed) {
        const coverage_matrix m = random_instance(seed, 14, 60);
        INFO("seed " << seed);
        siting_options o;
        o.sites = 3;
        o.exact = true;
        o.time_limit_s = 1e-9;
        const double most = brute_max_cover(m, 3);
        const siting_result r = max_cover(m, o);
        CHECK(r.selected.size() == 3u);
        CHECK(covered_population(m, r.selected) == Approx(r.covered));
        CHECK(r.objective <= most + 1e-6);
        CHECK(r.bound >= most - 1e-6);
        siting_options h = o;
        h.exact = false;
        h.exact_below = 0;
        h.polish_above_gap = 1e300;
        CHECK(r.objective >= max_cover(m, h).objective - 1e-6);

        siting_options c;
        c.exact = true;
        c.time_limit_s = 1e-9;
        const int fewest = brute_cover_all(m, 1.0);
        const siting_result all = cover_all(m, c);
        CHECK(all.objective >= fewest);
        CHECK(all.bound <= fewest);
        CHECK(covered_population(m, all.selected) >= m.coverable_population() - 1e-6);
    }
}

TEST_CASE("siting rejects impossible requests", "[opt][siting]") {
    const coverage_matrix m = random_instance(3, 5, 20);
    siting_options o;
    o.sites = 6;
    CHECK_THROWS_AS(max_cover(m, o), healthreach::input_error);
    CHECK_THROWS_WITH(max_cover(m, o), Catch::Contains("6 sites asked of 5 candidates"));
    o.target = 1.5;
    CHECK_THROWS_AS(cover_all(m, o), healthreach::input_error);
    CHECK_THROWS_WITH(cover_all(m, o), Catch::Contains("target 1.5"));
    o.sites = -1;
    CHECK_THROWS_AS(max_cover(m, o), healthreach::input_error);
    CHECK_THROWS_AS(sub_centres_uniform(m, std::vector<int>(5, 0), 1, 3, o), healthreach::input_error);
    o.sites = 2;
    CHECK_THROWS_AS(sub_centres_uniform(m, std::vector<int>(5, 0), 2, 1, o), healthreach::input_error);
    o.vehicles = -1;
    CHECK_THROWS_AS(expected_cover(m, std::vector<double>(5, 0.0), o), healthreach::input_error);
    o.vehicles = 1;
    o.busy_fraction = 1;
    CHECK_THROWS_WITH(expected_cover(m, std::vector<double>(5, 0.0), o), Catch::Contains("busy fraction 1"));
}

namespace {

// Best expected coverage placing v vehicles on the columns, every distribution enumerated.
double brute_expected(const coverage_matrix& m, const std::vector<double>& base, int v, double q) {
    const std::size_t n = m.candidate_count();
    std::vector<int> alloc(n, 0);
    double best = -1;
    std::function<void(std::size_t, int)> go = [&](std::size_t j, int left) {
        if (j + 1 == n) {
            alloc[j] = left;
            std::vector<double> k(m.demand_count(), 0.0);
            for (std::size_t c = 0; c < n; ++c)
                for (coverage_matrix::sparse::InnerIterator it(m.cost, static_cast<std::int64_t>(c)); it; ++it)
                    k[it.row()] += base[c] + alloc[c];
            double value = 0;
            for (std::size_t i = 0; i < k.size(); ++i) value += m.population[i] * (1 - std::pow(q, k[i]));
            best = std::max(best, value);
            return;
        }
        for (int a = 0; a <= left; ++a) {
            alloc[j] = a;
            go(j + 1, left - a);
        }
    };
    go(0, v);
    return best;
}

}  // namespace

TEST_CASE("expected coverage (MEXCLP) equals brute force on small instances", "[opt][siting]") {
    for (std::uint64_t seed = 41; seed <= 48; ++seed) {
        const coverage_matrix m = random_instance(seed, 6, 40);
        std::vector<double> base(6, 0.0);
        base[0] = 2;  // an existing station with two vehicles
        for (int v : {1, 3}) {
            for (double q : {0.2, 0.5}) {
                INFO("seed " << seed << ", " << v << " vehicles, q " << q);
                const double optimum = brute_expected(m, base, v, q);
                siting_options o;
                o.vehicles = v;
                o.busy_fraction = q;
                const siting_result exact = expected_cover(m, base, o);
                CHECK(exact.objective == Approx(optimum).epsilon(1e-9));
                int placed = 0;
                for (int n : exact.vehicles) placed += n;
                CHECK(placed == v);
                CHECK(exact.bound >= optimum * (1 - 1e-9));
                o.exact_below = 0;
                const siting_result heuristic = expected_cover(m, base, o);
                CHECK(heuristic.objective <= optimum * (1 + 1e-12));
                CHECK(heuristic.bound >= optimum * (1 - 1e-9));
                CHECK(heuristic.objective >= 0.95 * optimum);
            }
        }
    }
}

namespace {

// Points, candidates and an existing site at the centre (even seeds) or none; the matrix keeps the
// candidate costs that beat the existing one (as healthreach builds it).
struct cost_instance {
    std::vector<double> px, py, pop, e;
    std::vector<std::array<double, 2>> cand;
    coverage_matrix m;
    cost_instance(std::uint64_t seed, std::size_t nc, std::size_t nd) : px(nd), py(nd), pop(nd), e(nd), cand(nc) {
        lcg r{seed};
        for (std::size_t i = 0; i < nd; ++i) px[i] = r.next() % 1000, py[i] = r.next() % 1000, pop[i] = 1 + r.next() % 300;
        for (std::size_t i = 0; i < nd; ++i)
            e[i] = seed % 2 == 0 ? std::hypot(px[i] - 500, py[i] - 500) : std::numeric_limits<double>::infinity();
        for (auto& c : cand) c = {double(r.next() % 1000), double(r.next() % 1000)};
        std::vector<coverage_matrix::entry> entries;
        for (std::uint32_t j = 0; j < nc; ++j)
            for (std::uint32_t i = 0; i < nd; ++i)
                if (const double d = cost(i, j); d < e[i]) entries.push_back({j, i, d});
        m = coverage_matrix::from_entries(nc, pop, std::vector<std::uint8_t>(nd, 0), entries);
    }
    double cost(std::size_t i, std::size_t j) const { return std::hypot(px[i] - cand[j][0], py[i] - cand[j][1]); }
    // The nearest open cost of point i with candidates `mask` open.
    double best(std::size_t i, std::uint32_t mask) const {
        double b = e[i];
        for (std::uint32_t j = 0; j < cand.size(); ++j)
            if (mask & (1u << j)) b = std::min(b, cost(i, j));
        return b;
    }    // The smallest score(mask) over every set of exactly p candidates: brute-force enumeration.
    template <class Score>
    double min_over_sets(int p, Score score) const {
        double optimum = std::numeric_limits<double>::infinity();
        for (std::uint32_t mask = 0; mask < (1u << cand.size()); ++mask)
            if (__builtin_popcount(mask) == p) optimum = std::min(optimum, score(mask));
        return optimum;
    }
};

}  // namespace

TEST_CASE("min-distance (p-median) equals brute force on small instances", "[opt][siting]") {
    for (std::uint64_t seed = 61; seed <= 70; ++seed) {
        const cost_instance c(seed, 10, 40);
        const coverage_matrix& m = c.m;
        const std::vector<double>& e = c.e;
        for (int p : {1, 2, 3}) {
            INFO("seed " << seed << ", " << p << " sites");
            const double optimum = c.min_over_sets(p, [&](std::uint32_t mask) {
                double total = 0;
                for (std::size_t i = 0; i < c.pop.size(); ++i) total += c.pop[i] * c.best(i, mask);
                return total;
            });
            siting_options o;
            o.sites = p;
            const siting_result exact = min_distance(m, e, o);
            CHECK(exact.objective == Approx(optimum).epsilon(1e-9));
            CHECK(exact.selected.size() == static_cast<std::size_t>(p));
            CHECK(exact.bound <= optimum * (1 + 1e-9));
            o.exact_below = 0;
            const siting_result heuristic = min_distance(m, e, o);
            CHECK(heuristic.objective >= optimum * (1 - 1e-12));
            CHECK(heuristic.bound <= optimum * (1 + 1e-9));  // the Lagrangian bound is a lower bound
            CHECK(heuristic.objective <= 1.1 * optimum);
            // Threads share out the Lagrangian's column sums: the same answer and bound to the bit.
            o.threads = 3;
            const siting_result threaded = min_distance(m, e, o);
            CHECK(threaded.selected == heuristic.selected);
            CHECK(threaded.objective == heuristic.objective);
            CHECK(threaded.bound == heuristic.bound);
        }
    }
}

TEST_CASE("min-max (p-centre) equals brute force on small instances", "[opt][siting]") {
    for (std::uint64_t seed = 81; seed <= 90; ++seed) {
        const cost_instance c(seed, 10, 30);
        const coverage_matrix& m = c.m;
        const std::vector<double>& e = c.e;
        for (int p : {1, 2, 3}) {
            INFO("seed " << seed << ", " << p << " sites");
            const double optimum = c.min_over_sets(p, [&](std::uint32_t mask) {
                double worst = 0;
                for (std::size_t i = 0; i < c.pop.size(); ++i) worst = std::max(worst, c.best(i, mask));
                return worst;
            });
            siting_options o;
            o.sites = p;
            const siting_result exact = min_max(m, e, o);
            CHECK(exact.objective == Approx(optimum).epsilon(1e-12));
            CHECK(exact.selected.size() == static_cast<std::size_t>(p));
            CHECK(exact.bound <= optimum * (1 + 1e-12));
            o.exact_below = 0;
            const siting_result heuristic = min_max(m, e, o);
            CHECK(heuristic.objective >= optimum * (1 - 1e-12));
            CHECK(heuristic.bound <= optimum * (1 + 1e-12));
        }
    }
}

TEST_CASE("backup coverage equals lexicographic brute force on small instances", "[opt][siting]") {
    for (std::uint64_t seed = 101; seed <= 110; ++seed) {
        const coverage_matrix m = random_instance(seed, 12, 50);
        lcg r{seed * 7};
        std::vector<std::uint8_t> existing(m.demand_count());
        for (std::size_t i = 0; i < existing.size(); ++i) existing[i] = m.covered_by_existing[i] ? 1 + r.next() % 2 : 0;
        for (int p : {1, 2, 3}) {
            INFO("seed " << seed << ", " << p << " sites");
            double best_once = -1, best_twice = -1;
            for (std::uint32_t mask = 0; mask < (1u << m.candidate_count()); ++mask) {
                if (__builtin_popcount(mask) != p) continue;
                std::vector<int> count(existing.begin(), existing.end());
                for (std::uint32_t j = 0; j < m.candidate_count(); ++j)
                    if (mask & (1u << j))
                        for (coverage_matrix::sparse::InnerIterator it(m.cost, j); it; ++it) ++count[it.row()];
                double once = 0, twice = 0;
                for (std::size_t i = 0; i < count.size(); ++i)
                    once += count[i] >= 1 ? m.population[i] : 0, twice += count[i] >= 2 ? m.population[i] : 0;
                if (once > best_once + 1e-9 || (once > best_once - 1e-9 && twice > best_twice)) best_once = once, best_twice = twice;
            }
            siting_options o;
            o.sites = p;
            const siting_result exact = backup_cover(m, existing, o);
            CHECK(exact.covered == Approx(best_once));
            CHECK(exact.objective == Approx(best_twice));
            CHECK(exact.bound >= best_twice - 1e-6);
            CHECK(exact.selected.size() == static_cast<std::size_t>(p));
            // Above the MILP size: phase 1 is still polished to its optimum, phase 2 is the swaps'.
            o.exact_below = 0;
            const siting_result polished = backup_cover(m, existing, o);
            CHECK(polished.covered == Approx(best_once));
            CHECK(polished.objective <= best_twice + 1e-6);
            CHECK(polished.bound >= best_twice - 1e-6);
            // --heuristic: no MILP at all; the bound stays on the right side of the lexicographic optimum.
            o.polish_above_gap = std::numeric_limits<double>::infinity();
            const siting_result heuristic = backup_cover(m, existing, o);
            CHECK(heuristic.covered <= best_once + 1e-6);
            CHECK(heuristic.bound >= best_twice - 1e-6);
            CHECK(heuristic.selected.size() == static_cast<std::size_t>(p));
        }
    }
}

TEST_CASE("sub-centres: county bounds respected, equal to brute force", "[opt][siting]") {
    for (std::uint64_t seed = 121; seed <= 130; ++seed) {
        const coverage_matrix m = random_instance(seed, 12, 50);
        std::vector<int> group(12);
        for (std::size_t j = 0; j < group.size(); ++j) group[j] = static_cast<int>(j % 3);  // three counties of four
        for (int n : {3, 4, 6}) {
            INFO("seed " << seed << ", " << n << " sites");
            double optimum = -1;
            for (std::uint32_t mask = 0; mask < (1u << 12); ++mask) {
                if (__builtin_popcount(mask) != n) continue;
                int per[3] = {0, 0, 0};
                std::vector<std::uint32_t> open;
                for (std::uint32_t j = 0; j < 12; ++j)
                    if (mask & (1u << j)) ++per[group[j]], open.push_back(j);
                if (per[0] < 1 || per[1] < 1 || per[2] < 1 || per[0] > 2 || per[1] > 2 || per[2] > 2) continue;
                optimum = std::max(optimum, covered_population(m, open));
            }
            siting_options o;
            o.sites = n;
            const siting_result exact = sub_centres_uniform(m, group, 1, 2, o);
            CHECK(exact.objective == Approx(optimum));
            int per[3] = {0, 0, 0};
            for (std::uint32_t j : exact.selected) ++per[group[j]];
            for (int g = 0; g < 3; ++g) {
                CHECK(per[g] >= 1);
                CHECK(per[g] <= 2);
            }
            o.exact_below = 0;
            o.polish_above_gap = 1e300;
            const siting_result heuristic = sub_centres_uniform(m, group, 1, 2, o);
            CHECK(heuristic.objective <= optimum + 1e-6);
            CHECK(heuristic.bound >= optimum - 1e-6);
        }
    }
}

TEST_CASE("sub-centres: fewer sites than county minimums (regression: 'the LP relaxation did not solve')", "[opt][siting]") {
    // Two counties of two township centres and a quota of one, as optimize --objective sub-centres gave with
    // an existing sub-centre: at least one per county cannot hold, and the county rows left every model
    // infeasible. Point 2 is already covered (the existing sub-centre).
    const std::vector<coverage_matrix::entry> entries = {{0, 0, 1}, {0, 4, 1}, {1, 1, 1}, {2, 2, 1}, {2, 4, 1}, {3, 2, 1}, {3, 3, 1}};
    const coverage_matrix m = coverage_matrix::from_entries(4, {100, 50, 300, 80, 10}, {0, 0, 1, 0, 0}, entries);
    const std::vector<int> county = {0, 0, 1, 1};
    for (const bool heuristic : {false, true}) {
        INFO((heuristic ? "heuristic" : "exact"));
        siting_options o;
        if (heuristic) o.exact_below = 0, o.polish_above_gap = 1e300;
        o.sites = 1;
        const siting_result one = sub_centres_uniform(m, county, 1, 3, o);
        CHECK(one.selected == std::vector<std::uint32_t>{0});  // the best single site, in either county
        CHECK(one.objective == Approx(410));                    // 300 already covered, 110 new
        CHECK(one.bound >= one.objective - 1e-6);
        CHECK(one.bound <= 410 + 1e-6);  // the relaxation keeps its county rows: at most one per county
        o.sites = 0;
        const siting_result none = sub_centres_uniform(m, county, 1, 3, o);
        CHECK(none.selected.empty());
        CHECK(none.objective == Approx(300));
        o.sites = 2;  // enough for both minimums: one per county
        const siting_result two = sub_centres_uniform(m, county, 1, 3, o);
        CHECK(two.objective == Approx(490));
        CHECK(two.selected.size() == 2);
    }
    // A candidate outside every county (group -1) covering the most: not while a county lacks its minimum.
    std::vector<coverage_matrix::entry> more = entries;
    for (std::uint32_t i : {0u, 1u, 3u}) more.push_back({4, i, 1});
    const coverage_matrix m5 = coverage_matrix::from_entries(5, {100, 50, 300, 80, 10}, {0, 0, 1, 0, 0}, more);
    const std::vector<int> county5 = {0, 0, 1, 1, -1};
    siting_options o;
    o.sites = 1;
    CHECK(sub_centres_uniform(m5, county5, 1, 3, o).selected == std::vector<std::uint32_t>{0});
    o.sites = 2;
    CHECK(sub_centres_uniform(m5, county5, 1, 3, o).objective == Approx(490));
    o.sites = 3;  // both minimums met, the third site anywhere
    CHECK(sub_centres_uniform(m5, county5, 1, 3, o).objective == Approx(540));
}

TEST_CASE("sub-centres with fewer sites than counties equal brute force (at most one per county)", "[opt][siting]") {
    for (std::uint64_t seed = 131; seed <= 138; ++seed) {
        const coverage_matrix m = random_instance(seed, 12, 50);
        std::vector<int> group(12);
        for (std::size_t j = 0; j < group.size(); ++j) group[j] = static_cast<int>(j % 4);  // four counties of three
        for (int n : {1, 2, 3}) {
            INFO("seed " << seed << ", " << n << " sites");
            double optimum = -1;
            for (std::uint32_t mask = 0; mask < (1u << 12); ++mask) {
                if (__builtin_popcount(mask) != n) continue;
                int per[4] = {0, 0, 0, 0};
                std::vector<std::uint32_t> open;
                for (std::uint32_t j = 0; j < 12; ++j)
                    if (mask & (1u << j)) ++per[group[j]], open.push_back(j);
                if (per[0] > 1 || per[1] > 1 || per[2] > 1 || per[3] > 1) continue;
                optimum = std::max(optimum, covered_population(m, open));
            }
            siting_options o;
            o.sites = n;
            const siting_result exact = sub_centres_uniform(m, group, 1, 2, o);
            CHECK(exact.objective == Approx(optimum));
            CHECK(exact.selected.size() == static_cast<std::size_t>(n));
            CHECK(exact.bound >= optimum - 1e-6);
            int per[4] = {0, 0, 0, 0};
            for (std::uint32_t j : exact.selected) ++per[group[j]];
            for (int g = 0; g < 4; ++g) CHECK(per[g] <= 1);
            o.exact_below = 0;
            o.polish_above_gap = 1e300;
            const siting_result heuristic = sub_centres_uniform(m, group, 1, 2, o);
            CHECK(heuristic.objective <= optimum + 1e-6);
            CHECK(heuristic.bound >= optimum - 1e-6);
            CHECK(heuristic.selected.size() == static_cast<std::size_t>(n));
        }
    }
}

TEST_CASE("capacitated max-cover equals brute force on small instances", "[opt][siting]") {
    for (std::uint64_t seed = 141; seed <= 148; ++seed) {
        const coverage_matrix m = random_instance(seed, 10, 40);
        lcg r{seed * 3};
        std::vector<double> cap(10);
        for (double& k : cap) k = 200 + r.next() % 2000;
        // One existing site serving the points it covers, up to 1,500 people.
        allocation_problem existing;
        existing.capacity = {1500};
        existing.demand = m.population;
        for (std::uint32_t i = 0; i < m.demand_count(); ++i)
            if (m.covered_by_existing[i]) existing.arcs.push_back({0, i, 1.0});
        for (int n : {1, 2, 3}) {
            INFO("seed " << seed << ", " << n << " sites");
            double optimum = -1;
            for (std::uint32_t mask = 0; mask < (1u << 10); ++mask) {
                if (__builtin_popcount(mask) != n) continue;
                allocation_problem p = existing;
                for (std::uint32_t j = 0; j < 10; ++j)
                    if (mask & (1u << j)) {
                        const auto site = static_cast<std::uint32_t>(p.capacity.size());
                        p.capacity.push_back(cap[j]);
                        for (coverage_matrix::sparse::InnerIterator it(m.cost, j); it; ++it)
                            p.arcs.push_back({site, static_cast<std::uint32_t>(it.row()), it.value()});
                    }
                optimum = std::max(optimum, allocate_capacity(p, false).served);
            }
            siting_options o;
            o.sites = n;
            const siting_result exact = capacitated_max_cover(m, cap, existing, o);
            CHECK(exact.objective == Approx(optimum).epsilon(1e-7));
            CHECK(exact.bound >= optimum * (1 - 1e-7));
            o.exact_below = 0;
            const siting_result heuristic = capacitated_max_cover(m, cap, existing, o);
            CHECK(heuristic.objective <= optimum * (1 + 1e-7));
            CHECK(heuristic.bound >= optimum * (1 - 1e-7));
            CHECK(heuristic.selected.size() == static_cast<std::size_t>(n));
        }
    }
}
