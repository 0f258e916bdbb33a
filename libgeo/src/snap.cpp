#include "healthreach/geo/snap.hpp"

#include <boost/geometry.hpp>
#include <boost/geometry/index/rtree.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

namespace healthreach::geo {

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;
using point = bg::model::point<double, 2, bg::cs::cartesian>;
using box = bg::model::box<point>;
using entry = std::pair<box, std::uint64_t>;  // segment bounds, index of its first vertex in geom_x/y

// Two indexes over the segments. A uniform grid as flat arrays (CSR), read ring by ring around the
// point with no allocation, answers points near roads, most of them: Boost's R-tree spent most of a
// coverage run in allocation and sorting. Points the first rings do not settle (far from every road,
// or outside the grid) go to the R-tree, whose cost grows with the log of the segments where the
// grid's would grow with the distance.
struct snapper::index {
    bgi::rtree<entry, bgi::rstar<16>> tree;
    double x0 = 0, y0 = 0, size = 1;  // the grid's lower-left corner and its cells' side
    std::int64_t cols = 1, rows = 1;
    std::vector<std::uint64_t> first{0, 0};  // segments of cell c: segment[first[c] .. first[c + 1])
    std::vector<std::uint64_t> segment;      // index of a segment's first vertex in geom_x/y
    std::vector<edge_id> edge_of_vertex;     // which edge each geometry vertex belongs to

    std::int64_t col_of(double x) const { return cell_of((x - x0) / size, cols); }
    std::int64_t row_of(double y) const { return cell_of((y - y0) / size, rows); }
    // Clamped before the conversion, which is undefined for values out of range (NaN goes to 0).
    static std::int64_t cell_of(double at, std::int64_t count) {
        const double f = std::floor(at);
        return !(f >= 0) ? 0 : f >= static_cast<double>(count - 1) ? count - 1 : static_cast<std::int64_t>(f);
    }
};

snapper::snapper(const network& net) : net_(net), index_(new index) {
    index& g = *index_;
    g.edge_of_vertex.resize(net.geom_x.size());
    double x1 = -std::numeric_limits<double>::infinity(), y1 = x1;
    g.x0 = g.y0 = std::numeric_limits<double>::infinity();
    std::vector<entry> entries;
    entries.reserve(net.geom_x.size());
    for (edge_id e = 0; e < net.edge_count(); ++e)
        for (std::uint64_t v = net.geom_first[e]; v < net.geom_first[e + 1]; ++v) {
            g.edge_of_vertex[v] = e;
            g.x0 = std::min(g.x0, net.geom_x[v]), x1 = std::max(x1, net.geom_x[v]);
            g.y0 = std::min(g.y0, net.geom_y[v]), y1 = std::max(y1, net.geom_y[v]);
            if (v + 1 == net.geom_first[e + 1]) continue;
            const point a(std::min(net.geom_x[v], net.geom_x[v + 1]), std::min(net.geom_y[v], net.geom_y[v + 1]));
            const point b(std::max(net.geom_x[v], net.geom_x[v + 1]), std::max(net.geom_y[v], net.geom_y[v + 1]));
            entries.emplace_back(box(a, b), v);
        }
    const std::uint64_t segments = entries.size();
    g.tree = bgi::rtree<entry, bgi::rstar<16>>(entries.begin(), entries.end());  // packed bulk load
    if (segments == 0) {
        g.x0 = g.y0 = 0;
        return;
    }
    // Sixteen segments per cell, were they spread evenly. Roads crowd in towns and thin out in the
    // countryside, where a point may be kilometres from a road and its query reads rings of empty
    // cells: on the prefecture-scale region 16 made coverage fastest (against 0.5, 4 and 64).
    const double width = std::max(x1 - g.x0, 1.0), height = std::max(y1 - g.y0, 1.0);
    g.size = std::sqrt(width * height * 16 / static_cast<double>(segments));
    g.cols = static_cast<std::int64_t>(width / g.size) + 1;
    g.rows = static_cast<std::int64_t>(height / g.size) + 1;
    // Each segment goes into every cell its bounding box touches: counted, then placed.
    auto for_each_segment = [&](auto&& place) {
        for (edge_id e = 0; e < net.edge_count(); ++e)
            for (std::uint64_t v = net.geom_first[e]; v + 1 < net.geom_first[e + 1]; ++v) {
                const std::int64_t c0 = g.col_of(std::min(net.geom_x[v], net.geom_x[v + 1]));
                const std::int64_t c1 = g.col_of(std::max(net.geom_x[v], net.geom_x[v + 1]));
                const std::int64_t r0 = g.row_of(std::min(net.geom_y[v], net.geom_y[v + 1]));
                const std::int64_t r1 = g.row_of(std::max(net.geom_y[v], net.geom_y[v + 1]));
                for (std::int64_t r = r0; r <= r1; ++r)
                    for (std::int64_t c = c0; c <= c1; ++c) place(static_cast<std::uint64_t>(r * g.cols + c), v);
            }
    };
    g.first.assign(static_cast<std::size_t>(g.cols * g.rows) + 1, 0);
    for_each_segment([&](std::uint64_t cell, std::uint64_t) { ++g.first[cell + 1]; });
    for (std::size_t c = 1; c < g.first.size(); ++c) g.first[c] += g.first[c - 1];
    g.segment.resize(g.first.back());
    std::vector<std::uint64_t> fill(g.first.begin(), g.first.end() - 1);
    for_each_segment([&](std::uint64_t cell, std::uint64_t v) { g.segment[fill[cell]++] = v; });
}

snapper::~snapper() = default;

// Rings of grid cells a query reads before it turns to the R-tree.
constexpr std::int64_t grid_rings = 2;

snap_result snapper::nearest(double x, double y, double within) const {
    const index& g = *index_;
    snap_result best;
    double best_d2 = std::numeric_limits<double>::infinity();
    std::uint64_t best_v = 0;
    double best_t = 0;
    auto consider = [&](std::uint64_t v) {
        const double ax = net_.geom_x[v], ay = net_.geom_y[v];
        const double dx = net_.geom_x[v + 1] - ax, dy = net_.geom_y[v + 1] - ay;
        const double len2 = dx * dx + dy * dy;
        double t = len2 > 0 ? ((x - ax) * dx + (y - ay) * dy) / len2 : 0;
        t = std::min(1.0, std::max(0.0, t));
        const double qx = ax + t * dx, qy = ay + t * dy;
        const double d2 = (x - qx) * (x - qx) + (y - qy) * (y - qy);
        // Ties go to the lower vertex index, so results do not depend on the order cells are read.
        if (d2 < best_d2 || (d2 == best_d2 && v < best_v)) {
            best_d2 = d2;
            best_v = v;
            best_t = t;
            best.x = qx;
            best.y = qy;
        }
    };
    auto read_cell = [&](std::int64_t c, std::int64_t r) {
        if (c < 0 || c >= g.cols || r < 0 || r >= g.rows) return;
        const std::uint64_t cell = static_cast<std::uint64_t>(r * g.cols + c);
        for (std::uint64_t k = g.first[cell]; k < g.first[cell + 1]; ++k) consider(g.segment[k]);
    };
    // Rings of cells around the point's cell. A segment not yet read lies in cells outside the block
    // read so far, so it is at least as far as the nearest side of that block that the grid extends
    // beyond.
    const std::int64_t hc = g.col_of(x), hr = g.row_of(y);
    const bool inside = x >= g.x0 && x <= g.x0 + g.cols * g.size && y >= g.y0 && y <= g.y0 + g.rows * g.size;
    bool settled = false;
    for (std::int64_t k = 0; inside && k <= grid_rings; ++k) {
        if (k == 0) {
            read_cell(hc, hr);
        } else {
            for (std::int64_t c = hc - k; c <= hc + k; ++c) read_cell(c, hr - k), read_cell(c, hr + k);
            for (std::int64_t r = hr - k + 1; r <= hr + k - 1; ++r) read_cell(hc - k, r), read_cell(hc + k, r);
        }
        double reach = std::numeric_limits<double>::infinity();
        if (hc - k > 0) reach = std::min(reach, x - (g.x0 + (hc - k) * g.size));
        if (hc + k < g.cols - 1) reach = std::min(reach, g.x0 + (hc + k + 1) * g.size - x);
        if (hr - k > 0) reach = std::min(reach, y - (g.y0 + (hr - k) * g.size));
        if (hr + k < g.rows - 1) reach = std::min(reach, g.y0 + (hr + k + 1) * g.size - y);
        reach -= 1e-6;  // a margin for rounding where cells were assigned (metres; coordinates carry ~1e-10)
        if (reach > 0 && reach * reach > best_d2) {  // also when the block covers the grid (infinite reach)
            settled = true;
            break;
        }
        if (reach >= within) {  // nothing unread lies within `within`: the best read so far decides
            settled = true;
            break;
        }
    }
    if (!settled && std::isfinite(within)) {
        // Every segment within `within`, or nearer than the best read so far, has its box inside that
        // square (widened by a rounding margin; the final test below decides).
        const double r = std::min(within, std::sqrt(best_d2)) + 1e-6;
        const box window(point(x - r, y - r), point(x + r, y + r));
        for (auto it = g.tree.qbegin(bgi::intersects(window)); it != g.tree.qend(); ++it) consider(it->second);
    } else if (!settled) {
        // The segments of the nearest few boxes give an upper bound; every segment that could beat it
        // has its box inside the square of that radius, so one window query settles it exactly.
        const point p(x, y);
        constexpr unsigned first_batch = 8;
        double farthest_box = 0;
        unsigned seen = 0;
        for (auto it = g.tree.qbegin(bgi::nearest(p, first_batch)); it != g.tree.qend(); ++it, ++seen) {
            consider(it->second);
            farthest_box = std::max(farthest_box, bg::distance(p, it->first));
        }
        if (seen == first_batch && farthest_box * farthest_box <= best_d2) {
            const double r = std::sqrt(best_d2);
            const box window(point(x - r, y - r), point(x + r, y + r));
            for (auto it = g.tree.qbegin(bgi::intersects(window)); it != g.tree.qend(); ++it) consider(it->second);
        }
    }
    // Beyond `within` compared as distance_m is (the square root), so that a point exactly at the
    // snap limit is on the network either way.
    if (!std::isfinite(best_d2) || std::sqrt(best_d2) > within) {
        best = snap_result{};
        best.distance_m = std::isfinite(within) ? std::numeric_limits<double>::infinity() : 0;
        return best;
    }
    const edge_id e = index_->edge_of_vertex[best_v];
    double offset = 0;
    for (std::uint64_t v = net_.geom_first[e]; v < best_v; ++v)
        offset += std::hypot(net_.geom_x[v + 1] - net_.geom_x[v], net_.geom_y[v + 1] - net_.geom_y[v]);
    offset += best_t * std::hypot(net_.geom_x[best_v + 1] - net_.geom_x[best_v],
                                  net_.geom_y[best_v + 1] - net_.geom_y[best_v]);
    best.edge = e;
    best.offset_m = std::min(offset, net_.edge_length_m[e]);
    best.distance_m = std::sqrt(best_d2);
    return best;
}

}  // namespace healthreach::geo
