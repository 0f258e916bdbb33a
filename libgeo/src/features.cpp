#include "healthreach/geo/features.hpp"

#include "healthreach/geo/crs.hpp"
#include "healthreach/error.hpp"
#include "healthreach/geo/gdal.hpp"
#include "healthreach/geo/text.hpp"

#include <cpl_string.h>
#include <geos_c.h>

#include <algorithm>
#include <cmath>
#include <map>

namespace healthreach::geo {

namespace {

bool is_csv(const std::string& path) {
    std::string ext = path.size() >= 4 ? path.substr(path.size() - 4) : "";
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return ext == ".csv";
}

// The columns GDAL's CSV driver takes a point's coordinates from (in any case).
constexpr char lon_columns[] = "lon,longitude,lng,x";
constexpr char lat_columns[] = "lat,latitude,y";

dataset_ptr open_points(const std::string& path) {
    if (!is_csv(path)) return open_vector(path);
    init_gdal();
    VSIStatBufL st;
    if (VSIStatL(path.c_str(), &st) != 0) throw input_error(path + ": no such file");
    // The coordinate columns stay fields: with KEEP_GEOM_COLUMNS=NO, GDAL 3.6 crashes reading a file
    // with two of them for one axis (lon and x).
    const std::string x = std::string("X_POSSIBLE_NAMES=") + lon_columns, y = std::string("Y_POSSIBLE_NAMES=") + lat_columns;
    const char* options[] = {x.c_str(), y.c_str(), nullptr};
    const char* csv_only[] = {"CSV", nullptr};  // not whichever driver recognises the bytes
    dataset_ptr ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, csv_only, options));
    if (!ds) throw input_error(path + ": not a CSV file GDAL can read: " + gdal_last_error());
    return ds;
}

// input_error when more than one column could give the same coordinate: GDAL would take either.
void check_one_column(OGRFeatureDefn& defn, const char* names, const std::string& path) {
    const CPLStringList accepted(CSLTokenizeString2(names, ",", 0));
    std::string found;
    for (int i = 0; i < defn.GetFieldCount(); ++i) {
        const char* name = defn.GetFieldDefn(i)->GetNameRef();
        if (accepted.FindString(name) < 0) continue;
        if (!found.empty())
            throw input_error(path + ": columns '" + found + "' and '" + name + "' both name a coordinate (" + names +
                              "): keep one");
        found = name;
    }
}

OGRSpatialReference layer_srs(OGRLayer& layer, const std::string& where, bool csv) {
    if (const OGRSpatialReference* srs = layer.GetSpatialRef()) return traditional(*srs);
    if (!csv) throw input_error(where + ": has no CRS");
    OGRSpatialReference wgs84;
    wgs84.importFromEPSG(4326);
    return traditional(wgs84);
}

// The field a user named (input_error listing the layer's fields when it is absent), or else the
// default name when the layer has it (-1 when not).
int named_field(OGRFeatureDefn& defn, const std::string& named, const char* fallback, const std::string& where,
                const char* role) {
    if (named.empty()) return defn.GetFieldIndex(fallback);
    const int i = defn.GetFieldIndex(named.c_str());
    if (i >= 0) return i;
    std::string fields;
    for (int k = 0; k < defn.GetFieldCount(); ++k) fields += (k ? ", " : "") + std::string(defn.GetFieldDefn(k)->GetNameRef());
    throw input_error(where + ": no field '" + named + "' (" + role + "; fields: " + (fields.empty() ? "none" : fields) + ")");
}

// Warnings about a layer's names or ids: repeated ones (the first few named) and ones that are not
// UTF-8 (written with U+FFFD in JSON).
void check_names(const std::vector<std::string>& names, const std::string& where, const char* what,
                 std::vector<std::string>& warnings) {
    std::map<std::string, int> seen;
    std::vector<std::string> repeated;
    std::size_t not_utf8 = 0;
    for (const std::string& n : names) {
        if (++seen[n] == 2) repeated.push_back(n);
        if (!is_utf8(n)) ++not_utf8;
    }
    if (!repeated.empty()) {
        std::string list;
        for (std::size_t i = 0; i < repeated.size() && i < 5; ++i) list += (i ? ", " : "") + std::string("'") + repeated[i] + "'";
        if (repeated.size() > 5) list += ", ...";
        warnings.push_back(where + ": " + std::to_string(repeated.size()) + " " + what +
                           " used by more than one feature (" + list + "); results name them alike");
    }
    if (not_utf8)
        warnings.push_back(where + ": " + std::to_string(not_utf8) + " " + what +
                           " are not UTF-8 text (another encoding?): shown with the replacement character");
}

}  // namespace

point_set read_points(const std::string& path, const OGRSpatialReference& metric, const point_options& options) {
    dataset_ptr ds = open_points(path);
    std::string picked;
    OGRLayer& layer = choose_layer(*ds, path, options.layer, geometry_kind::point, options.layer_option, picked);
    const std::string where = path + " layer " + layer.GetName();
    const bool csv = is_csv(path);
    OGRFeatureDefn& defn = *layer.GetLayerDefn();
    if (csv && defn.GetGeomFieldCount() == 0)
        throw input_error(path + ": no lon/lat columns (lon, longitude, lng or x; lat, latitude or y)");
    if (csv) {
        check_one_column(defn, lon_columns, path);
        check_one_column(defn, lat_columns, path);
    }
    const OGRSpatialReference srs = layer_srs(layer, where, csv);

    point_set pts;
    pts.path = path;
    pts.layer = layer.GetName();
    const int i_id = named_field(defn, options.id_field, "id", where, "--id-field"),
              i_name = named_field(defn, options.name_field, "name", where, "--name-field"),
              i_type = field_index(defn, options.type_field);
    pts.has_type = i_type >= 0;
    if (!picked.empty()) pts.warnings.push_back(picked);
    if (i_id >= 0) pts.id_field = defn.GetFieldDefn(i_id)->GetNameRef();
    if (i_name >= 0) pts.name_field = defn.GetFieldDefn(i_name)->GetNameRef();
    if (i_type >= 0) pts.type_field = defn.GetFieldDefn(i_type)->GetNameRef();
    std::vector<std::pair<int, std::vector<std::optional<double>>*>> numeric;
    for (const std::string& f : options.numeric_fields) {
        const int i = field_index(defn, f);
        if (i >= 0 && !pts.numbers.count(f)) numeric.emplace_back(i, &pts.numbers[f]);
    }
    std::vector<std::pair<int, std::vector<std::string>*>> textual;
    for (const std::string& f : options.text_fields) {
        const int i = field_index(defn, f);
        if (i >= 0 && !pts.texts.count(f)) textual.emplace_back(i, &pts.texts[f]);
    }
    std::size_t from_polygons = 0, without_geometry = 0;
    for (feature_ptr f(layer.GetNextFeature()); f; f.reset(layer.GetNextFeature())) {
        const OGRGeometry* g = f->GetGeometryRef();
        if (!g || g->IsEmpty()) {
            // A CSV row whose coordinates GDAL could not read (empty, "NaN", text) is a typo to fix,
            // never a facility to drop.
            if (csv)
                throw input_error(path + ": row " + std::to_string(f->GetFID() + 1) +
                                  " has no usable coordinates in its lon/lat columns (empty, not a number or not finite)");
            ++without_geometry;
            continue;
        }
        OGRPoint p;
        switch (wkbFlatten(g->getGeometryType())) {
        case wkbPoint: p = *g->toPoint(); break;
        case wkbMultiPoint: p = *g->toMultiPoint()->getGeometryRef(0); break;
        case wkbPolygon:
        case wkbMultiPolygon: {
            std::unique_ptr<OGRGeometry> inner(OGRGeometry::FromHandle(
                OGR_G_PointOnSurface(OGRGeometry::ToHandle(const_cast<OGRGeometry*>(g)))));
            if (!inner) throw input_error(where + ": feature " + std::to_string(f->GetFID()) + " has an invalid polygon");
            p = *inner->toPoint();
            ++from_polygons;
            break;
        }
        default:
            throw input_error(where + ": feature " + std::to_string(f->GetFID()) + " is a " + g->getGeometryName() +
                              ", not a point");
        }
        if (!std::isfinite(p.getX()) || !std::isfinite(p.getY()))
            throw input_error(where + ": feature " + std::to_string(f->GetFID()) + " has a coordinate that is not a finite number");
        pts.x.push_back(p.getX());
        pts.y.push_back(p.getY());
        pts.id.push_back(i_id >= 0 && f->IsFieldSetAndNotNull(i_id) ? f->GetFieldAsString(i_id) : std::to_string(f->GetFID()));
        pts.name.push_back(i_name >= 0 && f->IsFieldSetAndNotNull(i_name) ? f->GetFieldAsString(i_name) : "");
        pts.type.push_back(i_type >= 0 && f->IsFieldSetAndNotNull(i_type) ? f->GetFieldAsString(i_type) : "");
        for (auto& [i, values] : numeric) {
            std::optional<double> v;
            if (f->IsFieldSetAndNotNull(i)) {
                const char* text = f->GetFieldAsString(i);
                char* end = nullptr;
                const double d = std::strtod(text, &end);
                if (end == text || *end != '\0')
                    throw input_error(where + ": field '" + defn.GetFieldDefn(i)->GetNameRef() + "' of feature " +
                                      std::to_string(f->GetFID()) + " is not a number: '" + text + "'");
                v = d;
            }
            values->push_back(v);
        }
        for (auto& [i, values] : textual) values->push_back(f->IsFieldSetAndNotNull(i) ? f->GetFieldAsString(i) : "");
    }
    transformer(srs, metric).apply(pts.x, pts.y, where);
    if (from_polygons)
        pts.warnings.push_back(where + ": " + std::to_string(from_polygons) +
                               " features are polygons; each stands for a point on its surface");
    if (without_geometry)
        pts.warnings.push_back(where + ": " + std::to_string(without_geometry) + " features have no geometry; left out");
    if (i_id >= 0) check_names(pts.id, where, "ids", pts.warnings);
    else check_names(pts.name, where, "names", pts.warnings);
    return pts;
}

polygon_set read_polygons(const std::string& path, const OGRSpatialReference& metric, const std::string& layer_name,
                          const std::string& name_field) {
    dataset_ptr ds = open_vector(path);
    // Unnamed: the first polygon layer (admin files hold counties, then townships; DESIGN.md), so a
    // layer of points or lines before it is never read as the units.
    OGRLayer* first_polygons = nullptr;
    for (int i = 0; i < ds->GetLayerCount() && layer_name.empty() && !first_polygons; ++i) {
        const auto t = wkbFlatten(ds->GetLayer(i)->GetGeomType());
        if (t == wkbPolygon || t == wkbMultiPolygon) first_polygons = ds->GetLayer(i);
    }
    OGRLayer& layer = first_polygons ? *first_polygons : find_layer(*ds, path, layer_name);
    const std::string where = path + " layer " + layer.GetName();
    const OGRSpatialReference srs = layer_srs(layer, where, false);
    const transformer to_metric(srs, metric);
    polygon_set out;
    out.path = path;
    out.layer = layer.GetName();
    const int i_name = named_field(*layer.GetLayerDefn(), name_field, "name", where, "name field");
    if (i_name >= 0) out.name_field = layer.GetLayerDefn()->GetFieldDefn(i_name)->GetNameRef();
    const int i_kind = layer.GetLayerDefn()->GetFieldIndex("kind");
    for (feature_ptr f(layer.GetNextFeature()); f; f.reset(layer.GetNextFeature())) {
        const OGRGeometry* g = f->GetGeometryRef();
        if (!g || g->IsEmpty()) continue;
        const auto type = wkbFlatten(g->getGeometryType());
        if (type != wkbPolygon && type != wkbMultiPolygon)
            throw input_error(where + ": feature " + std::to_string(f->GetFID()) + " is a " + g->getGeometryName() +
                              ", not a polygon");
        std::unique_ptr<OGRGeometry> geom(g->clone());
        to_metric.apply(*geom, where);
        out.name.push_back(i_name >= 0 ? f->GetFieldAsString(i_name) : std::to_string(f->GetFID()));
        out.kind.push_back(i_kind >= 0 ? f->GetFieldAsString(i_kind) : "");
        out.geometry.push_back(std::move(geom));
    }
    if (out.size() == 0) throw input_error(where + ": no polygon");
    if (i_name >= 0) check_names(out.name, where, "names", out.warnings);
    return out;
}

polygon_locator::polygon_locator(const polygon_set& polygons) : ctx_(GEOS_init_r()) {
    for (const auto& g : polygons.geometry) {
        GEOSGeometry* geos = g->exportToGEOS(ctx_);
        if (!geos) throw input_error(polygons.path + ": a polygon cannot be used (invalid geometry)");
        geoms_.push_back(geos);
        prepared_.push_back(GEOSPrepare_r(ctx_, geos));
        OGREnvelope env;
        g->getEnvelope(&env);
        envelopes_.push_back(env);
    }
}

polygon_locator::~polygon_locator() {
    for (auto* p : prepared_) GEOSPreparedGeom_destroy_r(ctx_, p);
    for (auto* g : geoms_) GEOSGeom_destroy_r(ctx_, g);
    GEOS_finish_r(ctx_);
}

int polygon_locator::find(double x, double y) const {
    GEOSGeometry* point = nullptr;
    int found = -1;
    for (std::size_t i = 0; i < prepared_.size() && found < 0; ++i) {
        const OGREnvelope& e = envelopes_[i];
        if (x < e.MinX || x > e.MaxX || y < e.MinY || y > e.MaxY) continue;
        if (!point) point = GEOSGeom_createPointFromXY_r(ctx_, x, y);
        if (GEOSPreparedIntersects_r(ctx_, prepared_[i], point) == 1) found = static_cast<int>(i);
    }
    if (point) GEOSGeom_destroy_r(ctx_, point);
    return found;
}

}  // namespace healthreach::geo
