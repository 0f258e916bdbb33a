#pragma once
// Point and polygon layers read through GDAL (facilities, candidates, villages, admin units, urban
// areas), reprojected into the run's metric CRS.
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
    std::string layer;               // empty: the only layer, or the only point layer (else input_error)
    std::string layer_option = "a layer name";  // how the user names the layer, for messages (--facilities-layer)
    std::string id_field;            // empty: `id` when the layer has it, else the feature id
    std::string name_field;          // empty: `name` when the layer has it; a named field must exist
    std::string type_field = "type";
    std::vector<std::string> numeric_fields;  // kept per point when present (ambulances, capacity, ...)
    std::vector<std::string> text_fields;     // kept per point when present (category, ...)
};

struct point_set {
    std::string path, layer;
    std::string id_field, name_field, type_field;  // the fields read (empty: none; ids are then feature ids)
    std::vector<double> x, y;  // metric CRS
    std::vector<std::string> id, name, type;
    bool has_type = false;
    // What a planner should know about the layer: polygons taken as points, features without a
    // geometry left out, repeated ids, names that are not UTF-8.
    std::vector<std::string> warnings;
    // Per requested numeric field present in the layer: one value per point (nullopt where empty).
    std::map<std::string, std::vector<std::optional<double>>> numbers;
    std::map<std::string, std::vector<std::string>> texts;  // requested text fields present in the layer

    std::size_t size() const { return x.size(); }
};

// Any OGR point layer, or CSV with lon/lat (or longitude/latitude, x/y) columns in WGS 84.
// Polygon features stand for a point on their surface. input_error naming file, layer, feature or
// field (lines, non-finite coordinates, a CSV row without coordinates, absent fields).
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
class polygon_locator {
public:
    explicit polygon_locator(const polygon_set& polygons);
    ~polygon_locator();
    polygon_locator(const polygon_locator&) = delete;
    polygon_locator& operator=(const polygon_locator&) = delete;

    int find(double x, double y) const;  // -1: in none (a point on a border counts as inside)

private:
    ::GEOSContextHandle_HS* ctx_;
    std::vector<::GEOSGeom_t*> geoms_;
    std::vector<const ::GEOSPrepGeom_t*> prepared_;
    std::vector<OGREnvelope> envelopes_;
};

}  // namespace healthreach::geo
