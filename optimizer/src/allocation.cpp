#include "healthreach/opt/allocation.hpp"

#include <ClpSimplex.hpp>
#include <CoinPackedMatrix.hpp>

#include <algorithm>
#include <stdexcept>

namespace healthreach::opt {

namespace {

// Phase 1 maximises the flow; phase 2 fixes it and minimises the cost. Columns are arcs; rows are
// sites (<= capacity), then points (<= demand), then, in phase 2, the total flow (>= phase 1's).
allocation_result solve(const allocation_problem& p, bool least_cost) {
    const int sites = static_cast<int>(p.capacity.size()), points = static_cast<int>(p.demand.size());
    const int n = static_cast<int>(p.arcs.size());
    std::vector<int> starts(n + 1), rows(2 * static_cast<std::size_t>(n));
    std::vector<double> values(2 * static_cast<std::size_t>(n), 1.0);
    for (int j = 0; j < n; ++j) {
        starts[j] = 2 * j;
        rows[2 * j] = static_cast<int>(p.arcs[j].site);
        rows[2 * j + 1] = sites + static_cast<int>(p.arcs[j].point);
    }
    starts[n] = 2 * n;
    const CoinPackedMatrix matrix(true, sites + points, n, 2 * n, values.data(), rows.data(), starts.data(), nullptr);
    std::vector<double> col_lo(n, 0.0), col_hi(n, COIN_DBL_MAX), row_lo(sites + points, -COIN_DBL_MAX), row_hi;
    row_hi.insert(row_hi.end(), p.capacity.begin(), p.capacity.end());
    row_hi.insert(row_hi.end(), p.demand.begin(), p.demand.end());
    std::vector<double> objective(n, -1.0);  // Clp minimises: -flow

    ClpSimplex lp;
    lp.setLogLevel(0);
    lp.messageHandler()->setLogLevel(0);
    lp.loadProblem(matrix, col_lo.data(), col_hi.data(), objective.data(), row_lo.data(), row_hi.data());
    lp.primal();
    if (!lp.isProvenOptimal()) throw std::runtime_error("capacity allocation: the flow LP did not solve");
    const double max_flow = -lp.objectiveValue();

    if (least_cost) {
        // Phase 2: keep (almost exactly) the maximum flow and minimise cost from the phase-1 basis.
        std::vector<int> all(n);
        for (int j = 0; j < n; ++j) all[j] = j;
        const std::vector<double> ones(n, 1.0);
        lp.addRow(n, all.data(), ones.data(), max_flow * (1 - 1e-12) - 1e-9, COIN_DBL_MAX);
        for (int j = 0; j < n; ++j) lp.setObjectiveCoefficient(j, p.arcs[j].cost);
        lp.primal(1);
        if (!lp.isProvenOptimal()) throw std::runtime_error("capacity allocation: the cost LP did not solve");
    }

    allocation_result r;
    r.flow.assign(lp.primalColumnSolution(), lp.primalColumnSolution() + n);
    r.site_used.assign(sites, 0.0);
    r.point_served.assign(points, 0.0);
    for (int j = 0; j < n; ++j) {
        const double f = std::max(0.0, r.flow[j]);
        r.flow[j] = f;
        r.site_used[p.arcs[j].site] += f;
        r.point_served[p.arcs[j].point] += f;
        r.served += f;
    }
    return r;
}

}  // namespace

allocation_result allocate_capacity(const allocation_problem& p, bool least_cost) {
    if (p.arcs.empty()) {
        allocation_result r;
        r.site_used.assign(p.capacity.size(), 0.0);
        r.point_served.assign(p.demand.size(), 0.0);
        return r;
    }
    return solve(p, least_cost);
}

}  // namespace healthreach::opt
