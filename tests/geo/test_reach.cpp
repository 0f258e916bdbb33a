#include "support.hpp"

#include "healthreach/geo/crs.hpp"
#include "healthreach/error.hpp"
#include "healthreach/geo/reach.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <map>
#include <random>

using namespace healthreach;
using namespace healthreach::geo;

namespace {

node_id node_at(const network& net, double x, double y) {
    for (node_id v = 0; v < net.node_count(); ++v)
        if (net.node_x[v] == x && net.node_y[v] == y) return v;
    FAIL("no node at " << x << "," << y);
    return invalid_id;
}

}  // namespace

TEST_CASE("bounded reach on a hand-computed network", "[reach]") {
    // A 100 m square A(0,0) B(100,0) C(100,100) D(0,100); A->B one-way; a spur C-E(300,100).
    const std::string path = test::write_lines(
        test::scratch_dir("reach") + "/r.geojson",
        {{{{0, 0}, {100, 0}}, "\"highway\":\"residential\",\"oneway\":\"yes\""},
         {{{100, 0}, {100, 100}}, "\"highway\":\"residential\""},
         {{{100, 100}, {0, 100}}, "\"highway\":\"residential\""},
         {{{0, 100}, {0, 0}}, "\"highway\":\"residential\""},
         {{{100, 100}, {300, 100}}, "\"highway\":\"primary\""}});
    const network net = build_network(read_roads(path), test::builtin_profile("drive"), parse_crs("EPSG:32650")).net;
    const node_id a = node_at(net, 0, 0), b = node_at(net, 100, 0), c = node_at(net, 100, 100),
                  d = node_at(net, 0, 100), e = node_at(net, 300, 100);
    const router r(net, metric::length);
    bounded_search search(r);

    search.run({{b, 0, 7}}, 300);
    // From B, A is reached the long way round (B-C-D-A = 300): the one-way forbids B-A.
    CHECK(search.cost(a) == Approx(300));
    CHECK(search.cost(c) == Approx(100));
    CHECK(search.cost(d) == Approx(200));
    CHECK(search.cost(e) == Approx(300));
    CHECK(search.settled().size() == 5);  // the limit is inclusive
    CHECK(search.label(a) == 7);

    search.run({{b, 0, 0}}, 299.999);
    CHECK_FALSE(search.reached(a));
    CHECK_FALSE(search.reached(e));
    CHECK(search.settled().size() == 3);

    // Nearest of two sources, one starting with a cost already spent (a delay).
    search.run({{a, 0, 0}, {e, 150, 1}}, 1000);
    CHECK(search.label(b) == 0);
    CHECK(search.cost(b) == Approx(100));
    CHECK(search.label(c) == 0);  // A-B-C = 200 < 150 + 200
    CHECK(search.label(e) == 1);
    CHECK(search.cost(e) == Approx(150));

    // A run that throws on a bad seed leaves the engine as it was: the next run is right.
    CHECK_THROWS_AS(search.run({{a, 0, 0}, {static_cast<node_id>(net.node_count()), 0, 0}}, 1000), input_error);
    search.run({{b, -0.0, 0}}, 300);
    CHECK(search.cost(a) == Approx(300));
    CHECK(search.settled().size() == 5);
    CHECK_FALSE(std::signbit(search.cost(b)));  // -0.0 would sort below every other cost in the queue

    const router rt(net, metric::time);
    bounded_search timed(rt);
    timed.run({{c, 0, 0}}, 1e9);
    CHECK(timed.cost(e) == Approx(200 / (70 / 3.6)));
}

TEST_CASE("reach equals an independent Dijkstra on a real extract", "[reach][real]") {
    const auto real = test::real_drive_network("andorra-2021.osm.pbf");
    if (!real) return;
    const network& net = *real;
    std::mt19937 rng(42);
    for (metric m : {metric::length, metric::time}) {
        const router r(net, m);
        bounded_search search(r);
        const double limit = m == metric::length ? 5000 : 600;
        for (int k = 0; k < 10; ++k) {
            const node_id s = rng() % net.node_count();
            const std::vector<double> ref = test::reference_dijkstra(net, m, s);
            search.run({{s, 0, 0}}, limit);
            std::size_t within = 0;
            for (node_id v = 0; v < net.node_count(); ++v) {
                if (ref[v] <= limit) {
                    ++within;
                    REQUIRE(search.reached(v));
                    REQUIRE(search.cost(v) == Approx(ref[v]).epsilon(1e-12));
                } else {
                    REQUIRE_FALSE(search.reached(v));
                }
            }
            CHECK(search.settled().size() == within);
        }
    }
}

TEST_CASE("reach from each source equals the reference on every thread count", "[reach][real]") {
    const auto real = test::real_drive_network("andorra-2021.osm.pbf");
    if (!real) return;
    const network& net = *real;
    const router r(net, metric::length);
    std::mt19937 rng(7);
    std::vector<node_id> sources;
    for (int k = 0; k < 9; ++k) sources.push_back(rng() % net.node_count());
    sources.push_back(sources.front());  // the same source twice gets the same rows twice
    const double limit = 3000;
    for (unsigned threads : {1u, 2u, 4u}) {
        std::vector<bounded_search> searches = search_engines(r, threads);
        const reach_table table = reach_from_each(searches, sources, limit);
        REQUIRE(table.sources() == sources.size());
        std::size_t total = 0;
        for (std::size_t s = 0; s < sources.size(); ++s) {
            const std::vector<double> ref = test::reference_dijkstra(net, metric::length, sources[s]);
            const reach_table::rows rows = table.of(s);
            std::size_t within = 0;
            for (double c : ref) within += c <= limit;
            REQUIRE(rows.size == within);
            for (std::size_t k = 0; k < rows.size; ++k) {
                REQUIRE(rows.cost[k] == ref[rows.node[k]]);  // summed along the same path: the same bits
                if (k > 0) REQUIRE(rows.cost[k - 1] <= rows.cost[k]);
            }
            total += rows.size;
        }
        CHECK(table.size() == total);
    }
}

TEST_CASE("costs-only reach equals brute force on random graphs with one-ways, loops and several seeds", "[reach]") {
    // Small random graphs: runs of two-neighbour nodes, one-way edges, parallel edges, self-loops,
    // sources repeated, limits that cut through the graph, and several seeds with costs already spent.
    std::mt19937 rng(11);
    for (int trial = 0; trial < 400; ++trial) {
        network net;
        const node_id n = 2 + rng() % 25;
        for (node_id v = 0; v < n; ++v) net.node_x.push_back(rng() % 1000), net.node_y.push_back(rng() % 1000);
        const double xs[2] = {0, 1}, ys[2] = {0, 1};
        auto edge = [&](node_id s, node_id t) {
            const double length = rng() % 4 == 0 ? 1 + rng() % 50 : std::uniform_real_distribution<double>(0, 60)(rng);
            const bool one_way = rng() % 4 == 0;
            net.add_edge(s, t, length, length / 10, one_way ? -1 : length / 10, 0, xs, ys, 2);
        };
        for (node_id v = 0; v + 1 < n; ++v)
            if (rng() % 5 != 0) edge(v, v + 1);
        for (int e = 0, extra = rng() % (n / 2 + 2); e < extra; ++e) edge(rng() % n, rng() % n);
        const router r(net, metric::length);
        std::vector<node_id> sources;
        for (int k = 0, count = 1 + rng() % 4; k < count; ++k) sources.push_back(rng() % n);
        const double limit = std::uniform_real_distribution<double>(0, 400)(rng);
        std::vector<bounded_search> searches = search_engines(r, 1);
        const reach_table table = reach_from_each(searches, sources, limit);
        for (std::size_t s = 0; s < sources.size(); ++s) {
            const std::vector<double> ref = test::reference_dijkstra(net, metric::length, sources[s]);
            const reach_table::rows rows = table.of(s);
            std::map<node_id, double> got;
            for (std::size_t k = 0; k < rows.size; ++k) REQUIRE(got.emplace(rows.node[k], rows.cost[k]).second);
            for (node_id v = 0; v < n; ++v) {
                INFO("trial " << trial << ", source " << sources[s] << ", node " << v << ", limit " << limit);
                REQUIRE(got.count(v) == (ref[v] <= limit ? 1u : 0u));
                if (ref[v] <= limit) REQUIRE(got[v] == ref[v]);
            }
        }
        std::vector<seed> seeds;
        for (node_id v : sources) seeds.push_back({v, std::uniform_real_distribution<double>(0, 30)(rng), 0});
        searches[0].run(seeds, limit, false);
        std::vector<double> best(n, std::numeric_limits<double>::infinity());
        for (const seed& sd : seeds) {
            const std::vector<double> ref = test::reference_dijkstra(net, metric::length, sd.node);
            for (node_id v = 0; v < n; ++v) best[v] = std::min(best[v], sd.cost + ref[v]);
        }
        std::size_t within = 0;
        for (node_id v = 0; v < n; ++v) {
            INFO("trial " << trial << ", several seeds, node " << v << ", limit " << limit);
            within += best[v] <= limit;
            REQUIRE(searches[0].reached(v) == (best[v] <= limit));
            if (best[v] <= limit) REQUIRE(searches[0].cost(v) == Approx(best[v]).epsilon(1e-12));
        }
        CHECK(searches[0].settled().size() == within);
    }
}

TEST_CASE("a to-facility router finds the cost of travelling to the source, on random asymmetric graphs", "[reach][direction]") {
    // Edges whose two directions cost differently (one-ways, and slopes: reverse times unlike forward
    // ones): searching the reversed router from s must give, at every node v, the forward cost v -> s.
    std::mt19937 rng(29);
    for (int trial = 0; trial < 200; ++trial) {
        network net;
        const node_id n = 2 + rng() % 20;
        for (node_id v = 0; v < n; ++v) net.node_x.push_back(rng() % 1000), net.node_y.push_back(rng() % 1000);
        const double xs[2] = {0, 1}, ys[2] = {0, 1};
        auto edge = [&](node_id s, node_id t) {
            const double length = std::uniform_real_distribution<double>(0, 60)(rng);
            const double there = length / std::uniform_real_distribution<double>(0.5, 3)(rng);
            const double back = rng() % 3 == 0 ? -1 : length / std::uniform_real_distribution<double>(0.5, 3)(rng);
            net.add_edge(s, t, length, there, back, 0, xs, ys, 2);
        };
        for (node_id v = 0; v + 1 < n; ++v) edge(v, v + 1);
        for (int e = 0, extra = rng() % (n + 2); e < extra; ++e) edge(rng() % n, rng() % n);
        const node_id source = rng() % n;
        for (metric m : {metric::time, metric::length}) {
            const router to(net, m, direction::to_facility);
            CHECK(to.cost_direction() == direction::to_facility);
            bounded_search search(to);
            search.run({seed{source, 0.0, 0}}, std::numeric_limits<double>::infinity());
            for (node_id v = 0; v < n; ++v) {
                const double want = test::reference_dijkstra(net, m, v)[source];
                INFO("trial " << trial << ", node " << v << " -> source " << source);
                REQUIRE(search.reached(v) == std::isfinite(want));
                if (std::isfinite(want)) REQUIRE(search.cost(v) == Approx(want).epsilon(1e-12));
            }
        }
    }
}
