#include "model_builder.hpp"

#include <CbcModel.hpp>
#include <ClpSimplex.hpp>
#include <OsiClpSolverInterface.hpp>

#include <algorithm>
#include <chrono>
#include <stdexcept>

namespace healthreach::opt::detail {

namespace {

// Rows over finished columns are appended to the matrix, so nothing may follow them.
void check_open(bool has_late_rows) {
    if (has_late_rows) throw std::logic_error("model_builder: a row or column after a row over finished columns");
}

}  // namespace

int model_builder::add_row(double lo, double hi) { return add_rows(1, lo, hi); }

int model_builder::add_rows(int count, double lo, double hi) {
    check_open(!late_rows_.empty());
    const int first = rows();
    row_lo_.insert(row_lo_.end(), static_cast<std::size_t>(count), lo);
    row_hi_.insert(row_hi_.end(), static_cast<std::size_t>(count), hi);
    return first;
}

int model_builder::add_row(const std::vector<int>& columns, const std::vector<double>& values, double lo, double hi) {
    const int row = rows();
    late_rows_.push_back({row, columns, values});
    row_lo_.push_back(lo);
    row_hi_.push_back(hi);
    return row;
}

int model_builder::add_column(double lo, double hi, double objective, bool integer) {
    check_open(!late_rows_.empty());
    col_start_.push_back(col_start_.back());
    col_lo_.push_back(lo);
    col_hi_.push_back(hi);
    objective_.push_back(objective);
    integer_.push_back(integer ? 1 : 0);
    return columns() - 1;
}

CoinPackedMatrix model_builder::matrix() const {
    const int base_rows = late_rows_.empty() ? rows() : late_rows_.front().row;
    CoinPackedMatrix m(true, base_rows, columns(), static_cast<CoinBigIndex>(entry_value_.size()), entry_value_.data(),
                       entry_row_.data(), col_start_.data(), nullptr);
    for (const late_row& r : late_rows_) m.appendRow(static_cast<int>(r.columns.size()), r.columns.data(), r.values.data());
    return m;
}

void model_builder::load(ClpSimplex& lp) const {
    lp.setLogLevel(0);
    lp.messageHandler()->setLogLevel(0);
    lp.loadProblem(matrix(), col_lo_.data(), col_hi_.data(), objective_.data(), row_lo_.data(), row_hi_.data());
}

std::optional<double> model_builder::solve_lp() const {
    ClpSimplex lp;
    load(lp);
    lp.dual();
    if (!lp.isProvenOptimal()) return std::nullopt;
    return lp.objectiveValue();
}

milp_result model_builder::solve_milp(double time_limit_s, const std::vector<double>* start, double start_value) const {
    const auto began = std::chrono::steady_clock::now();
    OsiClpSolverInterface solver;
    solver.messageHandler()->setLogLevel(0);
    solver.loadProblem(matrix(), col_lo_.data(), col_hi_.data(), objective_.data(), row_lo_.data(), row_hi_.data());
    for (int j = 0; j < columns(); ++j)
        if (integer_[j]) solver.setInteger(j);
    // CBC checks its limit between nodes only: the root's LP solves are not interrupted, and on a large
    // core they alone outlast a short budget (the lattice town's 9 s ran for 180 s on a loaded machine).
    // So the root LP is solved first under Clp's own clock, within a tenth of the budget; when it does
    // not finish, CBC does not start and neither a solution nor a bound comes back (the callers keep
    // their heuristic's), since an LP stopped part-way bounds nothing.
    ClpSimplex* lp = solver.getModelPtr();
    lp->setMaximumWallSeconds(0.1 * time_limit_s);
    solver.initialSolve();
    lp->setMaximumWallSeconds(-1);
    milp_result out;
    out.bound = -COIN_DBL_MAX;
    if (!solver.isProvenOptimal() && !solver.isProvenPrimalInfeasible()) return out;
    CbcModel model(solver);
    model.setLogLevel(0);
    model.messageHandler()->setLogLevel(0);
    model.solver()->messageHandler()->setLogLevel(0);
    // CBC counts CPU seconds by default: on a loaded machine a limit of 20 s then ran for minutes of
    // wall time. The callers' budgets (--time-limit less what the heuristic spent) are wall time.
    model.setUseElapsedTime(true);
    model.setMaximumSeconds(std::max(0.0, time_limit_s - std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count()));
    if (start) model.setBestSolution(start->data(), static_cast<int>(start->size()), start_value, true);
    model.branchAndBound();
    out.optimal = model.isProvenOptimal();
    out.infeasible = model.isProvenInfeasible();
    out.bound = model.getBestPossibleObjValue();
    if (const double* sol = model.bestSolution()) {
        out.solution.assign(sol, sol + model.getNumCols());
        out.objective = model.getObjValue();
    }
    return out;
}

double lp_bound(const model_builder& b, const std::string& model) {
    if (const std::optional<double> v = b.solve_lp()) return *v;
    throw std::runtime_error(model + ": the LP relaxation did not solve");
}

std::vector<std::uint32_t> ones_of(const std::vector<double>& solution, std::size_t n, std::size_t first) {
    std::vector<std::uint32_t> out;
    for (std::size_t j = 0; j < n && first + j < solution.size(); ++j)
        if (solution[first + j] > 0.5) out.push_back(static_cast<std::uint32_t>(j));
    return out;
}

}  // namespace healthreach::opt::detail
