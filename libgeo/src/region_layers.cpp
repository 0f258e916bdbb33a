#include "healthreach/geo/region_layers.hpp"

#include "healthreach/geo/crs.hpp"

#include <algorithm>
#include <cmath>
#include <map>

namespace healthreach::geo {

namespace {

constexpr double simplify_share = 1.0 / 4000;  // of the region's larger side

OGRSpatialReference wgs84() {
    OGRSpatialReference s;
    s.importFromEPSG(4326);  // as points from CSV are read: the same transformation, to the last bit
    return traditional(s);
}

// Degrees to 1e-5 (about a metre): enough for a screen, a third of the text.
double rounded(double deg) { return std::round(deg * 1e5) / 1e5; }

OGREnvelope network_extent(const network& net) {
    OGREnvelope e;
    for (std::size_t v = 0; v < net.node_count(); ++v) e.Merge(net.node_x[v], net.node_y[v]);
    return e;
}

double tolerance_of(const OGREnvelope& e) { return std::max(e.MaxX - e.MinX, e.MaxY - e.MinY) * simplify_share; }

// Douglas-Peucker on one polyline: the indices kept, ends included.
void simplify(const double* x, const double* y, std::size_t first, std::size_t last, double tol, std::vector<std::uint8_t>& keep) {
    if (last <= first + 1) return;
    const double dx = x[last] - x[first], dy = y[last] - y[first];
    const double len = std::hypot(dx, dy);
    double worst = -1;
    std::size_t at = first;
    for (std::size_t i = first + 1; i < last; ++i) {
        const double d = len > 0 ? std::fabs(dy * (x[i] - x[first]) - dx * (y[i] - y[first])) / len
                                 : std::hypot(x[i] - x[first], y[i] - y[first]);
        if (d > worst) worst = d, at = i;
    }
    if (worst <= tol) return;
    keep[at] = 1;
    simplify(x, y, first, at, tol, keep);
    simplify(x, y, at, last, tol, keep);
}

// A line in the metric CRS, simplified, in WGS 84 (lon, lat pairs).
std::vector<double> simplified_lonlat(const double* x, const double* y, std::size_t n, double tol, const transformer& to_wgs84) {
    std::vector<std::uint8_t> keep(n, 0);
    keep[0] = keep[n - 1] = 1;
    simplify(x, y, 0, n - 1, tol, keep);
    std::vector<double> lon, lat;
    for (std::size_t i = 0; i < n; ++i)
        if (keep[i]) lon.push_back(x[i]), lat.push_back(y[i]);
    to_wgs84.apply(lon, lat, "map layer");
    std::vector<double> out;
    for (std::size_t i = 0; i < lon.size(); ++i) out.push_back(rounded(lon[i])), out.push_back(rounded(lat[i]));
    return out;
}

void write_coords(json_writer& j, const std::vector<double>& lonlat) {
    j.begin_array();
    for (std::size_t i = 0; i + 1 < lonlat.size(); i += 2) j.begin_array().value(lonlat[i]).value(lonlat[i + 1]).end_array();
    j.end_array();
}

// OSM highway values, the most important first; other classes follow by name.
int class_rank(const std::string& c) {
    static const char* order[] = {"motorway", "trunk", "primary", "secondary", "tertiary", "motorway_link", "trunk_link",
                                  "primary_link", "secondary_link", "tertiary_link", "unclassified", "residential",
                                  "living_street", "road", "service", "track", "pedestrian", "footway", "path",
                                  "cycleway", "steps"};
    for (int k = 0; k < static_cast<int>(std::size(order)); ++k)
        if (c == order[k]) return k;
    return static_cast<int>(std::size(order));
}

}  // namespace

void write_region_json(const analysis& a, json_writer& j) {
    const OGREnvelope e = network_extent(a.built.net);
    double xs[4] = {e.MinX, e.MaxX, e.MinX, e.MaxX}, ys[4] = {e.MinY, e.MinY, e.MaxY, e.MaxY};
    const transformer to_wgs84(a.crs, wgs84());
    to_wgs84.apply(xs, ys, 4, "region extent");
    j.field("crs", crs_label(a.crs));
    j.key("bbox_wgs84").begin_array();
    j.value(*std::min_element(xs, xs + 4)).value(*std::min_element(ys, ys + 4));
    j.value(*std::max_element(xs, xs + 4)).value(*std::max_element(ys, ys + 4));
    j.end_array();
    j.key("services").begin_array();
    for (const auto& [name, svc] : a.rules.services) j.value(name);
    j.end_array();
    j.field("service", a.svc->name);
    j.field("metric", a.svc->cost_metric == metric::length ? "distance" : "time");
    j.key("limits").begin_object();
    for (area_class c : {area_class::urban, area_class::rural}) {
        const double l = a.limit_of(c);
        if (l == no_limit) j.key(area_class_name(c)).null();
        else j.field(area_class_name(c), l);
    }
    j.end_object();
    j.field("snap_limit_m", a.options.snap_limit_m);
    std::vector<double> lon(a.facilities.x), lat(a.facilities.y);
    to_wgs84.apply(lon, lat, "facilities");
    j.key("facilities").begin_array();
    for (std::size_t f = 0; f < a.facilities.size(); ++f) {
        j.begin_object().field("id", a.facilities.id[f]).field("name", a.facilities.name[f]).field("type", a.facilities.type[f]);
        j.field("x", a.facilities.x[f]).field("y", a.facilities.y[f]).field("lon", lon[f]).field("lat", lat[f]);
        j.field("on_network", a.site_of_facility[f] != invalid_id);
        j.end_object();
    }
    j.end_array();
    j.key("admin").begin_array();
    if (a.admin)
        for (const std::string& n : a.admin->name) j.value(n);
    j.end_array();
}

void write_roads_geojson(const analysis& a, json_writer& j, std::size_t max_vertices) {
    const network& net = a.built.net;
    const double tol = tolerance_of(network_extent(net));
    const transformer to_wgs84(a.crs, wgs84());
    std::vector<std::vector<edge_id>> by_class(net.classes.size());
    for (edge_id e = 0; e < net.edge_count(); ++e) by_class[net.edge_class[e]].push_back(e);
    std::vector<std::size_t> order;
    for (std::size_t c = 0; c < by_class.size(); ++c)
        if (!by_class[c].empty()) order.push_back(c);
    std::sort(order.begin(), order.end(), [&](std::size_t p, std::size_t q) {
        const int rp = class_rank(net.classes[p]), rq = class_rank(net.classes[q]);
        return rp != rq ? rp < rq : net.classes[p] < net.classes[q];
    });
    j.field("type", "FeatureCollection");
    j.key("features").begin_array();
    std::size_t vertices = 0;
    for (std::size_t k = 0; k < order.size(); ++k) {
        const std::size_t c = order[k];
        std::vector<std::vector<double>> lines;
        std::size_t n = 0;
        for (edge_id e : by_class[c]) {
            const std::size_t g0 = net.geom_first[e], g1 = net.geom_first[e + 1];
            if (g1 - g0 < 2) continue;
            lines.push_back(simplified_lonlat(&net.geom_x[g0], &net.geom_y[g0], g1 - g0, tol, to_wgs84));
            n += lines.back().size() / 2;
        }
        if (k > 0 && vertices + n > max_vertices) break;  // the most important class is always drawn
        vertices += n;
        j.begin_object().field("type", "Feature");
        j.key("properties").begin_object().field("class", net.classes[c]).field("rank", k).end_object();
        j.key("geometry").begin_object().field("type", "MultiLineString").key("coordinates").begin_array();
        for (const auto& line : lines) write_coords(j, line);
        j.end_array().end_object().end_object();
    }
    j.end_array();
}

void write_admin_geojson(const analysis& a, json_writer& j) {
    j.field("type", "FeatureCollection");
    j.key("features").begin_array();
    if (a.admin) {
        OGREnvelope all;
        for (const auto& g : a.admin->geometry) {
            OGREnvelope e;
            g->getEnvelope(&e);
            all.Merge(e);
        }
        const double tol = tolerance_of(all);
        const transformer to_wgs84(a.crs, wgs84());
        auto ring = [&](const OGRLinearRing& r) {
            std::vector<double> x(r.getNumPoints()), y(r.getNumPoints());
            for (int i = 0; i < r.getNumPoints(); ++i) x[i] = r.getX(i), y[i] = r.getY(i);
            if (x.size() >= 2) write_coords(j, simplified_lonlat(x.data(), y.data(), x.size(), tol, to_wgs84));
        };
        auto polygon = [&](const OGRPolygon& p) {
            j.begin_array();
            if (p.getExteriorRing()) ring(*p.getExteriorRing());
            for (int i = 0; i < p.getNumInteriorRings(); ++i) ring(*p.getInteriorRing(i));
            j.end_array();
        };
        for (std::size_t u = 0; u < a.admin->size(); ++u) {
            const OGRGeometry& g = *a.admin->geometry[u];
            j.begin_object().field("type", "Feature");
            j.key("properties").begin_object().field("name", a.admin->name[u]).end_object();
            j.key("geometry").begin_object().field("type", "MultiPolygon").key("coordinates").begin_array();
            if (const auto* mp = dynamic_cast<const OGRMultiPolygon*>(&g)) {
                for (const OGRPolygon* p : *mp) polygon(*p);
            } else if (const auto* p = dynamic_cast<const OGRPolygon*>(&g)) {
                polygon(*p);
            }
            j.end_array().end_object().end_object();
        }
    }
    j.end_array();
}

}  // namespace healthreach::geo
