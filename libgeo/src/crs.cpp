#include "healthreach/geo/crs.hpp"

#include "healthreach/error.hpp"
#include "healthreach/geo/gdal.hpp"

#include <cmath>

namespace healthreach::geo {

OGRSpatialReference traditional(const OGRSpatialReference& srs) {
    OGRSpatialReference out(srs);
    out.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    return out;
}

OGRSpatialReference parse_crs(const std::string& text) {
    init_gdal();
    OGRSpatialReference srs;
    if (srs.SetFromUserInput(text.c_str()) != OGRERR_NONE)
        throw input_error("--crs: cannot understand '" + text + "'");
    return traditional(srs);
}

OGRSpatialReference utm_zone_for(double lon, double lat) {
    int zone = static_cast<int>(std::floor((lon + 180.0) / 6.0)) + 1;
    zone = std::min(60, std::max(1, zone));
    OGRSpatialReference srs;
    srs.importFromEPSG((lat >= 0 ? 32600 : 32700) + zone);
    return traditional(srs);
}

OGRSpatialReference choose_metric_crs(const std::string& user_crs, double lon, double lat) {
    if (user_crs.empty()) return utm_zone_for(lon, lat);
    OGRSpatialReference srs = parse_crs(user_crs);
    if (!srs.IsProjected()) throw input_error("--crs " + user_crs + ": not a projected (metric) CRS");
    return srs;
}

std::string crs_label(const OGRSpatialReference& srs) {
    const char* auth = srs.GetAuthorityName(nullptr);
    const char* code = srs.GetAuthorityCode(nullptr);
    if (auth && code) return std::string(auth) + ":" + code;
    char* wkt = nullptr;
    srs.exportToWkt(&wkt);
    std::string out = wkt ? wkt : "";
    CPLFree(wkt);
    return out;
}

transformer::transformer(const OGRSpatialReference& from, const OGRSpatialReference& to) {
    const OGRSpatialReference a = traditional(from), b = traditional(to);
    if (a.IsSame(&b)) return;
    ct_.reset(OGRCreateCoordinateTransformation(&a, &b));
    if (!ct_) throw input_error("cannot transform from " + crs_label(a) + " to " + crs_label(b) + ": " +
                                gdal_last_error());
}

void transformer::apply(double* x, double* y, std::size_t n, const std::string& what) const {
    if (!ct_ || n == 0) return;
    std::vector<int> ok(n);
    ct_->Transform(static_cast<int>(n), x, y, nullptr, ok.data());
    for (std::size_t i = 0; i < n; ++i)
        if (!ok[i] || !std::isfinite(x[i]) || !std::isfinite(y[i]))
            throw input_error(what + ": a coordinate cannot be transformed into the metric CRS");
}

void transformer::apply(OGRGeometry& geometry, const std::string& what) const {
    if (!ct_) return;
    if (geometry.transform(ct_.get()) != OGRERR_NONE)
        throw input_error(what + ": a geometry cannot be transformed into the metric CRS");
}

void envelope_center_lonlat(const OGREnvelope& env, const OGRSpatialReference& srs, double& lon, double& lat) {
    lon = (env.MinX + env.MaxX) / 2;
    lat = (env.MinY + env.MaxY) / 2;
    OGRSpatialReference wgs84;
    wgs84.SetWellKnownGeogCS("WGS84");
    transformer(srs, wgs84).apply(&lon, &lat, 1, "data centre");
}

}  // namespace healthreach::geo
