#include "healthreach/geo/network_points.hpp"
#include "healthreach/threads.hpp"

namespace healthreach::geo {

bool along_edge::cost(edge_id e, double a, double b, double& cost, double& other) const {
    if (dir == direction::to_facility) std::swap(a, b);
    const double len = net.edge_length_m[e];
    const double d = std::abs(b - a);
    double time;
    if (b >= a) {
        time = len > 0 ? net.edge_time_s[e] * d / len : 0;
    } else {
        if (!net.reverse_open(e)) return false;
        time = len > 0 ? net.edge_reverse_time_s[e] * d / len : 0;
    }
    cost = m == metric::length ? d : time;
    other = m == metric::length ? time : d;
    return true;
}

void site_seeds(const network& net, metric m, direction d, edge_id e, double offset, double start_cost,
                double start_other, std::uint32_t label, std::vector<seed>& out) {
    const along_edge along{net, m, d};
    double c = 0, o = 0;
    if (along.cost(e, offset, net.edge_length_m[e], c, o))
        out.push_back({net.edge_target[e], start_cost + c, label, start_other + o});
    if (along.cost(e, offset, 0, c, o)) out.push_back({net.edge_source[e], start_cost + c, label, start_other + o});
}

std::vector<snap_result> snap_all(const snapper& snap, const double* x, const double* y, std::size_t n, unsigned threads,
                                  double within) {
    std::vector<snap_result> out(n);
    threads = std::max(1u, threads);
    auto work = [&](unsigned t) {
        for (std::size_t p = t; p < n; p += threads) out[p] = snap.nearest(x[p], y[p], within);
    };
    run_on_threads(threads, work);
    return out;
}

network_points::network_points(const network& net, const snapper& snap, const double* x, const double* y,
                               std::size_t n, double snap_limit_m, metric m, direction d, double leg_speed_mps,
                               unsigned threads)
    : network_points(net, snap_all(snap, x, y, n, threads), snap_limit_m, m, d, leg_speed_mps) {}

network_points::network_points(const network& net, const std::vector<snap_result>& snaps, double snap_limit_m, metric m,
                               direction d, double leg_speed_mps)
    : direction_(d), edge_(snaps.size(), invalid_id), offset_(snaps.size(), 0), snap_(snaps.size(), 0),
      leg_cost_(snaps.size(), 0), leg_other_(snaps.size(), 0) {
    const std::size_t n = snaps.size();
    for (std::size_t p = 0; p < n; ++p) {
        const snap_result& r = snaps[p];
        snap_[p] = r.distance_m;
        if (r.edge == invalid_id || r.distance_m > snap_limit_m) continue;
        edge_[p] = r.edge;
        offset_[p] = r.offset_m;
        const double leg_time = r.distance_m / leg_speed_mps;
        leg_cost_[p] = m == metric::length ? r.distance_m : leg_time;
        leg_other_[p] = m == metric::length ? leg_time : r.distance_m;
    }

    // Node index: a point on edge e hangs on each end of e from which (from_facility) or towards
    // which (to_facility) the edge can be travelled to or from the point: both ends where the edge is
    // open both ways, else one (and both where the point sits on that end).
    const along_edge along{net, m, d};
    first_.assign(net.node_count() + 1, 0);
    edge_first_.assign(net.edge_count() + 1, 0);
    double c = 0, o = 0;
    for (std::size_t p = 0; p < n; ++p) {
        const edge_id e = edge_[p];
        if (e == invalid_id) continue;
        if (along.cost(e, 0, offset_[p], c, o)) ++first_[net.edge_source[e] + 1];
        if (along.cost(e, net.edge_length_m[e], offset_[p], c, o)) ++first_[net.edge_target[e] + 1];
        ++edge_first_[e + 1];
    }
    for (std::size_t v = 0; v < net.node_count(); ++v) first_[v + 1] += first_[v];
    for (std::size_t e = 0; e < net.edge_count(); ++e) edge_first_[e + 1] += edge_first_[e];
    attached_.resize(first_.back());
    on_edge_.resize(edge_first_.back());
    std::vector<std::uint64_t> fill(first_.begin(), first_.end() - 1), efill(edge_first_.begin(), edge_first_.end() - 1);
    for (std::size_t p = 0; p < n; ++p) {
        const edge_id e = edge_[p];
        if (e == invalid_id) continue;
        const auto pt = static_cast<std::uint32_t>(p);
        if (along.cost(e, 0, offset_[p], c, o)) attached_[fill[net.edge_source[e]]++] = {pt, c, o};
        if (along.cost(e, net.edge_length_m[e], offset_[p], c, o)) attached_[fill[net.edge_target[e]]++] = {pt, c, o};
        on_edge_[efill[e]++] = pt;
    }
}

}  // namespace healthreach::geo
