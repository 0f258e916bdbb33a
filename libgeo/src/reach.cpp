#include "healthreach/geo/reach.hpp"

#include "healthreach/geo/error.hpp"

#include <boost/graph/compressed_sparse_row_graph.hpp>
#include <boost/graph/dijkstra_shortest_paths.hpp>
#include <boost/property_map/property_map.hpp>

#include <limits>

namespace healthreach::geo {

metric parse_metric(const std::string& name) {
    if (name == "length" || name == "distance") return metric::length;
    if (name == "time") return metric::time;
    throw input_error("--metric: unknown metric '" + name + "' (length or time)");
}

const char* metric_name(metric m) { return m == metric::length ? "length" : "time"; }

struct arc_cost {
    double cost;   // the search metric
    double other;  // the other metric, carried along the shortest path
};

struct router::graph {
    using csr = boost::compressed_sparse_row_graph<boost::directedS, boost::no_property, arc_cost,
                                                   boost::no_property, node_id, std::uint32_t>;
    csr g;
};

router::router(const network& net, metric m) : node_count_(net.node_count()), metric_(m) {
    std::vector<std::pair<node_id, node_id>> arcs;
    std::vector<arc_cost> cost;
    arcs.reserve(net.edge_count() * 2);
    cost.reserve(net.edge_count() * 2);
    auto add = [&](node_id a, node_id b, double len, double time) {
        arcs.emplace_back(a, b);
        cost.push_back(m == metric::length ? arc_cost{len, time} : arc_cost{time, len});
    };
    for (edge_id e = 0; e < net.edge_count(); ++e) {
        add(net.edge_source[e], net.edge_target[e], net.edge_length_m[e], net.edge_time_s[e]);
        if (net.reverse_open(e)) add(net.edge_target[e], net.edge_source[e], net.edge_length_m[e], net.edge_reverse_time_s[e]);
    }
    graph_.reset(new graph{graph::csr(boost::edges_are_unsorted_multi_pass, arcs.begin(), arcs.end(),
                                      cost.begin(), net.node_count())});
}

router::~router() = default;

namespace {

struct limit_reached {};

// Records what the search touches (to reset it cheaply), settles nodes up to the limit, stops
// beyond it, and passes each seed's label down the shortest-path tree.
class bounded_visitor : public boost::default_dijkstra_visitor {
public:
    bounded_visitor(const double* dist, double* other, std::uint32_t* label, std::vector<node_id>& touched,
                    std::vector<node_id>& settled, double limit)
        : dist_(dist), other_(other), label_(label), touched_(touched), settled_(settled), limit_(limit) {}

    template <class G>
    void discover_vertex(node_id v, const G&) { touched_.push_back(v); }
    template <class G>
    void examine_vertex(node_id v, const G&) {
        if (dist_[v] > limit_) throw limit_reached{};
        settled_.push_back(v);
    }
    template <class E, class G>
    void edge_relaxed(const E& e, const G& g) {
        const node_id u = source(e, g), v = target(e, g);
        label_[v] = label_[u];
        other_[v] = other_[u] + g[e].other;
    }

private:
    const double* dist_;
    double* other_;
    std::uint32_t* label_;
    std::vector<node_id>& touched_;
    std::vector<node_id>& settled_;
    double limit_;
};

constexpr double inf = std::numeric_limits<double>::infinity();

}  // namespace

bounded_search::bounded_search(const router& r)
    : router_(r),
      dist_(r.node_count(), inf),
      other_(r.node_count(), inf),
      label_(r.node_count(), invalid_id),
      color_(r.node_count(), boost::white_color) {}

bounded_search::~bounded_search() = default;

bool bounded_search::reached(node_id v) const { return dist_[v] <= limit_; }

void bounded_search::run(const std::vector<seed>& seeds, double limit) {
    for (node_id v : touched_) {
        dist_[v] = inf;
        other_[v] = inf;
        label_[v] = invalid_id;
        color_[v] = boost::white_color;
    }
    touched_.clear();
    settled_.clear();
    limit_ = limit;

    // Each node enters the queue once, with its cheapest seed.
    std::vector<node_id> starts;
    starts.reserve(seeds.size());
    for (const seed& s : seeds) {
        if (s.node >= dist_.size()) throw input_error("node id " + std::to_string(s.node) + " is not in the graph");
        if (dist_[s.node] == inf) starts.push_back(s.node);
        if (s.cost < dist_[s.node]) {
            dist_[s.node] = s.cost;
            other_[s.node] = s.other;
            label_[s.node] = s.label;
        }
    }
    const auto& g = router_.boost_graph().g;
    const auto index = get(boost::vertex_index, g);
    bounded_visitor vis(dist_.data(), other_.data(), label_.data(), touched_, settled_, limit);
    try {
        boost::dijkstra_shortest_paths_no_init(
            g, starts.begin(), starts.end(), boost::dummy_property_map(),
            boost::make_iterator_property_map(dist_.begin(), index), get(&arc_cost::cost, g), index,
            std::less<double>(), boost::closed_plus<double>(inf), 0.0, vis,
            boost::make_iterator_property_map(color_.begin(), index));
    } catch (const limit_reached&) {
    }
}

}  // namespace healthreach::geo
