#include "healthreach/geo/coverage.hpp"
#include "healthreach/threads.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace healthreach::geo {

namespace {

constexpr double inf = std::numeric_limits<double>::infinity();

// Sites by the edge they sit on, for the points they reach along their own edge without a node.
class sites_by_edge {
public:
    explicit sites_by_edge(const std::vector<site>& sites) {
        for (std::uint32_t s = 0; s < sites.size(); ++s) entries_.push_back({sites[s].edge, s});
        std::sort(entries_.begin(), entries_.end());
    }
    template <class F>
    void each(edge_id e, F f) const {
        auto it = std::lower_bound(entries_.begin(), entries_.end(), std::pair<edge_id, std::uint32_t>{e, 0});
        for (; it != entries_.end() && it->first == e; ++it) f(it->second);
    }

private:
    std::vector<std::pair<edge_id, std::uint32_t>> entries_;
};

// The points must hang on the nodes in the direction the router searches.
void require_same_direction(const router& r, const network_points& pts) {
    if (r.cost_direction() != pts.cost_direction())
        throw std::invalid_argument(std::string("coverage: a router searching ") + direction_name(r.cost_direction()) +
                                    " with points priced " + direction_name(pts.cost_direction()));
}

}  // namespace

nearest_result nearest_sites(const network& net, const router& r, const network_points& pts,
                             const std::vector<site>& sites) {
    require_same_direction(r, pts);
    const metric m = r.cost_metric();
    const direction dir = r.cost_direction();
    std::vector<seed> seeds;
    for (std::uint32_t s = 0; s < sites.size(); ++s)
        site_seeds(net, m, dir, sites[s].edge, sites[s].offset_m, sites[s].start_cost, sites[s].start_other, s, seeds);
    bounded_search search(r);
    search.run(seeds, inf);

    const along_edge along{net, m, dir};
    const sites_by_edge on_edge(sites);
    nearest_result out;
    out.site.assign(pts.size(), invalid_id);
    out.cost.assign(pts.size(), inf);
    out.other.assign(pts.size(), inf);
    for (std::uint32_t p = 0; p < pts.size(); ++p) {
        if (!pts.on_network(p)) continue;
        const edge_id e = pts.edge(p);
        priced best{inf, inf, invalid_id};
        auto consider = [&](double cost, double other, std::uint32_t label) {
            // Ties go to the lower site index, so the answer does not depend on search order.
            if (cost < best.cost || (cost == best.cost && label < best.label)) best = {cost, other, label};
        };
        double c = 0, o = 0;
        const node_id s = net.edge_source[e], t = net.edge_target[e];
        if (search.reached(s) && along.cost(e, 0, pts.offset_m(p), c, o))
            consider(search.cost(s) + c, search.other(s) + o, search.label(s));
        if (search.reached(t) && along.cost(e, net.edge_length_m[e], pts.offset_m(p), c, o))
            consider(search.cost(t) + c, search.other(t) + o, search.label(t));
        on_edge.each(e, [&](std::uint32_t f) {
            if (along.cost(e, sites[f].offset_m, pts.offset_m(p), c, o))
                consider(sites[f].start_cost + c, sites[f].start_other + o, f);
        });
        if (best.label == invalid_id) continue;
        out.site[p] = best.label;
        out.cost[p] = best.cost + pts.leg_cost(p);
        out.other[p] = best.other + pts.leg_other(p);
    }
    return out;
}

std::vector<std::vector<reached_point>> points_within_limits(const network& net, const router& r,
                                                             const network_points& pts, const std::vector<site>& sites,
                                                             const std::vector<double>& limit_of, double max_limit,
                                                             unsigned threads) {
    require_same_direction(r, pts);
    std::vector<std::vector<reached_point>> out(sites.size());
    const metric m = r.cost_metric();
    const direction dir = r.cost_direction();
    const along_edge along{net, m, dir};
    threads = std::max(1u, std::min<unsigned>(threads, static_cast<unsigned>(sites.size())));
    auto work = [&](unsigned t) {
        bounded_search search(r);
        // The last site that took each point, and where: a point reached from both ends keeps the cheaper.
        std::vector<std::uint32_t> stamp(pts.size(), invalid_id), slot(pts.size());
        std::vector<seed> seeds;
        for (std::size_t f = t; f < sites.size(); f += threads) {
            const site& s = sites[f];
            const auto label = static_cast<std::uint32_t>(f);
            auto take = [&](std::uint32_t p, double cost) {
                if (limit_of[p] == no_limit) return;
                cost += pts.leg_cost(p);
                if (stamp[p] == label) {
                    reached_point& entry = out[f][slot[p]];
                    entry.cost = std::min(entry.cost, cost);
                } else if (cost <= limit_of[p]) {
                    stamp[p] = label;
                    slot[p] = static_cast<std::uint32_t>(out[f].size());
                    out[f].push_back({p, cost});
                }
            };
            seeds.clear();
            site_seeds(net, m, dir, s.edge, s.offset_m, s.start_cost, s.start_other, label, seeds);
            search.run(seeds, max_limit, false);
            const array_ref<node_id> settled = search.settled();
            for (std::size_t k = 0; k < settled.size(); ++k)
                for (auto a = pts.attached_begin(settled[k]); a != pts.attached_end(settled[k]); ++a)
                    take(a->point, search.settled_costs()[k] + a->cost);
            double c = 0, o = 0;
            for (auto p = pts.on_edge_begin(s.edge); p != pts.on_edge_end(s.edge); ++p)
                if (along.cost(s.edge, s.offset_m, pts.offset_m(*p), c, o)) take(*p, s.start_cost + c);
            std::sort(out[f].begin(), out[f].end(),
                      [](const reached_point& a, const reached_point& b) { return a.point < b.point; });
        }
    };
    if (!sites.empty()) run_on_threads(threads, work);
    return out;
}

}  // namespace healthreach::geo
