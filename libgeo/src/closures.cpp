#include "healthreach/geo/closures.hpp"

#include "healthreach/geo/features.hpp"
#include "healthreach/error.hpp"

#include <geos_c.h>

#include <cmath>
#include <cstdlib>

namespace healthreach::geo {

namespace {

// Each polygon of a layer, prepared for GEOS predicates, tested against each edge whose envelope
// meets its own.
class polygon_tester {
public:
    explicit polygon_tester(const polygon_set& polygons) : p_(polygons) {}

    // Calls f(polygon, length of the edge inside it) for every polygon the edge touches.
    template <class F>
    void each(const network& net, edge_id e, bool need_length, F f) const {
        const std::uint64_t b = net.geom_first[e], n = net.geom_first[e + 1] - b;
        OGREnvelope env;
        for (std::uint64_t v = b; v < b + n; ++v) env.Merge(net.geom_x[v], net.geom_y[v]);
        GEOSGeometry* line = nullptr;
        for (std::size_t k = 0; k < p_.prepared.size(); ++k) {
            if (!p_.envelopes[k].Intersects(env)) continue;
            if (!line) {
                GEOSCoordSequence* seq = GEOSCoordSeq_create_r(p_.ctx, static_cast<unsigned>(n), 2);
                for (std::uint64_t v = 0; v < n; ++v)
                    GEOSCoordSeq_setXY_r(p_.ctx, seq, static_cast<unsigned>(v), net.geom_x[b + v], net.geom_y[b + v]);
                line = GEOSGeom_createLineString_r(p_.ctx, seq);
            }
            if (!GEOSPreparedIntersects_r(p_.ctx, p_.prepared[k], line)) continue;
            double inside = 0;
            if (need_length) {
                if (GEOSPreparedContains_r(p_.ctx, p_.prepared[k], line) == 1) {
                    inside = net.edge_length_m[e];
                } else if (GEOSGeometry* part = GEOSIntersection_r(p_.ctx, p_.geoms[k], line)) {
                    GEOSLength_r(p_.ctx, part, &inside);
                    GEOSGeom_destroy_r(p_.ctx, part);
                }
            }
            f(k, std::min(inside, net.edge_length_m[e]));
        }
        if (line) GEOSGeom_destroy_r(p_.ctx, line);
    }

private:
    prepared_polygons p_;
};

}  // namespace

void apply_speed_factors(network& net, const std::string& path, network_adjustments& report) {
    const polygon_set polygons = read_polygons(path, net.srs, "", "factor");
    const std::string where = path + " layer " + polygons.layer;
    std::vector<double> factor;
    for (std::size_t k = 0; k < polygons.size(); ++k) {
        const std::string& text = polygons.name[k];
        char* end = nullptr;
        const double v = std::strtod(text.c_str(), &end);
        if (text.empty() || *end != '\0' || !std::isfinite(v) || v <= 0)
            throw input_error(where + ": field 'factor' of polygon " + std::to_string(k + 1) + " is '" + text +
                              "'; a speed factor must be a number > 0 (use --closures to close roads)");
        factor.push_back(v);
    }
    const polygon_tester tester(polygons);
    double slowed_m = 0;
    for (edge_id e = 0; e < net.edge_count(); ++e) {
        const double length = net.edge_length_m[e];
        if (!(length > 0)) continue;
        // Each polygon's part of the edge takes 1 / factor times as long; the extra times add.
        double inside_m = 0, extra = 0;
        tester.each(net, e, true, [&](std::size_t k, double inside) {
            extra += inside / length * (1 / factor[k] - 1);
            inside_m += inside;
        });
        if (!(inside_m > 0)) continue;
        net.edge_time_s[e] *= 1 + extra;
        if (net.reverse_open(e)) net.edge_reverse_time_s[e] *= 1 + extra;
        slowed_m += std::min(inside_m, length);
        ++report.slowed_edges;
    }
    report.slowed_km = slowed_m / 1000;
}

void apply_closures(network& net, const std::string& path, network_adjustments& report) {
    const polygon_set polygons = read_polygons(path, net.srs);
    const polygon_tester tester(polygons);
    network open;
    open.srs = net.srs;
    open.classes = net.classes;
    open.node_x = net.node_x;
    open.node_y = net.node_y;
    double closed_m = 0;
    for (edge_id e = 0; e < net.edge_count(); ++e) {
        bool closed = false;
        tester.each(net, e, false, [&](std::size_t, double) { closed = true; });
        if (closed) {
            closed_m += net.edge_length_m[e];
            ++report.closed_edges;
            continue;
        }
        const std::size_t b = net.geom_first[e];
        open.add_edge(net.edge_source[e], net.edge_target[e], net.edge_length_m[e], net.edge_time_s[e],
                      net.edge_reverse_time_s[e], net.edge_class[e], &net.geom_x[b], &net.geom_y[b],
                      net.geom_first[e + 1] - b);
    }
    report.closed_km = closed_m / 1000;
    net = std::move(open);
}

}  // namespace healthreach::geo
