#include "healthreach/geo/snap.hpp"

#include <boost/geometry.hpp>
#include <boost/geometry/index/rtree.hpp>

#include <cmath>
#include <limits>

namespace healthreach::geo {

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;
using point = bg::model::point<double, 2, bg::cs::cartesian>;
using box = bg::model::box<point>;
using entry = std::pair<box, std::uint64_t>;  // segment bounds, index of its first vertex in geom_x/y

struct snapper::index {
    bgi::rtree<entry, bgi::rstar<16>> tree;
    std::vector<edge_id> edge_of_vertex;  // which edge each geometry vertex belongs to
};

snapper::snapper(const network& net) : net_(net), index_(new index) {
    std::vector<entry> entries;
    entries.reserve(net.geom_x.size());
    index_->edge_of_vertex.resize(net.geom_x.size());
    for (edge_id e = 0; e < net.edge_count(); ++e) {
        for (std::uint64_t v = net.geom_first[e]; v < net.geom_first[e + 1]; ++v) {
            index_->edge_of_vertex[v] = e;
            if (v + 1 == net.geom_first[e + 1]) continue;
            const point a(std::min(net.geom_x[v], net.geom_x[v + 1]), std::min(net.geom_y[v], net.geom_y[v + 1]));
            const point b(std::max(net.geom_x[v], net.geom_x[v + 1]), std::max(net.geom_y[v], net.geom_y[v + 1]));
            entries.emplace_back(box(a, b), v);
        }
    }
    index_->tree = bgi::rtree<entry, bgi::rstar<16>>(entries.begin(), entries.end());  // packed bulk load
}

snapper::~snapper() = default;

snap_result snapper::nearest(double x, double y) const {
    snap_result best;
    double best_d2 = std::numeric_limits<double>::infinity();
    std::uint64_t best_v = 0;
    double best_t = 0;
    auto consider = [&](const entry& en) {
        const std::uint64_t v = en.second;
        const double ax = net_.geom_x[v], ay = net_.geom_y[v];
        const double dx = net_.geom_x[v + 1] - ax, dy = net_.geom_y[v + 1] - ay;
        const double len2 = dx * dx + dy * dy;
        double t = len2 > 0 ? ((x - ax) * dx + (y - ay) * dy) / len2 : 0;
        t = std::min(1.0, std::max(0.0, t));
        const double qx = ax + t * dx, qy = ay + t * dy;
        const double d2 = (x - qx) * (x - qx) + (y - qy) * (y - qy);
        // Ties go to the lower vertex index, so results do not depend on the tree's layout.
        if (d2 < best_d2 || (d2 == best_d2 && v < best_v)) {
            best_d2 = d2;
            best_v = v;
            best_t = t;
            best.x = qx;
            best.y = qy;
        }
    };
    // The segments of the nearest few boxes give an upper bound; every segment that could beat it has
    // its box inside the square of that radius, so one window query settles it exactly.
    const point p(x, y);
    constexpr unsigned first_batch = 8;
    double farthest_box = 0;
    unsigned seen = 0;
    for (auto it = index_->tree.qbegin(bgi::nearest(p, first_batch)); it != index_->tree.qend(); ++it, ++seen) {
        consider(*it);
        farthest_box = std::max(farthest_box, bg::distance(p, it->first));
    }
    if (seen == first_batch && farthest_box * farthest_box <= best_d2) {
        const double r = std::sqrt(best_d2);
        const box window(point(x - r, y - r), point(x + r, y + r));
        for (auto it = index_->tree.qbegin(bgi::intersects(window)); it != index_->tree.qend(); ++it) consider(*it);
    }
    if (!std::isfinite(best_d2)) return best;
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
