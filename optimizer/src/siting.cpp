#include "healthreach/opt/siting.hpp"

#include <CbcModel.hpp>
#include <ClpSimplex.hpp>
#include <CoinPackedMatrix.hpp>
#include <OsiClpSolverInterface.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <future>
#include <map>
#include <optional>
#include <numeric>
#include <queue>
#include <stdexcept>
#include <unordered_map>

namespace healthreach::opt {

namespace {

// The part of the problem the new sites can change: demand points not yet covered that some
// candidate covers, merged when the same candidates cover them (their weights add up).
struct reduced_problem {
    std::size_t candidates = 0;
    std::vector<double> weight;                    // per row
    std::vector<std::uint64_t> col_first{0};       // candidate -> rows
    std::vector<std::uint32_t> col_rows;
    std::vector<std::uint64_t> row_first{0};       // row -> candidates
    std::vector<std::uint32_t> row_cols;
    double base = 0;                               // people the existing facilities cover

    std::size_t rows() const { return weight.size(); }
    double total() const {
        double s = base;
        for (double w : weight) s += w;
        return s;
    }
};

// Demand points merged into rows when the same candidates cover them and their `tag` agrees; a row
// weighs its points' people. Points `include` rejects, or that no candidate covers, get row -1.
struct point_rows {
    std::vector<double> weight;
    std::vector<int> tag;
    std::vector<std::vector<std::uint32_t>> columns;          // per row: candidates covering it
    std::vector<std::vector<std::uint32_t>> rows_of_column;   // per candidate
    std::vector<std::int64_t> row_of_point;
};

template <class Include, class Tag>
point_rows group_points(const coverage_matrix& m, Include include, Tag tag) {
    // Point -> candidates as CSR (candidates in increasing order): two passes, no per-point vectors.
    const std::size_t n = m.demand_count();
    std::vector<std::uint8_t> in(n);
    for (std::size_t i = 0; i < n; ++i) in[i] = include(i) ? 1 : 0;
    std::vector<std::uint64_t> first(n + 1, 0);
    for (std::int64_t j = 0; j < m.cost.outerSize(); ++j)
        for (coverage_matrix::sparse::InnerIterator it(m.cost, j); it; ++it)
            if (in[static_cast<std::size_t>(it.row())]) ++first[it.row() + 1];
    for (std::size_t i = 0; i < n; ++i) first[i + 1] += first[i];
    std::vector<std::uint32_t> cand(first.back());
    std::vector<std::uint64_t> fill(first.begin(), first.end() - 1);
    for (std::int64_t j = 0; j < m.cost.outerSize(); ++j)
        for (coverage_matrix::sparse::InnerIterator it(m.cost, j); it; ++it)
            if (in[static_cast<std::size_t>(it.row())]) cand[fill[it.row()]++] = static_cast<std::uint32_t>(j);

    point_rows out;
    out.rows_of_column.resize(m.candidate_count());
    out.row_of_point.assign(n, -1);
    // Rows found by a hash of (candidates, tag); equal hashes are told apart by comparing the lists.
    std::unordered_map<std::uint64_t, std::vector<std::uint32_t>> rows_of_hash;
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint32_t* begin = cand.data() + first[i];
        const std::uint32_t* end = cand.data() + first[i + 1];
        if (begin == end) continue;
        const int t = tag(i);
        std::uint64_t h = 0x9E3779B97F4A7C15ull ^ static_cast<std::uint64_t>(t);
        for (const std::uint32_t* c = begin; c != end; ++c) h = (h ^ *c) * 0x100000001B3ull, h ^= h >> 32;
        std::vector<std::uint32_t>& same_hash = rows_of_hash[h];
        std::int64_t row = -1;
        for (std::uint32_t r : same_hash)
            if (out.tag[r] == t && std::equal(begin, end, out.columns[r].begin(), out.columns[r].end())) {
                row = r;
                break;
            }
        if (row < 0) {
            row = static_cast<std::int64_t>(out.weight.size());
            same_hash.push_back(static_cast<std::uint32_t>(row));
            out.weight.push_back(0);
            out.tag.push_back(t);
            out.columns.emplace_back(begin, end);
            for (const std::uint32_t* c = begin; c != end; ++c) out.rows_of_column[*c].push_back(static_cast<std::uint32_t>(row));
        }
        out.weight[static_cast<std::size_t>(row)] += m.population[i];
        out.row_of_point[i] = row;
    }
    return out;
}

// Flattens per-row and per-column lists into the CSR arrays of a problem.
template <class Problem>
void flatten(const point_rows& rows, Problem& p) {
    for (const auto& cols : rows.rows_of_column) {
        p.col_rows.insert(p.col_rows.end(), cols.begin(), cols.end());
        p.col_first.push_back(p.col_rows.size());
    }
}

reduced_problem reduce(const coverage_matrix& m) {
    reduced_problem r;
    r.candidates = m.candidate_count();
    r.base = m.existing_population();
    const point_rows rows = group_points(
        m, [&](std::size_t i) { return !m.covered_by_existing[i] && m.population[i] > 0; }, [](std::size_t) { return 0; });
    r.weight = rows.weight;
    for (const auto& cols : rows.columns) {
        r.row_cols.insert(r.row_cols.end(), cols.begin(), cols.end());
        r.row_first.push_back(r.row_cols.size());
    }
    flatten(rows, r);
    return r;
}

// Open sites and how many of them cover each row.
class cover_state {
public:
    explicit cover_state(const reduced_problem& p)
        : p_(p), count_(p.rows(), 0), open_(p.candidates, 0), owners_(p.rows(), 0) {}

    double gain(std::uint32_t j) const {
        double g = 0;
        for (auto k = p_.col_first[j]; k < p_.col_first[j + 1]; ++k)
            if (count_[p_.col_rows[k]] == 0) g += p_.weight[p_.col_rows[k]];
        return g;
    }
    double loss(std::uint32_t j) const {
        double l = 0;
        for (auto k = p_.col_first[j]; k < p_.col_first[j + 1]; ++k)
            if (count_[p_.col_rows[k]] == 1) l += p_.weight[p_.col_rows[k]];
        return l;
    }
    void open(std::uint32_t j) {
        open_[j] = 1;
        for (auto k = p_.col_first[j]; k < p_.col_first[j + 1]; ++k) {
            const std::uint32_t row = p_.col_rows[k];
            if (count_[row] == 0) covered_ += p_.weight[row];
            ++count_[row];
            owners_[row] += j;
        }
    }
    void close(std::uint32_t j) {
        open_[j] = 0;
        for (auto k = p_.col_first[j]; k < p_.col_first[j + 1]; ++k) {
            const std::uint32_t row = p_.col_rows[k];
            if (--count_[row] == 0) covered_ -= p_.weight[row];
            owners_[row] -= j;
        }
    }
    bool is_open(std::uint32_t j) const { return open_[j]; }
    std::uint32_t count(std::uint32_t row) const { return count_[row]; }
    double covered() const { return covered_; }
    // The one open site covering a row that exactly one covers.
    std::uint32_t sole(std::uint32_t row) const { return static_cast<std::uint32_t>(owners_[row]); }

private:
    const reduced_problem& p_;
    std::vector<std::uint32_t> count_;
    std::vector<std::uint8_t> open_;
    // Per row, the sum of the open sites' ids that cover it: the sole one's id when one covers it, found
    // without a scan of the row (Resende and Werneck's bookkeeping for fast swaps).
    std::vector<std::uint64_t> owners_;
    double covered_ = 0;
};

// Lazy greedy: adds the candidate of largest marginal gain until `stop` says enough.
template <class Stop>
std::vector<std::uint32_t> greedy(const reduced_problem& p, cover_state& state, Stop stop) {
    std::priority_queue<std::pair<double, std::int64_t>> heap;  // (gain, -candidate): ties to the lower id
    for (std::uint32_t j = 0; j < p.candidates; ++j)
        if (!state.is_open(j)) heap.push({state.gain(j), -static_cast<std::int64_t>(j)});
    std::vector<std::uint32_t> chosen;
    while (!heap.empty() && !stop(chosen.size(), state.covered())) {
        auto [g, neg] = heap.top();
        heap.pop();
        const auto j = static_cast<std::uint32_t>(-neg);
        const double fresh = state.gain(j);
        if (fresh < g - 1e-9 * std::max(1.0, g)) {
            heap.push({fresh, neg});
            continue;
        }
        state.open(j);
        chosen.push_back(j);
    }
    return chosen;
}

// Best-improvement swaps (close one open site, open one closed) until none gains.
// pool: the closed candidates to try (all of them when empty).
void swap_search(const reduced_problem& p, cover_state& state, std::vector<std::uint32_t>& chosen,
                 const std::vector<std::uint32_t>& pool = {}) {
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

// Random numbers for the perturbation searches: the same sequence on every platform.
struct splitmix64 {
    std::uint64_t state = 0x9E3779B97F4A7C15ull;
    std::uint64_t operator()() {
        std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
};

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
struct lagrangian_outcome {
    double bound = std::numeric_limits<double>::infinity();  // over the rows (p.base excluded)
    std::vector<std::uint32_t> best;
    double best_covered = -1;
};

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

// Ranks the chosen sites by greedy marginal gain among themselves.
void rank(const reduced_problem& p, const std::vector<std::uint32_t>& chosen, siting_result& r) {
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

// Columns: y_j (candidates), then z_r (rows covered). Rows: z_r - sum y_j <= 0 for every r, then the
// model's own row (sum y = N, or sum w z >= need).
struct model_matrix {
    CoinPackedMatrix matrix;
    std::vector<double> col_lo, col_hi, row_lo, row_hi, objective;
};

model_matrix build_model(const reduced_problem& p, bool max_cover, double sites_or_need, bool all_rows) {
    const int nc = static_cast<int>(p.candidates), nr = static_cast<int>(p.rows());
    model_matrix m;
    std::vector<int> starts, rows;
    std::vector<double> values;
    for (int j = 0; j < nc; ++j) {
        starts.push_back(static_cast<int>(rows.size()));
        for (auto k = p.col_first[j]; k < p.col_first[j + 1]; ++k) {
            rows.push_back(static_cast<int>(p.col_rows[k]));
            values.push_back(-1.0);
        }
        if (max_cover) {
            rows.push_back(nr);
            values.push_back(1.0);
        }
    }
    for (int r = 0; r < nr; ++r) {
        starts.push_back(static_cast<int>(rows.size()));
        rows.push_back(r);
        values.push_back(1.0);
        if (!max_cover) {
            rows.push_back(nr);
            values.push_back(p.weight[r]);
        }
    }
    starts.push_back(static_cast<int>(rows.size()));
    m.matrix = CoinPackedMatrix(true, nr + 1, nc + nr, static_cast<int>(values.size()), values.data(), rows.data(),
                                starts.data(), nullptr);
    m.col_lo.assign(nc + nr, 0.0);
    m.col_hi.assign(nc + nr, 1.0);
    if (all_rows)
        for (int r = 0; r < nr; ++r) m.col_lo[nc + r] = 1.0;
    m.row_lo.assign(nr, -COIN_DBL_MAX);
    m.row_hi.assign(nr, 0.0);
    m.row_lo.push_back(sites_or_need);
    m.row_hi.push_back(max_cover ? sites_or_need : COIN_DBL_MAX);
    m.objective.assign(nc + nr, 0.0);
    for (int j = 0; j < nc; ++j) m.objective[j] = max_cover ? 0.0 : 1.0;
    for (int r = 0; r < nr; ++r) m.objective[nc + r] = max_cover ? -p.weight[r] : 0.0;
    return m;
}

// The LP relaxation's optimum (in the model's minimisation form).
double lp_bound(const model_matrix& m) {
    ClpSimplex lp;
    lp.setLogLevel(0);
    lp.messageHandler()->setLogLevel(0);
    lp.loadProblem(m.matrix, m.col_lo.data(), m.col_hi.data(), m.objective.data(), m.row_lo.data(), m.row_hi.data());
    lp.dual();
    if (!lp.isProvenOptimal()) throw std::runtime_error("siting: the LP relaxation did not solve");
    return lp.objectiveValue();
}

// A silent CBC solve of a model whose columns first_integer .. + integers are integer, under a time
// limit, optionally started from a known solution.
struct cbc_outcome {
    std::vector<double> solution;  // empty when CBC found none
    double objective = 0, bound = 0;  // minimisation form
    bool optimal = false, infeasible = false;
};

cbc_outcome run_cbc(const model_matrix& m, int integers, double time_limit, const std::vector<double>* start = nullptr,
                    double start_value = 0, int first_integer = 0) {
    OsiClpSolverInterface solver;
    solver.messageHandler()->setLogLevel(0);
    solver.loadProblem(m.matrix, m.col_lo.data(), m.col_hi.data(), m.objective.data(), m.row_lo.data(), m.row_hi.data());
    for (int j = 0; j < integers; ++j) solver.setInteger(first_integer + j);
    CbcModel model(solver);
    model.setLogLevel(0);
    model.messageHandler()->setLogLevel(0);
    model.solver()->messageHandler()->setLogLevel(0);
    model.setMaximumSeconds(time_limit);
    if (start) model.setBestSolution(start->data(), static_cast<int>(start->size()), start_value, true);
    model.branchAndBound();
    cbc_outcome out;
    out.optimal = model.isProvenOptimal();
    out.infeasible = model.isProvenInfeasible();
    out.bound = model.getBestPossibleObjValue();
    if (const double* sol = model.bestSolution()) {
        out.solution.assign(sol, sol + model.getNumCols());
        out.objective = model.getObjValue();
    }
    return out;
}

// Columns first .. first + n - 1 set to 1 in a solution, numbered from 0.
std::vector<std::uint32_t> ones_of(const std::vector<double>& solution, std::size_t n, std::size_t first = 0) {
    std::vector<std::uint32_t> out;
    for (std::size_t j = 0; j < n && first + j < solution.size(); ++j)
        if (solution[first + j] > 0.5) out.push_back(static_cast<std::uint32_t>(j));
    return out;
}

struct milp_outcome {
    std::vector<std::uint32_t> chosen;
    double bound;  // minimisation form
    bool optimal;
};

milp_outcome solve_milp(const reduced_problem& p, const model_matrix& m, const std::vector<std::uint32_t>& start,
                        double time_limit) {
    // The heuristic answer starts the search as its incumbent.
    std::vector<double> x(p.candidates + p.rows(), 0.0);
    cover_state st(p);
    for (std::uint32_t j : start) {
        x[j] = 1;
        st.open(j);
    }
    double value = 0;
    for (std::size_t r = 0; r < p.rows(); ++r) {
        x[p.candidates + r] = st.count(static_cast<std::uint32_t>(r)) > 0 ? 1 : 0;
        value += m.objective[p.candidates + r] * x[p.candidates + r];
    }
    for (std::size_t j = 0; j < p.candidates; ++j) value += m.objective[j] * x[j];
    const cbc_outcome c = run_cbc(m, static_cast<int>(p.candidates), time_limit, &x, value);
    return {ones_of(c.solution, p.candidates), c.bound, c.optimal};
}

double gap_of(double objective, double bound) { return std::abs(bound - objective) / std::max(std::abs(objective), 1.0); }

void say(const siting_options& o, const std::string& message) {
    if (o.progress) o.progress(message);
}

// The vehicle model's rows: demand points merged when the same columns cover them.
struct vehicle_problem {
    std::size_t columns = 0;
    std::vector<double> weight, base;              // per row: people, vehicles already covering
    std::vector<std::uint64_t> col_first{0};
    std::vector<std::uint32_t> col_rows;
};

vehicle_problem reduce_vehicles(const coverage_matrix& m, const std::vector<double>& base_vehicles) {
    vehicle_problem p;
    p.columns = m.candidate_count();
    const point_rows rows = group_points(m, [&](std::size_t i) { return m.population[i] > 0; }, [](std::size_t) { return 0; });
    p.weight = rows.weight;
    for (const auto& cols : rows.columns) {
        double b = 0;
        for (std::uint32_t j : cols) b += base_vehicles[j];
        p.base.push_back(b);
    }
    flatten(rows, p);
    return p;
}

// Expected people covered when rows hold k vehicles.
double expected_value(const vehicle_problem& p, const std::vector<double>& k, double q) {
    double v = 0;
    for (std::size_t r = 0; r < p.weight.size(); ++r) v += p.weight[r] * (1 - std::pow(q, k[r]));
    return v;
}

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
        : m_(m), e_(existing_cost), existing_(static_cast<std::uint32_t>(m.candidate_count())), open_(m.candidate_count(), 0) {
        // Row-wise pairs: demand -> (candidate, cost).
        const std::size_t n = m.demand_count();
        row_first_.assign(n + 1, 0);
        for (std::int64_t j = 0; j < m.cost.outerSize(); ++j)
            for (coverage_matrix::sparse::InnerIterator it(m.cost, j); it; ++it) ++row_first_[it.row() + 1];
        for (std::size_t i = 0; i < n; ++i) row_first_[i + 1] += row_first_[i];
        row_pairs_.resize(row_first_.back());
        std::vector<std::uint64_t> fill(row_first_.begin(), row_first_.end() - 1);
        for (std::int64_t j = 0; j < m.cost.outerSize(); ++j)
            for (coverage_matrix::sparse::InnerIterator it(m.cost, j); it; ++it)
                row_pairs_[fill[it.row()]++] = {static_cast<std::uint32_t>(j), it.value()};
    }
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
            for (auto k = row_first_[i]; k < row_first_[i + 1]; ++k) {
                const auto& [j, c] = row_pairs_[k];
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
    // The (candidate, cost) pairs of demand point i.
    const std::pair<std::uint32_t, double>* row_begin(std::size_t i) const { return row_pairs_.data() + row_first_[i]; }
    const std::pair<std::uint32_t, double>* row_end(std::size_t i) const { return row_pairs_.data() + row_first_[i + 1]; }
    bool is_open(std::uint32_t j) const { return open_[j]; }

private:
    const coverage_matrix& m_;
    const std::vector<double>& e_;
    std::uint32_t existing_;
    std::vector<std::uint8_t> open_;
    std::vector<std::uint64_t> row_first_;
    std::vector<std::pair<std::uint32_t, double>> row_pairs_;
    assignment a_;
};

}  // namespace

siting_result min_distance(const coverage_matrix& m, const std::vector<double>& e, const siting_options& o) {
    const std::size_t nc = m.candidate_count(), nd = m.demand_count();
    if (o.sites < 0 || static_cast<std::size_t>(o.sites) > nc)
        throw std::invalid_argument("min-distance: " + std::to_string(o.sites) + " sites asked of " + std::to_string(nc) +
                                    " candidates");
    for (std::size_t i = 0; i < nd; ++i)
        if (m.population[i] > 0 && !std::isfinite(e[i]) && o.sites == 0)
            throw std::invalid_argument("min-distance: no site can serve every point with 0 new sites");
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
        // Points without people keep lambda 0 and add nothing.
        for (std::int64_t j = 0; j < m.cost.outerSize(); ++j) {
            double sum = 0;
            for (coverage_matrix::sparse::InnerIterator it(m.cost, j); it; ++it)
                sum += std::min(0.0, m.population[it.row()] * it.value() - lambda[it.row()]);
            rho[j] = sum;
        }
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
                        for (auto pr = st.row_begin(i); pr != st.row_end(i); ++pr)
                            if (!in_set[pr->first] && pr->second < best) best = pr->second, c = pr->first;
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
        // Columns: y_j, then x_ij per stored pair, then z_i (served by the existing facilities).
        say(o, "min-distance: exact MILP (CBC)");
        std::vector<int> starts, rows;
        std::vector<double> values, obj, lo, hi;
        const int pair_row0 = static_cast<int>(nd);  // rows: one per point, one per pair, then sum y = p
        const int pairs = static_cast<int>(m.cost.nonZeros());
        int pair = 0;
        std::vector<std::vector<int>> pairs_of(nc);
        for (std::int64_t j = 0; j < m.cost.outerSize(); ++j)
            for (coverage_matrix::sparse::InnerIterator it(m.cost, j); it; ++it) pairs_of[j].push_back(pair++);
        for (std::size_t j = 0; j < nc; ++j) {
            starts.push_back(static_cast<int>(rows.size()));
            for (int q : pairs_of[j]) rows.push_back(pair_row0 + q), values.push_back(-1.0);
            rows.push_back(pair_row0 + pairs), values.push_back(1.0);
            obj.push_back(0), lo.push_back(0), hi.push_back(1);
        }
        pair = 0;
        for (std::int64_t j = 0; j < m.cost.outerSize(); ++j)
            for (coverage_matrix::sparse::InnerIterator it(m.cost, j); it; ++it, ++pair) {
                starts.push_back(static_cast<int>(rows.size()));
                rows.push_back(static_cast<int>(it.row())), values.push_back(1.0);
                rows.push_back(pair_row0 + pair), values.push_back(1.0);
                obj.push_back(m.population[it.row()] * it.value()), lo.push_back(0), hi.push_back(1);
            }
        for (std::size_t i = 0; i < nd; ++i) {
            starts.push_back(static_cast<int>(rows.size()));
            rows.push_back(static_cast<int>(i)), values.push_back(1.0);
            const bool existing = std::isfinite(e[i]);
            obj.push_back(existing ? m.population[i] * e[i] : 0), lo.push_back(0), hi.push_back(existing ? 1 : 0);
        }
        starts.push_back(static_cast<int>(rows.size()));
        model_matrix mm;
        mm.matrix = CoinPackedMatrix(true, pair_row0 + pairs + 1, static_cast<int>(obj.size()), static_cast<int>(values.size()),
                                     values.data(), rows.data(), starts.data(), nullptr);
        mm.col_lo = lo, mm.col_hi = hi, mm.objective = obj;
        for (std::size_t i = 0; i < nd; ++i) {
            const double need = m.population[i] > 0 ? 1.0 : 0.0;
            mm.row_lo.push_back(need), mm.row_hi.push_back(m.population[i] > 0 ? 1.0 : COIN_DBL_MAX);
        }
        for (int q = 0; q < pairs; ++q) mm.row_lo.push_back(-COIN_DBL_MAX), mm.row_hi.push_back(0);
        mm.row_lo.push_back(o.sites), mm.row_hi.push_back(o.sites);
        const cbc_outcome c = run_cbc(mm, static_cast<int>(nc), o.time_limit_s);
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

namespace {

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
    model_matrix model(double t) const {
        const std::vector<std::uint32_t> need = needy(t);
        std::vector<int> row_of(m.demand_count(), -1);
        for (std::size_t k = 0; k < need.size(); ++k) row_of[need[k]] = static_cast<int>(k);
        std::vector<int> starts, rows;
        std::vector<double> values;
        for (std::int64_t j = 0; j < m.cost.outerSize(); ++j) {
            starts.push_back(static_cast<int>(rows.size()));
            for (coverage_matrix::sparse::InnerIterator it(m.cost, j); it; ++it)
                if (row_of[it.row()] >= 0 && it.value() <= t) rows.push_back(row_of[it.row()]), values.push_back(1.0);
        }
        starts.push_back(static_cast<int>(rows.size()));
        model_matrix mm;
        const int nc = static_cast<int>(m.candidate_count());
        mm.matrix = CoinPackedMatrix(true, static_cast<int>(need.size()), nc, static_cast<int>(values.size()), values.data(),
                                     rows.data(), starts.data(), nullptr);
        mm.col_lo.assign(nc, 0.0);
        mm.col_hi.assign(nc, 1.0);
        mm.objective.assign(nc, 1.0);
        mm.row_lo.assign(need.size(), 1.0);
        mm.row_hi.assign(need.size(), COIN_DBL_MAX);
        return mm;
    }
    // LP optimum, +inf when some needy point has no site within T.
    double lp(double t) const {
        const model_matrix mm = model(t);
        ClpSimplex lp;
        lp.setLogLevel(0);
        lp.messageHandler()->setLogLevel(0);
        lp.loadProblem(mm.matrix, mm.col_lo.data(), mm.col_hi.data(), mm.objective.data(), mm.row_lo.data(), mm.row_hi.data());
        lp.dual();
        return lp.isProvenOptimal() ? lp.objectiveValue() : std::numeric_limits<double>::infinity();
    }
    // An exact cover with at most `limit` sites, if one exists (CBC).
    std::optional<std::vector<std::uint32_t>> exact(double t, std::size_t limit, double seconds, bool& proven) const {
        const cbc_outcome c = run_cbc(model(t), static_cast<int>(m.candidate_count()), seconds);
        proven = proven && (c.optimal || c.infeasible);
        if (c.solution.empty() || c.objective > limit + 0.5) return std::nullopt;
        return ones_of(c.solution, m.candidate_count());
    }
};

}  // namespace

siting_result min_max(const coverage_matrix& m, const std::vector<double>& e, const siting_options& o) {
    const std::size_t nc = m.candidate_count(), p = static_cast<std::size_t>(std::max(0, o.sites));
    if (o.sites < 0 || p > nc)
        throw std::invalid_argument("min-max: " + std::to_string(o.sites) + " sites asked of " + std::to_string(nc) + " candidates");
    // Every candidate answer is one of these costs.
    std::vector<double> levels;
    for (std::size_t i = 0; i < m.demand_count(); ++i)
        if (m.population[i] > 0 && std::isfinite(e[i])) levels.push_back(e[i]);
    for (std::int64_t j = 0; j < m.cost.outerSize(); ++j)
        for (coverage_matrix::sparse::InnerIterator it(m.cost, j); it; ++it)
            if (m.population[it.row()] > 0) levels.push_back(it.value());
    std::sort(levels.begin(), levels.end());
    levels.erase(std::unique(levels.begin(), levels.end()), levels.end());
    if (levels.empty()) throw std::invalid_argument("min-max: no demand point can be served");
    const threshold_cover cover{m, e};
    // The heuristic: the smallest level a greedy cover reaches with p sites (binary search).
    std::size_t lo = 0, hi = levels.size() - 1;
    std::vector<std::uint32_t> chosen;
    if (auto all = cover.greedy(levels[hi], p)) chosen = *all;
    else throw std::invalid_argument("min-max: " + std::to_string(p) + " sites cannot serve every demand point");
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

siting_result expected_cover(const coverage_matrix& m, const std::vector<double>& base_vehicles, const siting_options& o) {
    if (o.vehicles < 0) throw std::invalid_argument("expected: vehicles must be >= 0");
    if (!(o.busy_fraction >= 0) || !(o.busy_fraction < 1)) throw std::invalid_argument("expected: busy fraction must be in [0, 1)");
    if (m.candidate_count() == 0) throw std::invalid_argument("expected: no site to place vehicles at");
    const vehicle_problem p = reduce_vehicles(m, base_vehicles);
    const double q = o.busy_fraction;
    std::vector<double> k(p.base);
    std::vector<int> added(p.columns, 0);
    auto gain = [&](std::uint32_t j) {  // one more vehicle at column j
        double g = 0;
        for (auto e = p.col_first[j]; e < p.col_first[j + 1]; ++e) g += p.weight[p.col_rows[e]] * (1 - q) * std::pow(q, k[p.col_rows[e]]);
        return g;
    };
    auto add = [&](std::uint32_t j, int n) {
        added[j] += n;
        for (auto e = p.col_first[j]; e < p.col_first[j + 1]; ++e) k[p.col_rows[e]] += n;
    };
    say(o, "expected: " + std::to_string(p.columns) + " sites, " + std::to_string(p.weight.size()) + " demand classes");
    // Greedy: the objective is concave in each row's vehicles, so marginal gains only fall.
    for (int v = 0; v < o.vehicles; ++v) {
        std::uint32_t best = 0;
        double best_gain = -1;
        for (std::uint32_t j = 0; j < p.columns; ++j)
            if (const double g = gain(j); g > best_gain) best_gain = g, best = j;
        add(best, 1);
    }
    // Moves: one new vehicle from one site to another while the expected coverage grows.
    for (bool moved = true; moved;) {
        moved = false;
        const double now = expected_value(p, k, q);
        std::uint32_t from = 0, to = 0;
        double best = now + 1e-9 * std::max(1.0, now);
        for (std::uint32_t a = 0; a < p.columns; ++a) {
            if (added[a] == 0) continue;
            add(a, -1);
            const double without = expected_value(p, k, q);
            for (std::uint32_t b = 0; b < p.columns; ++b) {
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
    const int nc = static_cast<int>(p.columns), nr = static_cast<int>(p.weight.size());
    std::vector<int> levels(nr);
    for (int r = 0; r < nr; ++r) levels[r] = static_cast<int>(std::ceil(p.base[r])) + o.vehicles;
    std::vector<int> starts, rows;
    std::vector<double> values, objective, col_lo, col_hi;
    std::vector<std::vector<std::uint32_t>> rows_of(nc);
    for (int j = 0; j < nc; ++j) {
        starts.push_back(static_cast<int>(rows.size()));
        for (auto e = p.col_first[j]; e < p.col_first[j + 1]; ++e) {
            rows.push_back(static_cast<int>(p.col_rows[e]));
            values.push_back(-1.0);
        }
        rows.push_back(nr);
        values.push_back(1.0);
        objective.push_back(0);
        col_lo.push_back(0);
        col_hi.push_back(o.vehicles);
    }
    for (int r = 0; r < nr; ++r)
        for (int level = 1; level <= levels[r]; ++level) {
            starts.push_back(static_cast<int>(rows.size()));
            rows.push_back(r);
            values.push_back(1.0);
            objective.push_back(-p.weight[r] * (1 - q) * std::pow(q, level - 1));
            col_lo.push_back(0);
            col_hi.push_back(1);
        }
    starts.push_back(static_cast<int>(rows.size()));
    model_matrix mm;
    mm.matrix = CoinPackedMatrix(true, nr + 1, static_cast<int>(objective.size()), static_cast<int>(values.size()),
                                 values.data(), rows.data(), starts.data(), nullptr);
    mm.col_lo = col_lo;
    mm.col_hi = col_hi;
    mm.objective = objective;
    for (int r = 0; r < nr; ++r) mm.row_lo.push_back(-COIN_DBL_MAX), mm.row_hi.push_back(p.base[r]);
    mm.row_lo.push_back(o.vehicles);
    mm.row_hi.push_back(o.vehicles);
    siting_result res;
    res.solver = "greedy+move";
    double bound = -lp_bound(mm);
    const std::size_t size = static_cast<std::size_t>(nc) * std::max(1, nr);
    if (o.exact || size < o.exact_below) {
        say(o, "expected: exact MILP (CBC)");
        const cbc_outcome c = run_cbc(mm, nc, o.time_limit_s);
        bound = std::min(bound, -c.bound);
        if (!c.solution.empty()) {
            const double* sol = c.solution.data();
            std::vector<double> kk(p.base);
            std::vector<int> alt(p.columns, 0);
            for (int j = 0; j < nc; ++j) {
                alt[j] = static_cast<int>(std::lround(sol[j]));
                for (auto e = p.col_first[j]; e < p.col_first[j + 1]; ++e) kk[p.col_rows[e]] += alt[j];
            }
            if (expected_value(p, kk, q) > expected_value(p, k, q)) k = kk, added = alt;
        }
        res.solver = c.optimal ? "cbc" : "cbc (time limit)";
    }
    for (std::uint32_t j = 0; j < p.columns; ++j)
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

siting_result max_cover(const coverage_matrix& m, const siting_options& o) {
    if (o.sites < 0 || static_cast<std::size_t>(o.sites) > m.candidate_count())
        throw std::invalid_argument("max-cover: " + std::to_string(o.sites) + " sites asked of " +
                                    std::to_string(m.candidate_count()) + " candidates");
    const reduced_problem p = reduce(m);
    say(o, "max-cover: " + std::to_string(p.candidates) + " candidates, " + std::to_string(p.rows()) + " demand classes");
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
    std::optional<model_matrix> model;
    if (milp || gap_of(p.base + covered, bound) > o.polish_above_gap) {
        model = build_model(p, true, o.sites, false);
        bound = std::min(bound, p.base - lp_bound(*model));
    }
    if (milp || gap_of(p.base + covered, bound) > o.polish_above_gap) {
        say(o, "max-cover: exact MILP (CBC)");
        const milp_outcome exact = solve_milp(p, *model, chosen, o.time_limit_s);
        cover_state check(p);
        for (std::uint32_t j : exact.chosen) check.open(j);
        if (exact.chosen.size() == static_cast<std::size_t>(o.sites) && check.covered() >= covered) chosen = exact.chosen;
        bound = std::min(bound, p.base - exact.bound);
        r.solver = exact.optimal ? "cbc" : "cbc (time limit)";
    }
    rank(p, chosen, r);
    r.objective = r.covered;
    r.bound = std::max(bound, r.covered);  // numerical noise never puts the bound on the wrong side
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
    const std::size_t nc = m.candidate_count();
    auto existing_of = [&](std::size_t i) { return std::min<int>(existing_count[i], 2); };
    const point_rows grouped = group_points(m, [&](std::size_t i) { return m.population[i] > 0; }, existing_of);
    const std::vector<double>& w = grouped.weight;
    const std::vector<int>& ex = grouped.tag;
    const std::vector<std::vector<std::uint32_t>>& rows_of_col = grouped.rows_of_column;
    double once_base = 0, twice_base = 0;  // points no candidate reaches
    for (std::size_t i = 0; i < m.demand_count(); ++i) {
        if (m.population[i] <= 0 || grouped.row_of_point[i] >= 0) continue;
        once_base += existing_of(i) >= 1 ? m.population[i] : 0;
        twice_base += existing_of(i) >= 2 ? m.population[i] : 0;
    }
    const std::size_t nr = w.size();
    std::vector<int> count(ex);
    std::vector<std::uint8_t> open(nc, 0);
    std::vector<std::uint32_t> chosen = first.selected;
    auto apply = [&](std::uint32_t j, int d) {
        open[j] = d > 0;
        for (std::uint32_t r : rows_of_col[j]) count[r] += d;
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
            for (std::uint32_t r : rows_of_col[s]) {
                if (count[r] == 0) lost_once += w[r];
                else if (count[r] == 1) lost_twice += w[r];
            }
            for (std::uint32_t c = 0; c < nc; ++c) {
                if (open[c] || c == s) continue;
                double gained_once = 0, gained_twice = 0;
                for (std::uint32_t r : rows_of_col[c]) {
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
    // Phase-2 model: columns y_j, u_r, v_r; rows u_r + v_r - sum y <= ex_r, v_r - u_r <= 0, sum w u >= keep, sum y = N.
    std::vector<int> starts, rows;
    std::vector<double> values, obj, lo, hi;
    const int R = static_cast<int>(nr);
    for (std::size_t j = 0; j < nc; ++j) {
        starts.push_back(static_cast<int>(rows.size()));
        for (std::uint32_t r : rows_of_col[j]) rows.push_back(static_cast<int>(r)), values.push_back(-1.0);
        rows.push_back(2 * R + 1), values.push_back(1.0);
        obj.push_back(0), lo.push_back(0), hi.push_back(1);
    }
    for (int r = 0; r < R; ++r) {  // u_r
        starts.push_back(static_cast<int>(rows.size()));
        rows.push_back(r), values.push_back(1.0);
        rows.push_back(R + r), values.push_back(-1.0);
        rows.push_back(2 * R), values.push_back(w[r]);
        obj.push_back(0), lo.push_back(0), hi.push_back(1);
    }
    for (int r = 0; r < R; ++r) {  // v_r
        starts.push_back(static_cast<int>(rows.size()));
        rows.push_back(r), values.push_back(1.0);
        rows.push_back(R + r), values.push_back(1.0);
        obj.push_back(-w[r]), lo.push_back(0), hi.push_back(1);
    }
    starts.push_back(static_cast<int>(rows.size()));
    model_matrix mm;
    mm.matrix = CoinPackedMatrix(true, 2 * R + 2, static_cast<int>(obj.size()), static_cast<int>(values.size()), values.data(),
                                 rows.data(), starts.data(), nullptr);
    mm.col_lo = lo, mm.col_hi = hi, mm.objective = obj;
    for (int r = 0; r < R; ++r) mm.row_lo.push_back(-COIN_DBL_MAX), mm.row_hi.push_back(ex[r]);
    for (int r = 0; r < R; ++r) mm.row_lo.push_back(-COIN_DBL_MAX), mm.row_hi.push_back(0);
    mm.row_lo.push_back(keep - once_base - eps), mm.row_hi.push_back(COIN_DBL_MAX);
    mm.row_lo.push_back(o.sites), mm.row_hi.push_back(o.sites);
    siting_result r;
    r.solver = first.solver + ", then swaps";
    double bound = twice_base - lp_bound(mm);
    if (o.exact || nc * std::max<std::size_t>(nr, 1) < o.exact_below) {
        say(o, "backup: exact MILP (CBC)");
        const cbc_outcome c = run_cbc(mm, static_cast<int>(nc), o.time_limit_s);
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

siting_result sub_centres(const coverage_matrix& m, const std::vector<int>& group_of, int lo, int hi, const siting_options& o) {
    const reduced_problem p = reduce(m);
    const std::size_t nc = p.candidates, n = static_cast<std::size_t>(std::max(0, o.sites));
    if (n > nc) throw std::invalid_argument("sub-centres: " + std::to_string(n) + " sites asked of " + std::to_string(nc) + " candidates");
    int groups = 0;
    for (int g : group_of) groups = std::max(groups, g + 1);
    std::vector<int> in_group(groups, 0), available(groups, 0);
    for (int g : group_of)
        if (g >= 0) ++available[g];
    auto can_add = [&](std::uint32_t j) { return group_of[j] < 0 || in_group[group_of[j]] < hi; };
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
    // First one per county (best counties first), then the best remaining within the county maximum.
    for (bool again = true; again && chosen.size() < n;) {
        again = false;
        const std::int64_t j = best_of([&](std::uint32_t c) { return group_of[c] >= 0 && in_group[group_of[c]] < lo; });
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
                const bool leaves_short = gs >= 0 && gs != gc && in_group[gs] - 1 < std::min(lo, available[gs]);
                const bool overfills = gc >= 0 && gs != gc && in_group[gc] + 1 > hi;
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
    model_matrix model = build_model(p, true, static_cast<double>(chosen.size()), false);
    for (int g = 0; g < groups; ++g) {
        std::vector<int> idx;
        std::vector<double> ones;
        for (std::uint32_t j = 0; j < nc; ++j)
            if (group_of[j] == g) idx.push_back(static_cast<int>(j)), ones.push_back(1.0);
        if (idx.empty()) continue;
        model.matrix.appendRow(static_cast<int>(idx.size()), idx.data(), ones.data());
        model.row_lo.push_back(std::min(lo, available[g]));
        model.row_hi.push_back(hi);
    }
    double bound = p.base - lp_bound(model);
    if (o.exact || nc * std::max<std::size_t>(p.rows(), 1) < o.exact_below ||
        gap_of(p.base + state.covered(), bound) > o.polish_above_gap) {
        say(o, "sub-centres: exact MILP (CBC)");
        const milp_outcome exact = solve_milp(p, model, chosen, o.time_limit_s);
        cover_state check(p);
        for (std::uint32_t j : exact.chosen) check.open(j);
        if (exact.chosen.size() == chosen.size() && check.covered() >= state.covered()) chosen = exact.chosen;
        bound = std::min(bound, p.base - exact.bound);
        r.solver = exact.optimal ? "cbc" : "cbc (time limit)";
    }
    rank(p, chosen, r);
    r.objective = r.covered;
    r.bound = std::max(bound, r.covered);
    r.gap = gap_of(r.objective, r.bound);
    return r;
}

siting_result capacitated_max_cover(const coverage_matrix& m, const std::vector<double>& cap,
                                    const allocation_problem& existing, const siting_options& o) {
    const std::size_t nc = m.candidate_count(), n = static_cast<std::size_t>(std::max(0, o.sites));
    if (n > nc) throw std::invalid_argument("max-cover: " + std::to_string(n) + " sites asked of " + std::to_string(nc) + " candidates");
    const std::uint32_t ne = static_cast<std::uint32_t>(existing.capacity.size());
    // People served by the existing sites and the open candidates.
    auto serve = [&](const std::vector<std::uint32_t>& open) {
        allocation_problem p = existing;
        p.demand = m.population;
        for (std::size_t k = 0; k < open.size(); ++k) {
            p.capacity.push_back(cap[open[k]]);
            for (coverage_matrix::sparse::InnerIterator it(m.cost, open[k]); it; ++it)
                if (m.population[it.row()] > 0)
                    p.arcs.push_back({ne + static_cast<std::uint32_t>(k), static_cast<std::uint32_t>(it.row()), it.value()});
        }
        return allocate_capacity(p, false);
    };
    // Greedy on an optimistic gain (capacity, or the unserved people in reach), each step re-solved.
    std::vector<std::uint32_t> chosen;
    allocation_result now = serve(chosen);
    auto estimate = [&](std::uint32_t j, const allocation_result& a) {
        double free = 0;
        for (coverage_matrix::sparse::InnerIterator it(m.cost, j); it; ++it) free += std::max(0.0, m.population[it.row()] - a.point_served[it.row()]);
        return std::min(cap[j], free);
    };
    std::vector<std::uint8_t> open(nc, 0);
    for (std::size_t step = 0; step < n; ++step) {
        std::uint32_t best = 0;
        double best_gain = -1;
        for (std::uint32_t j = 0; j < nc; ++j) {
            if (open[j]) continue;
            if (const double g = estimate(j, now); g > best_gain) best_gain = g, best = j;
        }
        open[best] = 1;
        chosen.push_back(best);
        now = serve(chosen);
    }
    // One round of replacements: each site against the best estimate without it.
    for (std::size_t k = 0; k < chosen.size(); ++k) {
        std::vector<std::uint32_t> without(chosen);
        without.erase(without.begin() + static_cast<std::ptrdiff_t>(k));
        const allocation_result base = serve(without);
        std::uint32_t best = chosen[k];
        double best_gain = -1;
        for (std::uint32_t j = 0; j < nc; ++j) {
            if (open[j] && j != chosen[k]) continue;
            if (const double g = estimate(j, base); g > best_gain) best_gain = g, best = j;
        }
        if (best == chosen[k]) continue;
        without.insert(without.begin() + static_cast<std::ptrdiff_t>(k), best);
        const allocation_result trial = serve(without);
        if (trial.served > now.served + 1e-9 * std::max(1.0, now.served)) {
            open[chosen[k]] = 0, open[best] = 1;
            chosen = without;
            now = trial;
        }
    }
    // Bound and exact model: x per candidate arc, x per existing arc, then y_j. Rows: points
    // (sum x <= w), candidates (sum x - K y <= 0), existing sites (sum x <= K), sum y = N, and with few
    // arcs x_ij - w_i y_j <= 0.
    std::vector<int> starts, rows;
    std::vector<double> values, obj, lo, hi;
    const int np = static_cast<int>(m.demand_count()), ncand = static_cast<int>(nc);
    // With few arcs, x_ij <= w_i y_j per arc as well: a much tighter relaxation.
    std::size_t arcs = 0;
    for (int j = 0; j < ncand; ++j)
        for (coverage_matrix::sparse::InnerIterator it(m.cost, j); it; ++it) arcs += m.population[it.row()] > 0;
    const bool strong = arcs <= 300000;
    const int link_row0 = np + ncand + static_cast<int>(ne) + 1;
    int link = 0;
    std::vector<std::vector<std::pair<int, double>>> links_of_y(ncand);
    for (int j = 0; j < ncand; ++j)
        for (coverage_matrix::sparse::InnerIterator it(m.cost, j); it; ++it) {
            if (m.population[it.row()] <= 0) continue;
            starts.push_back(static_cast<int>(rows.size()));
            rows.push_back(static_cast<int>(it.row())), values.push_back(1.0);
            rows.push_back(np + j), values.push_back(1.0);
            if (strong) {
                rows.push_back(link_row0 + link), values.push_back(1.0);
                links_of_y[j].push_back({link_row0 + link, -m.population[it.row()]});
                ++link;
            }
            obj.push_back(-1.0), lo.push_back(0), hi.push_back(COIN_DBL_MAX);
        }
    for (const auto& arc : existing.arcs) {
        if (m.population[arc.point] <= 0) continue;
        starts.push_back(static_cast<int>(rows.size()));
        rows.push_back(static_cast<int>(arc.point)), values.push_back(1.0);
        rows.push_back(np + ncand + static_cast<int>(arc.site)), values.push_back(1.0);
        obj.push_back(-1.0), lo.push_back(0), hi.push_back(COIN_DBL_MAX);
    }
    // The y columns come last: their link rows are known only once the arcs are numbered.
    for (int j = 0; j < ncand; ++j) {
        starts.push_back(static_cast<int>(rows.size()));
        rows.push_back(np + j), values.push_back(-cap[j]);
        rows.push_back(np + ncand + static_cast<int>(ne)), values.push_back(1.0);
        for (const auto& [row, v] : links_of_y[j]) rows.push_back(row), values.push_back(v);
        obj.push_back(0), lo.push_back(0), hi.push_back(1);
    }
    starts.push_back(static_cast<int>(rows.size()));
    model_matrix mm;
    mm.matrix = CoinPackedMatrix(true, link_row0 + link, static_cast<int>(obj.size()),
                                 static_cast<int>(values.size()), values.data(), rows.data(), starts.data(), nullptr);
    mm.col_lo = lo, mm.col_hi = hi, mm.objective = obj;
    for (int i = 0; i < np; ++i) mm.row_lo.push_back(-COIN_DBL_MAX), mm.row_hi.push_back(m.population[i]);
    for (int j = 0; j < ncand; ++j) mm.row_lo.push_back(-COIN_DBL_MAX), mm.row_hi.push_back(0);
    for (std::uint32_t e = 0; e < ne; ++e) mm.row_lo.push_back(-COIN_DBL_MAX), mm.row_hi.push_back(existing.capacity[e]);
    mm.row_lo.push_back(static_cast<double>(n)), mm.row_hi.push_back(static_cast<double>(n));
    for (int k = 0; k < link; ++k) mm.row_lo.push_back(-COIN_DBL_MAX), mm.row_hi.push_back(0);
    siting_result r;
    r.solver = "greedy+replace";
    double bound = -lp_bound(mm);
    if (o.exact || nc * m.demand_count() < o.exact_below) {
        say(o, "max-cover (capacitated): exact MILP (CBC)");
        const int y0 = static_cast<int>(obj.size()) - ncand;
        const cbc_outcome c = run_cbc(mm, ncand, o.time_limit_s, nullptr, 0, y0);
        bound = std::min(bound, -c.bound);
        if (!c.solution.empty()) {
            const std::vector<std::uint32_t> alt = ones_of(c.solution, nc, static_cast<std::size_t>(y0));
            const allocation_result trial = serve(alt);
            if (alt.size() == n && trial.served > now.served) chosen = alt, now = trial;
        }
        r.solver = c.optimal ? "cbc" : "cbc (time limit)";
    }
    // Ranks in the order chosen; each site's gain is what removing it would lose.
    for (std::size_t k = 0; k < chosen.size(); ++k) {
        std::vector<std::uint32_t> without(chosen);
        without.erase(without.begin() + static_cast<std::ptrdiff_t>(k));
        r.gain.push_back(now.served - serve(without).served);
    }
    r.selected = chosen;
    r.covered = now.served;
    r.objective = now.served;
    r.bound = std::max(bound, now.served);
    r.gap = gap_of(r.objective, r.bound);
    return r;
}

siting_result cover_all(const coverage_matrix& m, const siting_options& o) {
    if (!(o.target > 0) || o.target > 1) throw std::invalid_argument("cover-all: target must be in (0, 1]");
    const reduced_problem p = reduce(m);
    const double goal = o.target * p.total();
    const double need = std::max(0.0, goal - p.base);
    const double eps = 1e-9 * std::max(1.0, goal);
    say(o, "cover-all: " + std::to_string(p.candidates) + " candidates, " + std::to_string(p.rows()) + " demand classes");
    cover_state state(p);
    std::vector<std::uint32_t> chosen = greedy(p, state, [&](std::size_t, double covered) { return covered >= need - eps; });
    // Drop sites the target does not need, least useful first.
    for (bool dropped = true; dropped;) {
        dropped = false;
        std::sort(chosen.begin(), chosen.end(), [&](std::uint32_t a, std::uint32_t b) { return state.loss(a) < state.loss(b); });
        for (std::size_t k = 0; k < chosen.size(); ++k)
            if (state.covered() - state.loss(chosen[k]) >= need - eps) {
                state.close(chosen[k]);
                chosen.erase(chosen.begin() + static_cast<std::ptrdiff_t>(k));
                dropped = true;
                break;
            }
    }
    siting_result r;
    r.solver = "greedy+drop";
    const bool all_rows = o.target >= 1;
    const model_matrix model = build_model(p, false, need - eps, all_rows);
    double bound = std::ceil(lp_bound(model) - 1e-6);
    if (o.exact || p.candidates * std::max<std::size_t>(p.rows(), 1) < o.exact_below ||
        gap_of(static_cast<double>(chosen.size()), bound) > o.polish_above_gap) {
        say(o, "cover-all: exact MILP (CBC)");
        const milp_outcome exact = solve_milp(p, model, chosen, o.time_limit_s);
        cover_state check(p);
        for (std::uint32_t j : exact.chosen) check.open(j);
        if (!exact.chosen.empty() && exact.chosen.size() <= chosen.size() && check.covered() >= need - eps) chosen = exact.chosen;
        bound = std::max(bound, std::ceil(exact.bound - 1e-6));
        r.solver = exact.optimal ? "cbc" : "cbc (time limit)";
    }
    rank(p, chosen, r);
    r.objective = static_cast<double>(chosen.size());
    r.bound = std::min(bound, r.objective);
    r.gap = gap_of(r.objective, r.bound);
    return r;
}

}  // namespace healthreach::opt
