#include "reduced_problem.hpp"

#include "siting_common.hpp"

#include <numeric>
#include <unordered_map>

namespace healthreach::opt::detail {

point_lists by_point(const coverage_matrix& m, const std::vector<std::uint8_t>& include, bool with_costs) {
    // Two passes over the columns (count, then fill): flat arrays, no per-point vectors.
    const std::size_t n = m.demand_count();
    auto listed = [&](std::int64_t i) { return include.empty() || include[static_cast<std::size_t>(i)]; };
    point_lists out;
    out.first.assign(n + 1, 0);
    for (std::int64_t j = 0; j < m.cost.outerSize(); ++j)
        for (coverage_matrix::sparse::InnerIterator it(m.cost, j); it; ++it)
            if (listed(it.row())) ++out.first[it.row() + 1];
    for (std::size_t i = 0; i < n; ++i) out.first[i + 1] += out.first[i];
    out.candidate.resize(out.first.back());
    if (with_costs) out.cost.resize(out.first.back());
    std::vector<std::uint64_t> fill(out.first.begin(), out.first.end() - 1);
    for (std::int64_t j = 0; j < m.cost.outerSize(); ++j)
        for (coverage_matrix::sparse::InnerIterator it(m.cost, j); it; ++it) {
            if (!listed(it.row())) continue;
            const std::uint64_t at = fill[it.row()]++;
            out.candidate[at] = static_cast<std::uint32_t>(j);
            if (with_costs) out.cost[at] = it.value();
        }
    return out;
}

reduced_problem group_points(const coverage_matrix& m, const std::vector<std::uint8_t>& include, const std::vector<int>& tag) {
    const std::size_t n = m.demand_count();
    const point_lists points = by_point(m, include, false);
    const std::vector<std::uint64_t>& first = points.first;
    const std::vector<std::uint32_t>& cand = points.candidate;

    reduced_problem out;
    out.candidates = m.candidate_count();
    out.row_of_point.assign(n, -1);
    // Rows found by a hash of (candidates, tag); equal hashes are told apart by comparing the lists.
    std::unordered_map<std::uint64_t, std::vector<std::uint32_t>> rows_of_hash;
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint32_t* begin = cand.data() + first[i];
        const std::uint32_t* end = cand.data() + first[i + 1];
        if (begin == end) continue;
        const int t = tag.empty() ? 0 : tag[i];
        std::uint64_t h = 0x9E3779B97F4A7C15ull ^ static_cast<std::uint64_t>(t);
        for (const std::uint32_t* c = begin; c != end; ++c) h = (h ^ *c) * 0x100000001B3ull, h ^= h >> 32;
        std::vector<std::uint32_t>& same_hash = rows_of_hash[h];
        std::int64_t row = -1;
        for (std::uint32_t r : same_hash)
            if (out.tag[r] == t &&
                std::equal(begin, end, out.row_cols.begin() + static_cast<std::ptrdiff_t>(out.row_first[r]),
                           out.row_cols.begin() + static_cast<std::ptrdiff_t>(out.row_first[r + 1]))) {
                row = r;
                break;
            }
        if (row < 0) {
            row = static_cast<std::int64_t>(out.weight.size());
            same_hash.push_back(static_cast<std::uint32_t>(row));
            out.weight.push_back(0);
            out.tag.push_back(t);
            out.row_cols.insert(out.row_cols.end(), begin, end);
            out.row_first.push_back(out.row_cols.size());
        }
        out.weight[static_cast<std::size_t>(row)] += m.population[i];
        out.row_of_point[i] = row;
    }
    // Candidate -> rows: the transpose, rows in increasing order.
    out.col_first.assign(out.candidates + 1, 0);
    for (std::uint32_t c : out.row_cols) ++out.col_first[c + 1];
    for (std::size_t j = 0; j < out.candidates; ++j) out.col_first[j + 1] += out.col_first[j];
    out.col_rows.resize(out.row_cols.size());
    std::vector<std::uint64_t> at(out.col_first.begin(), out.col_first.end() - 1);
    for (std::uint32_t r = 0; r < out.rows(); ++r)
        for (auto k = out.row_first[r]; k < out.row_first[r + 1]; ++k) out.col_rows[at[out.row_cols[k]]++] = r;
    return out;
}

reduced_problem reduce(const coverage_matrix& m) {
    std::vector<std::uint8_t> uncovered(m.demand_count());
    for (std::size_t i = 0; i < uncovered.size(); ++i) uncovered[i] = !m.covered_by_existing[i] && m.population[i] > 0;
    reduced_problem r = group_points(m, uncovered, {});
    r.base = m.existing_population();
    return r;
}

void swap_search(const reduced_problem& p, cover_state& state, std::vector<std::uint32_t>& chosen,
                 const std::vector<std::uint32_t>& pool) {
    if (chosen.empty()) return;
    std::vector<double> extra(p.candidates, 0.0);
    std::vector<std::uint32_t> touched;
    for (int pass = 0; pass < 10000; ++pass) {
        std::vector<double> loss(p.candidates, 0.0);
        double min_loss = std::numeric_limits<double>::infinity();
        std::uint32_t min_loss_site = chosen[0];
        for (std::uint32_t s : chosen) {
            loss[s] = state.loss(s);
            if (loss[s] < min_loss) min_loss = loss[s], min_loss_site = s;
        }
        double best = 1e-9 * std::max(1.0, state.covered());
        std::uint32_t best_in = 0, best_out = 0;
        bool found = false;
        const std::size_t tries = pool.empty() ? p.candidates : pool.size();
        for (std::size_t t = 0; t < tries; ++t) {
            const std::uint32_t c = pool.empty() ? static_cast<std::uint32_t>(t) : pool[t];
            if (state.is_open(c)) continue;
            double g0 = 0;
            touched.clear();
            for (auto k = p.col_first[c]; k < p.col_first[c + 1]; ++k) {
                const std::uint32_t row = p.col_rows[k];
                const std::uint32_t n = state.count(row);
                if (n == 0) g0 += p.weight[row];
                else if (n == 1) {
                    const std::uint32_t s = state.sole(row);
                    if (extra[s] == 0) touched.push_back(s);
                    extra[s] += p.weight[row];
                }
            }
            double delta = g0 - min_loss;
            std::uint32_t out = min_loss_site;
            for (std::uint32_t s : touched) {
                if (g0 + extra[s] - loss[s] > delta) delta = g0 + extra[s] - loss[s], out = s;
                extra[s] = 0;
            }
            if (delta > best) best = delta, best_in = c, best_out = out, found = true;
        }
        if (!found) return;
        state.close(best_out);
        state.open(best_in);
        std::replace(chosen.begin(), chosen.end(), best_out, best_in);
    }
}

// Iterated local search: from the current set, close a few sites chosen at random, refill greedily,
// swap to a local optimum. The walk moves on to a result within 0.2 % of the best (so that it can leave
// a basin no single swap leaves) and goes back to the best from anything worse. A fixed seed keeps
// runs deterministic.
void perturb_search(const reduced_problem& p, std::vector<std::uint32_t>& chosen, double& covered, int rounds) {
    if (chosen.size() < 2) return;
    splitmix64 next;
    const std::size_t n = chosen.size();
    std::vector<std::uint8_t> mark(p.candidates, 0), banned(p.candidates, 0);
    std::vector<std::uint32_t> current = chosen;
    double current_covered = covered;
    for (int round = 0; round < rounds; ++round) {
        std::vector<std::uint32_t> chosen_order = current;
        const std::size_t drop = std::min<std::size_t>(n - 1, 2 + static_cast<std::size_t>(round % 3));
        for (std::size_t k = 0; k < drop; ++k) std::swap(chosen_order[k], chosen_order[k + next() % (n - k)]);
        std::vector<std::uint32_t> trial(chosen_order.begin() + static_cast<std::ptrdiff_t>(drop), chosen_order.end());
        cover_state state(p);
        for (std::uint32_t j : trial) state.open(j);
        // Only candidates sharing demand with the closed sites can take their place: refill and swap among
        // them (never the closed sites themselves, so that the search leaves its basin).
        std::vector<std::uint32_t> pool;
        for (std::size_t k = 0; k < drop; ++k) {
            const std::uint32_t gone = chosen_order[k];
            for (auto q = p.col_first[gone]; q < p.col_first[gone + 1]; ++q) {
                const std::uint32_t row = p.col_rows[q];
                for (auto c = p.row_first[row]; c < p.row_first[row + 1]; ++c)
                    if (!mark[p.row_cols[c]]) mark[p.row_cols[c]] = 1, pool.push_back(p.row_cols[c]);
            }
        }
        for (std::uint32_t j : pool) mark[j] = 0;
        for (std::size_t k = 0; k < drop; ++k) banned[chosen_order[k]] = 1;
        pool.erase(std::remove_if(pool.begin(), pool.end(), [&](std::uint32_t j) { return banned[j] != 0; }), pool.end());
        for (std::size_t k = 0; k < drop; ++k) banned[chosen_order[k]] = 0;
        while (trial.size() < n) {
            double best = -1;
            std::uint32_t pick = 0;
            for (std::uint32_t j : pool) {
                if (state.is_open(j)) continue;
                const double g = state.gain(j);
                if (g > best) best = g, pick = j;
            }
            if (best < 0) break;
            state.open(pick);
            trial.push_back(pick);
        }
        if (trial.size() != n) continue;
        swap_search(p, state, trial, pool);
        if (state.covered() > covered + 1e-9 * std::max(1.0, covered)) chosen = trial, covered = state.covered();
        if (state.covered() >= current_covered - 0.002 * covered) current = trial, current_covered = state.covered();
        else current = chosen, current_covered = covered;
    }
    cover_state state(p);
    for (std::uint32_t j : chosen) state.open(j);
    swap_search(p, state, chosen);  // the restricted rounds may stop short of a full local optimum
    covered = state.covered();
}


// Lagrangian relaxation of max-cover's coverage constraints (Galvao and ReVelle 1996): for multipliers
// lambda, the relaxed problem opens the n columns of largest sum of lambda over their rows, and its
// value bounds the optimum from above. Subgradient steps tighten the bound; every relaxed solution is
// a feasible set of n sites, and the best of them (by people covered) is returned with the bound.
lagrangian_outcome lagrangian_max_cover(const reduced_problem& p, std::size_t n, double lower, int iterations) {
    lagrangian_outcome out;
    const std::size_t nr = p.rows(), nc = p.candidates;
    if (n == 0 || nc == 0) {
        out.bound = 0;
        out.best_covered = 0;
        return out;
    }
    std::vector<double> lambda(nr), profit(nc), g(nr);
    for (std::size_t r = 0; r < nr; ++r) lambda[r] = p.weight[r];
    std::vector<std::uint32_t> order(nc), count(nr);
    double mu = 2;
    int stale = 0;
    for (std::uint32_t j = 0; j < nc; ++j) {
        double s = 0;
        for (auto k = p.col_first[j]; k < p.col_first[j + 1]; ++k) s += lambda[p.col_rows[k]];
        profit[j] = s;
    }
    for (int it = 0; it < iterations && mu > 1e-4; ++it) {
        std::iota(order.begin(), order.end(), 0u);
        std::nth_element(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(n - 1), order.end(),
                         [&](std::uint32_t a, std::uint32_t b) { return profit[a] > profit[b] || (profit[a] == profit[b] && a < b); });
        double value = 0, covered = 0;
        std::fill(count.begin(), count.end(), 0u);
        for (std::size_t k = 0; k < n; ++k) {
            const std::uint32_t j = order[k];
            value += profit[j];
            for (auto q = p.col_first[j]; q < p.col_first[j + 1]; ++q) ++count[p.col_rows[q]];
        }
        double norm = 0;
        for (std::size_t r = 0; r < nr; ++r) {
            const bool y = p.weight[r] - lambda[r] > 0;
            if (y) value += p.weight[r] - lambda[r];
            if (count[r]) covered += p.weight[r];
            g[r] = static_cast<double>(count[r]) - (y ? 1.0 : 0.0);
            norm += g[r] * g[r];
        }
        if (covered > out.best_covered) {
            out.best_covered = covered;
            out.best.assign(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(n));
        }
        lower = std::max(lower, covered);
        if (value < out.bound - 1e-9 * std::max(1.0, value)) stale = 0;
        else if (++stale >= 15) mu /= 2, stale = 0;
        out.bound = std::min(out.bound, value);
        if (norm == 0 || out.bound - lower <= 1e-9 * std::max(1.0, lower)) break;
        // The columns' profits follow the multipliers that move, row by row.
        const double step = mu * (value - lower) / norm;
        for (std::size_t r = 0; r < nr; ++r) {
            if (g[r] == 0) continue;
            const double moved = std::max(0.0, lambda[r] - step * g[r]) - lambda[r];
            if (moved == 0) continue;
            lambda[r] += moved;
            for (auto k = p.row_first[r]; k < p.row_first[r + 1]; ++k) profit[p.row_cols[k]] += moved;
        }
    }
    return out;
}

void rank_by_gain(const reduced_problem& p, const std::vector<std::uint32_t>& chosen, siting_result& r) {
    cover_state state(p);
    std::vector<std::uint32_t> left(chosen);
    r.selected.clear();
    r.gain.clear();
    while (!left.empty()) {
        std::size_t best = 0;
        double best_gain = -1;
        for (std::size_t k = 0; k < left.size(); ++k) {
            const double g = state.gain(left[k]);
            if (g > best_gain || (g == best_gain && left[k] < left[best])) best_gain = g, best = k;
        }
        state.open(left[best]);
        r.selected.push_back(left[best]);
        r.gain.push_back(best_gain);
        left.erase(left.begin() + static_cast<std::ptrdiff_t>(best));
    }
    r.covered = p.base + state.covered();
}

}  // namespace healthreach::opt::detail
