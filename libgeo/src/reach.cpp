#include "healthreach/geo/reach.hpp"

#include "healthreach/error.hpp"
#include "healthreach/threads.hpp"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <limits>
#include <stdexcept>

namespace healthreach::geo {

namespace {

// Position of cell (x, y) along a Hilbert curve filling a 2^16 x 2^16 grid.
std::uint64_t hilbert_index(std::uint32_t x, std::uint32_t y) {
    std::uint64_t d = 0;
    for (std::uint32_t s = 1u << 15; s > 0; s >>= 1) {
        const std::uint32_t rx = (x & s) ? 1 : 0, ry = (y & s) ? 1 : 0;
        d += static_cast<std::uint64_t>(s) * s * ((3 * rx) ^ ry);
        if (ry == 0) {
            if (rx == 1) x = s - 1 - x, y = s - 1 - y;
            std::swap(x, y);
        }
    }
    return d;
}

}  // namespace

router::router(const network& net, metric m, direction d) : metric_(m), direction_(d), rank_(net.node_count()), node_(net.node_count()) {
    const std::size_t n = net.node_count();
    if (n > 0) {
        const auto [xmin, xmax] = std::minmax_element(net.node_x.begin(), net.node_x.end());
        const auto [ymin, ymax] = std::minmax_element(net.node_y.begin(), net.node_y.end());
        const double span = std::max({*xmax - *xmin, *ymax - *ymin, 1.0});
        std::vector<std::pair<std::uint64_t, node_id>> order(n);
        for (node_id v = 0; v < n; ++v) {
            const auto cx = static_cast<std::uint32_t>((net.node_x[v] - *xmin) / span * 65535.0);
            const auto cy = static_cast<std::uint32_t>((net.node_y[v] - *ymin) / span * 65535.0);
            order[v] = {hilbert_index(cx, cy), v};
        }
        std::sort(order.begin(), order.end());
        for (node_id k = 0; k < n; ++k) node_[k] = order[k].second, rank_[order[k].second] = k;
    }
    // Counting sort of the arcs by tail; within a node, arcs keep the order of the edges. Reversed,
    // the edge's source -> target travel becomes an arc target -> source and its reverse travel an
    // arc source -> target.
    const bool reversed = d == direction::to_facility;
    const std::vector<node_id>& tail = reversed ? net.edge_target : net.edge_source;
    const std::vector<node_id>& head = reversed ? net.edge_source : net.edge_target;
    first_out_.assign(n + 1, 0);
    for (edge_id e = 0; e < net.edge_count(); ++e) {
        ++first_out_[rank_[tail[e]] + 1];
        if (net.reverse_open(e)) ++first_out_[rank_[head[e]] + 1];
    }
    for (std::size_t v = 0; v < n; ++v) first_out_[v + 1] += first_out_[v];
    arcs_.resize(first_out_.back());
    arc_other_.resize(first_out_.back());
    std::vector<std::uint32_t> fill(first_out_.begin(), first_out_.end() - 1);
    auto add = [&](node_id a, node_id b, double len, double time) {
        const std::uint32_t k = fill[rank_[a]]++;
        arcs_[k] = arc{(m == metric::length ? len : time) + 0.0, rank_[b]};  // -0.0 becomes +0.0
        arc_other_[k] = m == metric::length ? time : len;
    };
    for (edge_id e = 0; e < net.edge_count(); ++e) {
        add(tail[e], head[e], net.edge_length_m[e], net.edge_time_s[e]);
        if (net.reverse_open(e)) add(head[e], tail[e], net.edge_length_m[e], net.edge_reverse_time_s[e]);
    }
}

namespace {

constexpr double inf = std::numeric_limits<double>::infinity();

}  // namespace

namespace {

void require_node(const router& r, node_id v) {
    if (v >= r.node_count()) throw input_error("node id " + std::to_string(v) + " is not in the graph");
}

}  // namespace

bounded_search::bounded_search(const router& r)
    : router_(r),
      dist_(r.node_count(), inf),
      settled_rank_(new node_id[r.node_count()]),
      settled_(new node_id[r.node_count()]),
      settled_cost_(new double[r.node_count()]) {}

// Unreached nodes keep an infinite cost, which an unbounded run's limit would admit: since closures
// the graph need not be strongly connected.
bool bounded_search::reached(node_id v) const {
    const double d = dist_[router_.rank(v)];
    return d <= limit_ && d != inf;
}

namespace {

// Non-negative doubles order like their bit patterns read as unsigned integers; -0.0 would not (its
// sign bit is set), so seeds and arcs turn it into +0.0 before any cost reaches the queue.
std::uint64_t key_bits(double cost) {
    std::uint64_t bits;
    std::memcpy(&bits, &cost, sizeof bits);
    return bits;
}

}  // namespace

void radix_heap::bucket::grow() {
    capacity = std::max<std::size_t>(16, 2 * capacity);
    std::unique_ptr<entry[]> bigger(new entry[capacity]);
    std::copy(data.get(), data.get() + size, bigger.get());
    data = std::move(bigger);
}

void radix_heap::push(double cost, node_id v) {
    const std::uint64_t k = key_bits(cost);
    const std::size_t i = bucket_of(k);
    buckets_[i].add(k, v);
    nonempty_ |= (std::uint64_t{1} << i) >> 1;  // bit i - 1; none for bucket 0
}

void radix_heap::refill() {
    // The smallest key of the first non-empty bucket becomes the new base; its entries all move to
    // lower buckets, never to itself, so the split bucket can be read while the others grow.
    const std::size_t i = 1 + static_cast<std::size_t>(__builtin_ctzll(nonempty_));
    bucket& split = buckets_[i];
    const entry* const data = split.data.get();
    const std::size_t n = split.size;
    split.size = 0;
    std::uint64_t low = data[0].key;
    for (std::size_t k = 1; k < n; ++k) low = std::min(low, data[k].key);
    last_ = low;
    std::uint64_t nonempty = nonempty_ & ~(std::uint64_t{1} << (i - 1));
    for (std::size_t k = 0; k < n; ++k) {
        const entry e = data[k];
        const std::size_t j = bucket_of(e.key);
        buckets_[j].add(e.key, e.node);
        nonempty |= (std::uint64_t{1} << j) >> 1;  // bit j - 1; none for bucket 0
    }
    nonempty_ = nonempty;
}

void radix_heap::clear() {
    for (bucket& b : buckets_) b.size = 0;
    nonempty_ = 0;
    last_ = 0;
}

void bounded_search::run(const std::vector<seed>& seeds, double limit, bool labels_and_other) {
    // Labels and the other metric are kept only by searches that ask for them (allocated on first use).
    if (labels_and_other && carried_.empty()) carried_.assign(dist_.size(), carried{inf, invalid_id});
    // Every seed is checked before the engine changes: a run that throws leaves nothing to reset.
    for (const seed& s : seeds) require_node(router_, s.node);
    for (std::size_t k = 0; k < settled_count_; ++k) dist_[settled_rank_[k]] = inf;
    if (!carried_.empty())
        for (std::size_t k = 0; k < settled_count_; ++k) carried_[settled_rank_[k]] = carried{inf, invalid_id};
    heap_.clear();
    settled_count_ = 0;
    limit_ = limit;

    // The queue is lazy: a node may sit in it several times, and only its cheapest entry counts.
    for (const seed& s : seeds) {
        const node_id u = router_.rank(s.node);
        if (s.cost < dist_[u] && s.cost <= limit) {
            dist_[u] = s.cost + 0.0;  // -0.0 becomes +0.0
            if (labels_and_other) carried_[u] = carried{s.other, s.label};
            heap_.push(dist_[u], u);
        }
    }
    if (labels_and_other) search<true>(limit);
    else search<false>(limit);
}

template <bool Carry>
void bounded_search::search(double limit) {
    const router& r = router_;
    const router::arc* arcs = r.arcs();
    const double* arc_other = r.arc_other();
    double* dist = dist_.data();
    node_id* settled_rank = settled_rank_.get();
    node_id* settled = settled_.get();
    double* settled_cost = settled_cost_.get();
    std::size_t settled_count = 0;
    while (!heap_.empty()) {
        const auto [du, u] = heap_.pop();
        if (du > dist[u]) continue;  // a stale entry: u was settled at a lower cost
        settled_rank[settled_count] = u;
        settled[settled_count] = r.node(u);
        settled_cost[settled_count++] = du;
        for (std::uint32_t a = r.first_out(u), end = r.first_out(u + 1); a < end; ++a) {
            const node_id v = arcs[a].head;
            const double dv = du + arcs[a].cost;
            // Nothing beyond the limit enters the queue, so every node popped is settled within it.
            if (dv >= dist[v] || dv > limit) continue;
            dist[v] = dv;
            if constexpr (Carry) carried_[v] = carried{carried_[u].other + arc_other[a], carried_[u].label};
            heap_.push(dv, v);
            // v is popped many pops later: its arcs, fetched now, are in the cache by then.
            __builtin_prefetch(arcs + r.first_out(v));
        }
    }
    settled_count_ = settled_count;
}

std::size_t reach_table::size() const {
    std::size_t n = 0;
    for (const rows& r : where_) n += r.size;
    return n;
}

reach_table::rows reach_table::append(std::vector<block>& blocks, const bounded_search& search) {
    constexpr std::size_t block_rows = std::size_t{1} << 16;
    const std::size_t n = search.settled().size();
    if (blocks.empty() || blocks.back().capacity - blocks.back().size < n) {
        block b;
        b.capacity = std::max(block_rows, n);
        b.node.reset(new node_id[b.capacity]);  // left uninitialised: pages are touched once, by the copy
        b.cost.reset(new double[b.capacity]);
        blocks.push_back(std::move(b));
    }
    block& b = blocks.back();
    node_id* node = b.node.get() + b.size;
    double* cost = b.cost.get() + b.size;
    std::copy(search.settled().begin(), search.settled().end(), node);
    std::copy(search.settled_costs().begin(), search.settled_costs().end(), cost);
    b.size += n;
    return {node, cost, n};
}

std::vector<bounded_search> search_engines(const router& r, std::size_t count) {
    std::vector<bounded_search> searches;
    searches.reserve(count);
    for (std::size_t t = 0; t < count; ++t) searches.emplace_back(r);
    return searches;
}

reach_table reach_from_each(std::vector<bounded_search>& searches, const std::vector<node_id>& sources, double limit) {
    if (searches.empty()) throw std::invalid_argument("reach_from_each: no search engine");
    reach_table table;
    const std::size_t threads = std::max<std::size_t>(1, std::min(searches.size(), sources.size()));
    table.blocks_.resize(threads);
    table.where_.resize(sources.size());
    // Sources are handed out one at a time (reaches differ in size, so fixed shares would leave a
    // thread idle), along the router's Hilbert order: a search then mostly reads nodes and arcs the
    // searches just before it left in the cache.
    const router& r = searches.front().graph();
    std::vector<std::size_t> order(sources.size());
    for (std::size_t s = 0; s < sources.size(); ++s) {
        require_node(r, sources[s]);  // every source checked before any search starts
        order[s] = s;
    }
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return r.rank(sources[a]) < r.rank(sources[b]); });
    std::atomic<std::size_t> next{0};
    auto work = [&](std::size_t t) {
        std::vector<seed> seeds(1);
        for (std::size_t k; (k = next.fetch_add(1)) < sources.size();) {
            const std::size_t s = order[k];
            seeds[0] = seed{sources[s], 0.0, 0};
            searches[t].run(seeds, limit, false);
            table.where_[s] = reach_table::append(table.blocks_[t], searches[t]);
        }
    };
    run_on_threads(static_cast<unsigned>(threads), work);
    return table;
}

}  // namespace healthreach::geo
