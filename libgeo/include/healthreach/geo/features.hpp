#pragma once
// Point and polygon layers read through GDAL (facilities, candidates, villages, admin units, urban
// areas), reprojected into the run's metric CRS.
#include "healthreach/geo/china_coords.hpp"
#include "healthreach/geo/vocabulary.hpp"

#include <ogr_geometry.h>
#include <ogr_spatialref.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

// GEOS's handle types (geos_c.h), declared by their structs so that GEOS stays an implementation detail.
struct GEOSContextHandle_HS;
struct GEOSGeom_t;
struct GEOSPrepGeom_t;

namespace healthreach::geo {

struct point_options {
    std::string layer;               // empty: the only layer, or the only point layer or table (else input_error)
    std::string layer_option = "a layer name";  // how the user names the layer, for messages (--facilities-layer)
    std::string id_field;            // empty: `id` when the layer has it, else the feature id
    std::string name_field;          // empty: the first of name_field_guesses the layer has; a named field must exist
    std::string type_field;          // empty: `type` when the layer has it; a named field must exist
    type_map types;                  // the layer's type values -> the standards' types (others kept as they are)
    // Tables (CSV, XLSX, any layer without geometry): the coordinate columns, found by name when
    // empty (lon/lng/longitude/经度 or x; lat/latitude/纬度 or y), and their CRS (empty: EPSG:4326).
    std::string lon_field, lat_field, points_crs;
    lonlat_system coords = lonlat_system::wgs84;  // lon/lat from a Chinese web map: converted to WGS 84
    std::vector<std::string> numeric_fields;  // kept per point when present (ambulances, capacity, ...)
    std::vector<std::string> text_fields;     // kept per point when present (category, ...)
};

// Only how `o` places points (coordinate columns, --points-crs, --coords), for another point file
// that need not have the facilities' layer and fields (villages, --min-distance-from).
point_options placement_of(const point_options& o);

// Field names taken as the name field when none is named, in this order; compared with separators
// (space, _, -, ., :) removed and ASCII letters in any case, so `FacilityName` is `facility_name`.
extern const std::vector<std::string> name_field_guesses;

struct point_set {
    std::string path, layer;
    std::string id_field, name_field, type_field;  // the fields read (empty: none; ids are then feature ids)
    std::string lon_field, lat_field;              // tables: the coordinate columns read
    std::vector<double> x, y;  // metric CRS
    std::vector<std::string> id, name;
    std::vector<std::string> type;         // after the type map
    std::vector<std::string> source_type;  // as in the layer, trimmed
    bool has_type = false;
    std::size_t type_mapped = 0;           // features whose type the map changed
    std::size_t coords_converted = 0;      // points moved from GCJ-02/BD-09 to WGS 84
    std::size_t coords_outside_china = 0;  // GCJ-02 points outside China's rectangle, left as they are
    // What was read and how (a guessed name field, the CSV's encoding, the coordinates' system):
    // for the input summary.
    std::vector<std::string> notes;
    // What a planner should know about the layer: polygons taken as points, features without a
    // geometry left out, repeated ids, names that are not UTF-8.
    std::vector<std::string> warnings;
    // Per requested numeric field present in the layer: one value per point (nullopt where empty).
    std::map<std::string, std::vector<std::optional<double>>> numbers;
    std::map<std::string, std::vector<std::string>> texts;  // requested text fields present in the layer
    std::vector<std::string> field_names;  // every field of the layer, for messages naming a missing one

    std::size_t size() const { return x.size(); }
};

// Any OGR point layer, or a table (CSV in UTF-8 or GBK, XLSX, ...) with coordinate columns.
// Polygon features stand for a point on their surface. input_error naming file, layer, feature or
// row, field and value (lines, non-finite coordinates, a row whose coordinate is missing or not a
// number, absent fields, a CSV neither UTF-8 nor GBK).
point_set read_points(const std::string& path, const OGRSpatialReference& metric, const point_options& options = {});

struct polygon_set {
    std::string path, layer;
    std::string name_field;  // the field names were read from (empty: feature ids)
    std::vector<std::string> name;
    std::vector<std::string> kind;  // the `kind` field where the layer has one, else empty strings
    std::vector<std::unique_ptr<OGRGeometry>> geometry;  // metric CRS, (Multi)Polygon
    std::vector<std::string> warnings;  // repeated names, names that are not UTF-8

    std::size_t size() const { return name.size(); }
};

// Any OGR polygon layer (`layer` empty: the first); names from `name_field` (feature id when absent).
polygon_set read_polygons(const std::string& path, const OGRSpatialReference& metric, const std::string& layer = "",
                          const std::string& name_field = "");

// Which polygon holds a point (the first, in layer order); GEOS prepared geometries behind an
// envelope test. One per thread: GEOS handles are not shared.
// A polygon set exported to GEOS once, each polygon prepared for repeated predicates, with its
// envelope; in a GEOS context of its own. input_error naming the file for an unusable polygon.
struct prepared_polygons {
    explicit prepared_polygons(const polygon_set& polygons);
    ~prepared_polygons();
    prepared_polygons(const prepared_polygons&) = delete;
    prepared_polygons& operator=(const prepared_polygons&) = delete;

    ::GEOSContextHandle_HS* ctx;
    std::vector<::GEOSGeom_t*> geoms;
    std::vector<const ::GEOSPrepGeom_t*> prepared;
    std::vector<OGREnvelope> envelopes;

private:
    void release();
};

class polygon_locator {
public:
    explicit polygon_locator(const polygon_set& polygons) : polygons_(polygons) {}

    int find(double x, double y) const;  // -1: in none (a point on a border counts as inside)

private:
    prepared_polygons polygons_;
};

}  // namespace healthreach::geo
