#include "healthreach/opt/allocation.hpp"

#include "model_builder.hpp"

#include <ClpSimplex.hpp>

#include <algorithm>
#include <stdexcept>

namespace healthreach::opt {

namespace {

// Phase 1 maximises the flow; phase 2 fixes it and minimises the cost. Columns are arcs; rows are
// sites (<= capacity), then points (<= demand), then, in phase 2, the total flow (>= phase 1's).
allocation_result solve(const allocation_problem& p, bool least_cost) {
    const int sites = static_cast<int>(p.capacity.size()), points = static_cast<int>(p.demand.size());
    const int n = static_cast<int>(p.arcs.size());
    detail::model_builder model;
    for (double c : p.capacity) model.add_row(-COIN_DBL_MAX, c);
    for (double d : p.demand) model.add_row(-COIN_DBL_MAX, d);
    for (const allocation_problem::arc& a : p.arcs) {
        model.add_column(0.0, COIN_DBL_MAX, -1.0);  // Clp minimises: -flow
        model.add(static_cast<int>(a.site), 1.0);
        model.add(sites + static_cast<int>(a.point), 1.0);
    }
    ClpSimplex lp;
    model.load(lp);
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
