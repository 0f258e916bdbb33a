#include "healthreach/geo/network.hpp"

#include "healthreach/geo/closures.hpp"
#include "healthreach/geo/crs.hpp"
#include "healthreach/geo/terrain.hpp"
#include "healthreach/error.hpp"

#include <boost/graph/compressed_sparse_row_graph.hpp>
#include <boost/graph/strong_components.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <unordered_map>

namespace healthreach::geo {

double network::total_length_m() const {
    double sum = 0;
    for (double l : edge_length_m) sum += l;
    return sum;
}

void network::add_edge(node_id s, node_id t, double length_m, double time_s, double reverse_time_s,
                       std::uint16_t cls, const double* xs, const double* ys, std::size_t n) {
    edge_source.push_back(s);
    edge_target.push_back(t);
    edge_length_m.push_back(length_m);
    edge_time_s.push_back(time_s);
    edge_reverse_time_s.push_back(reverse_time_s);
    edge_class.push_back(cls);
    geom_x.insert(geom_x.end(), xs, xs + n);
    geom_y.insert(geom_y.end(), ys, ys + n);
    geom_first.push_back(geom_x.size());
}

std::vector<adjustment_summary> summarize_adjustments(const network_options& options, const network_adjustments& done) {
    std::vector<adjustment_summary> out;
    auto km = [](double v) { return std::round(v * 1000) / 1000; };  // to the metre
    if (!options.dem.empty())
        out.push_back({"dem", options.dem, {{"sampled_km", km(done.dem_km)}, {"off_dem_km", km(done.off_dem_km)}}});
    if (!options.speed_factors.empty())
        out.push_back({"speed_factors", options.speed_factors,
                       {{"slowed_km", km(done.slowed_km)}, {"slowed_edges", static_cast<double>(done.slowed_edges)}}});
    if (!options.closures.empty())
        out.push_back({"closures", options.closures,
                       {{"closed_km", km(done.closed_km)}, {"closed_edges", static_cast<double>(done.closed_edges)}}});
    return out;
}

namespace {

struct coord_key {
    std::uint64_t a, b;
    bool operator==(const coord_key& o) const { return a == o.a && b == o.b; }
};
struct coord_hash {
    std::size_t operator()(const coord_key& k) const {
        return std::hash<std::uint64_t>()(k.a * 0x9E3779B97F4A7C15ULL ^ (k.b + 0x632BE59BD9B4E019ULL));
    }
};

std::uint64_t bits(double v) {
    if (v == 0) v = 0;  // -0.0 and 0.0 are the same place
    std::uint64_t u;
    std::memcpy(&u, &v, sizeof u);
    return u;
}

// Keys that make "the same place": exact source coordinates, or metric cells of the tolerance.
class vertex_keys {
public:
    vertex_keys(const road_set& roads, const std::vector<double>& mx, const std::vector<double>& my,
                double tolerance)
        : roads_(roads), mx_(mx), my_(my), tol_(tolerance) {}
    coord_key operator()(std::size_t v) const {
        if (tol_ > 0)
            return {static_cast<std::uint64_t>(std::llround(mx_[v] / tol_)),
                    static_cast<std::uint64_t>(std::llround(my_[v] / tol_))};
        return {bits(roads_.x[v]), bits(roads_.y[v])};
    }

private:
    const road_set& roads_;
    const std::vector<double>& mx_;
    const std::vector<double>& my_;
    double tol_;
};

// Nodes of the graph before pruning, built line by line.
struct raw_graph {
    network net;
    std::unordered_map<coord_key, node_id, coord_hash> node_of;

    node_id node_at(const coord_key& key, double x, double y) {
        auto [it, inserted] = node_of.emplace(key, static_cast<node_id>(net.node_x.size()));
        if (inserted) {
            net.node_x.push_back(x);
            net.node_y.push_back(y);
        }
        return it->second;
    }
    // A node no other line can join (only this line passes through the vertex).
    node_id new_node(double x, double y) {
        net.node_x.push_back(x);
        net.node_y.push_back(y);
        return static_cast<node_id>(net.node_x.size() - 1);
    }
};

// Keeps the largest strongly connected component, renumbering nodes and edges in their order;
// `edge_flags` (one per edge of `all`) are kept alike into `kept_flags`.
network_build prune_to_largest_scc(network&& all, network_build&& result, const std::vector<std::uint8_t>& edge_flags,
                                   std::vector<std::uint8_t>& kept_flags) {
    using csr = boost::compressed_sparse_row_graph<boost::directedS>;
    std::vector<std::pair<node_id, node_id>> arcs;
    arcs.reserve(all.edge_count() * 2);
    for (edge_id e = 0; e < all.edge_count(); ++e) {
        arcs.emplace_back(all.edge_source[e], all.edge_target[e]);
        if (all.reverse_open(e)) arcs.emplace_back(all.edge_target[e], all.edge_source[e]);
    }
    const csr g(boost::edges_are_unsorted_multi_pass, arcs.begin(), arcs.end(), all.node_count());
    std::vector<std::size_t> comp(all.node_count());
    const std::size_t ncomp = boost::strong_components(
        g, boost::make_iterator_property_map(comp.begin(), get(boost::vertex_index, g)));
    std::vector<std::size_t> size(ncomp, 0);
    for (std::size_t c : comp) ++size[c];
    const std::size_t keep = std::max_element(size.begin(), size.end()) - size.begin();

    component_report& rep = result.components;
    rep.components = ncomp;
    rep.kept_nodes = size[keep];
    for (std::size_t c = 0; c < ncomp; ++c)
        if (c != keep) rep.dropped.push_back(size[c]);
    std::sort(rep.dropped.rbegin(), rep.dropped.rend());

    network& net = result.net;
    net.srs = all.srs;
    net.classes = all.classes;
    std::vector<node_id> renumber(all.node_count(), invalid_id);
    for (node_id v = 0; v < all.node_count(); ++v) {
        if (comp[v] != keep) continue;
        renumber[v] = static_cast<node_id>(net.node_x.size());
        net.node_x.push_back(all.node_x[v]);
        net.node_y.push_back(all.node_y[v]);
    }
    for (edge_id e = 0; e < all.edge_count(); ++e) {
        const node_id s = renumber[all.edge_source[e]], t = renumber[all.edge_target[e]];
        if (s == invalid_id || t == invalid_id) {
            ++rep.dropped_edges;
            continue;
        }
        const std::size_t b = all.geom_first[e], n = all.geom_first[e + 1] - b;
        kept_flags.push_back(edge_flags[e]);
        net.add_edge(s, t, all.edge_length_m[e], all.edge_time_s[e], all.edge_reverse_time_s[e],
                     all.edge_class[e], &all.geom_x[b], &all.geom_y[b], n);
    }
    return std::move(result);
}

}  // namespace

network_build build_network(const road_set& roads, const profile& prof, const OGRSpatialReference& metric,
                            const network_options& options) {
    std::vector<double> mx(roads.x), my(roads.y);
    transformer(roads.srs, metric).apply(mx, my, roads.path);
    const vertex_keys key(roads, mx, my, options.junction_tolerance_m);

    const profile_rules rules(prof, roads);
    std::vector<line_rule> line_rules(roads.lines.size());
    network_build result;
    std::unordered_map<coord_key, std::uint32_t, coord_hash> uses;
    for (std::size_t l = 0; l < roads.lines.size(); ++l) {
        const road_line& line = roads.lines[l];
        line_rules[l] = rules(line);
        if (!line_rules[l].routable || !(line_rules[l].forward || line_rules[l].backward)) {
            ++result.lines_skipped;
            continue;
        }
        ++result.lines_routable;
        if (options.junctions == junction_mode::shared_vertices)
            for (std::uint32_t i = 0; i < line.count; ++i) ++uses[key(line.first + i)];
    }
    if (result.lines_routable == 0)
        throw input_error(roads.path + ": no road line is routable for the " + prof.name + " profile (" +
                          std::to_string(roads.lines.size()) + " lines read)");

    std::vector<std::uint8_t> off_ground;  // per raw edge: a tunnel or bridge (terrain)
    raw_graph raw;
    raw.net.srs = metric;
    raw.net.classes = roads.classes;
    std::vector<double> px, py;  // the current piece's polyline
    for (std::size_t l = 0; l < roads.lines.size(); ++l) {
        const line_rule& rule = line_rules[l];
        if (!rule.routable || !(rule.forward || rule.backward)) continue;
        const road_line& line = roads.lines[l];
        const double mps = rule.speed_kmh / 3.6;
        const bool flip = !rule.forward;  // stored so that source -> target is always open
        auto is_node = [&](std::uint32_t i) {
            if (i == 0 || i + 1 == line.count) return true;
            if (options.junctions == junction_mode::endpoints) return false;
            return uses[key(line.first + i)] >= 2;
        };
        auto emit = [&](node_id a, node_id b, double len) {
            if (len <= 0) return;
            const double time = len / mps;
            const double reverse = rule.forward && rule.backward ? time : -1.0;
            if (flip) {
                std::reverse(px.begin(), px.end());
                std::reverse(py.begin(), py.end());
                std::swap(a, b);
            }
            raw.net.add_edge(a, b, len, time, reverse, line.highway, px.data(), py.data(), px.size());
            off_ground.push_back(line.off_ground);
        };

        std::uint32_t start = 0;
        node_id start_node = raw.node_at(key(line.first), mx[line.first], my[line.first]);
        for (std::uint32_t i = 1; i < line.count; ++i) {
            if (!is_node(i)) continue;
            const std::size_t v = line.first + i;
            const node_id end_node = raw.node_at(key(v), mx[v], my[v]);
            // The piece start..i, without repeated points.
            px.clear();
            py.clear();
            for (std::uint32_t j = start; j <= i; ++j) {
                const std::size_t u = line.first + j;
                if (!px.empty() && px.back() == mx[u] && py.back() == my[u]) continue;
                px.push_back(mx[u]);
                py.push_back(my[u]);
            }
            if (end_node == start_node && px.size() > 2) {
                // A loop back to its own node: split it at its middle vertex so it stays routable.
                const std::size_t mid = px.size() / 2;
                const node_id mid_node = raw.new_node(px[mid], py[mid]);
                std::vector<double> all_x(px), all_y(py);
                double len1 = 0, len2 = 0;
                for (std::size_t j = 1; j < all_x.size(); ++j)
                    (j <= mid ? len1 : len2) += std::hypot(all_x[j] - all_x[j - 1], all_y[j] - all_y[j - 1]);
                px.assign(all_x.begin(), all_x.begin() + mid + 1);
                py.assign(all_y.begin(), all_y.begin() + mid + 1);
                emit(start_node, mid_node, len1);
                px.assign(all_x.begin() + mid, all_x.end());
                py.assign(all_y.begin() + mid, all_y.end());
                emit(mid_node, end_node, len2);
            } else if (end_node != start_node) {
                double len = 0;
                for (std::size_t j = 1; j < px.size(); ++j) len += std::hypot(px[j] - px[j - 1], py[j] - py[j - 1]);
                emit(start_node, end_node, len);
            }
            start = i;
            start_node = end_node;
        }
    }
    std::vector<std::uint8_t> kept_off_ground;
    network_build built = prune_to_largest_scc(std::move(raw.net), std::move(result), off_ground, kept_off_ground);
    if (!options.dem.empty()) apply_terrain(built.net, prof, options.dem, built.adjusted, kept_off_ground);
    if (!options.speed_factors.empty()) apply_speed_factors(built.net, options.speed_factors, built.adjusted);
    if (!options.closures.empty()) apply_closures(built.net, options.closures, built.adjusted);
    return built;
}

}  // namespace healthreach::geo
