// The median and centre family: min-distance (p-median) and min-max (p-centre), on the costs that beat
// each demand point's existing one.
#include "model_builder.hpp"
#include "reduced_problem.hpp"
#include "siting_common.hpp"
#include "healthreach/threads.hpp"

#include <limits>
#include <optional>

namespace healthreach::opt {

using namespace detail;

namespace {

// Larger than any cost (metres or seconds) a region can have.
constexpr double unserved = 1e9;

// Nearest and second-nearest open cost per demand point; the existing facilities count as one site
// that never closes (index `existing`).
struct assignment {
    std::vector<double> d1, d2;
    std::vector<std::uint32_t> a1;
};

class median_state {
public:
    median_state(const coverage_matrix& m, const std::vector<double>& existing_cost)
        : m_(m), e_(existing_cost), existing_(static_cast<std::uint32_t>(m.candidate_count())), open_(m.candidate_count(), 0),
          points_(by_point(m, {}, true)) {}
    void set_open(const std::vector<std::uint32_t>& sites) {
        std::fill(open_.begin(), open_.end(), 0);
        for (std::uint32_t s : sites) open_[s] = 1;
        const std::size_t n = m_.demand_count();
        a_.d1.assign(n, 0);
        a_.d2.assign(n, 0);
        a_.a1.assign(n, existing_);
        for (std::size_t i = 0; i < n; ++i) {
            // A point no open site serves costs `unserved`, so that every difference stays finite.
            double d1 = std::min(e_[i], unserved), d2 = unserved;
            std::uint32_t a1 = existing_;
            for (auto k = points_.first[i]; k < points_.first[i + 1]; ++k) {
                const std::uint32_t j = points_.candidate[k];
                const double c = points_.cost[k];
                if (!open_[j]) continue;
                if (c < d1) d2 = d1, d1 = c, a1 = j;
                else if (c < d2) d2 = c;
            }
            a_.d1[i] = d1, a_.d2[i] = d2, a_.a1[i] = a1;
        }
    }
    double total() const {
        double t = 0;
        for (std::size_t i = 0; i < a_.d1.size(); ++i)
            if (m_.population[i] > 0) t += m_.population[i] * a_.d1[i];
        return t;
    }
    const assignment& current() const { return a_; }
    std::uint32_t existing() const { return existing_; }
    // Per demand point, the candidates that beat its existing cost, with those costs.
    const point_lists& points() const { return points_; }
    bool is_open(std::uint32_t j) const { return open_[j]; }

private:
    const coverage_matrix& m_;
    const std::vector<double>& e_;
    std::uint32_t existing_;
    std::vector<std::uint8_t> open_;
    point_lists points_;
    assignment a_;
};

// Covering `needy` points (existing cost above T) with sites whose cost is at most T.
struct threshold_cover {
    const coverage_matrix& m;
    const std::vector<double>& e;

    std::vector<std::uint32_t> needy(double t) const {
        std::vector<std::uint32_t> out;
        for (std::size_t i = 0; i < m.demand_count(); ++i)
            if (m.population[i] > 0 && !(e[i] <= t)) out.push_back(static_cast<std::uint32_t>(i));
        return out;
    }
    // Greedy set cover; empty optional when more than `limit` sites would be needed.
    std::optional<std::vector<std::uint32_t>> greedy(double t, std::size_t limit) const {
        const std::vector<std::uint32_t> need = needy(t);
        std::vector<std::uint8_t> open_point(m.demand_count(), 0);
        for (std::uint32_t i : need) open_point[i] = 1;
        std::size_t left = need.size();
        std::vector<std::uint32_t> chosen;
        while (left > 0) {
            if (chosen.size() == limit) return std::nullopt;
            std::uint32_t best = 0;
            std::size_t best_count = 0;
            for (std::int64_t j = 0; j < m.cost.outerSize(); ++j) {
                std::size_t count = 0;
                for (coverage_matrix::sparse::InnerIterator it(m.cost, j); it; ++it) count += open_point[it.row()] && it.value() <= t;
                if (count > best_count) best_count = count, best = static_cast<std::uint32_t>(j);
            }
            if (best_count == 0) return std::nullopt;
            for (coverage_matrix::sparse::InnerIterator it(m.cost, best); it; ++it)
                if (open_point[it.row()] && it.value() <= t) open_point[it.row()] = 0, --left;
            chosen.push_back(best);
        }
        return chosen;
    }
    // The set-cover model at T: min sum y, every needy point covered; LP or MILP.
    model_builder model(double t) const {
        const std::vector<std::uint32_t> need = needy(t);
        std::vector<int> row_of(m.demand_count(), -1);
        for (std::size_t k = 0; k < need.size(); ++k) row_of[need[k]] = static_cast<int>(k);
        model_builder b;
        b.add_rows(static_cast<int>(need.size()), 1.0, COIN_DBL_MAX);
        for (std::int64_t j = 0; j < m.cost.outerSize(); ++j) {
            b.add_column(0.0, 1.0, 1.0, true);
            for (coverage_matrix::sparse::InnerIterator it(m.cost, j); it; ++it)
                if (row_of[it.row()] >= 0 && it.value() <= t) b.add(row_of[it.row()], 1.0);
        }
        return b;
    }
    // LP optimum, +inf when some needy point has no site within T.
    double lp(double t) const { return model(t).solve_lp().value_or(std::numeric_limits<double>::infinity()); }
    // An exact cover with at most `limit` sites, if one exists (CBC).
    std::optional<std::vector<std::uint32_t>> exact(double t, std::size_t limit, double seconds, bool& proven) const {
        const milp_result c = model(t).solve_milp(seconds);
        proven = proven && (c.optimal || c.infeasible);
        if (c.solution.empty() || c.objective > limit + 0.5) return std::nullopt;
        return ones_of(c.solution, m.candidate_count());
    }
};

}  // namespace

siting_result min_distance(const coverage_matrix& m, const std::vector<double>& e, const siting_options& o) {
    const std::size_t nc = m.candidate_count(), nd = m.demand_count();
    check_sites("min-distance", o.sites, nc);
    for (std::size_t i = 0; i < nd; ++i)
        if (m.population[i] > 0 && !std::isfinite(e[i]) && o.sites == 0)
            throw input_error("min-distance: 0 sites asked, but demand point " + std::to_string(i) + " (" +
                              number_text(m.population[i]) + " people) has no existing facility to go to");
    median_state st(m, e);
    std::vector<std::uint32_t> chosen;
    // Greedy: each step opens the candidate that cuts the weighted cost most.
    for (int step = 0; step < o.sites; ++step) {
        st.set_open(chosen);
        const assignment& a = st.current();
        std::uint32_t best = 0;
        double best_cut = -1;
        for (std::uint32_t j = 0; j < nc; ++j) {
            if (st.is_open(j)) continue;
            double cut = 0;
            for (coverage_matrix::sparse::InnerIterator it(m.cost, j); it; ++it) {
                const double d1 = a.d1[it.row()];
                if (it.value() < d1) cut += m.population[it.row()] * (d1 - it.value());
            }
            if (cut > best_cut) best_cut = cut, best = j;
        }
        chosen.push_back(best);
    }
    // Swaps (Whitaker's fast interchange): for each closed candidate c, the best open site to close.
    std::vector<double> extra(nc, 0.0), loss(nc, 0.0);
    std::vector<std::uint8_t> marked(nc, 0);
    std::vector<std::uint32_t> touched;
    double passes = 0;
    auto local_search = [&](std::vector<std::uint32_t>& sites) {
        for (int pass = 0; pass < 10000 && !sites.empty(); ++pass) {
            ++passes;
            st.set_open(sites);
            const assignment& a = st.current();
            std::fill(loss.begin(), loss.end(), 0.0);
            for (std::size_t i = 0; i < nd; ++i)
                if (a.a1[i] != st.existing() && m.population[i] > 0) loss[a.a1[i]] += m.population[i] * (a.d2[i] - a.d1[i]);
            const double now = st.total();
            double best_delta = -1e-9 * std::max(1.0, now);
            std::uint32_t in = 0, out = 0;
            for (std::uint32_t c = 0; c < nc; ++c) {
                if (st.is_open(c)) continue;
                double gain = 0;
                touched.clear();
                for (coverage_matrix::sparse::InnerIterator it(m.cost, c); it; ++it) {
                    const auto i = static_cast<std::size_t>(it.row());
                    const double w = m.population[i];
                    if (w <= 0) continue;
                    const double g = w * std::max(0.0, a.d1[i] - it.value());
                    gain += g;
                    if (a.a1[i] != st.existing()) {
                        if (!marked[a.a1[i]]) marked[a.a1[i]] = 1, touched.push_back(a.a1[i]);
                        extra[a.a1[i]] += g - w * std::max(0.0, a.d2[i] - it.value());
                    }
                }
                for (std::uint32_t s : sites) {
                    const double delta = -gain + loss[s] + extra[s];
                    if (delta < best_delta) best_delta = delta, in = c, out = s;
                }
                for (std::uint32_t s : touched) extra[s] = 0, marked[s] = 0;
            }
            if (best_delta >= -1e-9 * std::max(1.0, now)) break;
            std::replace(sites.begin(), sites.end(), out, in);
        }
        st.set_open(sites);
        return st.total();
    };
    local_search(chosen);
    st.set_open(chosen);
    siting_result r;
    r.solver = "greedy+swap+perturbation";
    r.objective = st.total();

    // Lagrangian bound: relax "every point has one nearest site"; multipliers capped at the existing
    // cost keep the pairs left out of the matrix irrelevant. Subgradient steps from the heuristic value.
    std::vector<double> lambda(nd, 0.0), rho(nc);
    const unsigned threads = std::max(1u, o.threads);
    const assignment& cur = st.current();
    for (std::size_t i = 0; i < nd; ++i) lambda[i] = m.population[i] > 0 ? m.population[i] * std::min(cur.d1[i], e[i]) : 0;
    double best_bound = 0, step = 2.0, upper = r.objective;
    double relaxed_total = std::numeric_limits<double>::infinity();
    std::vector<std::uint32_t> relaxed_best;
    int since_better = 0;
    for (int iter = 0; iter < 1000 && step > 1e-3; ++iter) {
        double value = 0;
        for (std::size_t i = 0; i < nd; ++i) {
            if (m.population[i] <= 0) continue;
            value += lambda[i];
            if (std::isfinite(e[i])) value += std::min(0.0, m.population[i] * e[i] - lambda[i]);
        }
        // Points without people keep lambda 0 and add nothing. Each column's sum is the bulk of an
        // iteration (every pair read) and stands alone: columns are shared out between threads.
        run_on_threads(threads, [&](unsigned t) {
            for (std::int64_t j = t; j < m.cost.outerSize(); j += threads) {
                double sum = 0;
                for (coverage_matrix::sparse::InnerIterator it(m.cost, j); it; ++it)
                    sum += std::min(0.0, m.population[it.row()] * it.value() - lambda[it.row()]);
                rho[j] = sum;
            }
        });
        std::vector<std::uint32_t> order(nc);
        for (std::uint32_t j = 0; j < nc; ++j) order[j] = j;
        std::partial_sort(order.begin(), order.begin() + o.sites, order.end(), [&](std::uint32_t x, std::uint32_t y) { return rho[x] < rho[y]; });
        std::vector<std::uint8_t> open(nc, 0);
        for (int k = 0; k < o.sites; ++k) {
            open[order[k]] = 1;
            value += rho[order[k]];
        }
        // Only a real gain resets the step: creeping gains would keep it large for ever.
        if (value > best_bound + 1e-6 * std::max(1.0, best_bound)) since_better = 0;
        else if (++since_better >= 20) step /= 2, since_better = 0;
        best_bound = std::max(best_bound, value);
        // The relaxation's open sites are a feasible answer (Beasley's Lagrangian heuristic).
        if (iter % 5 == 0) {
            std::vector<std::uint32_t> relaxed(order.begin(), order.begin() + o.sites);
            st.set_open(relaxed);
            if (st.total() < relaxed_total) relaxed_total = st.total(), relaxed_best = relaxed;
            upper = std::min(upper, st.total());
        }
        // Subgradient: 1 - (points assigned) per point.
        std::vector<double> sub(nd, 0.0);
        double norm = 0;
        for (std::size_t i = 0; i < nd; ++i) {
            if (m.population[i] <= 0) continue;
            double assigned = std::isfinite(e[i]) && m.population[i] * e[i] - lambda[i] < 0 ? 1 : 0;
            sub[i] = 1 - assigned;
        }
        for (std::int64_t j = 0; j < m.cost.outerSize(); ++j)
            if (open[j])
                for (coverage_matrix::sparse::InnerIterator it(m.cost, j); it; ++it)
                    if (m.population[it.row()] > 0 && m.population[it.row()] * it.value() - lambda[it.row()] < 0) sub[it.row()] -= 1;
        for (double g : sub) norm += g * g;
        if (norm == 0) break;
        const double t = step * (upper - value) / norm;
        for (std::size_t i = 0; i < nd; ++i) {
            if (m.population[i] <= 0) continue;
            lambda[i] = std::max(0.0, lambda[i] + t * sub[i]);
            if (std::isfinite(e[i])) lambda[i] = std::min(lambda[i], m.population[i] * e[i]);
        }
    }
    if (relaxed_total < r.objective * (1 + 0.01)) {
        const double total = local_search(relaxed_best);
        if (total < r.objective) chosen = relaxed_best, r.objective = total;
    }
    // Iterated local search: replace a few sites by random candidates, descend again, keep what is
    // better; until the bound is met, many rounds bring nothing, or the work budget (pairs visited)
    // is spent. A fixed seed keeps runs deterministic.
    splitmix64 next;
    const std::size_t n_sites = chosen.size();
    if (n_sites > 0 && n_sites < nc) {
        std::vector<std::uint8_t> in_set(nc, 0);
        const double budget = 1e9, per_pass = static_cast<double>(m.cost.nonZeros()) * 2 + 10.0 * static_cast<double>(nd) + static_cast<double>(nc * n_sites);
        passes = 0;
        int idle = 0;
        for (int round = 0; round < o.perturbation_rounds && idle < 100 && passes * per_pass < budget; ++round, ++idle) {
            if (best_bound >= r.objective - 1e-9 * std::max(1.0, r.objective)) break;
            std::vector<std::uint32_t> trial = chosen;
            std::fill(in_set.begin(), in_set.end(), 0);
            for (std::uint32_t s : trial) in_set[s] = 1;
            // Odd rounds move sites to a neighbour: the closed candidate nearest to a random point of the
            // site's catchment; even rounds to any candidate.
            st.set_open(chosen);
            const assignment& a = st.current();
            const std::size_t k = std::min<std::size_t>(n_sites, 1 + static_cast<std::size_t>(round / 2 % 3));
            for (std::size_t q = 0; q < k; ++q) {
                const std::size_t at = next() % n_sites;
                std::uint32_t c = static_cast<std::uint32_t>(nc);
                if (round % 2 == 1) {
                    std::vector<std::uint32_t> catchment;
                    for (std::size_t i = 0; i < nd; ++i)
                        if (a.a1[i] == chosen[at] && m.population[i] > 0) catchment.push_back(static_cast<std::uint32_t>(i));
                    if (!catchment.empty()) {
                        const std::uint32_t i = catchment[next() % catchment.size()];
                        double best = std::numeric_limits<double>::infinity();
                        const point_lists& pl = st.points();
                        for (auto q = pl.first[i]; q < pl.first[i + 1]; ++q)
                            if (!in_set[pl.candidate[q]] && pl.cost[q] < best) best = pl.cost[q], c = pl.candidate[q];
                    }
                }
                if (c == nc) {
                    do c = static_cast<std::uint32_t>(next() % nc);
                    while (in_set[c]);
                }
                in_set[trial[at]] = 0;
                in_set[c] = 1;
                trial[at] = c;
            }
            const double total = local_search(trial);
            if (total < r.objective - 1e-9 * std::max(1.0, r.objective)) r.objective = total, chosen = trial, idle = 0;
        }
    }
    st.set_open(chosen);
    r.bound = std::min(best_bound, r.objective);

    const bool proven = r.bound >= r.objective - 1e-9 * std::max(1.0, r.objective);
    if (proven) r.solver = "greedy+swap (optimal: Lagrangian bound met)";
    // The p-median MILP has a row per pair: it runs automatically only on small matrices.
    if (!proven && (o.exact || static_cast<std::size_t>(m.cost.nonZeros()) < o.exact_below / 5)) {
        // Columns: y_j, then x_ij per stored pair, then z_i (served by the existing facilities). Rows: one per
        // point (served once), one per pair (x_ij <= y_j), then sum y = p.
        say(o, "min-distance: exact MILP (CBC)");
        model_builder model;
        for (std::size_t i = 0; i < nd; ++i)
            model.add_row(m.population[i] > 0 ? 1.0 : 0.0, m.population[i] > 0 ? 1.0 : COIN_DBL_MAX);
        const int pair_row0 = model.add_rows(static_cast<int>(m.cost.nonZeros()), -COIN_DBL_MAX, 0);
        const int sites_row = model.add_row(o.sites, o.sites);
        int pair = 0;
        for (std::int64_t j = 0; j < m.cost.outerSize(); ++j) {
            model.add_column(0, 1, 0, true);
            for (coverage_matrix::sparse::InnerIterator it(m.cost, j); it; ++it) model.add(pair_row0 + pair++, -1.0);
            model.add(sites_row, 1.0);
        }
        pair = 0;
        for (std::int64_t j = 0; j < m.cost.outerSize(); ++j)
            for (coverage_matrix::sparse::InnerIterator it(m.cost, j); it; ++it) {
                model.add_column(0, 1, m.population[it.row()] * it.value());
                model.add(static_cast<int>(it.row()), 1.0);
                model.add(pair_row0 + pair++, 1.0);
            }
        for (std::size_t i = 0; i < nd; ++i) {
            const bool existing = std::isfinite(e[i]);
            model.add_column(0, existing ? 1 : 0, existing ? m.population[i] * e[i] : 0);
            model.add(static_cast<int>(i), 1.0);
        }
        const milp_result c = model.solve_milp(o.time_limit_s);
        r.bound = std::max(r.bound, std::min(c.bound, r.objective));
        if (!c.solution.empty()) {
            const std::vector<std::uint32_t> alt = ones_of(c.solution, nc);
            st.set_open(alt);
            if (alt.size() == static_cast<std::size_t>(o.sites) && st.total() < r.objective) chosen = alt, r.objective = st.total();
            st.set_open(chosen);
        }
        r.solver = c.optimal ? "cbc" : "cbc (time limit)";
    }

    // Ranks: the greedy order among the chosen sites, each with the cost it cuts.
    std::vector<std::uint32_t> ranked;
    std::vector<std::uint32_t> left(chosen);
    st.set_open({});
    std::vector<double> d1 = st.current().d1;
    while (!left.empty()) {
        std::size_t best = 0;
        double best_cut = -1;
        for (std::size_t k = 0; k < left.size(); ++k) {
            double cut = 0;
            for (coverage_matrix::sparse::InnerIterator it(m.cost, left[k]); it; ++it)
                if (it.value() < d1[it.row()]) cut += m.population[it.row()] * (d1[it.row()] - it.value());
            if (cut > best_cut) best_cut = cut, best = k;
        }
        for (coverage_matrix::sparse::InnerIterator it(m.cost, left[best]); it; ++it)
            d1[it.row()] = std::min(d1[it.row()], it.value());
        ranked.push_back(left[best]);
        r.gain.push_back(best_cut);
        left.erase(left.begin() + static_cast<std::ptrdiff_t>(best));
    }
    r.selected = ranked;
    r.covered = 0;
    r.gap = gap_of(r.objective, r.bound);
    return r;
}

siting_result min_max(const coverage_matrix& m, const std::vector<double>& e, const siting_options& o) {
    check_sites("min-max", o.sites, m.candidate_count());
    const std::size_t nc = m.candidate_count(), p = static_cast<std::size_t>(o.sites);
    // Every candidate answer is one of these costs.
    std::vector<double> levels;
    for (std::size_t i = 0; i < m.demand_count(); ++i)
        if (m.population[i] > 0 && std::isfinite(e[i])) levels.push_back(e[i]);
    for (std::int64_t j = 0; j < m.cost.outerSize(); ++j)
        for (coverage_matrix::sparse::InnerIterator it(m.cost, j); it; ++it)
            if (m.population[it.row()] > 0) levels.push_back(it.value());
    std::sort(levels.begin(), levels.end());
    levels.erase(std::unique(levels.begin(), levels.end()), levels.end());
    if (levels.empty()) throw input_error("min-max: no demand point with people is within reach of a facility or a candidate");
    const threshold_cover cover{m, e};
    // The heuristic: the smallest level a greedy cover reaches with p sites (binary search).
    std::size_t lo = 0, hi = levels.size() - 1;
    std::vector<std::uint32_t> chosen;
    if (auto all = cover.greedy(levels[hi], p)) chosen = *all;
    else
        throw input_error("min-max: " + std::to_string(p) + " sites cannot reach every demand point with people (some are out of reach, or need more sites)");
    while (lo < hi) {
        const std::size_t mid = (lo + hi) / 2;
        if (auto c = cover.greedy(levels[mid], p)) hi = mid, chosen = *c;
        else lo = mid + 1;
    }
    std::size_t found = hi;
    // The bound: the smallest level whose set-cover LP needs no more than p sites.
    std::size_t blo = 0, bhi = found;
    while (blo < bhi) {
        const std::size_t mid = (blo + bhi) / 2;
        if (cover.lp(levels[mid]) <= static_cast<double>(p) + 1e-7) bhi = mid;
        else blo = mid + 1;
    }
    std::size_t bound_level = blo;
    siting_result r;
    r.solver = "greedy+bisection";
    if (found > bound_level && (o.exact || nc * m.demand_count() < o.exact_below)) {
        say(o, "min-max: exact set covers (CBC)");
        bool proven = true;
        std::size_t a = bound_level, b = found;
        while (a < b) {
            const std::size_t mid = (a + b) / 2;
            if (auto c = cover.exact(levels[mid], p, o.time_limit_s, proven)) b = mid, chosen = *c;
            else a = mid + 1;
        }
        found = b;
        if (proven) bound_level = found;
        r.solver = proven ? "cbc" : "cbc (time limit)";
    }
    // Unused sites still count towards N: fill with the lowest free ids.
    std::vector<std::uint8_t> open(nc, 0);
    for (std::uint32_t j : chosen) open[j] = 1;
    for (std::uint32_t j = 0; chosen.size() < p && j < nc; ++j)
        if (!open[j]) open[j] = 1, chosen.push_back(j);
    // The objective: the largest nearest-open cost, exactly.
    std::vector<double> best(e);
    for (std::uint32_t j : chosen)
        for (coverage_matrix::sparse::InnerIterator it(m.cost, j); it; ++it) best[it.row()] = std::min(best[it.row()], it.value());
    double worst = 0;
    for (std::size_t i = 0; i < best.size(); ++i)
        if (m.population[i] > 0) worst = std::max(worst, best[i]);
    r.selected = chosen;
    r.gain.assign(chosen.size(), 0.0);
    r.objective = worst;
    r.bound = std::min(levels[bound_level], worst);
    r.gap = gap_of(r.objective, r.bound);
    return r;
}

}  // namespace healthreach::opt
