#pragma once
// Capacity allocation: the largest population that sites can serve within their limits and
// capacities (a maximum flow; a demand point may be split between sites), and among such
// allocations the one of least total cost. Solved exactly as two linear programs (COIN-OR Clp).
#include <cstdint>
#include <vector>

namespace healthreach::opt {

struct allocation_problem {
    std::vector<double> capacity;  // per site, people
    std::vector<double> demand;    // per point, people
    struct arc {
        std::uint32_t site, point;
        double cost;  // site -> point, within the point's limit
    };
    std::vector<arc> arcs;
};

struct allocation_result {
    double served = 0;
    std::vector<double> flow;          // per arc
    std::vector<double> site_used;     // per site
    std::vector<double> point_served;  // per point
};

// least_cost false: the maximum flow only (one LP), for callers that need the served total.
allocation_result allocate_capacity(const allocation_problem& problem, bool least_cost = true);

}  // namespace healthreach::opt
