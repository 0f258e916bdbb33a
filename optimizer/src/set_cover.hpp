#pragma once
// Weighted set covering: every row of a reduced_problem covered by at least one open column, at the
// least total cost. Reductions, a Lagrangian relaxation of the covering rows with subgradient
// optimisation (Beasley 1990; the lower bound), a greedy guided by the multipliers with column fixing
// (the three phases of Caprara, Fischetti and Toth 1999), local search on every answer (redundant
// columns out, one column in for one or more out), and a row-weighting local search on the best
// (Gao, Weise and Li 2015). Deterministic: budgets are counted in steps and work, never in time.
// Internal header: not installed.
#include "reduced_problem.hpp"

#include <cstdint>
#include <vector>

namespace healthreach::opt::detail {

// Rows and columns numbered from 0, both directions as flat compressed lists.
struct set_cover_instance {
    std::vector<double> cost;                  // per column
    std::vector<std::uint32_t> column_of;      // per column: its candidate in the reduced_problem
    std::vector<std::uint64_t> col_first{0};   // column -> rows, increasing
    std::vector<std::uint32_t> col_rows;
    std::vector<std::uint64_t> row_first{0};   // row -> columns, increasing
    std::vector<std::uint32_t> row_cols;

    std::size_t rows() const { return row_first.size() - 1; }
    std::size_t columns() const { return cost.size(); }
};

// The reductions: columns forced by a row that only they cover, rows that contain another row's
// columns (covering the smaller covers them), columns whose rows another column at no greater cost
// covers, and columns dearer than the cheapest covers of their rows. An optimum of `core` with the
// forced columns is an optimum of the whole.
struct covering_reduction {
    std::vector<std::uint32_t> forced;  // candidates
    double forced_cost = 0;
    set_cover_instance core;
    bool integral_costs = true;         // every cost an integer: bounds round up
};
covering_reduction reduce_covering(const reduced_problem& p, const std::vector<double>& cost);

struct set_cover_effort {
    int first_iterations = 1500;  // subgradient steps without fixing (the bound comes from these)
    int fixed_iterations = 250;   // subgradient steps after each column fixing
    int rounds = 12;              // column-fixing rounds
    int heuristic_every = 10;     // greedy from the multipliers every so many steps
    long weighting_steps = 1000000;  // row-weighting local search on the best cover: at most so many steps
    double weighting_work = 1e9;     // and so many list entries visited (a deterministic time budget),
    double weighting_work_per_row = 1.5e5;  // or this many per row of the core when more
    double weighting_restart_after = 0.2;   // a run without a cheaper cover for this share of the work ends;
                                            // the next starts from the best with fresh weights, another seed
};

struct set_cover_outcome {
    std::vector<std::uint32_t> chosen;  // candidates, forced included
    double cost = 0;
    double bound = 0;                   // Lagrangian lower bound on the optimum's cost (rounded up for integer costs)
    std::vector<std::uint32_t> core_chosen;  // the same answer as core columns (forced left out)
};
set_cover_outcome lagrangian_set_cover(const covering_reduction& r, const set_cover_effort& effort = {});

}  // namespace healthreach::opt::detail
