// The vehicle family: MEXCLP, vehicles placed for the most people covered in expectation when each is
// busy with probability q.
#include "model_builder.hpp"
#include "reduced_problem.hpp"
#include "siting_common.hpp"

namespace healthreach::opt {

using namespace detail;

namespace {

// Expected people covered when rows hold k vehicles.
double expected_value(const reduced_problem& p, const std::vector<double>& k, double q) {
    double v = 0;
    for (std::size_t r = 0; r < p.rows(); ++r) v += p.weight[r] * (1 - std::pow(q, k[r]));
    return v;
}

}  // namespace

siting_result expected_cover(const coverage_matrix& m, const std::vector<double>& base_vehicles, const siting_options& o) {
    if (o.vehicles < 0) throw input_error("expected: " + std::to_string(o.vehicles) + " vehicles asked; must be 0 or more");
    if (!(o.busy_fraction >= 0) || !(o.busy_fraction < 1))
        throw input_error("expected: busy fraction " + number_text(o.busy_fraction) + " is not in [0, 1)");
    if (m.candidate_count() == 0) throw input_error("expected: no candidate and no existing station to place vehicles at");
    // Rows: populated points merged when the same columns cover them; every point counts, for existing
    // coverage is in the vehicles already there (base), not in covered_by_existing.
    std::vector<std::uint8_t> populated(m.demand_count());
    for (std::size_t i = 0; i < populated.size(); ++i) populated[i] = m.population[i] > 0;
    const reduced_problem p = group_points(m, populated, {});
    std::vector<double> base(p.rows(), 0.0);  // per row: vehicles already covering it
    for (std::size_t r = 0; r < p.rows(); ++r)
        for (auto k = p.row_first[r]; k < p.row_first[r + 1]; ++k) base[r] += base_vehicles[p.row_cols[k]];
    const double q = o.busy_fraction;
    std::vector<double> k(base);
    std::vector<int> added(p.candidates, 0);
    auto gain = [&](std::uint32_t j) {  // one more vehicle at column j
        double g = 0;
        for (auto e = p.col_first[j]; e < p.col_first[j + 1]; ++e) g += p.weight[p.col_rows[e]] * (1 - q) * std::pow(q, k[p.col_rows[e]]);
        return g;
    };
    auto add = [&](std::uint32_t j, int n) {
        added[j] += n;
        for (auto e = p.col_first[j]; e < p.col_first[j + 1]; ++e) k[p.col_rows[e]] += n;
    };
    say(o, "expected: " + std::to_string(p.candidates) + " sites, " + std::to_string(p.rows()) + " demand classes");
    // Greedy: the objective is concave in each row's vehicles, so marginal gains only fall.
    for (int v = 0; v < o.vehicles; ++v) {
        std::uint32_t best = 0;
        double best_gain = -1;
        for (std::uint32_t j = 0; j < p.candidates; ++j)
            if (const double g = gain(j); g > best_gain) best_gain = g, best = j;
        add(best, 1);
    }
    // Moves: one new vehicle from one site to another while the expected coverage grows.
    for (bool moved = true; moved;) {
        moved = false;
        const double now = expected_value(p, k, q);
        std::uint32_t from = 0, to = 0;
        double best = now + 1e-9 * std::max(1.0, now);
        for (std::uint32_t a = 0; a < p.candidates; ++a) {
            if (added[a] == 0) continue;
            add(a, -1);
            const double without = expected_value(p, k, q);
            for (std::uint32_t b = 0; b < p.candidates; ++b) {
                if (b == a) continue;
                if (const double value = without + gain(b); value > best) best = value, from = a, to = b;
            }
            add(a, 1);
        }
        if (best > now + 1e-9 * std::max(1.0, now)) {
            add(from, -1);
            add(to, 1);
            moved = true;
        }
    }

    // Daskin's model: columns y_j (new vehicles), then x_rk for k = 1..K (the k-th vehicle covering
    // row r); rows: sum_k x_rk - sum_j y_j <= base_r, then sum y = V. The LP bound, and the MILP.
    const int nc = static_cast<int>(p.candidates), nr = static_cast<int>(p.rows());
    model_builder model;
    for (int r = 0; r < nr; ++r) model.add_row(-COIN_DBL_MAX, base[r]);
    const int vehicles_row = model.add_row(o.vehicles, o.vehicles);
    for (int j = 0; j < nc; ++j) {
        model.add_column(0, o.vehicles, 0, true);
        for (auto e = p.col_first[j]; e < p.col_first[j + 1]; ++e) model.add(static_cast<int>(p.col_rows[e]), -1.0);
        model.add(vehicles_row, 1.0);
    }
    for (int r = 0; r < nr; ++r) {
        const int levels = static_cast<int>(std::ceil(base[r])) + o.vehicles;
        for (int level = 1; level <= levels; ++level) {
            model.add_column(0, 1, -p.weight[r] * (1 - q) * std::pow(q, level - 1));
            model.add(r, 1.0);
        }
    }
    siting_result res;
    res.solver = "greedy+move";
    double bound = -lp_bound(model, "expected");
    const std::size_t size = static_cast<std::size_t>(nc) * std::max(1, nr);
    if (o.exact || size < o.exact_below) {
        say(o, "expected: exact MILP (CBC)");
        const milp_result c = model.solve_milp(o.time_limit_s);
        bound = std::min(bound, -c.bound);
        if (!c.solution.empty()) {
            const double* sol = c.solution.data();
            std::vector<double> kk(base);
            std::vector<int> alt(p.candidates, 0);
            for (int j = 0; j < nc; ++j) {
                alt[j] = static_cast<int>(std::lround(sol[j]));
                for (auto e = p.col_first[j]; e < p.col_first[j + 1]; ++e) kk[p.col_rows[e]] += alt[j];
            }
            if (expected_value(p, kk, q) > expected_value(p, k, q)) k = kk, added = alt;
        }
        res.solver = c.optimal ? "cbc" : "cbc (time limit)";
    }
    for (std::uint32_t j = 0; j < p.candidates; ++j)
        if (added[j] > 0) {
            res.selected.push_back(j);
            res.vehicles.push_back(added[j]);
        }
    // Each site's gain: what its vehicles add to the others'.
    for (std::size_t s = 0; s < res.selected.size(); ++s) {
        const double with = expected_value(p, k, q);
        add(res.selected[s], -res.vehicles[s]);
        res.gain.push_back(with - expected_value(p, k, q));
        add(res.selected[s], res.vehicles[s]);
    }
    res.covered = expected_value(p, k, q);
    res.objective = res.covered;
    res.bound = std::max(bound, res.objective);
    res.gap = gap_of(res.objective, res.bound);
    return res;
}

}  // namespace healthreach::opt
