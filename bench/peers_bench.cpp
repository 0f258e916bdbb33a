// healthreach's bounded reach against the plain Boost.Graph search a programmer writes with the
// mandated library in a day: a compressed_sparse_row_graph and dijkstra_shortest_paths_no_init with a
// visitor that stops at the limit, its buffers reused from one source to the next, and the same
// search as a loop over Boost's heap kept across sources. All run on one thread from the same sources
// (spread evenly over the node ids) at the same limit, by length; each is timed in CPU time (user +
// sys) several times, and every source's reach must be the same as healthreach's: the same nodes
// with bit-identical costs (checked row by row), else exit 1.
// Writes one line per source (row count and an order-free hash of its rows) for the scipy peer.
// Usage: healthreach_peers_bench GRAPH.gpkg SOURCES LIMIT REPEATS HASHES_OUT
#include "healthreach/geo/graph_io.hpp"
#include "healthreach/geo/reach.hpp"

#include <boost/graph/compressed_sparse_row_graph.hpp>
#include <boost/graph/detail/d_ary_heap.hpp>
#include <boost/graph/dijkstra_shortest_paths.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace {

using healthreach::geo::node_id;

using csr_graph = boost::compressed_sparse_row_graph<boost::directedS, boost::no_property,
                                                     boost::property<boost::edge_weight_t, double>>;

double cpu_seconds() {  // user + sys of the whole process (one thread runs)
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

// splitmix64's finaliser over a row; summed over rows, it does not depend on their order. The scipy
// script computes the same sum with numpy.
std::uint64_t row_hash(node_id v, double cost) {
    std::uint64_t bits;
    std::memcpy(&bits, &cost, sizeof bits);
    std::uint64_t x = bits + static_cast<std::uint64_t>(v) * 0x9E3779B97F4A7C15ull;
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBull;
    x ^= x >> 31;
    return x;
}

struct stop_search {};

// Records the vertices a search touches (to reset them for the next one) and stops it at the first
// vertex popped beyond the limit: every vertex settled before that one is within it.
class limit_visitor : public boost::default_dijkstra_visitor {
public:
    limit_visitor(const double* dist, double limit, std::vector<node_id>& touched, std::vector<node_id>& settled)
        : dist_(dist), limit_(limit), touched_(&touched), settled_(&settled) {}
    void discover_vertex(node_id v, const csr_graph&) const { touched_->push_back(v); }
    void examine_vertex(node_id u, const csr_graph&) const {
        if (dist_[u] > limit_) throw stop_search{};
        settled_->push_back(u);
    }

private:
    const double* dist_;
    double limit_;
    std::vector<node_id>* touched_;
    std::vector<node_id>* settled_;
};

// One reusable Boost search: distances and colours sized to the graph, reset where the last run
// touched them.
class boost_search {
public:
    explicit boost_search(const csr_graph& g)
        : g_(g), dist_(num_vertices(g), std::numeric_limits<double>::infinity()), color_(num_vertices(g), boost::white_color) {}

    // Calls f(node, cost) for every node within the limit of s.
    template <class F>
    void run(node_id s, double limit, F&& f) {
        for (node_id v : touched_) dist_[v] = std::numeric_limits<double>::infinity(), color_[v] = boost::white_color;
        touched_.clear();
        settled_.clear();
        dist_[s] = 0;  // the search discovers s, so it is reset with the others
        const auto index = get(boost::vertex_index, g_);
        try {
            boost::dijkstra_shortest_paths_no_init(
                g_, s, boost::dummy_property_map(), boost::make_iterator_property_map(dist_.data(), index),
                get(boost::edge_weight, g_), index, std::less<double>(), boost::closed_plus<double>(), 0.0,
                limit_visitor(dist_.data(), limit, touched_, settled_), boost::make_iterator_property_map(color_.data(), index));
        } catch (const stop_search&) {
        }
        for (node_id v : settled_) f(v, dist_[v]);
    }

private:
    const csr_graph& g_;
    std::vector<double> dist_;
    std::vector<boost::default_color_type> color_;
    std::vector<node_id> touched_, settled_;
};

// The same search with Boost's 4-ary heap kept from one source to the next: the library call above
// allocates and fills a heap index for every vertex of the graph at each call, which is most of its
// cost on a bounded search; a day's work may well find that and write this loop instead.
class boost_heap_search {
public:
    explicit boost_heap_search(const csr_graph& g)
        : g_(g), dist_(num_vertices(g), std::numeric_limits<double>::infinity()), in_heap_(num_vertices(g), std::size_t(-1)) {}

    template <class F>
    void run(node_id s, double limit, F&& f) {
        for (node_id v : touched_) dist_[v] = std::numeric_limits<double>::infinity(), in_heap_[v] = std::size_t(-1);
        touched_.clear();
        const auto index = get(boost::vertex_index, g_);
        const auto dist = boost::make_iterator_property_map(dist_.data(), index);
        boost::d_ary_heap_indirect<node_id, 4, decltype(boost::make_iterator_property_map(in_heap_.data(), index)), decltype(dist),
                                   std::less<double>>
            queue(dist, boost::make_iterator_property_map(in_heap_.data(), index));
        const auto weight = get(boost::edge_weight, g_);
        dist_[s] = 0;
        touched_.push_back(s);
        queue.push(s);
        while (!queue.empty()) {
            const node_id u = queue.top();
            queue.pop();
            if (dist_[u] > limit) break;
            f(u, dist_[u]);
            for (auto [e, end] = out_edges(std::size_t{u}, g_); e != end; ++e) {
                const auto v = static_cast<node_id>(target(*e, g_));
                const double d = dist_[u] + weight[*e];
                if (d >= dist_[v]) continue;
                const bool seen = dist_[v] != std::numeric_limits<double>::infinity();
                dist_[v] = d;
                if (seen) {
                    queue.update(v);
                } else {
                    touched_.push_back(v);
                    queue.push(v);
                }
            }
        }
    }

private:
    const csr_graph& g_;
    std::vector<double> dist_;
    std::vector<std::size_t> in_heap_;
    std::vector<node_id> touched_;
};

csr_graph make_csr(const healthreach::geo::network& net) {
    std::vector<std::pair<node_id, node_id>> arcs;
    std::vector<double> weight;
    for (std::size_t e = 0; e < net.edge_count(); ++e) {
        arcs.emplace_back(net.edge_source[e], net.edge_target[e]);
        weight.push_back(net.edge_length_m[e]);
        if (net.reverse_open(static_cast<healthreach::geo::edge_id>(e))) {
            arcs.emplace_back(net.edge_target[e], net.edge_source[e]);
            weight.push_back(net.edge_length_m[e]);
        }
    }
    return csr_graph(boost::edges_are_unsorted_multi_pass, arcs.begin(), arcs.end(), weight.begin(), net.node_count());
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

}  // namespace

// Rows of a block of sources, source after source, in arrays reused from block to block: a consumer
// reading each reach as it comes (the figures then measure the searches, not this machine's cost of
// first touching fresh memory, which is high on its virtual machine).
struct arena {
    std::vector<node_id> node;
    std::vector<double> cost;
    std::vector<std::size_t> start{0};
    void clear() { node.clear(), cost.clear(), start.assign(1, 0); }
    void add(node_id v, double d) { node.push_back(v), cost.push_back(d); }
    void end_source() { start.push_back(node.size()); }
    std::vector<std::pair<node_id, double>> sorted(std::size_t k) const {
        std::vector<std::pair<node_id, double>> rows;
        for (std::size_t i = start[k]; i < start[k + 1]; ++i) rows.emplace_back(node[i], cost[i]);
        std::sort(rows.begin(), rows.end());
        return rows;
    }
};

int main(int argc, char** argv) {
    using namespace healthreach::geo;
    if (argc != 6) {
        std::fprintf(stderr, "usage: %s GRAPH.gpkg SOURCES LIMIT REPEATS HASHES_OUT\n", argv[0]);
        return 2;
    }
    const network net = read_network(argv[1]);
    const std::size_t count = std::stoul(argv[2]);
    const double limit = std::stod(argv[3]);
    const int repeats = std::stoi(argv[4]);
    std::vector<node_id> sources;
    for (std::size_t k = 0; k < count; ++k) sources.push_back(static_cast<node_id>(k * (net.node_count() / count)));

    const router r(net, metric::length);
    std::vector<bounded_search> engines = search_engines(r, 1);
    const csr_graph g = make_csr(net);
    boost_search plain(g);
    boost_heap_search plain_heap(g);

    constexpr std::size_t block = 100;
    struct tool {
        const char* name;
        std::vector<double> cpu, wall;
        arena rows;
    };
    std::vector<tool> tools{{"healthreach bounded_search, rows read out", {}, {}, {}},
                            {"healthreach reach_from_each (a table, fresh memory)", {}, {}, {}},
                            {"Boost.Graph dijkstra_shortest_paths_no_init", {}, {}, {}},
                            {"Boost.Graph CSR + d_ary_heap kept", {}, {}, {}}};
    std::vector<std::uint64_t> hash(count);
    std::vector<std::size_t> rows(count);
    bool same = true;
    std::vector<seed> seeds(1);
    for (int rep = 0; rep < repeats; ++rep) {
        std::vector<double> cpu(tools.size()), wall(tools.size());
        for (std::size_t first = 0; first < count; first += block) {
            const std::vector<node_id> part(sources.begin() + first, sources.begin() + std::min(count, first + block));
            for (std::size_t t = 0; t < tools.size(); ++t) {
                arena& out = tools[t].rows;
                out.clear();
                const auto w0 = std::chrono::steady_clock::now();
                const double c0 = cpu_seconds();
                if (t == 1) {
                    const reach_table table = reach_from_each(engines, part, limit);
                    cpu[t] += cpu_seconds() - c0;
                    wall[t] += std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count();
                    for (std::size_t k = 0; k < part.size(); ++k) {
                        const reach_table::rows rs = table.of(k);
                        for (std::size_t i = 0; i < rs.size; ++i) out.add(rs.node[i], rs.cost[i]);
                        out.end_source();
                    }
                    continue;
                }
                for (node_id s : part) {
                    if (t == 0) {
                        seeds[0] = seed{s, 0.0, 0};
                        engines[0].run(seeds, limit, false);
                        const auto node = engines[0].settled();
                        const auto cost = engines[0].settled_costs();
                        out.node.insert(out.node.end(), node.begin(), node.end());
                        out.cost.insert(out.cost.end(), cost.begin(), cost.end());
                    } else if (t == 2) {
                        plain.run(s, limit, [&](node_id v, double d) { out.add(v, d); });
                    } else {
                        plain_heap.run(s, limit, [&](node_id v, double d) { out.add(v, d); });
                    }
                    out.end_source();
                }
                cpu[t] += cpu_seconds() - c0;
                wall[t] += std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count();
            }
            for (std::size_t k = 0; k < part.size(); ++k) {
                const arena& ref = tools[0].rows;
                std::uint64_t h = 0;
                for (std::size_t i = ref.start[k]; i < ref.start[k + 1]; ++i) h += row_hash(ref.node[i], ref.cost[i]);
                hash[first + k] = h;
                rows[first + k] = ref.start[k + 1] - ref.start[k];
                if (rep > 0) continue;  // row by row, once
                const auto expected = ref.sorted(k);
                for (std::size_t t = 1; t < tools.size(); ++t) {
                    if (tools[t].rows.sorted(k) == expected) continue;
                    same = false;
                    std::fprintf(stderr, "source %u: %s and %s differ\n", part[k], tools[0].name, tools[t].name);
                }
            }
        }
        for (std::size_t t = 0; t < tools.size(); ++t) tools[t].cpu.push_back(cpu[t]), tools[t].wall.push_back(wall[t]);
    }
    std::size_t total = 0;
    for (std::size_t n : rows) total += n;
    std::FILE* hashes = std::fopen(argv[5], "w");
    if (!hashes) {
        std::perror(argv[5]);
        return 2;
    }
    for (std::size_t k = 0; k < count; ++k) std::fprintf(hashes, "%u %zu %llu\n", sources[k], rows[k], static_cast<unsigned long long>(hash[k]));
    std::fclose(hashes);
    std::printf("sources %zu, limit %g m, rows %zu, same reach: %s; one thread, %d runs\n", count, limit, total, same ? "yes" : "NO", repeats);
    const double hr = median(tools[0].cpu);
    for (const tool& t : tools)
        std::printf("%-52s cpu_s median %.4f min %.4f; wall_s median %.4f; %.2fx the first's cpu (median)\n", t.name, median(t.cpu),
                    *std::min_element(t.cpu.begin(), t.cpu.end()), median(t.wall), median(t.cpu) / hr);
    return same ? 0 : 1;
}
