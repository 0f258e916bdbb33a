#include "healthreach/geo/roads.hpp"

#include "healthreach/geo/crs.hpp"
#include "healthreach/geo/features.hpp"
#include "healthreach/error.hpp"
#include "healthreach/geo/gdal.hpp"

#include <cstdlib>
#include <limits>
#include <memory>
#include <unordered_map>

namespace healthreach::geo {

namespace {

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

class class_table {
public:
    explicit class_table(std::vector<std::string>& names) : names_(names) {}
    std::uint16_t intern(const std::string& name) {
        auto [it, inserted] = index_.emplace(name, static_cast<std::uint16_t>(names_.size()));
        if (inserted) {
            if (names_.size() >= std::numeric_limits<std::uint16_t>::max())
                throw input_error("too many distinct road classes");
            names_.push_back(name);
        }
        return it->second;
    }

private:
    std::vector<std::string>& names_;
    std::unordered_map<std::string, std::uint16_t> index_;
};

void append_line(road_set& roads, const OGRLineString& ls, road_line line) {
    const int n = ls.getNumPoints();
    if (n < 2) return;
    line.first = static_cast<std::uint32_t>(roads.x.size());
    line.count = static_cast<std::uint32_t>(n);
    for (int i = 0; i < n; ++i) {
        roads.x.push_back(ls.getX(i));
        roads.y.push_back(ls.getY(i));
    }
    roads.lines.push_back(line);
}

std::int8_t parse_foot(const std::string& v) {
    const std::string s = lower(v);
    if (s == "yes" || s == "designated" || s == "permissive") return 1;
    if (s == "no" || s == "private") return -1;
    return 0;
}

// The --clip polygons grown by `buffer_m` metres (in the UTM zone of their centre), in `srs`.
std::unique_ptr<OGRGeometry> clip_area(const std::string& path, const OGRSpatialReference& srs, double buffer_m) {
    const polygon_set polygons = read_polygons(path, srs);
    OGREnvelope env;
    for (const auto& g : polygons.geometry) {
        OGREnvelope e;
        g->getEnvelope(&e);
        env.Merge(e);
    }
    double lon = 0, lat = 0;
    envelope_center_lonlat(env, srs, lon, lat);
    const OGRSpatialReference metric = utm_zone_for(lon, lat);
    const transformer to_metric(srs, metric), back(metric, srs);
    std::unique_ptr<OGRGeometry> area;
    for (const auto& g : polygons.geometry) {
        std::unique_ptr<OGRGeometry> m(g->clone());
        to_metric.apply(*m, path);
        std::unique_ptr<OGRGeometry> grown(buffer_m > 0 ? m->Buffer(buffer_m, 8) : m.release());
        if (!grown) throw input_error(path + ": a --clip polygon cannot be buffered (invalid geometry)");
        area.reset(area ? area->Union(grown.get()) : grown.release());
        if (!area) throw input_error(path + ": the --clip polygons cannot be merged (invalid geometry)");
    }
    back.apply(*area, path);
    return area;
}

}  // namespace

osm_tags parse_other_tags(const char* text) {
    osm_tags tags;
    if (!text) return tags;
    const std::string s(text);
    std::size_t i = 0;
    auto read_quoted = [&](std::string& out) {
        out.clear();
        while (i < s.size() && s[i] != '"') ++i;
        if (i >= s.size()) return false;
        ++i;
        while (i < s.size() && s[i] != '"') {
            if (s[i] == '\\' && i + 1 < s.size()) ++i;
            out += s[i++];
        }
        ++i;
        return true;
    };
    std::string key, value;
    while (read_quoted(key) && read_quoted(value)) {
        if (key == "oneway") tags.oneway = value;
        else if (key == "maxspeed") tags.maxspeed = value;
        else if (key == "junction") tags.junction = value;
        else if (key == "access") tags.access = value;
        else if (key == "foot") tags.foot = value;
        else if (key == "tunnel") tags.tunnel = value;
        else if (key == "bridge") tags.bridge = value;
    }
    return tags;
}

float parse_maxspeed(const std::string& value) {
    const char* begin = value.c_str();
    char* end = nullptr;
    const double v = std::strtod(begin, &end);
    if (end == begin) return 0;
    const bool mph = value.find("mph") != std::string::npos;
    const double kmh = mph ? v * 1.609344 : v;
    // Beyond a float ("1e39") the cast itself would be undefined: infinite, which read_roads refuses
    // (with every speed above max_road_speed_kmh) rather than letting the road be free to travel.
    if (std::abs(kmh) > std::numeric_limits<float>::max()) return std::copysign(std::numeric_limits<float>::infinity(), kmh);
    return static_cast<float>(kmh);
}

oneway_kind parse_oneway(const std::string& value) {
    const std::string v = lower(value);
    if (v == "yes" || v == "true" || v == "1") return oneway_kind::forward;
    if (v == "-1" || v == "reverse") return oneway_kind::backward;
    return oneway_kind::both;
}

void road_set::center_lonlat(double& lon, double& lat) const {
    OGREnvelope env;
    for (std::size_t i = 0; i < x.size(); ++i) env.Merge(x[i], y[i]);
    envelope_center_lonlat(env, srs, lon, lat);
}

namespace {

OGRLayer& road_layer(GDALDataset& ds, const std::string& path, const road_options& options, std::string& note) {
    const bool osm = std::string(ds.GetDriverName()) == "OSM";
    return choose_layer(ds, path, options.layer.empty() && osm ? "lines" : options.layer, geometry_kind::line, "--roads-layer", note);
}

}  // namespace

std::string road_layer_name(const std::string& path, const road_options& options, std::string* note) {
    dataset_ptr ds = open_vector(path);
    std::string ignored;
    return road_layer(*ds, path, options, note ? *note : ignored).GetName();
}

road_set read_roads(const std::string& path, const road_options& options) {
    dataset_ptr ds = open_vector(path);
    road_set roads;
    const bool osm = std::string(ds->GetDriverName()) == "OSM";
    OGRLayer& layer = road_layer(*ds, path, options, roads.layer_note);
    const std::string where = path + " layer " + layer.GetName();
    roads.path = path;
    roads.layer = layer.GetName();
    const OGRSpatialReference* srs = layer.GetSpatialRef();
    if (!srs) throw input_error(where + ": has no CRS");
    roads.srs = traditional(*srs);
    if (!options.clip.empty()) layer.SetSpatialFilter(clip_area(options.clip, roads.srs, options.clip_buffer_m.value_or(0)).get());
    const std::string clipped = options.clip.empty() ? "" : " within --clip " + options.clip;
    // Without this the OSM driver keeps every point, polygon and relation of the file in memory
    // while the lines are read: memory would grow with the extract, not with the roads kept.
    if (osm)
        if (OGRLayer* none = ds->ExecuteSQL(("SET interest_layers = " + roads.layer).c_str(), nullptr, nullptr)) ds->ReleaseResultSet(none);

    OGRFeatureDefn& defn = *layer.GetLayerDefn();
    const road_fields& f = options.fields;
    const int i_highway = field_index(defn, f.highway);
    const auto no_road_line = [&] { return input_error(where + ": no road line" + (clipped.empty() ? " (the layer is empty)" : clipped)); };
    if (i_highway < 0) {
        // An empty layer (a GeoJSON without features has no fields either) says so, not that a field is missing.
        if (layer.GetFeatureCount(TRUE) == 0) throw no_road_line();
        throw input_error(where + ": no road class field '" + f.highway + "' (--class-field)");
    }
    // An OSM file, or a copy of one made by ogr2ogr, keeps oneway, maxspeed, access... in other_tags.
    const int i_other = defn.GetFieldIndex("other_tags");
    const int i_maxspeed = field_index(defn, f.maxspeed);
    const int i_oneway = field_index(defn, f.oneway);
    const int i_junction = field_index(defn, f.junction);
    const int i_access = field_index(defn, f.access);
    const int i_foot = field_index(defn, f.foot);
    const int i_tunnel = field_index(defn, f.tunnel);
    const int i_bridge = field_index(defn, f.bridge);
    auto text = [](OGRFeature& feat, int i) {
        return i >= 0 && feat.IsFieldSetAndNotNull(i) ? std::string(feat.GetFieldAsString(i)) : std::string();
    };

    class_table classes(roads.classes);
    layer.ResetReading();
    for (feature_ptr feat(layer.GetNextFeature()); feat; feat.reset(layer.GetNextFeature())) {
        ++roads.features_read;
        const std::string highway = text(*feat, i_highway);
        if (highway.empty()) continue;
        const OGRGeometry* geom = feat->GetGeometryRef();
        if (!geom) continue;

        osm_tags tags = i_other >= 0 ? parse_other_tags(feat->GetFieldAsString(i_other)) : osm_tags{};
        // A field of its own, where set, wins over other_tags.
        auto take = [&](std::string& tag, int i) {
            if (i >= 0 && feat->IsFieldSetAndNotNull(i)) tag = feat->GetFieldAsString(i);
        };
        take(tags.maxspeed, i_maxspeed);
        take(tags.oneway, i_oneway);
        take(tags.junction, i_junction);
        take(tags.access, i_access);
        take(tags.foot, i_foot);
        take(tags.tunnel, i_tunnel);
        take(tags.bridge, i_bridge);

        road_line line;
        line.highway = classes.intern(highway);
        line.maxspeed_kmh = parse_maxspeed(tags.maxspeed);
        if (line.maxspeed_kmh != 0 && !(line.maxspeed_kmh > 0 && line.maxspeed_kmh <= max_road_speed_kmh)) {
            line.maxspeed_kmh = 0;
            ++roads.speeds_ignored;
        }
        line.roundabout = lower(tags.junction) == "roundabout" || lower(tags.junction) == "circular";
        line.oneway = parse_oneway(tags.oneway);
        // A roundabout is one-way in its drawing direction unless tagged otherwise.
        if (line.roundabout && tags.oneway.empty()) line.oneway = oneway_kind::forward;
        const std::string access = lower(tags.access);
        line.access_private = access == "private" || access == "no";
        line.foot = parse_foot(tags.foot);
        // A building passage runs on the ground; any other tunnel, and any bridge, does not.
        const std::string tunnel = lower(tags.tunnel), bridge = lower(tags.bridge);
        line.off_ground = (!tunnel.empty() && tunnel != "no" && tunnel != "building_passage") ||
                          (!bridge.empty() && bridge != "no");

        switch (wkbFlatten(geom->getGeometryType())) {
        case wkbLineString:
            append_line(roads, *geom->toLineString(), line);
            break;
        case wkbMultiLineString:
            for (const OGRLineString* part : *geom->toMultiLineString()) append_line(roads, *part, line);
            break;
        default:
            throw input_error(where + ": feature " + std::to_string(feat->GetFID()) + " is a " +
                              geom->getGeometryName() + ", not a line");
        }
    }
    // Counted here rather than up front: an OSM layer has no stored count, and counting it would parse
    // the whole file once more.
    if (roads.features_read == 0) throw no_road_line();
    if (roads.lines.empty())
        throw input_error(where + ": no road line" + clipped + " (" + std::to_string(roads.features_read) +
                          " features, none with a '" + f.highway + "' value and a line geometry)");
    return roads;
}

}  // namespace healthreach::geo
