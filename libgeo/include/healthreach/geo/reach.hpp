#pragma once
// Bounded shortest-path searches on the network: one-to-many from a facility, and multi-source
// (nearest facility): Dijkstra on flat arrays with reusable per-thread buffers.
#include "healthreach/geo/network.hpp"
#include "healthreach/geo/vocabulary.hpp"

#include <array>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace healthreach::geo {

// The network's traversable arcs as a forward star, weighted by one metric and carrying the other along.
// Searches run from the facilities: from_facility keeps the arcs as they are; to_facility reverses
// every arc (with its own direction's cost), so that a search from a facility finds the cost of
// travelling from each node to it.
class router {
public:
    router(const network& net, metric m, direction d = direction::from_facility);

    std::size_t node_count() const { return first_out_.size() - 1; }
    metric cost_metric() const { return metric_; }
    direction cost_direction() const { return direction_; }

    // Inside the router nodes are renumbered along a Hilbert curve, so that a search's nodes and arcs
    // sit close together in memory; `rank` maps network ids in, `node` maps them back out.
    node_id rank(node_id v) const { return rank_[v]; }
    node_id node(node_id internal) const { return node_[internal]; }

#pragma pack(push, 4)
    struct arc {
        double cost;   // the search metric
        node_id head;  // internal id
    };
#pragma pack(pop)
    // Arcs out of internal node u: arcs()[first_out(u) .. first_out(u + 1)); arc_other() holds the
    // other metric of each arc (time when searching by length, and the reverse), apart because plain
    // reach does not read it.
    std::uint32_t first_out(node_id u) const { return first_out_[u]; }
    const arc* arcs() const { return arcs_.data(); }
    const double* arc_other() const { return arc_other_.data(); }

private:
    metric metric_;
    direction direction_;
    std::vector<node_id> rank_, node_;
    // Forward star on flat arrays (RoutingKit style); an arc's fields share a cache line.
    std::vector<std::uint32_t> first_out_;
    std::vector<arc> arcs_;
    std::vector<double> arc_other_;
};

// A start of a search: a node, the cost already spent to reach it, a label its reach inherits, and
// the cost in the other metric (time when searching by length, length when searching by time).
struct seed {
    node_id node;
    double cost;
    std::uint32_t label;
    double other = 0;
};

// A monotone priority queue of (cost, node) for Dijkstra (a radix heap, Ahuja et al. 1990): costs
// popped never decrease, so entries sit in buckets by the highest bit where their key differs from
// the last key popped, and each entry moves down at most 64 times.
class radix_heap {
public:
    void push(double cost, node_id v);  // cost >= the last cost popped, and never -0.0
    std::pair<double, node_id> pop() {  // the smallest
        if (buckets_[0].size == 0) refill();
        const entry e = buckets_[0].data[--buckets_[0].size];
        double cost;
        std::memcpy(&cost, &e.key, sizeof cost);
        return {cost, e.node};
    }
    bool empty() const { return buckets_[0].size == 0 && nonempty_ == 0; }
    void clear();

private:
    void refill();  // moves the entries of the lowest non-empty bucket down, so that bucket 0 has some
    std::size_t bucket_of(std::uint64_t key) const {
        return key == last_ ? 0 : 64 - static_cast<std::size_t>(__builtin_clzll(key ^ last_));
    }
    struct entry {
        std::uint64_t key;
        node_id node;
    };
    // A bucket is a growing array whose growth is out of line, so that push() inlined in the search
    // loop stays a few instructions.
    struct bucket {
        std::unique_ptr<entry[]> data;
        std::size_t size = 0, capacity = 0;
        void add(std::uint64_t key, node_id node) {
            if (size == capacity) grow();
            data[size].key = key;
            data[size].node = node;
            ++size;
        }
        [[gnu::noinline]] void grow();
    };
    std::array<bucket, 65> buckets_;
    std::uint64_t last_ = 0;
    // Bit i - 1 is set while bucket i >= 1 holds entries: the next one to split is found by
    // counting trailing zeros instead of visiting each bucket.
    std::uint64_t nonempty_ = 0;
};

// A read-only run of elements owned by someone else.
template <class T>
class array_ref {
public:
    array_ref(const T* data, std::size_t size) : data_(data), size_(size) {}
    const T* begin() const { return data_; }
    const T* end() const { return data_ + size_; }
    const T* data() const { return data_; }
    std::size_t size() const { return size_; }
    const T& operator[](std::size_t k) const { return data_[k]; }

private:
    const T* data_;
    std::size_t size_;
};

// One search engine per thread: run() costs only what it settles, never a pass over every node.
class bounded_search {
public:
    explicit bounded_search(const router& r);
    const router& graph() const { return router_; }

    // Settles every node whose cost from the nearest seed is <= limit (inclusive). With
    // `labels_and_other` false the search keeps costs only: label() and other() are then undefined.
    void run(const std::vector<seed>& seeds, double limit, bool labels_and_other = true);

    // Nodes settled by the last run, in order of increasing cost.
    array_ref<node_id> settled() const { return {settled_.get(), settled_count_}; }
    array_ref<double> settled_costs() const { return {settled_cost_.get(), settled_count_}; }  // cost of each settled() node
    double cost(node_id v) const { return dist_[router_.rank(v)]; }  // valid for settled nodes
    std::uint32_t label(node_id v) const { return carried_[router_.rank(v)].label; }
    double other(node_id v) const { return carried_[router_.rank(v)].other; }  // the other metric along the same path
    bool reached(node_id v) const;  // settled within the limit by the last run

private:
    template <bool Carry>
    void search(double limit);

    struct carried {
        double other;
        std::uint32_t label;
    };
    const router& router_;
    std::vector<double> dist_;       // by internal id
    std::vector<carried> carried_;  // by internal id
    radix_heap heap_;
    // A run settles each node at most once, so these arrays have room for every node and the search
    // loop never checks for growth; pages a run does not reach are never touched. Nothing beyond the
    // limit enters the queue, so a run sets dist_ only for nodes it goes on to settle: their internal
    // ids are all the next run has to reset. They are stored beside the network ids rather than
    // mapped back through rank(), a read in network-id order that the Hilbert numbering would not
    // keep in the cache.
    std::unique_ptr<node_id[]> settled_rank_;  // internal ids of settled_
    std::unique_ptr<node_id[]> settled_;       // network ids
    std::unique_ptr<double[]> settled_cost_;
    std::size_t settled_count_ = 0;
    double limit_ = 0;
};

// Bounded reach from each source alone (node ids): for source k, the nodes within the limit and their
// costs, in order of increasing cost.
class reach_table {
public:
    struct rows {
        const node_id* node;
        const double* cost;
        std::size_t size;
    };
    rows of(std::size_t source) const { return where_[source]; }
    std::size_t sources() const { return where_.size(); }
    std::size_t size() const;  // rows of every source

private:
    friend reach_table reach_from_each(std::vector<bounded_search>&, const std::vector<node_id>&, double);
    // Rows are copied once into blocks that never move: a growing array would copy them again at
    // every growth and touch fresh pages twice.
    struct block {
        std::unique_ptr<node_id[]> node;
        std::unique_ptr<double[]> cost;
        std::size_t size = 0, capacity = 0;
    };
    static rows append(std::vector<block>& blocks, const bounded_search& search);
    std::vector<std::vector<block>> blocks_;  // one list per thread, so threads never share one
    std::vector<rows> where_;                 // per source
};

// `count` search engines on one router, for reach_from_each().
std::vector<bounded_search> search_engines(const router& r, std::size_t count);

// The searches spread over threads, one per engine in `searches`: engines hold graph-sized buffers,
// so callers make them once, with the router, and reuse them.
reach_table reach_from_each(std::vector<bounded_search>& searches, const std::vector<node_id>& sources, double limit);

}  // namespace healthreach::geo
