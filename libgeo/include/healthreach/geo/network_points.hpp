#pragma once
// Points hung on the network (demand, raster cells, facilities): where each snaps, its off-network
// leg, and an index by node so that a search prices every point from the nodes it settles.
#include "healthreach/geo/reach.hpp"
#include "healthreach/geo/snap.hpp"

#include <cstdint>
#include <limits>
#include <vector>

namespace healthreach::geo {

// Costs of one way to a point: in the search metric, and in the other metric along the same way.
struct priced {
    double cost, other;
    std::uint32_t label;
};

// The nearest network point of each of n points, snapped in parallel; `within` as snapper::nearest's.
std::vector<snap_result> snap_all(const snapper& snap, const double* x, const double* y, std::size_t n, unsigned threads,
                                  double within = std::numeric_limits<double>::infinity());

class network_points {
public:
    // Snaps every point (in parallel); points farther than snap_limit_m are off network. The leg from a
    // point to its snap point is priced at leg_speed_mps in time, at its length in distance. Costs
    // along edges run in direction `d` (see along_edge), as the router's searches do.
    network_points(const network& net, const snapper& snap, const double* x, const double* y, std::size_t n,
                   double snap_limit_m, metric m, direction d, double leg_speed_mps, unsigned threads);
    // From snaps already made: a point snapped once serves as demand and as a raster cell.
    network_points(const network& net, const std::vector<snap_result>& snaps, double snap_limit_m, metric m, direction d,
                   double leg_speed_mps);

    direction cost_direction() const { return direction_; }

    std::size_t size() const { return edge_.size(); }
    bool on_network(std::uint32_t p) const { return edge_[p] != invalid_id; }
    edge_id edge(std::uint32_t p) const { return edge_[p]; }
    double offset_m(std::uint32_t p) const { return offset_[p]; }
    double snap_m(std::uint32_t p) const { return snap_[p]; }
    double leg_cost(std::uint32_t p) const { return leg_cost_[p]; }
    double leg_other(std::uint32_t p) const { return leg_other_[p]; }
    // What snapping gave, as far as this set keeps it: the edge and offset on the network, the
    // distance always (the snap point's coordinates are not kept).
    snap_result snapped(std::uint32_t p) const {
        snap_result r;
        r.edge = edge_[p];
        r.offset_m = offset_[p];
        r.distance_m = snap_[p];
        return r;
    }

    // Points hung on node v along one of its edges, with the cost between v and the snap point in the
    // points' direction (from v to the point, or from the point to v).
    struct attachment {
        std::uint32_t point;
        double cost, other;
    };
    const attachment* attached_begin(node_id v) const { return attached_.data() + first_[v]; }
    const attachment* attached_end(node_id v) const { return attached_.data() + first_[v + 1]; }
    // Points snapped onto edge e.
    const std::uint32_t* on_edge_begin(edge_id e) const { return on_edge_.data() + edge_first_[e]; }
    const std::uint32_t* on_edge_end(edge_id e) const { return on_edge_.data() + edge_first_[e + 1]; }

private:
    direction direction_;
    std::vector<edge_id> edge_;
    std::vector<double> offset_, snap_, leg_cost_, leg_other_;
    std::vector<std::uint64_t> first_;  // per node, into attached_
    std::vector<attachment> attached_;
    std::vector<std::uint64_t> edge_first_;
    std::vector<std::uint32_t> on_edge_;
};

// Costs along an edge between two offsets, in the search metric and the other one.
struct along_edge {
    const network& net;
    metric m;
    direction dir = direction::from_facility;
    // Between offset a (the facility's side) and offset b (the people's side) on edge e: travel from
    // a to b from_facility, from b to a to_facility; false where the edge is closed that way.
    bool cost(edge_id e, double a, double b, double& cost, double& other) const;
};

// Search seeds of a site snapped at (e, offset) with a start cost (a delay), labelled `label`: the
// edge's ends with the cost between them and the site in direction `d`.
void site_seeds(const network& net, metric m, direction d, edge_id e, double offset, double start_cost,
                double start_other, std::uint32_t label, std::vector<seed>& out);

}  // namespace healthreach::geo
