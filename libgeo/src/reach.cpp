#include "healthreach/geo/reach.hpp"

#include "healthreach/geo/error.hpp"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <limits>
#include <thread>

namespace healthreach::geo {

metric parse_metric(const std::string& name) {
    if (name == "length" || name == "distance") return metric::length;
    if (name == "time") return metric::time;
    throw input_error("--metric: unknown metric '" + name + "' (length or time)");
}

const char* metric_name(metric m) { return m == metric::length ? "length" : "time"; }

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

router::router(const network& net, metric m) : metric_(m), rank_(net.node_count()), node_(net.node_count()) {
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
    // Counting sort of the arcs by tail; within a node, arcs keep the order of the edges.
    first_out_.assign(n + 1, 0);
    for (edge_id e = 0; e < net.edge_count(); ++e) {
        ++first_out_[rank_[net.edge_source[e]] + 1];
        if (net.reverse_open(e)) ++first_out_[rank_[net.edge_target[e]] + 1];
    }
    for (std::size_t v = 0; v < n; ++v) first_out_[v + 1] += first_out_[v];
    arcs_.resize(first_out_.back());
    arc_other_.resize(first_out_.back());
    std::vector<std::uint32_t> fill(first_out_.begin(), first_out_.end() - 1);
    auto add = [&](node_id a, node_id b, double len, double time) {
        const std::uint32_t k = fill[rank_[a]]++;
        arcs_[k] = arc{m == metric::length ? len : time, rank_[b]};
        arc_other_[k] = m == metric::length ? time : len;
    };
    for (edge_id e = 0; e < net.edge_count(); ++e) {
        add(net.edge_source[e], net.edge_target[e], net.edge_length_m[e], net.edge_time_s[e]);
        if (net.reverse_open(e)) add(net.edge_target[e], net.edge_source[e], net.edge_length_m[e], net.edge_reverse_time_s[e]);
    }
}

namespace {

constexpr double inf = std::numeric_limits<double>::infinity();

}  // namespace

bounded_search::bounded_search(const router& r)
    : router_(r), dist_(r.node_count(), inf) {}

bounded_search::~bounded_search() = default;

bool bounded_search::reached(node_id v) const { return dist_[router_.rank(v)] <= limit_; }

namespace {

// Non-negative doubles order like their bit patterns read as unsigned integers.
std::uint64_t key_bits(double cost) {
    const double positive = cost + 0.0;  // -0.0 becomes +0.0
    std::uint64_t bits;
    std::memcpy(&bits, &positive, sizeof bits);
    return bits;
}

}  // namespace

void radix_heap::push(double cost, node_id v) {
    const std::uint64_t k = key_bits(cost);
    buckets_[bucket_of(k)].push_back({k, v});
    ++size_;
}

std::pair<double, node_id> radix_heap::pop() {
    if (buckets_[0].empty()) {
        std::size_t i = 1;
        while (buckets_[i].empty()) ++i;
        // The smallest key of the first non-empty bucket becomes the new base; its entries all move
        // to lower buckets.
        std::uint64_t low = buckets_[i][0].first;
        for (const auto& e : buckets_[i]) low = std::min(low, e.first);
        last_ = low;
        for (const auto& e : buckets_[i]) buckets_[bucket_of(e.first)].push_back(e);
        buckets_[i].clear();
    }
    const auto [k, v] = buckets_[0].back();
    buckets_[0].pop_back();
    --size_;
    double cost;
    std::memcpy(&cost, &k, sizeof cost);
    return {cost, v};
}

void radix_heap::clear() {
    for (auto& b : buckets_) b.clear();
    size_ = 0;
    last_ = 0;
}

void bounded_search::run(const std::vector<seed>& seeds, double limit, bool labels_and_other) {
    // Labels and the other metric are kept only by searches that ask for them (allocated on first use).
    if (labels_and_other && carried_.empty()) carried_.assign(dist_.size(), carried{inf, invalid_id});
    for (node_id u : touched_) dist_[u] = inf;
    if (!carried_.empty())
        for (node_id u : touched_) carried_[u] = carried{inf, invalid_id};
    heap_.clear();
    touched_.clear();
    settled_.clear();
    settled_cost_.clear();
    limit_ = limit;

    // The queue is lazy: a node may sit in it several times, and only its cheapest entry counts.
    for (const seed& s : seeds) {
        if (s.node >= dist_.size()) throw input_error("node id " + std::to_string(s.node) + " is not in the graph");
        const node_id u = router_.rank(s.node);
        if (dist_[u] == inf) touched_.push_back(u);
        if (s.cost < dist_[u] && s.cost <= limit) {
            dist_[u] = s.cost;
            if (labels_and_other) carried_[u] = carried{s.other, s.label};
            heap_.push(s.cost, u);
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
    while (!heap_.empty()) {
        const auto [du, u] = heap_.pop();
        if (du > dist[u]) continue;  // a stale entry: u was settled at a lower cost
        settled_.push_back(r.node(u));
        settled_cost_.push_back(du);
        for (std::uint32_t a = r.first_out(u), end = r.first_out(u + 1); a < end; ++a) {
            const node_id v = arcs[a].head;
            const double dv = du + arcs[a].cost;
            // Nothing beyond the limit enters the queue, so every node popped is settled within it.
            if (dv >= dist[v] || dv > limit) continue;
            if (dist[v] == inf) touched_.push_back(v);
            dist[v] = dv;
            if constexpr (Carry) carried_[v] = carried{carried_[u].other + arc_other[a], carried_[u].label};
            heap_.push(dv, v);
        }
    }
}

reach_table::rows reach_table::of(std::size_t source) const {
    const place& w = where_[source];
    const part& p = parts_[w.part];
    return {p.node.data() + w.begin, p.cost.data() + w.begin, w.end - w.begin};
}

std::size_t reach_table::size() const {
    std::size_t n = 0;
    for (const part& p : parts_) n += p.node.size();
    return n;
}

reach_table reach_from_each(const router& r, const std::vector<node_id>& sources, double limit, unsigned threads) {
    reach_table table;
    threads = std::max(1u, std::min<unsigned>(threads, static_cast<unsigned>(sources.size())));
    table.parts_.resize(threads);
    table.where_.resize(sources.size());
    // Sources are handed out one at a time: reaches differ in size, so fixed shares would leave a
    // thread idle.
    std::atomic<std::size_t> next{0};
    auto work = [&](unsigned t) {
        bounded_search search(r);
        std::vector<seed> seeds(1);
        reach_table::part& out = table.parts_[t];
        for (std::size_t s; (s = next.fetch_add(1)) < sources.size();) {
            seeds[0] = seed{sources[s], 0.0, 0};
            search.run(seeds, limit, false);
            const std::size_t begin = out.node.size();
            out.node.insert(out.node.end(), search.settled().begin(), search.settled().end());
            out.cost.insert(out.cost.end(), search.settled_costs().begin(), search.settled_costs().end());
            table.where_[s] = {t, begin, out.node.size()};
        }
    };
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work, t);
    if (!sources.empty()) work(0);
    for (auto& th : pool) th.join();
    return table;
}

}  // namespace healthreach::geo
