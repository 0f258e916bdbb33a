#pragma once
// Road lines read through GDAL: OpenStreetMap files and any OGR line layer.
#include <ogr_core.h>
#include <ogr_spatialref.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace healthreach::geo {

// Names of the attribute fields of a generic road layer (OSM keys by default).
struct road_fields {
    std::string highway = "highway";
    std::string maxspeed = "maxspeed";
    std::string oneway = "oneway";
    std::string junction = "junction";
    std::string access = "access";
    std::string foot = "foot";
    std::string tunnel = "tunnel";
    std::string bridge = "bridge";
};

struct road_options {
    std::string layer;  // empty: `lines` for OSM files, else the only layer or the only line layer
    road_fields fields;
    // --clip: only road features meeting these polygons grown by clip_buffer_m metres are read (a
    // spatial filter on the layer, so a province's extract is never held whole); empty: every road.
    std::string clip;
    std::optional<double> clip_buffer_m;  // unset: 0 when reading; an analysis sets its own default
};

enum class oneway_kind : std::int8_t { both = 0, forward = 1, backward = -1 };

// One road line; its vertices are road_set::x/y[first, first + count).
struct road_line {
    std::uint32_t first = 0;
    std::uint32_t count = 0;
    std::uint16_t highway = 0;     // index into road_set::classes
    float maxspeed_kmh = 0;        // 0: none given
    oneway_kind oneway = oneway_kind::both;
    bool roundabout = false;
    bool access_private = false;   // access=private|no
    std::int8_t foot = 0;          // 1 foot=yes|designated|permissive, -1 foot=no, 0 unset
    bool off_ground = false;       // a tunnel or a bridge: its slope is not the terrain's (--dem)
};

struct road_set {
    std::string path, layer;
    std::string layer_note;        // which layer of several was read, when none was named
    OGRSpatialReference srs;       // CRS of x/y, traditional axis order
    std::vector<double> x, y;      // vertices of every line, in the source CRS
    std::vector<road_line> lines;  // lines with a road class only
    std::vector<std::string> classes;
    std::size_t features_read = 0;
    std::size_t speeds_ignored = 0;  // numeric maxspeed values not in (0, max_road_speed_kmh]: class speed used

    // Centre of the lines' bounding box in lon/lat: where the run's UTM zone is chosen.
    void center_lonlat(double& lon, double& lat) const;
};

// Reads road lines; input_error naming the file, layer or field for anything unusable,
// including a layer with no road line at all.
road_set read_roads(const std::string& path, const road_options& options = {});
// The layer read_roads reads, without reading it (a run whose graph came from its cache); `note`,
// when given, receives the same remark on the choice as road_set::layer_note.
std::string road_layer_name(const std::string& path, const road_options& options = {}, std::string* note = nullptr);

// The values of the OSM keys the network uses, from the `other_tags` hstore text of GDAL's OSM
// driver ("k"=>"v","k2"=>"v2"); empty where a key is absent. A null text has no tags.
struct osm_tags {
    std::string oneway, maxspeed, junction, access, foot, tunnel, bridge;
};
osm_tags parse_other_tags(const char* text);

// A maxspeed above this is a data error (1e308 would make an 8 km road take no time): the class speed
// applies instead. The standards file's own speeds are bounded the same way.
constexpr double max_road_speed_kmh = 200;

// Parses an OSM maxspeed value ("50", "30 mph", "RU:urban") to km/h; 0 when it is not numeric. A
// number is returned as written (negative, NaN or huge: read_roads refuses those with a warning).
float parse_maxspeed(const std::string& value);
// Parses an OSM oneway value (yes/true/1, -1/reverse, no/false/0 or empty).
oneway_kind parse_oneway(const std::string& value);

}  // namespace healthreach::geo
