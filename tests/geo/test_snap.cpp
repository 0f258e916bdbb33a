#include "support.hpp"

#include "healthreach/geo/crs.hpp"
#include "healthreach/geo/snap.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <limits>

using namespace healthreach;
using namespace healthreach::geo;

TEST_CASE("points snap to edge interiors, with offset along the edge", "[snap]") {
    const std::string path = test::write_lines(test::scratch_dir("snap") + "/r.geojson",
                                               {{{{0, 0}, {100, 0}, {100, 100}}, "\"highway\":\"residential\""},
                                                {{{0, 0}, {0, 100}, {100, 100}}, "\"highway\":\"residential\""}});
    const auto built = build_network(read_roads(path), test::builtin_profile("drive"), parse_crs("EPSG:32650"));
    const network& net = built.net;
    const snapper snap(net);

    const snap_result r = snap.nearest(130, 60);  // nearest to the second segment of the first line
    REQUIRE(r.edge != invalid_id);
    CHECK(r.x == Approx(100));
    CHECK(r.y == Approx(60));
    CHECK(r.distance_m == Approx(30));
    const bool from_origin = net.node_x[net.edge_source[r.edge]] == 0;
    CHECK(r.offset_m == Approx(from_origin ? 160 : 40));

    const snap_result mid = snap.nearest(50, -7);
    CHECK(mid.x == Approx(50));
    CHECK(mid.y == Approx(0));
    CHECK(mid.distance_m == Approx(7));

    const snap_result corner = snap.nearest(-3, -4);  // nearest at a node
    CHECK(corner.distance_m == Approx(5));
}

TEST_CASE("snapping equals a brute-force search over every segment", "[snap][real]") {
    const auto real = test::real_drive_network("andorra-2021.osm.pbf");
    if (!real) return;
    const network& net = *real;
    const snapper snap(net);
    double x0 = 1e300, y0 = 1e300, x1 = -1e300, y1 = -1e300;
    for (std::size_t v = 0; v < net.node_count(); ++v) {
        x0 = std::min(x0, net.node_x[v]), x1 = std::max(x1, net.node_x[v]);
        y0 = std::min(y0, net.node_y[v]), y1 = std::max(y1, net.node_y[v]);
    }
    std::uint64_t state = 12345;
    auto uniform = [&] {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return (state >> 11) * (1.0 / 9007199254740992.0);
    };
    for (int k = 0; k < 300; ++k) {
        // Some points well outside the network's box, where a nearest search has far to go.
        const double x = x0 - 5000 + uniform() * (x1 - x0 + 10000), y = y0 - 5000 + uniform() * (y1 - y0 + 10000);
        double best = std::numeric_limits<double>::infinity();
        for (std::size_t v = 0; v + 1 < net.geom_x.size(); ++v) {
            const auto e = std::upper_bound(net.geom_first.begin(), net.geom_first.end(), v) - net.geom_first.begin() - 1;
            if (v + 1 >= net.geom_first[e + 1]) continue;  // the last vertex of an edge starts no segment
            const double ax = net.geom_x[v], ay = net.geom_y[v], dx = net.geom_x[v + 1] - ax, dy = net.geom_y[v + 1] - ay;
            const double len2 = dx * dx + dy * dy;
            const double t = len2 > 0 ? std::clamp(((x - ax) * dx + (y - ay) * dy) / len2, 0.0, 1.0) : 0;
            best = std::min(best, std::hypot(x - ax - t * dx, y - ay - t * dy));
        }
        REQUIRE(snap.nearest(x, y).distance_m == Approx(best).epsilon(1e-9));
    }
}

TEST_CASE("snapping equals brute force on random networks: long segments, clusters, far points", "[snap]") {
    // Random polylines: some kilometres long across the grid's cells, most short and crowded in a
    // corner, as roads crowd in towns; query points near, inside and far outside the network.
    std::uint64_t state = 777;
    auto uniform = [&](double lo, double hi) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return lo + (state >> 11) * (1.0 / 9007199254740992.0) * (hi - lo);
    };
    for (int trial = 0; trial < 40; ++trial) {
        network net;
        const int edges = 1 + static_cast<int>(uniform(0, 60));
        for (int e = 0; e < edges; ++e) {
            const bool town = uniform(0, 1) < 0.7;
            const double span = town ? 200 : 8000;
            std::vector<double> xs, ys;
            const int vertices = 2 + static_cast<int>(uniform(0, 4));
            for (int v = 0; v < vertices; ++v) xs.push_back(uniform(0, span)), ys.push_back(uniform(0, span));
            const node_id s = static_cast<node_id>(net.node_x.size());
            net.node_x.push_back(xs.front()), net.node_y.push_back(ys.front());
            net.node_x.push_back(xs.back()), net.node_y.push_back(ys.back());
            net.add_edge(s, s + 1, 1, 1, 1, 0, xs.data(), ys.data(), xs.size());
        }
        const snapper snap(net);
        for (int k = 0; k < 200; ++k) {
            const double x = uniform(-20000, 28000), y = uniform(-20000, 28000);
            double best = std::numeric_limits<double>::infinity();
            edge_id best_edge = invalid_id;
            for (edge_id e = 0; e < net.edge_count(); ++e)
                for (std::uint64_t v = net.geom_first[e]; v + 1 < net.geom_first[e + 1]; ++v) {
                    const double ax = net.geom_x[v], ay = net.geom_y[v], dx = net.geom_x[v + 1] - ax, dy = net.geom_y[v + 1] - ay;
                    const double len2 = dx * dx + dy * dy;
                    const double t = len2 > 0 ? std::clamp(((x - ax) * dx + (y - ay) * dy) / len2, 0.0, 1.0) : 0;
                    const double d = std::hypot(x - ax - t * dx, y - ay - t * dy);
                    if (d < best) best = d, best_edge = e;
                }
            const snap_result r = snap.nearest(x, y);
            INFO("trial " << trial << ", point " << x << "," << y);
            REQUIRE(r.distance_m == Approx(best).epsilon(1e-12));
            // The edge may differ only where two edges are equally near.
            if (r.edge != best_edge) CHECK(r.distance_m == best);
            // Stopped at a distance: the same snap when the nearest lies within it, else none.
            for (double within : {50.0, 1000.0, 3000.0}) {
                const snap_result w = snap.nearest(x, y, within);
                if (best <= within) {
                    CHECK(w.edge == r.edge);
                    CHECK(w.distance_m == r.distance_m);
                    CHECK(w.offset_m == r.offset_m);
                } else {
                    CHECK(w.edge == invalid_id);
                    CHECK(w.distance_m == std::numeric_limits<double>::infinity());
                }
            }
        }
    }
}
