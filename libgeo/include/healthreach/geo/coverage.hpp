#pragma once
// Who reaches a service: nearest site and its cost for every point (one multi-source search), and
// the points each site reaches within their limits (one bounded search per site, in parallel).
// Costs run in the router's direction (from the site to the point, or from the point to the site);
// the points must be priced in the same direction.
#include "healthreach/geo/network_points.hpp"

#include <limits>
#include <vector>

namespace healthreach::geo {

// A site on the network: where it snaps, and the cost already spent when it starts (a delay).
struct site {
    edge_id edge;
    double offset_m;
    double start_cost = 0, start_other = 0;
};

constexpr double no_limit = -1;  // a point whose class has no limit: never covered

struct nearest_result {
    std::vector<std::uint32_t> site;  // invalid_id: off network (or no site reaches it)
    std::vector<double> cost, other;  // including the point's off-network leg
};

// Nearest site of every point of `pts` by the router's metric, with no bound.
nearest_result nearest_sites(const network& net, const router& r, const network_points& pts,
                             const std::vector<site>& sites);

// A point a site reaches within the point's limit, and the cost (off-network leg included).
struct reached_point {
    std::uint32_t point;
    double cost;
};

// For each site, the points with cost <= their own limit (limit_of[p], or no_limit), in point order.
// `max_limit` bounds the searches: the largest limit of any point.
std::vector<std::vector<reached_point>> points_within_limits(const network& net, const router& r,
                                                             const network_points& pts, const std::vector<site>& sites,
                                                             const std::vector<double>& limit_of, double max_limit,
                                                             unsigned threads);

}  // namespace healthreach::geo
