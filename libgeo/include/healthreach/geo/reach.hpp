#pragma once
// Bounded shortest-path searches on the network: one-to-many from a facility, and multi-source
// (nearest facility), on Boost.Graph's Dijkstra with reusable per-thread buffers.
#include "healthreach/geo/network.hpp"

#include <memory>
#include <string>
#include <vector>

namespace healthreach::geo {

enum class metric { length, time };
metric parse_metric(const std::string& name);  // "length"/"distance" or "time"
const char* metric_name(metric m);

// The network's traversable arcs in a Boost.Graph compressed_sparse_row_graph, weighted by one metric
// and carrying the other along.
class router {
public:
    router(const network& net, metric m);
    ~router();
    router(const router&) = delete;
    router& operator=(const router&) = delete;

    std::size_t node_count() const { return node_count_; }
    metric cost_metric() const { return metric_; }

    struct graph;  // the Boost graph, defined where the searches are compiled
    const graph& boost_graph() const { return *graph_; }

private:
    std::size_t node_count_;
    metric metric_;
    std::unique_ptr<graph> graph_;
};

// A start of a search: a node, the cost already spent to reach it, a label its reach inherits, and
// the cost in the other metric (time when searching by length, length when searching by time).
struct seed {
    node_id node;
    double cost;
    std::uint32_t label;
    double other = 0;
};

// One search engine per thread: run() costs only what it settles, never a pass over every node.
class bounded_search {
public:
    explicit bounded_search(const router& r);
    ~bounded_search();

    // Settles every node whose cost from the nearest seed is <= limit (inclusive).
    void run(const std::vector<seed>& seeds, double limit);

    // Nodes settled by the last run, in order of increasing cost.
    const std::vector<node_id>& settled() const { return settled_; }
    double cost(node_id v) const { return dist_[v]; }  // valid for settled nodes
    std::uint32_t label(node_id v) const { return label_[v]; }
    double other(node_id v) const { return other_[v]; }  // the other metric along the same path
    bool reached(node_id v) const;  // settled within the limit by the last run

private:
    const router& router_;
    std::vector<double> dist_, other_;
    std::vector<std::uint32_t> label_;
    std::vector<unsigned char> color_;  // boost::default_color_type values
    std::vector<node_id> touched_, settled_;
    double limit_ = 0;
};

}  // namespace healthreach::geo
