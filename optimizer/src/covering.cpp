// The covering family: max-cover, cover-all, backup coverage and county sub-centres, all on the rows of
// reduce() or group_points().
#include "model_builder.hpp"
#include "reduced_problem.hpp"
#include "set_cover.hpp"
#include "siting_common.hpp"

#include <chrono>
#include <functional>
#include <future>
#include <optional>
#include <utility>

namespace healthreach::opt {

using namespace detail;

namespace {

// Columns: y_j (candidates, integer), then z_r (row r covered). Rows: z_r - sum y_j <= 0 for every r,
// then the model's own row: sum y = N when fixed_sites, else sum w z >= need.
// site_cost: y's objective when not fixed_sites (default 1 each).
model_builder cover_model(const reduced_problem& p, bool fixed_sites, double sites_or_need,
                          const std::vector<double>* site_cost = nullptr) {
    const int nr = static_cast<int>(p.rows());
    model_builder b;
    b.add_rows(nr, -COIN_DBL_MAX, 0.0);
    const int own = b.add_row(sites_or_need, fixed_sites ? sites_or_need : COIN_DBL_MAX);
    for (std::uint32_t j = 0; j < p.candidates; ++j) {
        b.add_column(0.0, 1.0, fixed_sites ? 0.0 : site_cost ? (*site_cost)[j] : 1.0, true);
        for (auto k = p.col_first[j]; k < p.col_first[j + 1]; ++k) b.add(static_cast<int>(p.col_rows[k]), -1.0);
        if (fixed_sites) b.add(own, 1.0);
    }
    for (int r = 0; r < nr; ++r) {
        b.add_column(0.0, 1.0, fixed_sites ? -p.weight[r] : 0.0);
        b.add(r, 1.0);
        if (!fixed_sites) b.add(own, p.weight[r]);
    }
    return b;
}

struct cover_milp {
    std::vector<std::uint32_t> chosen;
    double covered;  // people the chosen sites add (p.base excluded)
    double bound;    // minimisation form
    bool optimal;
};

// The cover model's MILP, started from the heuristic answer as its incumbent; its answer and the
// people that answer adds.
cover_milp solve_cover_milp(const reduced_problem& p, const model_builder& model, const std::vector<std::uint32_t>& start,
                            double time_limit_s) {
    const std::size_t nc = p.candidates;
    std::vector<double> x(nc + p.rows(), 0.0);
    cover_state st(p);
    for (std::uint32_t j : start) {
        x[j] = 1;
        st.open(j);
    }
    double value = 0;
    for (std::size_t r = 0; r < p.rows(); ++r) {
        x[nc + r] = st.count(static_cast<std::uint32_t>(r)) > 0 ? 1 : 0;
        value += model.objective(static_cast<int>(nc + r)) * x[nc + r];
    }
    for (std::size_t j = 0; j < nc; ++j) value += model.objective(static_cast<int>(j)) * x[j];
    const milp_result c = model.solve_milp(time_limit_s, &x, value);
    std::vector<std::uint32_t> chosen = ones_of(c.solution, nc);
    cover_state check(p);
    for (std::uint32_t j : chosen) check.open(j);
    return {std::move(chosen), check.covered(), c.bound, c.optimal};
}

}  // namespace

siting_result max_cover(const coverage_matrix& m, const siting_options& o) {
    check_sites("max-cover", o.sites, m.candidate_count());
    const reduced_problem p = reduce(m);
    say(o, "max-cover: " + std::to_string(p.candidates) + " candidates, " + std::to_string(p.rows()) + " demand classes, " +
               std::to_string(p.col_rows.size()) + " pairs");
    cover_state state(p);
    std::vector<std::uint32_t> chosen =
        greedy(p, state, [&](std::size_t n, double) { return n >= static_cast<std::size_t>(o.sites); });
    // Sites that gain nothing still count towards N: fill with the lowest free ids.
    for (std::uint32_t j = 0; chosen.size() < static_cast<std::size_t>(o.sites) && j < p.candidates; ++j)
        if (!state.is_open(j)) state.open(j), chosen.push_back(j);
    swap_search(p, state, chosen);
    siting_result r;
    r.solver = "greedy+swap+perturbation";
    double covered = state.covered();
    // The bound's subgradient steps only need a cover to aim at (the swaps' one does as well as a
    // better one over 150 steps), so they run on a second thread beside the iterated local search.
    std::future<lagrangian_outcome> relaxation =
        std::async(std::launch::async, lagrangian_max_cover, std::cref(p), chosen.size(), covered, 150);
    perturb_search(p, chosen, covered, 50);
    // The relaxation's best solution, improved by the same swaps, replaces the search's when it covers more.
    const lagrangian_outcome lag = relaxation.get();
    if (lag.best_covered > covered) {
        cover_state other(p);
        for (std::uint32_t j : lag.best) other.open(j);
        std::vector<std::uint32_t> other_chosen = lag.best;
        swap_search(p, other, other_chosen);
        if (other.covered() > covered) chosen = other_chosen, covered = other.covered();
    }
    double bound = p.base + lag.bound;
    // The LP bound (as strong as the Lagrangian's, but slower) and the MILP only where they can matter.
    const bool milp = o.exact || p.candidates * std::max<std::size_t>(p.rows(), 1) < o.exact_below;
    std::optional<model_builder> model;
    if (milp || gap_of(p.base + covered, bound) > o.polish_above_gap) {
        model = cover_model(p, true, o.sites);
        bound = std::min(bound, p.base - lp_bound(*model, "max-cover"));
    }
    if (milp || gap_of(p.base + covered, bound) > o.polish_above_gap) {
        say(o, "max-cover: exact MILP (CBC)");
        const cover_milp exact = solve_cover_milp(p, *model, chosen, o.time_limit_s);
        if (exact.chosen.size() == static_cast<std::size_t>(o.sites) && exact.covered >= covered) chosen = exact.chosen;
        bound = std::min(bound, p.base - exact.bound);
        r.solver = exact.optimal ? "cbc" : "cbc (time limit)";
    }
    rank_by_gain(p, chosen, r);
    r.objective = r.covered;
    r.bound = std::max(bound, r.covered);  // numerical noise never puts the bound on the wrong side
    r.gap = gap_of(r.objective, r.bound);
    return r;
}

namespace {

double cost_of(const std::vector<std::uint32_t>& sites, const std::vector<double>& cost) {
    double total = 0;
    for (std::uint32_t j : sites) total += cost[j];
    return total;
}

// The lower bound a minimisation's relaxation gives, rounded up when every cost is an integer.
double round_up_if(bool integral, double bound) { return integral ? std::ceil(bound - 1e-6) : bound; }

// Cover-all of every coverable person: the set-covering heuristic, then CBC on the reductions' core
// from its answer when the time left, the size or the gap calls for it.
void cover_everyone(const reduced_problem& p, const std::vector<double>& cost, const siting_options& o,
                    std::chrono::steady_clock::time_point start, std::vector<std::uint32_t>& chosen, double& value,
                    double& bound, std::string& solver) {
    const covering_reduction red = reduce_covering(p, cost);
    say(o, "cover-all: reductions leave " + std::to_string(red.core.rows()) + " rows and " + std::to_string(red.core.columns()) +
               " candidates, " + std::to_string(red.forced.size()) + " sites forced");
    const set_cover_outcome h = lagrangian_set_cover(red);
    chosen = h.chosen, value = h.cost, bound = h.bound;
    solver = "lagrangian+local search";
    say(o, "cover-all: heuristic " + number_text(value) + ", Lagrangian bound " + number_text(bound));
    const double left = o.time_limit_s - std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const bool proven = bound >= value - 1e-9 * std::max(1.0, value);
    const bool small = p.candidates * std::max<std::size_t>(p.rows(), 1) < o.exact_below;
    if (proven || left <= 0 || !(o.exact || small || gap_of(value, bound) > o.polish_above_gap)) return;
    say(o, "cover-all: exact MILP (CBC) from the heuristic's answer");
    const set_cover_instance& core = red.core;
    model_builder model;
    model.add_rows(static_cast<int>(core.rows()), 1.0, COIN_DBL_MAX);
    for (std::size_t j = 0; j < core.columns(); ++j) {
        model.add_column(0.0, 1.0, core.cost[j], true);
        for (auto k = core.col_first[j]; k < core.col_first[j + 1]; ++k) model.add(static_cast<int>(core.col_rows[k]), 1.0);
    }
    std::vector<double> x(core.columns(), 0.0);
    for (std::uint32_t j : h.core_chosen) x[j] = 1;
    const milp_result c = model.solve_milp(left, &x, value - red.forced_cost);
    const std::vector<std::uint32_t> core_alt = ones_of(c.solution, core.columns());
    if (!c.solution.empty() && red.forced_cost + cost_of(core_alt, core.cost) < value - 1e-9 * std::max(1.0, value)) {
        chosen = red.forced;
        for (std::uint32_t j : core_alt) chosen.push_back(core.column_of[j]);
        value = red.forced_cost + cost_of(core_alt, core.cost);
    }
    if (!c.infeasible) bound = std::max(bound, red.forced_cost + round_up_if(red.integral_costs, c.bound));
    solver = c.optimal ? "cbc" : "cbc (time limit)";
}

}  // namespace

siting_result cover_all(const coverage_matrix& m, const siting_options& o) {
    if (!(o.target > 0) || o.target > 1)
        throw input_error("cover-all: target " + number_text(o.target) + " is not a fraction in (0, 1]");
    if (!o.site_cost.empty() && o.site_cost.size() != m.candidate_count())
        throw std::invalid_argument("cover-all: one site cost per candidate");
    for (std::size_t j = 0; j < o.site_cost.size(); ++j)
        if (!(o.site_cost[j] >= 0) || !std::isfinite(o.site_cost[j]))
            throw input_error("cover-all: cost " + number_text(o.site_cost[j]) + " of candidate " + std::to_string(j) +
                              " is negative or not finite");
    const auto start = std::chrono::steady_clock::now();
    const reduced_problem p = reduce(m);
    const std::vector<double> cost = o.site_cost.empty() ? std::vector<double>(p.candidates, 1.0) : o.site_cost;
    bool integral = true;
    for (double c : cost) integral = integral && c == std::floor(c);
    const double goal = o.target * p.total();
    const double need = std::max(0.0, goal - p.base);
    const double eps = 1e-9 * std::max(1.0, goal);
    say(o, "cover-all: " + std::to_string(p.candidates) + " candidates, " + std::to_string(p.rows()) + " demand classes, " +
               std::to_string(p.col_rows.size()) + " pairs");
    siting_result r;
    std::vector<std::uint32_t> chosen;
    double value = 0, bound = 0;
    if (o.target >= 1) {
        cover_everyone(p, cost, o, start, chosen, value, bound, r.solver);
    } else {
        // Partial covering: greedy by people per unit of cost, then the sites the target does not need
        // out, dearest first (least useful among equals).
        cover_state state(p);
        auto ratio = [&](std::uint32_t j) {
            const double g = state.gain(j);
            return cost[j] > 0 ? g / cost[j] : (g > 0 ? std::numeric_limits<double>::infinity() : 0.0);
        };
        std::priority_queue<std::pair<double, std::int64_t>> heap;  // (ratio, -candidate): ties to the lower id
        for (std::uint32_t j = 0; j < p.candidates; ++j) heap.push({ratio(j), -static_cast<std::int64_t>(j)});
        while (!heap.empty() && state.covered() < need - eps) {
            const auto [g, neg] = heap.top();
            heap.pop();
            const auto j = static_cast<std::uint32_t>(-neg);
            if (const double fresh = ratio(j); fresh < g - 1e-12 * std::max(1.0, g)) {
                heap.push({fresh, neg});
                continue;
            }
            state.open(j);
            chosen.push_back(j);
        }
        for (bool dropped = true; dropped;) {
            dropped = false;
            std::sort(chosen.begin(), chosen.end(), [&](std::uint32_t a, std::uint32_t b) {
                return cost[a] != cost[b] ? cost[a] > cost[b] : state.loss(a) < state.loss(b);
            });
            for (std::size_t k = 0; k < chosen.size(); ++k)
                if (state.covered() - state.loss(chosen[k]) >= need - eps) {
                    state.close(chosen[k]);
                    chosen.erase(chosen.begin() + static_cast<std::ptrdiff_t>(k));
                    dropped = true;
                    break;
                }
        }
        value = cost_of(chosen, cost);
        r.solver = "greedy+drop";
        const model_builder model = cover_model(p, false, need - eps, &cost);
        bound = round_up_if(integral, lp_bound(model, "cover-all"));
        if (o.exact || p.candidates * std::max<std::size_t>(p.rows(), 1) < o.exact_below ||
            gap_of(value, bound) > o.polish_above_gap) {
            say(o, "cover-all: exact MILP (CBC)");
            const cover_milp exact = solve_cover_milp(p, model, chosen, o.time_limit_s);
            if (!exact.chosen.empty() && cost_of(exact.chosen, cost) < value - eps && exact.covered >= need - eps)
                chosen = exact.chosen, value = cost_of(chosen, cost);
            bound = std::max(bound, round_up_if(integral, exact.bound));
            r.solver = exact.optimal ? "cbc" : "cbc (time limit)";
        }
    }
    rank_by_gain(p, chosen, r);
    if (r.covered < p.base + need - eps) throw std::logic_error("cover-all: the answer misses the target");
    r.objective = value;
    r.bound = std::min(bound, value);
    r.gap = gap_of(r.objective, r.bound);
    return r;
}

siting_result backup_cover(const coverage_matrix& m, const std::vector<std::uint8_t>& existing_count, const siting_options& o) {
    // The once-covered level to keep: the twice-covered objective is only defined at its optimum, so
    // phase 1 goes to the MILP whenever its gap is not zero (within the time limit), unless
    // --heuristic turned polishing off.
    siting_options first_options = o;
    if (o.polish_above_gap < std::numeric_limits<double>::infinity()) first_options.polish_above_gap = 0;
    const siting_result first = max_cover(m, first_options);
    double keep = first.covered;
    // Rows: points merged by (candidates covering them, existing facilities covering them, capped at 2).
    const std::size_t nc = m.candidate_count(), nd = m.demand_count();
    std::vector<std::uint8_t> populated(nd);
    std::vector<int> existing_of(nd);
    for (std::size_t i = 0; i < nd; ++i) {
        populated[i] = m.population[i] > 0;
        existing_of[i] = std::min<int>(existing_count[i], 2);
    }
    const reduced_problem grouped = group_points(m, populated, existing_of);
    const std::vector<double>& w = grouped.weight;
    const std::vector<int>& ex = grouped.tag;
    double once_base = 0, twice_base = 0;  // points no candidate reaches
    for (std::size_t i = 0; i < nd; ++i) {
        if (m.population[i] <= 0 || grouped.row_of_point[i] >= 0) continue;
        once_base += existing_of[i] >= 1 ? m.population[i] : 0;
        twice_base += existing_of[i] >= 2 ? m.population[i] : 0;
    }
    const std::size_t nr = w.size();
    const std::vector<std::uint64_t>& col_first = grouped.col_first;
    const std::vector<std::uint32_t>& col_rows = grouped.col_rows;
    std::vector<int> count(ex);
    std::vector<std::uint8_t> open(nc, 0);
    std::vector<std::uint32_t> chosen = first.selected;
    auto apply = [&](std::uint32_t j, int d) {
        open[j] = d > 0;
        for (auto k = col_first[j]; k < col_first[j + 1]; ++k) count[col_rows[k]] += d;
    };
    for (std::uint32_t j : chosen) apply(j, 1);
    auto totals = [&](double& once, double& twice) {
        once = once_base, twice = twice_base;
        for (std::size_t r = 0; r < nr; ++r) once += count[r] >= 1 ? w[r] : 0, twice += count[r] >= 2 ? w[r] : 0;
    };
    double once, twice;
    totals(once, twice);
    const double eps = 1e-9 * std::max(1.0, keep);
    // Best-improvement swaps, judged first on people covered once, then on people covered twice: a swap
    // is scored from the rows of the two sites only (closing s, then opening c on the counts left).
    for (bool moved = true; moved;) {
        moved = false;
        double best_once = once, best_twice = twice;
        std::uint32_t out = 0, in = 0;
        for (std::uint32_t s : chosen) {
            double lost_once = 0, lost_twice = 0;
            apply(s, -1);
            for (auto k = col_first[s]; k < col_first[s + 1]; ++k) {
                const std::uint32_t r = col_rows[k];
                if (count[r] == 0) lost_once += w[r];
                else if (count[r] == 1) lost_twice += w[r];
            }
            for (std::uint32_t c = 0; c < nc; ++c) {
                if (open[c] || c == s) continue;
                double gained_once = 0, gained_twice = 0;
                for (auto k = col_first[c]; k < col_first[c + 1]; ++k) {
                    const std::uint32_t r = col_rows[k];
                    if (count[r] == 0) gained_once += w[r];
                    else if (count[r] == 1) gained_twice += w[r];
                }
                const double o1 = once - lost_once + gained_once, o2 = twice - lost_twice + gained_twice;
                if (o1 > best_once + eps || (o1 >= best_once - eps && o2 > best_twice + eps))
                    best_once = o1, best_twice = o2, out = s, in = c;
            }
            apply(s, 1);
        }
        if (best_once > once + eps || (best_once >= once - eps && best_twice > twice + eps)) {
            apply(out, -1);
            apply(in, 1);
            std::replace(chosen.begin(), chosen.end(), out, in);
            totals(once, twice);
            moved = true;
        }
    }
    keep = std::max(keep, once);  // a swap may have covered more people once than phase 1 did
    // Phase-2 model: columns y_j, u_r (covered once), v_r (covered twice); rows u_r + v_r - sum y <= ex_r,
    // v_r - u_r <= 0, sum w u >= keep, sum y = N.
    const int R = static_cast<int>(nr);
    model_builder model;
    for (int r = 0; r < R; ++r) model.add_row(-COIN_DBL_MAX, ex[r]);
    const int twice_row0 = model.add_rows(R, -COIN_DBL_MAX, 0);
    const int keep_row = model.add_row(keep - once_base - eps, COIN_DBL_MAX);
    const int sites_row = model.add_row(o.sites, o.sites);
    for (std::size_t j = 0; j < nc; ++j) {
        model.add_column(0, 1, 0, true);
        for (auto k = col_first[j]; k < col_first[j + 1]; ++k) model.add(static_cast<int>(col_rows[k]), -1.0);
        model.add(sites_row, 1.0);
    }
    for (int r = 0; r < R; ++r) {  // u_r
        model.add_column(0, 1, 0);
        model.add(r, 1.0);
        model.add(twice_row0 + r, -1.0);
        model.add(keep_row, w[r]);
    }
    for (int r = 0; r < R; ++r) {  // v_r
        model.add_column(0, 1, -w[r]);
        model.add(r, 1.0);
        model.add(twice_row0 + r, 1.0);
    }
    siting_result r;
    r.solver = first.solver + ", then swaps";
    double bound = twice_base - lp_bound(model, "backup");
    if (o.exact || nc * std::max<std::size_t>(nr, 1) < o.exact_below) {
        say(o, "backup: exact MILP (CBC)");
        const milp_result c = model.solve_milp(o.time_limit_s);
        bound = std::min(bound, twice_base - c.bound);
        if (!c.solution.empty()) {
            const std::vector<std::uint32_t> alt = ones_of(c.solution, nc);
            for (std::uint32_t j : chosen) apply(j, -1);
            for (std::uint32_t j : alt) apply(j, 1);
            double a1, a2;
            totals(a1, a2);
            if (alt.size() == chosen.size() && a1 >= keep - eps && a2 > twice) chosen = alt, once = a1, twice = a2;
            else {
                for (std::uint32_t j : alt) apply(j, -1);
                for (std::uint32_t j : chosen) apply(j, 1);
            }
        }
        r.solver = c.optimal ? "cbc" : "cbc (time limit)";
    }
    // Gains: what each site adds to the twice-covered people of the final set.
    for (std::uint32_t j : chosen) {
        apply(j, -1);
        double a1, a2;
        totals(a1, a2);
        r.gain.push_back(twice - a2);
        apply(j, 1);
    }
    r.selected = chosen;
    r.covered = once;
    r.objective = twice;
    r.bound = std::max(bound, twice);
    r.gap = gap_of(r.objective, r.bound);
    return r;
}

siting_result sub_centres(const coverage_matrix& m, const std::vector<int>& group_of, const std::vector<int>& group_min,
                          const std::vector<int>& group_max, const siting_options& o) {
    check_sites("sub-centres", o.sites, m.candidate_count());
    const int groups = static_cast<int>(group_min.size());
    if (group_max.size() != group_min.size())
        throw std::invalid_argument("sub-centres: one minimum and one maximum per county");
    for (int g : group_of)
        if (g >= groups) throw std::invalid_argument("sub-centres: a candidate's county has no bounds");
    for (int g = 0; g < groups; ++g)
        if (group_min[g] < 0 || group_max[g] < group_min[g])
            throw input_error("sub-centres: " + std::to_string(group_min[g]) + " to " + std::to_string(group_max[g]) +
                              " sites in county " + std::to_string(g) + " is not a range");
    const reduced_problem p = reduce(m);
    const std::size_t nc = p.candidates, n = static_cast<std::size_t>(o.sites);
    std::vector<int> in_group(groups, 0), available(groups, 0);
    for (int g : group_of)
        if (g >= 0) ++available[g];
    // A county's minimum: group_min, or all its candidates when it has fewer.
    std::vector<int> minimum(groups);
    std::size_t minimums = 0;
    for (int g = 0; g < groups; ++g) minimum[g] = std::min(group_min[g], available[g]), minimums += static_cast<std::size_t>(minimum[g]);
    // Too few sites for every county's minimum (a quota of 1 for two counties): no choice meets the rule,
    // and the bounds as written leave the models infeasible. Then no county gets more than its minimum
    // and every site goes to a county, so that the sites reach as many counties as they can.
    const bool too_few = minimums > n;
    std::vector<int> group_lo(groups), group_hi(groups);
    for (int g = 0; g < groups; ++g) group_lo[g] = too_few ? 0 : minimum[g], group_hi[g] = too_few ? minimum[g] : group_max[g];
    if (too_few)
        say(o, "sub-centres: the county minimums need " + std::to_string(minimums) + " sites, " + std::to_string(n) +
                   " asked: at most the minimum in each county");
    auto can_add = [&](std::uint32_t j) { return group_of[j] < 0 ? !too_few : in_group[group_of[j]] < group_hi[group_of[j]]; };
    cover_state state(p);
    std::vector<std::uint32_t> chosen;
    auto open_site = [&](std::uint32_t j) {
        state.open(j);
        chosen.push_back(j);
        if (group_of[j] >= 0) ++in_group[group_of[j]];
    };
    auto best_of = [&](auto allowed) {
        std::int64_t best = -1;
        double best_gain = -1;
        for (std::uint32_t j = 0; j < nc; ++j) {
            if (state.is_open(j) || !allowed(j)) continue;
            if (const double g = state.gain(j); g > best_gain) best_gain = g, best = j;
        }
        return best;
    };
    // First each county's minimum (best counties first), then the best remaining within the county maximum.
    for (bool again = true; again && chosen.size() < n;) {
        again = false;
        const std::int64_t j = best_of([&](std::uint32_t c) { return group_of[c] >= 0 && in_group[group_of[c]] < minimum[group_of[c]]; });
        if (j >= 0) open_site(static_cast<std::uint32_t>(j)), again = true;
    }
    while (chosen.size() < n) {
        const std::int64_t j = best_of(can_add);
        if (j < 0) break;
        open_site(static_cast<std::uint32_t>(j));
    }
    // Swaps that keep every county within its bounds.
    for (bool moved = true; moved;) {
        moved = false;
        const double now = state.covered();
        double best = now + 1e-9 * std::max(1.0, now);
        std::uint32_t out = 0, in = 0;
        for (std::uint32_t s : chosen) {
            state.close(s);
            for (std::uint32_t c = 0; c < nc; ++c) {
                if (state.is_open(c) || c == s) continue;
                const int gs = group_of[s], gc = group_of[c];
                const bool leaves_short = gs >= 0 && gs != gc && in_group[gs] - 1 < group_lo[gs];
                const bool overfills = gc >= 0 ? gs != gc && in_group[gc] + 1 > group_hi[gc] : too_few;
                if (leaves_short || overfills) continue;
                if (const double after = state.covered() + state.gain(c); after > best) best = after, out = s, in = c;
            }
            state.open(s);
        }
        if (best > now + 1e-9 * std::max(1.0, now)) {
            state.close(out);
            state.open(in);
            if (group_of[out] >= 0) --in_group[group_of[out]];
            if (group_of[in] >= 0) ++in_group[group_of[in]];
            std::replace(chosen.begin(), chosen.end(), out, in);
            moved = true;
        }
    }
    siting_result r;
    r.solver = "greedy+swap";
    // As many sites as the greedy opened: fewer than asked when the county maxima allow no more.
    model_builder model = cover_model(p, true, static_cast<double>(chosen.size()));
    for (int g = 0; g < groups; ++g) {
        std::vector<int> idx;
        std::vector<double> ones;
        for (std::uint32_t j = 0; j < nc; ++j)
            if (group_of[j] == g) idx.push_back(static_cast<int>(j)), ones.push_back(1.0);
        if (idx.empty()) continue;
        model.add_row(idx, ones, group_lo[g], group_hi[g]);
    }
    if (too_few)
        for (std::uint32_t j = 0; j < nc; ++j)
            if (group_of[j] < 0) model.set_bounds(static_cast<int>(j), 0, 0);
    double bound = p.base - lp_bound(model, "sub-centres");
    if (o.exact || nc * std::max<std::size_t>(p.rows(), 1) < o.exact_below ||
        gap_of(p.base + state.covered(), bound) > o.polish_above_gap) {
        say(o, "sub-centres: exact MILP (CBC)");
        const cover_milp exact = solve_cover_milp(p, model, chosen, o.time_limit_s);
        if (exact.chosen.size() == chosen.size() && exact.covered >= state.covered()) chosen = exact.chosen;
        bound = std::min(bound, p.base - exact.bound);
        r.solver = exact.optimal ? "cbc" : "cbc (time limit)";
    }
    rank_by_gain(p, chosen, r);
    r.objective = r.covered;
    r.bound = std::max(bound, r.covered);
    r.gap = gap_of(r.objective, r.bound);
    return r;
}

}  // namespace healthreach::opt
