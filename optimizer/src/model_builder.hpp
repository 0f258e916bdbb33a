#pragma once
// The one way models reach COIN-OR: every LP and MILP of the optimizer is assembled here column by
// column (compressed sparse columns, the order Clp and CBC take them in) and solved here, silently.
// Internal header: not installed.
#include <CoinFinite.hpp>
#include <CoinPackedMatrix.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

class ClpSimplex;

namespace healthreach::opt::detail {

// A CBC run, in the model's minimisation form.
struct milp_result {
    std::vector<double> solution;     // empty when CBC found none
    double objective = 0, bound = 0;  // the incumbent's value; the best possible value (-COIN_DBL_MAX
                                      // when the root LP did not solve within a tenth of the time limit)
    bool optimal = false, infeasible = false;
};

// A minimisation model. Rows are declared first (their order is the matrix' row order); each column
// then lists its coefficients in the rows it meets, in the order given, for that order is the one the
// solvers see and their pivots follow. Rows over finished columns come last of all.
class model_builder {
public:
    // Rows with bounds [lo, hi] (-COIN_DBL_MAX, COIN_DBL_MAX: none); the index of the (first) row.
    int add_row(double lo, double hi);
    int add_rows(int count, double lo, double hi);
    // A row over columns already added: its coefficients follow each column's own. No row or column
    // may be added after it.
    int add_row(const std::vector<int>& columns, const std::vector<double>& values, double lo, double hi);

    // Starts a column; add() then gives its coefficients. The index of the column.
    int add_column(double lo, double hi, double objective, bool integer = false);
    void add(int row, double value) {
        entry_row_.push_back(row);
        entry_value_.push_back(value);
        col_start_.back() = static_cast<CoinBigIndex>(entry_row_.size());
    }
    void set_bounds(int column, double lo, double hi) { col_lo_[column] = lo, col_hi_[column] = hi; }

    int rows() const { return static_cast<int>(row_lo_.size()); }
    int columns() const { return static_cast<int>(col_lo_.size()); }
    double objective(int column) const { return objective_[column]; }

    CoinPackedMatrix matrix() const;
    // Loads the model into a silent Clp, for callers that change and re-solve it from its basis.
    void load(ClpSimplex& lp) const;
    // The LP relaxation's optimum (dual simplex); none unless Clp proves it optimal.
    std::optional<double> solve_lp() const;
    // CBC under a time limit, started from `start` (value start_value) when given.
    milp_result solve_milp(double time_limit_s, const std::vector<double>* start = nullptr, double start_value = 0) const;

private:
    std::vector<CoinBigIndex> col_start_{0};
    std::vector<int> entry_row_;
    std::vector<double> entry_value_;
    std::vector<double> col_lo_, col_hi_, objective_, row_lo_, row_hi_;
    std::vector<std::uint8_t> integer_;
    struct late_row {
        int row;
        std::vector<int> columns;
        std::vector<double> values;
    };
    std::vector<late_row> late_rows_;
};

// The LP relaxation's optimum, for a bound. One that does not solve is the optimizer's failure, not
// the user's: std::runtime_error naming `model`.
double lp_bound(const model_builder& b, const std::string& model);

// The columns first .. first + n - 1 at 1 in a 0/1 solution, numbered from 0.
std::vector<std::uint32_t> ones_of(const std::vector<double>& solution, std::size_t n, std::size_t first = 0);

}  // namespace healthreach::opt::detail
