#pragma once
// Demand points merged into rows, and the local search on those rows that the covering models share:
// greedy, swaps, perturbation, the Lagrangian bound and ranking. Internal header: not installed.
#include "healthreach/opt/coverage_matrix.hpp"
#include "healthreach/opt/siting.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <queue>
#include <utility>
#include <vector>

namespace healthreach::opt::detail {

// The matrix by demand point: per point, the candidates covering it in increasing order and, when
// asked for, their costs. include: per point, 1 = listed (empty: every point).
struct point_lists {
    std::vector<std::uint64_t> first;  // point i's entries: first[i] .. first[i + 1] - 1
    std::vector<std::uint32_t> candidate;
    std::vector<double> cost;          // empty unless with_costs
};
point_lists by_point(const coverage_matrix& m, const std::vector<std::uint8_t>& include, bool with_costs);

// Demand points merged into rows when the same candidates cover them (and their tag agrees); a row
// weighs its points' people. Both directions as flat compressed lists.
struct reduced_problem {
    std::size_t candidates = 0;
    std::vector<double> weight;                 // per row: people
    std::vector<int> tag;                       // per row: its points' tag
    std::vector<std::uint64_t> col_first{0};    // candidate -> rows, increasing
    std::vector<std::uint32_t> col_rows;
    std::vector<std::uint64_t> row_first{0};    // row -> candidates, increasing
    std::vector<std::uint32_t> row_cols;
    std::vector<std::int64_t> row_of_point;     // -1: left out, or no candidate covers the point
    double base = 0;                            // people the existing facilities cover (reduce() only)

    std::size_t rows() const { return weight.size(); }
    double total() const {
        double s = base;
        for (double w : weight) s += w;
        return s;
    }
};

// Rows of the points `include` marks (per point, 1 = in); tag: per point, or empty for none.
reduced_problem group_points(const coverage_matrix& m, const std::vector<std::uint8_t>& include, const std::vector<int>& tag);

// The part of the problem new sites can change: populated points not yet covered that some candidate
// covers; base is the people the existing facilities cover.
reduced_problem reduce(const coverage_matrix& m);

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

// Lazy greedy: adds the candidate of largest marginal gain until stop(sites chosen, people covered).
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
                 const std::vector<std::uint32_t>& pool = {});

// Iterated local search from `chosen` (covering `covered`), improving both in place.
void perturb_search(const reduced_problem& p, std::vector<std::uint32_t>& chosen, double& covered, int rounds);

// Lagrangian relaxation of max-cover with n sites: a bound and the best feasible set met on the way.
struct lagrangian_outcome {
    double bound = std::numeric_limits<double>::infinity();  // over the rows (p.base excluded)
    std::vector<std::uint32_t> best;
    double best_covered = -1;
};
lagrangian_outcome lagrangian_max_cover(const reduced_problem& p, std::size_t n, double lower, int iterations);

// r.selected, r.gain: the chosen sites in greedy order of marginal gain among themselves; r.covered.
void rank_by_gain(const reduced_problem& p, const std::vector<std::uint32_t>& chosen, siting_result& r);

}  // namespace healthreach::opt::detail
