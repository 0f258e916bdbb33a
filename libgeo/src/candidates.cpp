#include "healthreach/geo/candidates.hpp"

#include "healthreach/geo/text.hpp"

#include "healthreach/error.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>

namespace healthreach::geo {

candidate_set candidates_from_points(const analysis& a, const std::string& path, const point_options& fields) {
    return candidates_from_points(a, path, fields, {});
}

candidate_set candidates_from_points(const analysis& a, const std::string& path, const point_options& fields,
                                     const std::vector<std::string>& types) {
    const point_set pts = read_points(path, a.crs, fields);
    candidate_set c;
    c.id = pts.id;
    c.name = pts.name;
    c.type = pts.type;
    c.numbers = pts.numbers;
    c.x = pts.x;
    c.y = pts.y;
    c.warnings = pts.warnings;
    std::string off_ids;  // the first few left out, for the warning
    for (std::size_t i = 0; i < pts.size(); ++i) {
        if (!types.empty() && pts.has_type && std::find(types.begin(), types.end(), pts.type[i]) == types.end()) continue;
        const snap_result r = a.snap->nearest(pts.x[i], pts.y[i]);
        if (r.edge == invalid_id || r.distance_m > a.options.snap_limit_m) {
            if (c.off_network < 10) off_ids += (c.off_network ? ", " : "") + pts.id[i];
            ++c.off_network;
            continue;
        }
        c.candidate_of_site.push_back(static_cast<std::uint32_t>(i));
        c.sites.push_back({r.edge, r.offset_m});
    }
    if (c.off_network)
        c.warnings.push_back(path + ": " + std::to_string(c.off_network) + " of " + std::to_string(pts.size()) +
                             " candidates lie beyond the snap limit (" + format_number(a.options.snap_limit_m) +
                             " m) of the routable network and are left out: " + off_ids + (c.off_network > 10 ? ", ..." : ""));
    c.input = point_input_summary("candidates", pts);
    c.input->counts.emplace_back("on_network", static_cast<double>(c.sites.size()));
    if (c.sites.empty())
        throw input_error(path + ": none of the " + std::to_string(pts.size()) + " candidates" +
                          (types.empty() ? "" : " of the types asked") + " lies within the snap limit of the routable network");
    return c;
}

candidate_set candidates_on_spacing(const analysis& a, double spacing_m) {
    if (!(spacing_m > 0)) throw input_error("--candidate-spacing: must be positive");
    const network& net = a.built.net;
    using key = std::pair<std::int64_t, std::int64_t>;
    auto cell_of = [&](double x, double y) {
        return key{static_cast<std::int64_t>(std::floor(x / spacing_m)), static_cast<std::int64_t>(std::floor(y / spacing_m))};
    };
    std::set<key> populated;
    for (std::size_t d = 0; d < a.demand_pop.size(); ++d)
        if (a.demand_pop[d] > 0) populated.insert(cell_of(a.demand_x[d], a.demand_y[d]));
    std::map<key, std::pair<double, node_id>> best;  // per square: distance to its centre, node
    for (node_id v = 0; v < net.node_count(); ++v) {
        const key k = cell_of(net.node_x[v], net.node_y[v]);
        bool near = false;
        for (int dx = -1; dx <= 1 && !near; ++dx)
            for (int dy = -1; dy <= 1 && !near; ++dy) near = populated.count({k.first + dx, k.second + dy}) > 0;
        if (!near) continue;
        const double d = std::hypot(net.node_x[v] - (k.first + 0.5) * spacing_m, net.node_y[v] - (k.second + 0.5) * spacing_m);
        auto it = best.find(k);
        if (it == best.end() || d < it->second.first) best[k] = {d, v};
    }
    // Every node of the routable graph starts or ends an edge: a site at that end of it.
    std::vector<std::pair<edge_id, bool>> edge_at(net.node_count(), {invalid_id, false});
    for (edge_id f = 0; f < net.edge_count(); ++f) {
        if (edge_at[net.edge_source[f]].first == invalid_id) edge_at[net.edge_source[f]] = {f, false};
        if (edge_at[net.edge_target[f]].first == invalid_id) edge_at[net.edge_target[f]] = {f, true};
    }
    candidate_set c;
    for (const auto& [k, entry] : best) {
        const node_id v = entry.second;
        const auto [e, at_end] = edge_at[v];
        const double offset = at_end ? net.edge_length_m[e] : 0.0;
        c.candidate_of_site.push_back(static_cast<std::uint32_t>(c.id.size()));
        c.id.push_back("n" + std::to_string(v));
        c.name.push_back("");
        c.type.push_back("");
        c.x.push_back(net.node_x[v]);
        c.y.push_back(net.node_y[v]);
        c.sites.push_back({e, offset});
    }
    if (c.sites.empty()) throw input_error("--candidate-spacing: no network node lies in or near a populated area");
    return c;
}

candidate_set with_existing_sites(const analysis& a, candidate_set c, std::size_t& existing_from) {
    existing_from = c.sites.size();
    for (std::size_t s = 0; s < a.sites.size(); ++s) {
        const std::uint32_t f = a.facility_of_site[s];
        c.candidate_of_site.push_back(static_cast<std::uint32_t>(c.id.size()));
        c.id.push_back(a.facilities.id[f]);
        c.name.push_back(a.facilities.name[f]);
        c.type.push_back(a.facilities.type[f]);
        c.x.push_back(a.facilities.x[f]);
        c.y.push_back(a.facilities.y[f]);
        c.sites.push_back(a.sites[s]);
    }
    return c;
}

namespace {

// The matrix straight from the per-site lists (each in point order, a point at most once): no
// triplets, and each list freed once copied, so that the peak stays near one copy of the pairs (at a
// million demand points the pairs are most of a run's memory).
template <class Keep>
opt::coverage_matrix matrix_of_lists(std::vector<std::vector<reached_point>>& within, std::vector<double> weight,
                                     std::vector<std::uint8_t> existing, Keep keep) {
    opt::coverage_matrix m;
    std::size_t pairs = 0;
    for (const auto& list : within)
        for (const reached_point& r : list) pairs += keep(r) ? 1 : 0;
    m.cost.resize(static_cast<std::int64_t>(weight.size()), static_cast<std::int64_t>(within.size()));
    m.cost.reserve(static_cast<std::int64_t>(pairs));
    for (std::size_t s = 0; s < within.size(); ++s) {
        const auto col = static_cast<std::int64_t>(s);
        m.cost.startVec(col);
        for (const reached_point& r : within[s])
            if (keep(r)) m.cost.insertBack(static_cast<std::int64_t>(r.point), col) = r.cost;
        std::vector<reached_point>().swap(within[s]);
    }
    m.cost.finalize();
    m.population = std::move(weight);
    m.covered_by_existing = std::move(existing);
    return m;
}

}  // namespace

opt::coverage_matrix candidate_matrix(const analysis& a, const candidate_set& c, bool uncovered_only) {
    const std::size_t nd = a.demand_pop.size();
    std::vector<double> limit(nd), weight(nd);
    std::vector<std::uint8_t> existing(nd, 0);
    for (std::size_t d = 0; d < nd; ++d) {
        const bool counts = a.status[d] == demand_status::covered || a.status[d] == demand_status::uncovered;
        const bool wanted = counts && !(uncovered_only && (a.status[d] == demand_status::covered || !(a.demand_pop[d] > 0)));
        limit[d] = wanted ? a.limit_of(a.demand_class[d]) : no_limit;
        weight[d] = counts ? a.demand_pop[d] : 0;
        existing[d] = a.status[d] == demand_status::covered;
    }
    auto within = points_within_limits(a.built.net, *a.route, *a.demand, c.sites, limit, a.max_limit(), a.options.threads);
    return matrix_of_lists(within, std::move(weight), std::move(existing), [](const reached_point&) { return true; });
}

std::vector<std::uint8_t> within_reach_of_layer(const analysis& a, const std::string& path, const service& svc,
                                                const std::vector<double>& x, const std::vector<double>& y) {
    if (svc.cost_metric != a.svc->cost_metric)
        throw input_error(path + ": the " + svc.name + " service is measured in another metric than " + a.svc->name);
    if (svc.cost_direction != a.svc->cost_direction)
        throw input_error(path + ": the " + svc.name + " service is measured in another direction than " + a.svc->name);
    const candidate_set from = candidates_from_points(a, path, placement_of(a.options.facility_fields));
    const network_points pts(a.built.net, *a.snap, x.data(), y.data(), x.size(), a.options.snap_limit_m,
                             a.svc->cost_metric, a.svc->cost_direction, a.rules.off_network_speed_kmh / 3.6,
                             a.options.threads);
    std::vector<double> limit(x.size());
    double largest = no_limit;
    for (std::size_t i = 0; i < x.size(); ++i) {
        limit[i] = svc.limit(a.class_at(x[i], y[i])).value.value_or(no_limit);
        largest = std::max(largest, limit[i]);
    }
    std::vector<std::uint8_t> reached(x.size(), 0);
    for (const auto& list : points_within_limits(a.built.net, *a.route, pts, from.sites, limit, largest, a.options.threads))
        for (const reached_point& r : list) reached[r.point] = 1;
    return reached;
}

opt::coverage_matrix candidate_cost_matrix(const analysis& a, const candidate_set& c, std::vector<double>& existing_cost,
                                           std::size_t max_pairs) {
    const std::size_t nd = a.demand_pop.size();
    constexpr double inf = std::numeric_limits<double>::infinity();
    std::vector<double> limit(nd), weight(nd);
    existing_cost.assign(nd, inf);
    double largest = 0;
    std::size_t open_points = 0;
    for (std::size_t d = 0; d < nd; ++d) {
        const bool on = a.demand->on_network(static_cast<std::uint32_t>(d));
        weight[d] = on ? a.demand_pop[d] : 0;
        if (on && a.nearest.site[d] != invalid_id) existing_cost[d] = a.nearest.cost[d];
        limit[d] = on ? std::min(existing_cost[d], std::numeric_limits<double>::max()) : no_limit;
        if (on) largest = std::max(largest, limit[d]);
        open_points += on && !std::isfinite(existing_cost[d]);
    }
    if (open_points * c.sites.size() > max_pairs)
        throw input_error(std::to_string(c.sites.size()) + " candidates x " + std::to_string(open_points) +
                          " demand points with no existing facility is too large a cost matrix for min-distance; "
                          "use --demand-cell or fewer candidates");
    auto within = points_within_limits(a.built.net, *a.route, *a.demand, c.sites, limit, largest, a.options.threads);
    return matrix_of_lists(within, std::move(weight), std::vector<std::uint8_t>(nd, 0),
                           [&](const reached_point& r) { return r.cost < existing_cost[r.point]; });
}

}  // namespace healthreach::geo
