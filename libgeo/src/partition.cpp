#include "healthreach/geo/partition.hpp"

#include "healthreach/geo/analysis.hpp"
#include "healthreach/error.hpp"

#include <ogr_api.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>

namespace healthreach::geo {

namespace {

bool intersects(const OGREnvelope& a, const OGREnvelope& b) {
    return a.MinX <= b.MaxX && b.MinX <= a.MaxX && a.MinY <= b.MaxY && b.MinY <= a.MaxY;
}

// The edges of `net` whose geometry's envelope meets `box`, with their end nodes, in the order of
// `net` (so that ties between equal costs or equal snaps fall as in the whole network).
struct subnetwork {
    network net;
    std::vector<edge_id> edge_of;  // per edge of the whole network: its id here, invalid_id when absent
};

subnetwork extract(const network& whole, const std::vector<OGREnvelope>& edge_box, const OGREnvelope& box) {
    subnetwork sub;
    sub.net.srs = whole.srs;
    sub.net.classes = whole.classes;
    sub.edge_of.assign(whole.edge_count(), invalid_id);
    std::vector<node_id> node_of(whole.node_count(), invalid_id);
    for (edge_id e = 0; e < whole.edge_count(); ++e)
        if (intersects(edge_box[e], box)) {
            sub.edge_of[e] = 0;
            node_of[whole.edge_source[e]] = node_of[whole.edge_target[e]] = 0;
        }
    for (node_id v = 0; v < whole.node_count(); ++v) {
        if (node_of[v] == invalid_id) continue;
        node_of[v] = static_cast<node_id>(sub.net.node_x.size());
        sub.net.node_x.push_back(whole.node_x[v]);
        sub.net.node_y.push_back(whole.node_y[v]);
    }
    for (edge_id e = 0; e < whole.edge_count(); ++e) {
        if (sub.edge_of[e] == invalid_id) continue;
        sub.edge_of[e] = static_cast<edge_id>(sub.net.edge_count());
        const std::size_t b = whole.geom_first[e], n = whole.geom_first[e + 1] - b;
        sub.net.add_edge(node_of[whole.edge_source[e]], node_of[whole.edge_target[e]], whole.edge_length_m[e],
                         whole.edge_time_s[e], whole.edge_reverse_time_s[e], whole.edge_class[e], &whole.geom_x[b],
                         &whole.geom_y[b], n);
    }
    return sub;
}

// The points of one kind (demand or cells) of a part, their search results appended to `r`.
struct point_subset {
    const std::vector<std::uint32_t>& index;  // global indices
    std::vector<double> x, y, limit;
};

void search(const analysis& a, const network& net, const router& route, const std::vector<site>& sites,
            const std::vector<std::uint32_t>& site_label, const point_subset& pts, nearest_result& nearest,
            std::vector<std::uint32_t>& out_site, std::vector<std::uint32_t>& out_point, std::vector<double>& out_cost,
            const snapper& snap) {
    const analysis_options& o = a.options;
    const network_points on(net, snap, pts.x.data(), pts.y.data(), pts.index.size(), o.snap_limit_m, a.svc->cost_metric,
                            a.svc->cost_direction, a.rules.off_network_speed_kmh / 3.6, o.threads);
    nearest = nearest_sites(net, route, on, sites);
    for (std::uint32_t& s : nearest.site)
        if (s != invalid_id) s = site_label[s];
    const auto within = points_within_limits(net, route, on, sites, pts.limit, a.max_limit(), o.threads);
    for (std::size_t s = 0; s < within.size(); ++s)
        for (const reached_point& p : within[s]) {
            out_site.push_back(site_label[s]);
            out_point.push_back(pts.index[p.point]);
            out_cost.push_back(p.cost);
        }
}

}  // namespace

partition_plan plan_partition(const analysis& a, std::vector<double> cell_x, std::vector<double> cell_y,
                              const std::string& path, const std::string& layer, std::vector<std::string>& warnings) {
    partition_plan plan;
    const polygon_set parts = read_polygons(path, a.crs, layer, "");
    if (parts.size() == 0)
        throw input_error(path + (layer.empty() ? "" : " layer " + layer) + ": no polygon to partition by (--partition)");
    plan.path = path;
    plan.layer = parts.layer;
    plan.names = parts.name;
    plan.names.push_back("(outside every part)");
    plan.polygons = parts.size();
    // Overlapping parts: the first in layer order holds the people of both (polygon_locator's rule).
    // Shared borders intersect in slivers of rounding (1e-14 km2): below 1 m2 is no overlap.
    std::size_t pairs = 0;
    std::string named;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        OGREnvelope ei;
        parts.geometry[i]->getEnvelope(&ei);
        for (std::size_t j = i + 1; j < parts.size(); ++j) {
            OGREnvelope ej;
            parts.geometry[j]->getEnvelope(&ej);
            if (!ei.Intersects(ej) || !parts.geometry[i]->Intersects(parts.geometry[j].get())) continue;
            const std::unique_ptr<OGRGeometry> both(parts.geometry[i]->Intersection(parts.geometry[j].get()));
            const double m2 = both ? OGR_G_Area(OGRGeometry::ToHandle(both.get())) : 0;
            if (m2 < 1) continue;
            if (pairs++ < 3) {
                char area[32];
                std::snprintf(area, sizeof area, "%.3g", m2 / 1e6);
                named += std::string(named.empty() ? "" : "; ") + "'" + parts.name[i] + "' and '" + parts.name[j] + "' (" + area +
                         " km2): counted in '" + parts.name[i] + "'";
            }
        }
    }
    if (pairs)
        warnings.push_back("--partition " + path + ": " + std::to_string(pairs) + " pair(s) of parts overlap; the people and cells in "
                           "both are counted once, in the first part in layer order: " + named + (pairs > 3 ? "; ..." : ""));

    const polygon_locator where(parts);
    const std::size_t rest = parts.size();
    plan.demand.resize(rest + 1);
    plan.cells.resize(rest + 1);
    plan.extent.resize(rest + 1);
    for (std::size_t d = 0; d < a.demand_pop.size(); ++d) {
        const int u = where.find(a.demand_x[d], a.demand_y[d]);
        const std::size_t p = u < 0 ? rest : static_cast<std::size_t>(u);
        plan.demand[p].push_back(static_cast<std::uint32_t>(d));
        plan.extent[p].Merge(a.demand_x[d], a.demand_y[d]);
        if (u < 0) plan.remainder_people += a.demand_pop[d];
    }
    for (std::size_t c = 0; c < cell_x.size(); ++c) {
        const int u = where.find(cell_x[c], cell_y[c]);
        const std::size_t p = u < 0 ? rest : static_cast<std::size_t>(u);
        plan.cells[p].push_back(static_cast<std::uint32_t>(c));
        plan.extent[p].Merge(cell_x[c], cell_y[c]);
    }
    plan.cell_x = std::move(cell_x);
    plan.cell_y = std::move(cell_y);

    const network& net = a.built.net;
    plan.edge_box.resize(net.edge_count());
    for (edge_id e = 0; e < net.edge_count(); ++e) {
        OGREnvelope& box = plan.edge_box[e];
        for (std::uint64_t k = net.geom_first[e]; k < net.geom_first[e + 1]; ++k) box.Merge(net.geom_x[k], net.geom_y[k]);
        plan.network_box.Merge(box);
        if (a.svc->cost_metric != metric::time) continue;
        for (double t : {net.edge_time_s[e], net.edge_reverse_time_s[e]})
            if (t > 0) plan.metres_per_cost = std::max(plan.metres_per_cost, net.edge_length_m[e] / t);
            else if (t == 0 && net.edge_length_m[e] > 0) plan.metres_per_cost = std::numeric_limits<double>::infinity();
    }
    return plan;
}

part_result run_part(const analysis& a, const partition_plan& plan, std::size_t part) {
    const auto start = std::chrono::steady_clock::now();
    part_result r;
    r.part = static_cast<std::uint32_t>(part);
    point_subset demand{plan.demand.at(part), {}, {}, {}}, cells{plan.cells.at(part), {}, {}, {}};
    if (demand.index.empty() && cells.index.empty()) return r;
    for (std::uint32_t d : demand.index) {
        demand.x.push_back(a.demand_x[d]);
        demand.y.push_back(a.demand_y[d]);
        demand.limit.push_back(a.limit_of(a.demand_class[d]));
    }
    for (std::uint32_t c : cells.index) {
        cells.x.push_back(plan.cell_x[c]);
        cells.y.push_back(plan.cell_y[c]);
        cells.limit.push_back(a.limit_of(a.cell_class[c]));
    }
    const double snap_m = a.options.snap_limit_m;
    // Costs up to `exact_to` are exact for the part's points on the halo's network: every path that
    // cheap stays within the halo. A nearest facility found dearer (or none found) may lie beyond
    // it: then the halo widens to that cost (doubles when none was found) and the part runs again.
    double exact_to = std::max(0.0, a.max_limit());
    std::uint64_t widenings = 0;
    for (;;) {
        const double halo = std::max(exact_to * plan.metres_per_cost + snap_m, 1.0);
        OGREnvelope box = plan.extent[part];
        box.MinX -= halo, box.MinY -= halo, box.MaxX += halo, box.MaxY += halo;
        const bool whole = box.Contains(plan.network_box);
        const subnetwork sub = extract(a.built.net, plan.edge_box, box);
        std::vector<site> sites;
        std::vector<std::uint32_t> label;
        for (std::size_t s = 0; s < a.sites.size(); ++s) {
            const edge_id e = sub.edge_of[a.sites[s].edge];
            if (e == invalid_id) continue;
            site moved = a.sites[s];
            moved.edge = e;
            sites.push_back(moved);
            label.push_back(static_cast<std::uint32_t>(s));
        }
        const snapper snap(sub.net);
        const router route(sub.net, a.svc->cost_metric, a.svc->cost_direction);
        r = part_result{};
        r.part = static_cast<std::uint32_t>(part);
        search(a, sub.net, route, sites, label, demand, r.nearest, r.within_site, r.within_point, r.within_cost, snap);
        double needed = exact_to;
        bool unreached = false;
        for (std::size_t i = 0; i < demand.index.size(); ++i) {
            if (r.nearest.site[i] != invalid_id) needed = std::max(needed, r.nearest.cost[i]);
            // On the network yet reached by no site of the halo's network.
            else if (a.demand->on_network(demand.index[i])) unreached = true;
        }
        if (!whole && (needed > exact_to || unreached)) {
            exact_to = unreached ? std::max(needed, (2 * halo - snap_m) / plan.metres_per_cost) : needed;
            ++widenings;
            continue;
        }
        if (!cells.index.empty())
            search(a, sub.net, route, sites, label, cells, r.cell_nearest, r.cell_site, r.cell_point, r.cell_cost, snap);
        r.halo_m = halo;
        r.nodes = sub.net.node_count();
        r.edges = sub.net.edge_count();
        r.widenings = widenings;
        break;
    }
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return r;
}

std::vector<part_result> run_parts_here(const analysis& a, const partition_plan& plan) {
    std::vector<part_result> out;
    for (std::size_t p = 0; p < plan.names.size(); ++p) out.push_back(run_part(a, plan, p));
    return out;
}

namespace {

// Per site, the reached points of every part in point order (as one search over all points gives them).
std::vector<std::vector<reached_point>> merge_within(std::size_t sites, const std::vector<const part_result*>& parts, bool cells) {
    std::vector<std::vector<reached_point>> out(sites);
    for (const part_result* r : parts) {
        const auto& site = cells ? r->cell_site : r->within_site;
        const auto& point = cells ? r->cell_point : r->within_point;
        const auto& cost = cells ? r->cell_cost : r->within_cost;
        for (std::size_t k = 0; k < site.size(); ++k) {
            if (site[k] >= sites) throw std::runtime_error("partition: part " + std::to_string(r->part) + " names site " + std::to_string(site[k]));
            out[site[k]].push_back({point[k], cost[k]});
        }
    }
    for (auto& list : out)
        std::sort(list.begin(), list.end(), [](const reached_point& x, const reached_point& y) { return x.point < y.point; });
    return out;
}

void place(nearest_result& into, const nearest_result& part, const std::vector<std::uint32_t>& index, std::uint32_t p) {
    if (part.site.size() != index.size())
        throw std::runtime_error("partition: part " + std::to_string(p) + " returned " + std::to_string(part.site.size()) +
                                 " results for " + std::to_string(index.size()) + " points");
    for (std::size_t i = 0; i < index.size(); ++i) {
        into.site[index[i]] = part.site[i];
        into.cost[index[i]] = part.cost[i];
        into.other[index[i]] = part.other[i];
    }
}

}  // namespace

void merge_parts(analysis& a, const partition_plan& plan, const std::vector<part_result>& results) {
    const std::size_t parts = plan.names.size();
    std::vector<const part_result*> of(parts, nullptr);
    for (const part_result& r : results) {
        if (r.part >= parts || of[r.part]) throw std::runtime_error("partition: part " + std::to_string(r.part) + " is unknown or given twice");
        of[r.part] = &r;
    }
    for (std::size_t p = 0; p < parts; ++p)
        if (!of[p]) throw std::runtime_error("partition: no result for part " + plan.names[p]);
    const double inf = std::numeric_limits<double>::infinity();
    const std::size_t nd = a.demand_pop.size(), nc = plan.cell_x.size();
    a.nearest = {std::vector<std::uint32_t>(nd, invalid_id), std::vector<double>(nd, inf), std::vector<double>(nd, inf)};
    a.cell_nearest = {std::vector<std::uint32_t>(nc, invalid_id), std::vector<double>(nc, inf), std::vector<double>(nc, inf)};
    for (std::size_t p = 0; p < parts; ++p) {
        place(a.nearest, of[p]->nearest, plan.demand[p], static_cast<std::uint32_t>(p));
        if (!plan.cells[p].empty()) place(a.cell_nearest, of[p]->cell_nearest, plan.cells[p], static_cast<std::uint32_t>(p));
    }
    a.within = merge_within(a.sites.size(), of, false);
    if (a.options.service_areas) a.cells_within = merge_within(a.sites.size(), of, true);
}

}  // namespace healthreach::geo
